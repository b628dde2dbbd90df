"""Pages for people over the machine-facing resources: the named query
gallery and a page per query (a form for its parameters, its answer as a
table, downloads), and readable views of the VoID description and the
SPARQL service description. The JSON, SPARQL results and RDF of those URLs
stay what clients ask for by Accept or ``format=``; a browser (Accept
holding ``text/html`` and no ``format``) gets these pages."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from therapykg.api.http import SpooledResponse, engine_error
from therapykg.api.service_description import DESCRIPTION_PREFIXES
from therapykg.api.web.render import cached, local_link, render
from therapykg.store.errors import EngineError
from therapykg.store.formats import GRAPH_FORMATS, RESULT_FORMATS, Format

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT_TITLE = "http://purl.org/dc/terms/title"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")}
# What each format is called on a page.
FORMAT_LABELS = {"json": "SPARQL JSON", "xml": "SPARQL XML", "csv": "CSV", "tsv": "TSV",
                 "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}


def wants_html(request: Request) -> bool:
    """A browser asking: Accept holds text/html and no ``format`` is named (or ``format=html``)."""
    named = request.query_params.get("format")
    if named is not None and named.strip():
        return named.strip().lower() == "html"
    return "text/html" in request.headers.get("accept", "")


# Longest namespace first, so that a name takes the most specific prefix.
_NAMESPACES = sorted(DESCRIPTION_PREFIXES.items(), key=lambda item: -len(item[1]))
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def compact(iri: str) -> str:
    """``iri`` as a prefixed name (``tkgr:x``, ``void:triples``) where a known prefix gives one; else the IRI."""
    for prefix, namespace in _NAMESPACES:
        if iri.startswith(namespace) and _LOCAL_NAME.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


@dataclass(frozen=True)
class Cell:
    """One RDF term as a page shows it."""

    text: str
    href: str | None = None
    iri: str | None = None  # the full IRI, shown on hover
    note: str = ""  # a literal's language or datatype
    numeric: bool = False


def iri_cell(iri: str, label: str | None = None) -> Cell:
    href = local_link(iri) or (iri if iri.startswith(("http://", "https://")) else None)
    return Cell(label or compact(iri), href, iri)


def literal_cell(value: str, datatype: str | None = None, language: str | None = None) -> Cell:
    if language:
        return Cell(value, note="@" + language)
    if datatype in _NUMERIC:
        return Cell(value, numeric=True)
    if datatype and datatype != XSD + "string":
        return Cell(value, note=compact(datatype))
    return Cell(value)


def binding_cell(term: dict) -> Cell:
    """A term of SPARQL JSON results."""
    if term["type"] == "uri":
        return iri_cell(term["value"])
    if term["type"] == "bnode":
        return Cell("_:" + term["value"])
    if term["type"] == "triple":
        inner = term["value"]
        return Cell("<< " + " ".join(binding_cell(inner[k]).text for k in ("subject", "predicate", "object")) + " >>")
    return literal_cell(term["value"], term.get("datatype"), term.get("xml:lang"))


def term_cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, labels: dict[str, str] | None = None) -> Cell:
    """A pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return iri_cell(term.value, (labels or {}).get(term.value))
    if isinstance(term, ox.BlankNode):
        return Cell("_:" + term.value)
    if isinstance(term, ox.Literal):
        return literal_cell(term.value, None if term.language else term.datatype.value, term.language)
    return Cell(str(term))


@dataclass
class Answer:
    """A query's answer as the page shows it: a table, or true or false."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    boolean: bool | None = None


def read_answer(response: Response) -> Answer:
    """The answer in an engine's response: SPARQL JSON results, or N-Triples for a graph."""
    if isinstance(response, SpooledResponse):
        with response.spool:
            body = response.spool.read()
    else:
        body = bytes(response.body)
    media = (response.media_type or response.headers.get("content-type", "")).split(";")[0]
    if media == "application/n-triples":
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return Answer(["subject", "predicate", "object"],
                      [[term_cell(t.subject), term_cell(t.predicate), term_cell(t.object)] for t in triples])
    document = json.loads(body)
    if "boolean" in document:
        return Answer(boolean=bool(document["boolean"]))
    columns = document["head"]["vars"]
    return Answer(columns, [[binding_cell(row[c]) if c in row else None for c in columns]
                            for row in document["results"]["bindings"]])


