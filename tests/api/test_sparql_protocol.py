"""The SPARQL 1.1 Protocol: query forms, result formats, negotiation,
datasets, service description."""

import csv
import io

import pyoxigraph as ox
import pytest

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TOWER = "SELECT ?id WHERE { tkgr:trial-tower tkg:registryId ?id }"
CONSTRUCT = "CONSTRUCT { tkgr:blinatumomab ?p ?o } WHERE { tkgr:blinatumomab ?p ?o }"
JSON = "application/sparql-results+json"


def _count(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_form_post_and_direct_post_agree(client, graph):
    expected = len(graph)
    assert _count(client.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON})) == expected
    assert _count(client.post("/sparql", data={"query": COUNT}, headers={"Accept": JSON})) == expected
    direct = client.post("/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert _count(direct) == expected


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_result_formats(client, accept, media):
    response = client.get("/sparql", params={"query": TOWER}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    if media == "text/csv":  # lossy by design: no parser, read it as CSV
        assert list(csv.reader(io.StringIO(response.text))) == [["id"], ["NCT02013167"]]
        return
    parsed = list(ox.parse_query_results(response.content, format=_result_format(media)))
    assert [row["id"].value for row in parsed] == ["NCT02013167"]


def _result_format(media: str):
    return {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media]


def test_csv_is_plain_values(client):
    response = client.get("/sparql", params={"query": TOWER, "format": "csv"})
    assert list(csv.reader(io.StringIO(response.text))) == [["id"], ["NCT02013167"]]


def test_ask(client):
    response = client.get("/sparql", params={"query": "ASK { tkgr:blinatumomab tkg:hasTarget tkg:CD19 }"}, headers={"Accept": JSON})
    assert response.json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": "ASK { tkgr:nelarabine tkg:hasTarget tkg:CD19 }", "format": "xml"})
    assert "<boolean>false</boolean>" in xml.text


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_construct_formats(client, graph, accept, fmt):
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    got = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=fmt)}
    assert got == set(graph.query(CONSTRUCT))


def test_unacceptable_format_is_406(client):
    response = client.get("/sparql", params={"query": TOWER}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    construct = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert construct.status_code == 406 and "text/turtle" in construct.text


def test_malformed_query_is_400_with_position(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "malformed SPARQL query" in response.text and "1:" in response.text


def test_missing_and_duplicate_query_parameter(client):
    assert client.post("/sparql", data={}).status_code == 400
    assert client.get("/sparql", params=[("query", TOWER), ("query", TOWER)]).status_code == 400


def test_unsupported_content_type_is_415(client):
    response = client.post("/sparql", content=TOWER, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_default_graph_uri_selects_the_dataset(client, graph):
    params = {"query": COUNT, "default-graph-uri": "https://w3id.org/therapykg/graph/ontology"}
    ontology_only = _count(client.get("/sparql", params=params, headers={"Accept": JSON}))
    expected = int(graph.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/therapykg/graph/ontology> { ?s ?p ?o } }")[0]["n"].value)
    assert ontology_only == expected < len(graph)


def test_named_graph_uri_limits_graph_clauses(client):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": "https://w3id.org/therapykg/graph/inferred"},
                          headers={"Accept": JSON})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == ["https://w3id.org/therapykg/graph/inferred"]


def test_service_description(client, graph):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = list(store.query(f"SELECT ?endpoint ?triples WHERE {{ ?s a <{sd}Service> ; <{sd}endpoint> ?endpoint ; "
                            f"<{sd}defaultDataset>/<{sd}defaultGraph>/<http://rdfs.org/ns/void#triples> ?triples }}"))
    assert rows[0]["endpoint"].value.endswith("/sparql")
    assert int(rows[0]["triples"].value) == len(graph)
    assert store.query(f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Query> }}")


def test_prefixes_are_predeclared_but_overridable(client):
    query = "PREFIX tkgr: <http://example.org/> ASK { tkgr:blinatumomab ?p ?o }"
    assert client.get("/sparql", params={"query": query}, headers={"Accept": JSON}).json()["boolean"] is False
