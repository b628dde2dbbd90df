"""Engine differences made invisible: the query form read from the text,
CONSTRUCT WHERE written out, and Virtuoso's spellings in JSON results."""

import json

import pyoxigraph as ox
import pytest

from therapykg.sparql_text import query_form
from therapykg.store.portable import expand_construct_where, standard_json, standard_xml


@pytest.mark.parametrize(("query", "form"), [
    ("PREFIX ex: <http://example.org/select#> ASK { ?s ?p ?o }", "ASK"),
    ("# SELECT in a comment\nCONSTRUCT { ?s ?p 'ASK' } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("describe <http://example.org/x>", "DESCRIBE"),
    ("SELECT ?ask WHERE { ?ask ?p ?o }", "SELECT"),
])
def test_query_form(query, form):
    assert query_form(query) == form


def test_construct_where_is_written_out():
    query = 'CONSTRUCT WHERE { ?s <http://example.org/p> "}" . ?s ?p ?o } LIMIT 3'
    expanded = expand_construct_where(query)
    assert expanded == 'CONSTRUCT { ?s <http://example.org/p> "}" . ?s ?p ?o } WHERE { ?s <http://example.org/p> "}" . ?s ?p ?o } LIMIT 3'
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), ox.Literal("}")))
    assert set(store.query(query)) == set(store.query(expanded))
    assert expand_construct_where("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _parse(body: bytes):
    return ox.parse_query_results(standard_json(body), format=ox.QueryResultsFormat.JSON)


def test_blank_node_labels_are_renamed_and_kept_distinct():
    body = json.dumps({"head": {"vars": ["x", "y"]}, "results": {"bindings": [
        {"x": {"type": "bnode", "value": "nodeID://b10001"}, "y": {"type": "bnode", "value": "nodeID://b10002"}},
        {"x": {"type": "bnode", "value": "nodeID://b10001"}, "y": {"type": "typed-literal", "value": "1",
                                                                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode()
    rows = list(_parse(body))
    assert rows[0]["x"] == rows[1]["x"] != rows[0]["y"]
    assert rows[1]["y"].value == "1"


@pytest.mark.parametrize(("bindings", "expected"), [
    ([{"__ASK_RETVAL": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}}], True),
    ([{"__ASK_RETVAL": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "0"}}], False),
    ([], False),
])
def test_ask_answered_as_select_becomes_a_boolean(bindings, expected):
    body = json.dumps({"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": bindings}}).encode()
    assert bool(_parse(body)) is expected


def test_booleans_are_canonical():
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    body = json.dumps({"head": {"vars": ["b"]}, "results": {"bindings": [
        {"b": {"type": "typed-literal", "datatype": boolean, "value": "1"}},
        {"b": {"type": "typed-literal", "datatype": boolean, "value": "0"}}]}}).encode()
    assert [row["b"].value for row in _parse(body)] == ["true", "false"]


XML_HEAD = b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def _parse_xml(body: bytes):
    return ox.parse_query_results(standard_xml(XML_HEAD + body + b"</sparql>"), format=ox.QueryResultsFormat.XML)


def test_xml_blank_nodes_and_booleans():
    rows = list(_parse_xml(b'<head><variable name="x"/><variable name="b"/></head><results>'
                           b'<result><binding name="x"><bnode>nodeID://b10001</bnode></binding>'
                           b'<binding name="b"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">1</literal></binding></result>'
                           b'<result><binding name="x"><bnode>nodeID://b10002</bnode></binding>'
                           b'<binding name="b"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">0</literal></binding></result>'
                           b'</results>'))
    assert isinstance(rows[0]["x"], ox.BlankNode) and rows[0]["x"] != rows[1]["x"]
    assert [r["b"].value for r in rows] == ["true", "false"]


@pytest.mark.parametrize(("value", "expected"), [(b"1", True), (b"0", False)])
def test_xml_ask_answered_as_select_becomes_a_boolean(value, expected):
    result = _parse_xml(b'<head><variable name="__ASK_RETVAL"/></head><results><result><binding name="__ASK_RETVAL">'
                        b'<literal datatype="http://www.w3.org/2001/XMLSchema#integer">' + value + b"</literal></binding></result></results>")
    assert bool(result) is expected
