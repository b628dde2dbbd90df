"""Resource IRIs resolve on the service; downloads; VoID/DCAT."""

import pyoxigraph as ox
import pytest

BLINA = "https://w3id.org/therapykg/resource/blinatumomab"


def test_resource_as_html(client):
    response = client.get("/resource/blinatumomab", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>blinatumomab</h1>" in page
    assert 'href="/resource/source-article"' in page          # sources are links
    assert 'href="/ontology/CD19"' in page                    # so are ontology terms
    assert "not for clinical decisions" in page
    assert 'href="/resource/blina-indication-rr"' in page     # "referenced by" links


def test_quantities_are_shown_inline(client):
    page = client.get("/resource/blina-rr-adult-c1-d1-7", headers={"Accept": "text/html"}).text
    assert "numeric value: 9" in page and "unit (UCUM): ug/d" in page


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_resource_as_rdf(client, graph, accept, fmt):
    response = client.get("/resource/blinatumomab", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=fmt)}
    expected = {ox.Triple(q.subject, q.predicate, q.object)
                for q in graph.store.quads_for_pattern(ox.NamedNode(BLINA), None, None, None)}
    assert triples == expected


def test_ontology_terms_resolve(client):
    response = client.get("/ontology/CD19DirectedTherapy", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "CD19-directed therapy" in response.text


@pytest.mark.parametrize("path", ["/resource/no-such-thing", "/ontology/NoSuchClass", "/resource/..%2Fetc"])
def test_unknown_resource_is_404(client, path):
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize(("name", "fmt"), [("therapykg.ttl", ox.RdfFormat.TURTLE), ("therapykg.nt", ox.RdfFormat.N_TRIPLES),
                                           ("therapykg.jsonld", ox.RdfFormat.JSON_LD)])
def test_downloads_hold_the_graph(client, graph, name, fmt):
    response = client.get(f"/download/{name}")
    assert response.status_code == 200
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=fmt)}
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in graph.store}
    assert len(triples) == len(union)


def test_nquads_download_keeps_named_graphs(client, graph):
    quads = list(ox.parse(client.get("/download/therapykg.nq").content, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(graph)
    assert {q.graph_name.value for q in quads} == {
        "https://w3id.org/therapykg/graph/ontology", "https://w3id.org/therapykg/graph/data", "https://w3id.org/therapykg/graph/inferred"}


def test_unknown_download_is_404(client):
    assert client.get("/download/therapykg.xlsx").status_code == 404


def test_void_description(client, graph):
    response = client.get("/void", headers={"Accept": "text/turtle"})
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    row = list(store.query("""
        SELECT ?triples ?version ?license (COUNT(DISTINCT ?source) AS ?sources) (COUNT(DISTINCT ?dump) AS ?dumps) WHERE {
          ?d a <http://rdfs.org/ns/void#Dataset> , <http://www.w3.org/ns/dcat#Dataset> ;
             <http://rdfs.org/ns/void#triples> ?triples ; <http://www.w3.org/2002/07/owl#versionInfo> ?version ;
             <http://purl.org/dc/terms/license> ?license ; <http://purl.org/dc/terms/source> ?source ;
             <http://rdfs.org/ns/void#dataDump> ?dump }
        GROUP BY ?triples ?version ?license"""))[0]
    assert int(row["triples"].value) == len(graph)
    assert row["version"].value == graph.version
    assert row["license"].value == "https://creativecommons.org/licenses/by/4.0/"
    expected_sources = graph.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a tkg:Source }")[0]["n"].value
    assert row["sources"].value == expected_sources
    assert row["dumps"].value == "5"


def test_health(client, graph):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["version"] == graph.version and ready["triples"] == len(graph)
