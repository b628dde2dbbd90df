"""The hostile SPARQL requests of test_sparql_hostile that need no real
server, against the service in this process: outbound requests, nesting
bombs and invalid UTF-8 are refused before the engine is given the query
(the live tests show the same by the query processes in /proc), and answers
too large are cut at the byte limit into valid documents."""

from __future__ import annotations

import time

import pytest

from tests.api.conftest import in_process
from tests.api.test_sparql_hostile import (
    INVALID_UTF8,
    JSON,
    MANY_ROWS,
    MAX_RESULT_BYTES,
    NESTING,
    OUTBOUND,
    PADDED,
    _parsed_rows,
    doubling,
)
from tests.api.test_sparql_safety import Listener
from therapykg.api.settings import Settings


@pytest.fixture(scope="module")
def service(graph):
    """The service in process with the hostile server's limits (the default
    row limit, a 1 MiB byte limit); ``service.engine`` counts the queries it ran."""
    with in_process(graph, max_rows=Settings().max_rows, max_result_bytes=MAX_RESULT_BYTES, query_timeout=20) as client:
        yield client


@pytest.fixture
def listener():
    """A loopback socket that counts connections made to it."""
    probe = Listener()
    yield probe
    probe.close()


@pytest.mark.parametrize("template", OUTBOUND, ids=["service", "service-silent", "from", "from-named-escaped-iri"])
@pytest.mark.parametrize("how", ["form", "direct"])
def test_outbound_requests_are_refused_and_never_made(service, listener, template, how):
    query = template.format(port=listener.port)
    before = service.engine.executed
    if how == "form":
        response = service.post("/sparql", data={"query": query})
    else:
        response = service.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    if "SERVICE" in query:
        assert response.status_code == 403 and "SERVICE is not allowed" in response.text
    else:
        assert response.status_code == 400 and "never fetched" in response.text
    time.sleep(0.3)
    assert listener.connections == 0
    assert service.engine.executed == before


@pytest.mark.parametrize("name", list(NESTING))
def test_nesting_bombs_are_refused_before_the_engine(service, name):
    query = NESTING[name]
    assert 7000 < len(query.encode()) < 16000
    before = service.engine.executed
    start = time.perf_counter()
    response = service.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    seconds = time.perf_counter() - start
    assert response.status_code == 400
    assert "the limit is 64" in response.text or "the limit is 1000" in response.text, response.text
    assert seconds < 1.0
    assert service.engine.executed == before


def test_nesting_under_the_limit_is_answered(service):
    query = "SELECT * WHERE " + "{ " * 60 + "?s ?p ?o " + "} " * 60 + "LIMIT 1"
    before = service.engine.executed
    response = service.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 1
    assert service.engine.executed == before + 1  # the count the refusals above are held to does count


def test_nesting_hidden_behind_escaped_local_names_is_refused(service):
    query = "SELECT * WHERE " + "{ ?s ?p tkg:\\) " * 100 + "}" * 100
    before = service.engine.executed
    response = service.post("/sparql", content=query.encode(), params={"timeout": "3"},
                            headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "the limit is 64" in response.text
    assert service.engine.executed == before


@pytest.mark.parametrize(("name", "send"), INVALID_UTF8, ids=[name for name, _ in INVALID_UTF8])
def test_invalid_utf8_is_refused(service, name, send):
    before = service.engine.executed
    response = send(service)
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text, response.text
    assert service.engine.executed == before


def test_a_literal_doubled_into_megabytes_is_not_sent(service):
    query = f"SELECT ?s20 WHERE {{ {doubling(20)} }}"  # a 16 MiB literal from a query of 1 KB
    assert len(query) < 1100
    response = service.post("/sparql", data={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert len(response.content) <= MAX_RESULT_BYTES
    assert response.headers["X-Result-Truncated"] == f"true; byte-limit={MAX_RESULT_BYTES}"
    assert response.json() == {"head": {"vars": ["s20"]}, "results": {"bindings": []}}


def test_rows_of_doubled_literals_are_cut_at_whole_rows(service):
    query = f"SELECT ?s ?s12 WHERE {{ ?s ?p ?o {doubling(12)} }} LIMIT 100"  # 64 KiB per row
    response = service.post("/sparql", data={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert len(response.content) <= MAX_RESULT_BYTES
    assert response.headers["X-Result-Truncated"] == f"true; byte-limit={MAX_RESULT_BYTES}"
    rows = response.json()["results"]["bindings"]
    assert 0 < len(rows) == int(response.headers["X-Result-Rows"]) < 100
    assert all(len(row["s12"]["value"]) == 16 << 12 for row in rows)


@pytest.mark.parametrize(("query", "fmt"), [
    (MANY_ROWS, "json"),
    (MANY_ROWS, "xml"),
    (MANY_ROWS, "csv"),
    (MANY_ROWS, "tsv"),
    (f"CONSTRUCT {{ ?s ?p ?x }} WHERE {{ ?s ?p ?o {PADDED} }}", "ntriples"),
    (f"CONSTRUCT {{ ?s ?p ?x }} WHERE {{ ?s ?p ?o {PADDED} }}", "turtle"),
])
def test_many_rows_are_cut_at_the_byte_limit_into_a_valid_document(service, query, fmt):
    response = service.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200
    assert MAX_RESULT_BYTES * 0.9 < len(response.content) <= MAX_RESULT_BYTES
    assert response.headers["X-Result-Truncated"] == f"true; byte-limit={MAX_RESULT_BYTES}"
    assert _parsed_rows(fmt, response.content) == int(response.headers["X-Result-Rows"]) > 0
