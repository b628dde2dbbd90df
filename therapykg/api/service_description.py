"""SPARQL 1.1 Service Description and a VoID/DCAT description of the
dataset, as RDF triples (for the HTML views) and serialized; written as
Turtle with prefixes and blank nodes nested, for people reading them."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request

from therapykg.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from therapykg.store.results import serialize_graph

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
SH = "http://www.w3.org/ns/shacl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DOWNLOADS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
             "nq": "application/n-quads", "trig": "application/trig"}
# The prefixes the descriptions are written with: the endpoint's own and the vocabularies they use.
DESCRIPTION_PREFIXES = {**PREFIXES, "sd": SD, "void": VOID, "dcat": DCAT, "formats": FORMATS}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(XSD + "integer"))


def serialize_description(triples: list[ox.Triple], fmt: str) -> bytes:
    """``triples`` in the format ``fmt`` (a GRAPH_FORMATS name); Turtle with
    the description prefixes and each blank node written where it is used."""
    if fmt == "turtle":
        return _turtle(triples)
    if fmt == "rdfxml":
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=DESCRIPTION_PREFIXES) or b""
    return serialize_graph(triples, fmt)


def _turtle(triples: list[ox.Triple]) -> bytes:
    import rdflib  # only here: the service's other writers are Oxigraph's

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        if t.datatype.value == XSD + "string":
            return rdflib.Literal(t.value)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))

    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in DESCRIPTION_PREFIXES.items():
        graph.bind(prefix, namespace)
    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))  # type: ignore[arg-type]
    return graph.serialize(format="turtle").encode()


def prefix_declarations(node: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
    """The endpoint's predeclared prefixes as SHACL declarations on ``node``
    (``sh:declare [ sh:prefix "tkg" ; sh:namespace "..."^^xsd:anyURI ]``)."""
    t = []
    for prefix, namespace in PREFIXES.items():
        declaration = ox.BlankNode()
        t += [
            ox.Triple(node, _n(SH + "declare"), declaration),
            ox.Triple(declaration, _n(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(declaration, _n(SH + "namespace"), ox.Literal(namespace, datatype=_n(XSD + "anyURI"))),
        ]
    return t


def service_description(request: Request, fmt: str, counts: dict[str, int]) -> bytes:
    return serialize_description(service_triples(request, counts), fmt)


def service_triples(request: Request, counts: dict[str, int]) -> list[ox.Triple]:
    """The endpoint as an sd:Service: its default dataset (the dataset the
    VoID document describes, linked to it), its graphs, result formats and
    the prefixes every query may use without declaring them."""
    endpoint = str(request.url_for("sparql"))
    service, default, prefixes = ox.BlankNode(), ox.BlankNode(), _n(endpoint + "#prefixes")
    dataset = _n(request.app.state.settings.base + "dataset")
    t = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(endpoint)),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(service, _n(SH + "prefixes"), prefixes),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(RDFS + "seeAlso"), _n(str(request.url_for("void")))),
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
    return t + prefix_declarations(prefixes)


def void_description(request: Request, fmt: str, sources: list[tuple[str, str]], triples: int) -> bytes:
    return serialize_description(void_triples(request, sources, triples), fmt)


def void_triples(request: Request, sources: list[tuple[str, str]], triples: int) -> list[ox.Triple]:
    """The dataset as void:Dataset and dcat:Dataset: size, version, licence,
    sources, endpoint, its service description, and downloads."""
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
        ox.Triple(dataset, _n(RDFS + "seeAlso"), _n(str(request.url_for("sparql")))),
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
    return t
