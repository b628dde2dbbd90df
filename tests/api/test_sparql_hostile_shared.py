"""Hostile SPARQL requests that the service must stop whether it runs in
this process or as a real server: outbound requests, nesting bombs and
invalid UTF-8 are refused before any engine is given the query, and answers
too large are cut at the byte limit into valid documents.

Each test runs twice (the ``service`` fixture): on the service in this
process, where the engine counts the queries it was given, and (live) on a
real server with the hostile limits of test_sparql_hostile.py, whose query
processes are seen in /proc. What only a real server shows (the processes'
confinement, memory, sockets, slow readers, floods) is in
test_sparql_hostile.py alone."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from tests.api.conftest import in_process
from tests.api.test_sparql_hostile import JSON, MAX_RESULT_BYTES, Live, query_workers, start_hostile
from therapykg.api.settings import Settings


class InProcess:
    """The service in this process with the hostile server's limits (the
    default row limit, a 1 MiB byte limit); its engine counts the queries it ran."""

    def __init__(self, client):
        self.client = client

    @contextlib.contextmanager
    def runs(self, queries: int) -> Iterator[None]:
        """The block gives the engine exactly ``queries`` queries."""
        before = self.client.engine.executed
        yield
        assert self.client.engine.executed == before + queries


class OnLiveServer:
    """The hostile server of test_sparql_hostile.py (over HTTP, with its query processes)."""

    def __init__(self, live: Live):
        self.live, self.client = live, live.client

    @contextlib.contextmanager
    def runs(self, queries: int) -> Iterator[None]:
        """With ``queries`` 0, no query process was given the block's
        requests: every one is alive and idle after it, the same processes
        as before. An answered query leaves no such trace: the queries a
        server ran are not counted from outside."""
        if queries:
            yield
            return
        body = self.live.settle()
        before = query_workers(self.live.pid)
        yield
        after = self.live.readyz()
        assert after["alive_workers"] == after["idle_workers"] == body["workers"]
        assert query_workers(self.live.pid) == before


@pytest.fixture(scope="module", params=["in-process", pytest.param("live", marks=pytest.mark.live)])
def service(request):
    """The service under attack: in this process (fast tier), and a real server (live)."""
    if request.param == "in-process":
        with in_process(request.getfixturevalue("graph"), max_rows=Settings().max_rows,
                        max_result_bytes=MAX_RESULT_BYTES, query_timeout=20) as client:
            yield InProcess(client)
    else:
        live = start_hostile()
        try:
            yield OnLiveServer(live)
        finally:
            live.close()


def direct(service, query: str):
    """``query`` POSTed as the request's body (application/sparql-query)."""
    return service.client.post("/sparql", content=query.encode(),
                               headers={"Content-Type": "application/sparql-query"})


# --- outbound requests are refused by the guard -----------------------------

OUTBOUND = [
    'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} BIND("\\u0022" AS ?y) }}',
    "SELECT * WHERE {{ BIND('\\u0027' AS ?x) SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} BIND('\\u0027' AS ?y) }}",
    'SELECT ("\\u0022" AS ?x) FROM <http://127.0.0.1:{port}/g> WHERE {{ BIND("\\u0022" AS ?y) }}',
    'SELECT ("\\u0022" AS ?x) FROM NAMED <http\\u003A//127.0.0.1:{port}/g> WHERE {{ BIND("\\u0022" AS ?y) }}',
]


@pytest.mark.parametrize("template", OUTBOUND, ids=["service", "service-silent", "from", "from-named-escaped-iri"])
@pytest.mark.parametrize("how", ["form", "direct"])
def test_outbound_requests_are_refused_and_never_made(service, listener, template, how):
    query = template.format(port=listener.port)
    with service.runs(0):
        response = service.client.post("/sparql", data={"query": query}) if how == "form" else direct(service, query)
        if "SERVICE" in query:
            assert response.status_code == 403 and "SERVICE is not allowed" in response.text
        else:
            assert response.status_code == 400 and "never fetched" in response.text
        time.sleep(0.3)
        assert listener.connections == 0


# --- nesting and encodings ---------------------------------------------------

NESTING = {
    "braces": "SELECT * WHERE " + "{" * 4000 + "}" * 4000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 4000 + "true" + ")" * 4000 + ") }",
    "not chains": "ASK { FILTER(" + "!(" * 2700 + "true" + ")" * 2700 + ") }",
    "brackets": "SELECT * WHERE { ?s ?p " + "[ ?p " * 1600 + "?o" + " ]" * 1600 + " }",
    "negations": "ASK { FILTER(" + "!" * 8000 + "true) }",
    "path steps": "SELECT * WHERE { ?s " + "/".join(["tkg:p"] * 1600) + " ?o }",
}


@pytest.mark.parametrize("name", list(NESTING))
def test_nesting_bombs_are_refused_before_the_engine(service, name):
    query = NESTING[name]
    assert 7000 < len(query.encode()) < 16000
    with service.runs(0):
        start = time.perf_counter()
        response = direct(service, query)
        seconds = time.perf_counter() - start
        assert response.status_code == 400
        assert "the limit is 64" in response.text or "the limit is 1000" in response.text, response.text
        assert seconds < 1.0


