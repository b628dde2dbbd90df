"""The service on an on-disk store built once by `therapykg build --into`."""

import httpx
import pytest

from therapykg.store.graph import read_store_version, write_store
from therapykg.store.label_index import INDEX_FILE, LabelIndex
from therapykg.testing import start_server, stop_server

JSON = "application/sparql-results+json"

# Each test starts `therapykg serve` on a store folder.
pytestmark = pytest.mark.live


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
        assert "https://w3id.org/therapykg/resource/blinatumomab" in _search(url, "blincyto")
    finally:
        stop_server(process)


def _search(url, text):
    response = httpx.get(url + "/queries/search", params={"text": text}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return {b["resource"]["value"] for b in response.json()["results"]["bindings"]}


def test_the_store_carries_its_label_index(tmp_path, graph):
    """`build --into` saves the label index beside the data; query processes
    read it instead of scanning every label of the store. Shown by editing
    it: without blinatumomab's names, a search no longer narrows to it."""
    store = tmp_path / "store"
    write_store(graph, store)
    saved, fresh = LabelIndex.read(store / INDEX_FILE), LabelIndex.of_store(graph.store)
    assert len(saved) == len(fresh)
    for text in ("blincyto", "cd19", "cytokine release", "a", "cycle 1, days"):
        assert saved.resources_containing(text) == fresh.resources_containing(text)
    blina = "https://w3id.org/therapykg/resource/blinatumomab"
    lines = (store / INDEX_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (store / INDEX_FILE).write_text("".join(line for line in lines if not line.startswith(blina + "\t")), encoding="utf-8")
    process, url = start_server("--store", str(store))
    try:
        found = _search(url, "blincyto")
        assert found and blina not in found
    finally:
        stop_server(process)


def test_serve_refuses_a_folder_that_is_not_a_store(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "therapykg", "serve", "--store", str(tmp_path / "missing")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "neither 'memory'" in result.stderr
