"""The service on a remote SPARQL engine (Oxigraph's server on loopback):
loading through the Graph Store protocol, the endpoint, named queries and
GraphQL unchanged, atomic reloads, and recovery when the engine comes back."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.api.conftest import free_port, start_server, stop_server
from therapykg.cli import main

JSON = "application/sparql-results+json"
# The oxigraph CLI comes with the test extras, beside this interpreter (the
# virtual environment need not be on PATH).
_BESIDE = Path(sys.executable).with_name("oxigraph")
OXIGRAPH = str(_BESIDE) if _BESIDE.exists() else shutil.which("oxigraph")


def start_oxigraph(location, port: int) -> subprocess.Popen:
    assert OXIGRAPH, "the oxigraph server (PyPI package oxigraph) is needed for the remote backend tests"
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--timeout-s", "5"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("oxigraph did not start")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    location, port = tmp_path_factory.mktemp("oxigraph"), free_port()
    process = start_oxigraph(location, port)
    result = CliRunner().invoke(main, ["load", "--into", f"http://127.0.0.1:{port}/store"])
    assert result.exit_code == 0, result.output
    state = {"process": process, "location": location, "port": port}
    yield state
    state["process"].terminate()
    state["process"].wait()


@pytest.fixture(scope="module")
def remote(engine):
    process, url = start_server("--backend", f"http://127.0.0.1:{engine['port']}/query")
    yield url
    stop_server(process)


def _count(url: str) -> int:
    response = httpx.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_whole_graph_is_served(remote, graph):
    union = {(q.subject, q.predicate, q.object) for q in graph.store}
    assert _count(remote) == len(union)
    ready = httpx.get(remote + "/readyz").json()
    assert ready["version"] == graph.version and ready["backend"].endswith("/query")


def test_named_query_with_parameters(remote):
    response = httpx.get(remote + "/queries/dose-on-day", params={"weightKg": "60", "cycle": "1", "day": "8"}, headers={"Accept": JSON})
    rows = response.json()["results"]["bindings"]
    assert [(r["dose"]["value"], r["unit"]["value"]) for r in rows] == [("28", "ug/d")]


def test_hostile_parameter_stays_a_literal(remote, graph):
    response = httpx.get(remote + "/queries/search", params={"text": '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'}, headers={"Accept": JSON})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


def test_graphql_comparison(remote):
    query = """{ compareTherapies(ids: ["blinatumomab", "inotuzumab-ozogamicin"], aspects: [EFFICACY]) {
        rows { label cells { therapy values { text } } } } }"""
    data = httpx.post(remote + "/graphql", json={"query": query}).json()
    assert "errors" not in data, data
    row = next(r for r in data["data"]["compareTherapies"]["rows"] if r["label"] == "CR/CRi rate")
    assert row["cells"][1]["values"][0]["text"] == "73.8 % vs 30.9 % (standard chemotherapy)"


def test_linked_data_and_construct(remote):
    page = httpx.get(remote + "/resource/blinatumomab", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<h1>blinatumomab</h1>" in page.text
    turtle = httpx.get(remote + "/sparql", params={"query": "CONSTRUCT WHERE { tkgr:blinatumomab tkg:hasTarget ?t }"},
                       headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and "CD19" in turtle.text


def test_reload_switches_versions_atomically(engine, remote, graph):
    """A second load replaces the version graph; readers always see a whole graph."""
    store = f"http://127.0.0.1:{engine['port']}/store"
    counts = []
    result = CliRunner().invoke(main, ["load", "--into", store])
    assert result.exit_code == 0
    for _ in range(5):
        counts.append(_count(remote))
    assert set(counts) == {_count(remote)}
    graphs = httpx.get(f"http://127.0.0.1:{engine['port']}/query",
                       params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}, headers={"Accept": JSON}).json()
    names = sorted(b["g"]["value"] for b in graphs["results"]["bindings"])
    assert names == ["https://w3id.org/therapykg/graph/meta", f"https://w3id.org/therapykg/graph/version/{graph.version}"]


def test_engine_down_gives_503_naming_it_then_recovers(engine, remote):
    engine["process"].terminate()
    engine["process"].wait()
    response = httpx.get(remote + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 503
    assert f"127.0.0.1:{engine['port']}" in response.text
    assert httpx.get(remote + "/readyz").status_code == 503
    engine["process"] = start_oxigraph(engine["location"], engine["port"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and httpx.get(remote + "/readyz").status_code != 200:
        time.sleep(0.2)
    assert httpx.get(remote + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON}).json()["boolean"] is True


def test_slow_engine_is_bounded_by_our_timeout(remote, engine):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.monotonic()
    response = httpx.get(remote + "/sparql", params={"query": runaway, "timeout": "1.5"}, timeout=30)
    elapsed = time.monotonic() - start
    assert response.status_code == 503 and "timed out" in response.text and "SPARQL backend" in response.text
    assert elapsed < 8
    assert httpx.get(remote + "/healthz").status_code == 200


def test_engine_specific_blank_node_labels_are_renamed():
    """Virtuoso writes blank nodes as nodeID://...; they are renamed, kept distinct."""
    import json

    import pyoxigraph as ox

    from therapykg.api.remote import _portable_json

    body = json.dumps({"head": {"vars": ["x", "y"]}, "results": {"bindings": [
        {"x": {"type": "bnode", "value": "nodeID://b10001"}, "y": {"type": "bnode", "value": "nodeID://b10002"}},
        {"x": {"type": "bnode", "value": "nodeID://b10001"}, "y": {"type": "typed-literal", "value": "1",
                                                                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode()
    rows = list(ox.parse_query_results(_portable_json(body), format=ox.QueryResultsFormat.JSON))
    assert rows[0]["x"] == rows[1]["x"] != rows[0]["y"]
    assert rows[1]["y"].value == "1"
