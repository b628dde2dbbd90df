"""The service on an on-disk store built once by `therapykg build --into`."""

import httpx

from tests.live import start_server, stop_server
from therapykg.graph import read_store_version, write_store

JSON = "application/sparql-results+json"


def test_serve_from_an_on_disk_store(tmp_path, graph):
    store = tmp_path / "store"
    write_store(graph, store)
    assert read_store_version(store) == graph.version
    process, url = start_server("--store", str(store), "--query-workers", "2")
    try:
        ready = httpx.get(url + "/readyz").json()
        assert ready["version"] == graph.version and ready["triples"] == len(graph)
        response = httpx.get(url + "/queries/dose-on-day", params={"weightKg": "60", "cycle": "1", "day": "8"}, headers={"Accept": JSON})
        assert [b["dose"]["value"] for b in response.json()["results"]["bindings"]] == ["28"]
    finally:
        stop_server(process)


def test_serve_refuses_a_folder_that_is_not_a_store(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "therapykg", "serve", "--store", str(tmp_path / "missing")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "neither 'memory'" in result.stderr
