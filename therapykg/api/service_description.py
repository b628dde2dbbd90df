"""SPARQL 1.1 Service Description and a VoID/DCAT description of the dataset."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request

from therapykg.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, ONTOLOGY_IRI
from therapykg.store.results import serialize_graph

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DOWNLOADS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
             "nq": "application/n-quads", "trig": "application/trig"}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(XSD + "integer"))


def service_description(request: Request, fmt: str, counts: dict[str, int]) -> bytes:
    endpoint = str(request.url_for("sparql"))
    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    t = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(endpoint)),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default, _n(VOID + "triples"), _count(sum(counts.values()))),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        t.append(ox.Triple(service, _n(SD + "resultFormat"), _n(FORMATS + name)))
    for graph in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED):
        if graph not in counts:
            continue
        named, described = ox.BlankNode(), ox.BlankNode()
        t += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, _n(SD + "name"), _n(graph)),
            ox.Triple(named, _n(SD + "graph"), described),
            ox.Triple(described, RDF_TYPE, _n(SD + "Graph")),
            ox.Triple(described, _n(VOID + "triples"), _count(counts.get(graph, 0))),
        ]
    return serialize_graph(t, fmt)


def void_description(request: Request, fmt: str, sources: list[tuple[str, str]], triples: int) -> bytes:
    """The dataset as void:Dataset and dcat:Dataset: size, version, licence,
    sources, endpoint and downloads."""
    state = request.app.state
    dataset = _n(state.settings.base + "dataset")
    t = [
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, RDF_TYPE, _n(DCAT + "Dataset")),
        ox.Triple(dataset, _n(DCT + "title"), ox.Literal("therapykg", language="en")),
        ox.Triple(dataset, _n(DCT + "description"), ox.Literal(
            "Therapies for relapsed/refractory Ph-negative B-cell precursor ALL, with sourced claims. "
            "For research and informatics use, not for clinical decisions.", language="en")),
        ox.Triple(dataset, _n(DCT + "license"), _n(LICENSE)),
        ox.Triple(dataset, _n("http://www.w3.org/2002/07/owl#versionInfo"), ox.Literal(state.engine.version)),
        ox.Triple(dataset, _n(VOID + "triples"), _count(triples)),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(str(request.url_for("sparql")))),
        ox.Triple(dataset, _n(VOID + "vocabulary"), _n(ONTOLOGY_IRI)),
        ox.Triple(dataset, _n(VOID + "uriSpace"), ox.Literal(state.settings.base + "resource/")),
    ]
    for source, title in sources:
        t.append(ox.Triple(dataset, _n(DCT + "source"), _n(source)))
        t.append(ox.Triple(_n(source), _n(DCT + "title"), ox.Literal(title)))
    for suffix, media in DOWNLOADS.items():
        dist = ox.BlankNode()
        url = str(request.url_for("download", filename=f"therapykg.{suffix}"))
        t += [
            ox.Triple(dataset, _n(DCAT + "distribution"), dist),
            ox.Triple(dist, RDF_TYPE, _n(DCAT + "Distribution")),
            ox.Triple(dist, _n(DCAT + "downloadURL"), _n(url)),
            ox.Triple(dist, _n(DCAT + "mediaType"), ox.Literal(media)),
            ox.Triple(dataset, _n(VOID + "dataDump"), _n(url)),
        ]
    return serialize_graph(t, fmt)
