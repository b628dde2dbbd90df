"""The service on remote SPARQL engines (Oxigraph's server and Virtuoso on
loopback): loading through the Graph Store protocol, the endpoint, named
queries and GraphQL unchanged, atomic reloads, recovery when the engine
comes back, and our timeout over a slow engine. The competency questions and
the GraphQL tests also run on both engines (the ``query_path`` and ``gq``
fixtures)."""

import asyncio
import time

import httpx
import pytest

from therapykg.queries import library, runnable_text
from therapykg.store.label_index import LabelIndex
from therapykg.store.remote import RemoteEngine
from therapykg.store.worker import QueryJob, prepare
from therapykg.testing import ENGINES, make, server_log, start_server, stop_server, wait_until

JSON = "application/sparql-results+json"

# Oxigraph's server and Virtuoso, each with `therapykg serve` on it.
pytestmark = pytest.mark.live


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory, graph):
    """An engine of its own (these tests stop it), with a short time limit of
    its own so a runaway query does not keep it busy after our timeout."""
    engine = make(request.param, tmp_path_factory.mktemp(request.param), timeout_s=5).start()
    assert f"loaded {len(graph.store):,} triples" in engine.load()
    yield engine
    engine.stop()


@pytest.fixture(scope="module")
def remote(engine):
    """`therapykg serve` on the engine as its remote backend; its base URL."""
    process, url = start_server("--backend", engine.query_url)
    yield url
    stop_server(process)


def _count(url: str) -> int:
    response = httpx.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_whole_graph_is_served(engine, remote, graph):
    union = {(q.subject, q.predicate, q.object) for q in graph.store}
    assert _count(remote) == len(union)
    ready = httpx.get(remote + "/readyz").json()
    assert ready["version"] == graph.version and ready["backend"] == engine.query_url
    names = graph.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?r ?name WHERE { ?r rdfs:label|skos:altLabel ?name } }")
    indexed = wait_until(lambda: httpx.get(remote + "/readyz").json()["label_index"], timeout=30)
    assert indexed == int(names[0]["n"].value)


def test_ask_and_booleans_come_back_standard(remote):
    """Virtuoso answers ASK as a one-column SELECT and booleans as 1/0; clients see standard results."""
    ask = httpx.get(remote + "/sparql", params={"query": "ASK { tkgr:blinatumomab tkg:hasTarget ?t }"}, headers={"Accept": JSON})
    assert ask.json() == {"head": {}, "boolean": True}
    no = httpx.get(remote + "/sparql", params={"query": "ASK { tkgr:blinatumomab tkg:hasTarget tkgr:blinatumomab }"}, headers={"Accept": JSON})
    assert no.json()["boolean"] is False
    select = httpx.get(remote + "/sparql", params={"query": "SELECT ?b WHERE { BIND (xsd:boolean(1 < 2) AS ?b) }"}, headers={"Accept": JSON})
    assert select.json()["results"]["bindings"] == [{"b": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "true"}}]


def test_hostile_parameter_stays_a_literal(remote, graph):
    response = httpx.get(remote + "/queries/search", params={"text": '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'}, headers={"Accept": JSON})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []


def test_searches_are_narrowed_by_a_label_index_of_the_served_version(engine, graph):
    """The service reads the served version's names from the engine into its
    label index (the answers through it are checked by the competency tests)."""
    async def built_index():
        backend = RemoteEngine(engine.query_url)
        await backend.start()
        try:
            for _ in range(300):
                if backend.label_index is not None:
                    return backend.label_index
                await asyncio.sleep(0.1)
        finally:
            await backend.close()

    index = asyncio.run(built_index())
    assert index is not None
    local = LabelIndex.of_store(graph.store)
    for text in ("cd19", "BLINCYTO", "cytokine release"):
        assert index.resources_containing(text) == local.resources_containing(text)
    job = QueryJob(query=library()["search"].text, narrow=("resource", "blincyto"))
    narrowed = prepare(job.query, job, index)
    clause = narrowed[narrowed.index("VALUES ?resource {"):]
    assert "<https://w3id.org/therapykg/resource/blinatumomab>" in clause[:clause.index("}")]


def test_a_capped_engine_gets_no_label_index_and_searches_still_answer(tmp_path, graph):
    """Virtuoso cuts answers at ResultSetMaxRows without saying so; an index
    read from such an answer would miss names, so the service counts first
    and scans instead."""
    engine = make("virtuoso", tmp_path / "capped", max_rows=100).start()
    process = None
    try:
        engine.load()
        process, url = start_server("--backend", engine.query_url)
        wait_until(lambda: "label index" in server_log(process), timeout=30)
        said = server_log(process)
        assert "label index" in said and "returned 100 of" in said and "not used" in said
        assert httpx.get(url + "/readyz").json()["label_index"] is None
        response = httpx.get(url + "/queries/search", params={"text": "blincyto"}, headers={"Accept": JSON})
        served = {row["resource"]["value"] for row in response.json()["results"]["bindings"]}
        scanned = {row["resource"].value for row in graph.select(runnable_text(library()["search"], {"text": "blincyto"}))}
        assert "https://w3id.org/therapykg/resource/blinatumomab" in served and served == scanned
    finally:
        if process:
            stop_server(process)
        engine.stop()


def test_linked_data_and_construct(remote):
    page = httpx.get(remote + "/resource/blinatumomab", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<h1>blinatumomab</h1>" in page.text
    # The short form CONSTRUCT WHERE is written out in full for engines without it (Virtuoso).
    for query in ("CONSTRUCT WHERE { tkgr:blinatumomab tkg:hasTarget ?t }", "DESCRIBE tkgr:blinatumomab"):
        turtle = httpx.get(remote + "/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and "CD19" in turtle.text, (query, turtle.text)


def test_reload_switches_versions_atomically(engine, remote, graph):
    """A second load replaces the version graph; readers always see a whole graph."""
    counts = []
    engine.load()
    for _ in range(5):
        counts.append(_count(remote))
    assert set(counts) == {_count(remote)}
    graphs = httpx.post(engine.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                        headers={"Accept": JSON}).json()
    names = sorted(b["g"]["value"] for b in graphs["results"]["bindings"] if "therapykg" in b["g"]["value"])
    assert names == ["https://w3id.org/therapykg/graph/meta", f"https://w3id.org/therapykg/graph/version/{graph.version}"]


def test_engine_down_gives_503_naming_it_then_recovers(engine, remote):
    engine.stop()
    response = httpx.get(remote + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 503
    assert engine.query_url.rsplit("/", 1)[0].removeprefix("http://") in response.text
    assert httpx.get(remote + "/readyz").status_code == 503
    engine.start()
    wait_until(lambda: httpx.get(remote + "/readyz").status_code == 200, timeout=15)
    assert httpx.get(remote + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON}).json()["boolean"] is True


def test_slow_engine_is_bounded_by_our_timeout(remote, engine):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.monotonic()
    response = httpx.get(remote + "/sparql", params={"query": runaway, "timeout": "1.5"}, timeout=30)
    elapsed = time.monotonic() - start
    assert response.status_code == 503 and "timed out" in response.text and "SPARQL backend" in response.text
    assert elapsed < 8
    assert httpx.get(remote + "/healthz").status_code == 200
