"""The result writers used under a row or byte limit give the same
solutions as Oxigraph's own serializers, for every kind of term."""

import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from therapykg.store.results import serialize

# IRIs, blank nodes, plain, language-tagged and typed literals, unbound
# values, characters JSON and XML escape, white space at both ends, CR LF.
VARIED = '''SELECT ?a ?b ?c ?d ?e WHERE {
  VALUES (?a ?b ?c ?d) {
    (<http://ex.org/a> "quote \\" back \\\\ nl \\n tab \\t é ✓ 𝄞 <&>" "chat"@fr 42)
    (UNDEF "x"^^<http://ex.org/dt> UNDEF 1.5e3)
    (<http://ex.org/ü> UNDEF " a,b;c\\r\\n" true)
    ("\\r" "  " "" -0.0)
  }
  BIND(IF(BOUND(?a), BNODE(), "no") AS ?e)
}'''
TRIPLE = 'SELECT ?t WHERE { BIND(<<( <http://ex.org/s> <http://ex.org/p> "o\\"" )>> AS ?t) }'
FORMATS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}


def _solutions(body: bytes, fmt: ox.QueryResultsFormat) -> list[list]:
    # Blank node labels are per document: compare them by kind only.
    return [[("bnode" if isinstance(v, ox.BlankNode) else v) for v in row] for row in ox.parse_query_results(body, format=fmt)]


@pytest.mark.parametrize("query", [VARIED, TRIPLE], ids=["varied", "triple-term"])
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_limited_writers_agree_with_the_engine(query, name):
    _, fmt = FORMATS[name]
    store = ox.Store()
    ours = serialize(store.query(query), name, None, 100, 1 << 20)
    native = store.query(query).serialize(format=fmt)
    assert _solutions(ours.body, fmt) == _solutions(native, fmt)
    assert ours.rows == len(_solutions(native, fmt)) and not ours.truncated


def test_json_is_the_engines_byte_for_byte():
    store = ox.Store()
    query = VARIED.replace("BIND(IF(BOUND(?a), BNODE(), \"no\") AS ?e)", "")
    ours = serialize(store.query(query), "json", None, 100, 1 << 20).body
    assert ours == store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    json.loads(ours)


def test_xml_literals_read_back_exactly_by_a_standard_parser():
    # An XML reader turns CR LF into LF and may trim: such text is written as references.
    values = ["a\r\nb", " lead", "trail\t", "\n", "  ", "mid dle", "<&>\"'"]
    query = "SELECT ?v WHERE { VALUES ?v { " + " ".join(json.dumps(v) for v in values) + " } }"
    body = serialize(ox.Store().query(query), "xml", None, 100, 1 << 20).body
    ns = "{http://www.w3.org/2005/sparql-results#}"
    read = [element.text or "" for element in ET.fromstring(body).iter(f"{ns}literal")]
    assert read == values


def test_csv_of_a_triple_term_is_its_parts():
    body = serialize(ox.Store().query(TRIPLE), "csv", None, 100, 1 << 20).body
    assert body.decode().splitlines()[1] == '"http://ex.org/s http://ex.org/p o"""'