@dataclass(frozen=True)
class Download:
    label: str
    media_type: str
    href: str


def with_query(base: str, values: list[tuple[str, str]]) -> str:
    """``base`` with ``values`` as its query string (compact ids such as ``tkgr:x`` left readable)."""
    if not values:
        return base
    return base + "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe=':/')}" for k, v in values)


def downloads(base: str, values: list[tuple[str, str]], offered: tuple[Format, ...]) -> list[Download]:
    """A link to ``base`` with ``values`` in each format of ``offered``."""
    return [Download(FORMAT_LABELS.get(f.name, f.name), f.media_type, with_query(base, [*values, ("format", f.name)]))
            for f in offered]


def formats_for(form: str) -> tuple[Format, ...]:
    """The formats the endpoint writes for a query of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS


# Readable views of RDF descriptions (VoID, the service description).

@dataclass
class Property:
    """One property of a node: its name and values; a blank node value is
    shown as its own properties, nested."""

    name: Cell
    values: list[Cell | list[Property]]


@dataclass
class Section:
    title: str
    iri: str | None
    properties: list[Property]


def describe(triples: list[ox.Triple], of_type: str, title: str,
             sections: Callable[[str], str | None] = lambda iri: None) -> list[Section]:
    """``triples`` as sections of property tables: the node of type
    ``of_type`` first, then each IRI it links to that ``sections`` gives a
    title (with its own properties); blank nodes nested where they are used,
    IRIs with a ``dct:title`` shown by it."""
    by_subject: dict[str, list[ox.Triple]] = {}
    labels: dict[str, str] = {}
    for t in triples:
        by_subject.setdefault(str(t.subject), []).append(t)
        if t.predicate.value == DCT_TITLE and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.Literal):
            labels[t.subject.value] = t.object.value

    root = next(t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(of_type))
    found = [Section(title, root.value if isinstance(root, ox.NamedNode) else None, _properties(by_subject, labels, str(root), 0))]
    for t in by_subject.get(str(root), []):
        node = t.object
        if not isinstance(node, ox.NamedNode) or str(node) not in by_subject or any(s.iri == node.value for s in found):
            continue
        if heading := sections(node.value):
            found.append(Section(heading, node.value, _properties(by_subject, labels, str(node), 0)))
    return found


def _properties(by_subject: dict[str, list[ox.Triple]], labels: dict[str, str], node: str, depth: int) -> list[Property]:
    """The properties of ``node``, its blank nodes nested (a few levels deep)."""
    grouped: dict[str, list[Cell | list[Property]]] = {}
    for t in by_subject.get(node, []):
        value: Cell | list[Property]
        if isinstance(t.object, ox.BlankNode) and depth < 3:
            value = _properties(by_subject, labels, str(t.object), depth + 1)
        else:
            value = term_cell(t.object, labels)
        grouped.setdefault(t.predicate.value, []).append(value)
    # The type first, the properties with many values (sources, downloads) last.
    ordered = sorted(grouped, key=lambda p: (p != RDF_TYPE, len(grouped[p]) > 3, compact(p)))
    return [Property(iri_cell(p, "type" if p == RDF_TYPE else None),
                     sorted(grouped[p], key=lambda v: v.text if isinstance(v, Cell) else repr(v))) for p in ordered]


async def description_page(request: Request, *, title: str, lead: str,
                           content: Callable[[], Awaitable[tuple[list[Section], bytes]]], others: list[tuple[str, str]]) -> Response:
    """A description's page: its sections as tables, its Turtle, and links to its
    RDF formats. ``content`` (the sections and the Turtle) runs only when the
    page is neither held by the client nor in the page cache."""
    async def build() -> Response:
        try:
            sections, turtle = await content()
        except EngineError as exc:
            return engine_error(exc)
        base = request.url.path
        formats = [Download(FORMAT_LABELS[f.name], f.media_type, with_query(base, [("format", f.name)])) for f in GRAPH_FORMATS]
        return HTMLResponse(render(request, "void.html", title=title, lead=lead, sections=sections,
                                   turtle=turtle.decode("utf-8"), formats=formats, others=others))
    return await cached(request, build)