def test_nesting_under_the_limit_is_answered(service):
    query = "SELECT * WHERE " + "{ " * 60 + "?s ?p ?o " + "} " * 60 + "LIMIT 1"
    with service.runs(1):  # in process, the count the refusals here are held to does count
        response = service.client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
        assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 1


def test_nesting_hidden_behind_escaped_local_names_is_refused(service):
    # Each level opens a group and "closes" it for the guard's count with tkg:\) (a prefixed name whose local part is ")").
    query = "SELECT * WHERE " + "{ ?s ?p tkg:\\) " * 100 + "}" * 100
    with service.runs(0):
        response = service.client.post("/sparql", content=query.encode(), params={"timeout": "3"},
                                       headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 400 and "the limit is 64" in response.text


INVALID_UTF8 = [
    ("GET query string", lambda c: c.get("/sparql?query=ASK%20%7B%7D%C3%28")),
    ("POST form", lambda c: c.post("/sparql", content=b"query=ASK%20%7B%7D%FF",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})),
    ("POST direct", lambda c: c.post("/sparql", content=b"ASK { } # \xff",
                                     headers={"Content-Type": "application/sparql-query"})),
    ("named query parameter", lambda c: c.get("/queries/search?text=%C3%28")),
    ("named query parameter name", lambda c: c.get("/queries/trials?%FF=1")),
]


@pytest.mark.parametrize(("name", "send"), INVALID_UTF8, ids=[name for name, _ in INVALID_UTF8])
def test_invalid_utf8_is_refused(service, name, send):
    with service.runs(0):
        response = send(service.client)
        assert response.status_code == 400
        assert "not valid UTF-8" in response.text, response.text


# --- answers too large to send ------------------------------------------------

def doubling(times: int, seed: str = "0123456789abcdef") -> str:
    """BINDs that double a string ``times`` times: ``len(seed) * 2**times`` characters from a short query."""
    return f'BIND("{seed}" AS ?s0) ' + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))


def test_a_literal_doubled_into_megabytes_is_not_sent(service):
    query = f"SELECT ?s20 WHERE {{ {doubling(20)} }}"  # a 16 MiB literal from a query of 1 KB
    assert len(query) < 1100
    response = service.client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert len(response.content) <= MAX_RESULT_BYTES
    assert response.headers["X-Result-Truncated"] == f"true; byte-limit={MAX_RESULT_BYTES}"
    assert response.json() == {"head": {"vars": ["s20"]}, "results": {"bindings": []}}


def test_rows_of_doubled_literals_are_cut_at_whole_rows(service):
    query = f"SELECT ?s ?s12 WHERE {{ ?s ?p ?o {doubling(12)} }} LIMIT 100"  # 64 KiB per row
    response = service.client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert len(response.content) <= MAX_RESULT_BYTES
    assert response.headers["X-Result-Truncated"] == f"true; byte-limit={MAX_RESULT_BYTES}"
    rows = response.json()["results"]["bindings"]
    assert 0 < len(rows) == int(response.headers["X-Result-Rows"]) < 100
    assert all(len(row["s12"]["value"]) == 16 << 12 for row in rows)


def _parsed_rows(fmt: str, body: bytes) -> int:
    if fmt == "json":
        return len(json.loads(body)["results"]["bindings"])
    if fmt == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return len(ET.fromstring(body).find(f"{ns}results").findall(f"{ns}result"))
    if fmt == "csv":
        return len(list(csv.reader(io.StringIO(body.decode())))) - 1
    if fmt == "tsv":
        return len(body.decode().splitlines()) - 1
    rdf = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}[fmt]
    return len(list(ox.parse(body, format=rdf)))


MANY_ROWS = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }"  # 25 million rows, cut long before
PADDED = 'BIND(CONCAT(STR(?o), "' + "x" * 200 + '") AS ?x)'


@pytest.mark.parametrize(("query", "fmt"), [
    (MANY_ROWS, "json"),
    (MANY_ROWS, "xml"),
    (MANY_ROWS, "csv"),
    (MANY_ROWS, "tsv"),
    (f"CONSTRUCT {{ ?s ?p ?x }} WHERE {{ ?s ?p ?o {PADDED} }}", "ntriples"),
    (f"CONSTRUCT {{ ?s ?p ?x }} WHERE {{ ?s ?p ?o {PADDED} }}", "turtle"),
])
def test_many_rows_are_cut_at_the_byte_limit_into_a_valid_document(service, query, fmt):
    response = service.client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200
    assert MAX_RESULT_BYTES * 0.9 < len(response.content) <= MAX_RESULT_BYTES
    assert response.headers["X-Result-Truncated"] == f"true; byte-limit={MAX_RESULT_BYTES}"
    assert _parsed_rows(fmt, response.content) == int(response.headers["X-Result-Rows"]) > 0
