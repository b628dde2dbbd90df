"""The VoID description and the SPARQL service description, readable in a
browser; the service description written with prefixes, linked to the VoID
description, and declaring the endpoint's predeclared prefixes with SHACL."""

from __future__ import annotations

import html
import re

import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import RDF, RDFS, XSD

from therapykg.namespaces import PREFIXES

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def _turtle(client, path: str, **params: str) -> tuple[str, rdflib.Graph]:
    response = client.get(path, headers={"Accept": "text/turtle"}, params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    return response.text, rdflib.Graph().parse(data=response.text, format="turtle")


def _pre(page: str) -> str:
    found = re.search(r'<pre class="rdf"><code>(.*?)</code></pre>', page, re.DOTALL)
    assert found, "no Turtle on the page"
    return html.unescape(found.group(1))


def _row(page: str, name: str) -> str:
    """The text of the value cell of the row named ``name`` (a prefixed name)."""
    found = re.search(rf"<tr><th scope=\"row\">(?:<a [^>]*>)?{re.escape(name)}(?:</a>)?</th><td>(.*?)</td></tr>", page, re.DOTALL)
    assert found, f"no row {name}"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()


def test_void_page_for_a_browser(app_client, graph):
    response = app_client.get("/void", headers=BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert _row(page, "void:triples") == [str(len(graph))]
    assert _row(page, "owl:versionInfo") == [graph.version]
    assert "http://testserver/sparql" in _row(page, "void:sparqlEndpoint")
    assert '<a href="https://creativecommons.org/licenses/by/4.0/"' in page
    for suffix in ("ttl", "nt", "jsonld", "nq", "trig"):
        assert f'<a href="http://testserver/download/therapykg.{suffix}"' in page
    # The Turtle shown is the description itself.
    _, served = _turtle(app_client, "/void")
    assert rdflib.compare.isomorphic(rdflib.Graph().parse(data=_pre(page), format="turtle"), served)
    # Links to every RDF format, and each gives that format.
    for fmt, media in (("turtle", "text/turtle"), ("ntriples", "application/n-triples"), ("jsonld", "application/ld+json"),
                       ("rdfxml", "application/rdf+xml")):
        assert f'<a href="/void?format={fmt}" type="{media}">' in page
        assert app_client.get(f"/void?format={fmt}", headers=BROWSER).headers["content-type"].startswith(media)


def test_void_rdf_is_unchanged_for_clients(app_client):
    text, served = _turtle(app_client, "/void")
    assert "@prefix void: <http://rdfs.org/ns/void#>" in text
    assert (None, RDF.type, VOID.Dataset) in served
    assert app_client.get("/void", headers={"Accept": "application/ld+json"}).headers["content-type"].startswith("application/ld+json")


def test_service_description_page(app_client, graph):
    response = app_client.get("/sparql", params={"format": "html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert _row(page, "sd:endpoint") == ["http://testserver/sparql"]
    assert _row(page, "sd:supportedLanguage") == ["sd:SPARQL11Query"]
    assert set(_row(page, "sd:resultFormat")) == {"formats:SPARQL_Results_JSON", "formats:SPARQL_Results_XML",
                                                  "formats:SPARQL_Results_CSV", "formats:SPARQL_Results_TSV",
                                                  "formats:Turtle", "formats:N-Triples", "formats:JSON-LD", "formats:RDF_XML"}
    assert "<h2>Predeclared prefixes</h2>" in page and "<h2>The default dataset</h2>" in page
    for prefix, namespace in PREFIXES.items():
        assert f"<dd>{prefix}</dd>" in page and f"<dd>{html.escape(namespace)} <span class=\"muted\">xsd:anyURI</span></dd>" in page
    assert '<a href="http://testserver/void">' in page
    _, served = _turtle(app_client, "/sparql")
    assert rdflib.compare.isomorphic(rdflib.Graph().parse(data=_pre(page), format="turtle"), served)


def test_a_browser_still_gets_the_editor_at_sparql(app_client):
    page = app_client.get("/sparql", headers=BROWSER).text
    assert "yasgui" in page and "SPARQL service description" not in page


def test_service_description_is_turtle_with_prefixes(app_client):
    text, _ = _turtle(app_client, "/sparql")
    for prefix in ("sd", "void", "sh", "formats"):
        assert re.search(rf"^@prefix {prefix}: <", text, re.MULTILINE), prefix
    assert "a sd:Service" in text and "<http://www.w3.org/ns/sparql-service-description#" not in text.split("\n\n", 1)[1]


def test_service_description_declares_the_predeclared_prefixes(app_client):
    _, served = _turtle(app_client, "/sparql")
    service = served.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    node = served.value(service, SH.prefixes)
    assert node is not None
    declared = {}
    for declaration in served.objects(node, SH.declare):
        prefix, namespace = served.value(declaration, SH.prefix), served.value(declaration, SH.namespace)
        assert namespace.datatype == XSD.anyURI
        declared[str(prefix)] = str(namespace)
    assert declared == PREFIXES


@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "rdfxml", "ntriples"])
def test_service_description_links_the_void_dataset(app_client, fmt):
    formats = {"turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}
    served = rdflib.Graph().parse(data=app_client.get("/sparql", params={"format": fmt}).text, format=formats[fmt])
    service = served.value(predicate=RDF.type, object=SD.Service)
    dataset = served.value(service, SD.defaultDataset)
    assert isinstance(dataset, rdflib.URIRef)
    assert (dataset, RDF.type, VOID.Dataset) in served
    assert served.value(dataset, RDFS.seeAlso) == rdflib.URIRef("http://testserver/void")
    # The same dataset is the one the VoID document describes.
    _, void = _turtle(app_client, "/void")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert (dataset, VOID.sparqlEndpoint, served.value(service, SD.endpoint)) in void
