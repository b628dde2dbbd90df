"""Errors a person can act on, relative IRIs resolved against the
endpoint's base, and where a query's time went (Server-Timing)."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from therapykg.api.guard import explain_syntax_error
from therapykg.namespaces import PREFIXES

JSON = "application/sparql-results+json"
BASE = "https://w3id.org/therapykg/"  # THERAPYKG_BASE, as the tests' settings leave it


@pytest.mark.parametrize(("query", "prefix", "name", "where"), [
    ("SELECT * WHERE { ?s foo:bar ?o }", "foo", "foo:bar", "1:21"),
    ("SELECT * WHERE {\n  ?s a ex:Thing .\n}", "ex", "ex:Thing", "2:8"),
    # The engine reports these far from the name (or with no mention of prefixes at all).
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o = foo:x) }", "foo", "foo:x", "1:39"),
    ("PREFIX a: <http://example.org/>\nSELECT * WHERE { ?s a:b ?o . ?s b:c ?d }", "b", "b:c", "2:33"),
    ('SELECT * WHERE { ?s rdfs:label "é" ; bad:thing ?o }', "bad", "bad:thing", "1:38"),
    ("SELECT * WHERE { ?s :bar ?o }", "", ":bar", "1:21"),
])
def test_unknown_prefix_is_named_with_the_predeclared_ones(client, query, prefix, name, where):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 400
    text = response.text
    assert text.startswith(f"malformed SPARQL query: error at {where}: unknown prefix '{prefix}:' in {name}: ")
    assert f"PREFIX {prefix}: <namespace IRI>" in text
    for known, namespace in PREFIXES.items():
        assert f"{known}: <{namespace}>" in text
    assert "\\u{" not in text  # not the parser's list of character ranges


def test_other_syntax_errors_keep_the_engines_message(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o"}, headers={"Accept": JSON})
    assert response.status_code == 400
    assert response.text.startswith("malformed SPARQL query: error at 1:") and "unknown prefix" not in response.text


def test_declared_and_predeclared_prefixes_are_not_blamed():
    # The engine's position points after both names; only the undeclared one is named.
    query = "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:p tkg:x ; nope:y ?o }"
    message = explain_syntax_error(query, 2, 46)
    assert message is not None and "unknown prefix 'nope:' in nope:y" in message and message.startswith("error at 2:34:")
    assert explain_syntax_error("SELECT * WHERE { ?s rdfs:label ?o", 1, 34) is None  # predeclared: not the cause
    assert explain_syntax_error('SELECT * WHERE { ?s ?p "x:y" } # z:w', 1, 10) is None  # strings and comments hold no names


def test_relative_iris_resolve_against_the_base(client):
    response = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert [(t.subject.value, t.predicate.value, t.object.value) for t in triples] == [(BASE + "s", BASE + "p", "1")]


def test_relative_iris_name_the_graphs_own_resources(client):
    query = "ASK { <resource/blinatumomab> a <ontology/BispecificTCellEngager> }"
    assert client.get("/sparql", params={"query": query}, headers={"Accept": JSON}).json()["boolean"] is True
    # The query's own BASE still wins.
    query = "BASE <http://example.org/> ASK { <resource/blinatumomab> ?p ?o }"
    assert client.get("/sparql", params={"query": query}, headers={"Accept": JSON}).json()["boolean"] is False


def _timings(response) -> dict[str, float]:
    header = response.headers.get("server-timing")
    assert header, "no Server-Timing header"
    found = {}
    for metric in header.split(","):
        match = re.fullmatch(r"\s*([a-z]+);dur=(\d+(?:\.\d+)?)\s*", metric)
        assert match, f"not a Server-Timing metric: {metric!r}"
        found[match[1]] = float(match[2])
    return found


@pytest.mark.parametrize(("query", "accept"), [
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200", JSON),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10", "text/csv"),
    ("ASK { ?s ?p ?o }", JSON),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 50", "text/turtle"),
])
def test_server_timing_on_sparql(client, query, accept):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    timings = _timings(response)
    assert list(timings) == ["queue", "exec", "serialize"]
    assert all(value >= 0 for value in timings.values())
    assert timings["exec"] + timings["serialize"] > 0


def test_server_timing_on_named_queries(client):
    response = client.get("/queries/trials", headers={"Accept": JSON})
    assert response.status_code == 200
    assert list(_timings(response)) == ["queue", "exec", "serialize"]
    page = client.get("/queries/indications", params={"therapy": "tkgr:tisagenlecleucel"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and list(_timings(page)) == ["queue", "exec", "serialize"]


def test_no_server_timing_without_a_query(client):
    """A query the engine refused, or a 304, has no timings to report."""
    assert "server-timing" not in client.get("/sparql", params={"query": "SELECT * WHERE { ?s foo:bar ?o }"}).headers
    first = client.get("/queries/trials", headers={"Accept": JSON})
    again = client.get("/queries/trials", headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and "server-timing" not in again.headers
