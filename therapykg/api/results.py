"""Serialize query results in the negotiated format, stopping at a row
limit (so the response can say it was cut)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from therapykg.api.negotiation import GRAPH_FORMATS, RESULT_FORMATS, Format, choose
from therapykg.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


@dataclass
class Serialized:
    media_type: str
    body: bytes
    rows: int
    truncated: bool


_NATIVE = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
           "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def serialize(results, accept: str | None, format_param: str | None, max_rows: int | None) -> Serialized:
    """Pick the format for the kind of result, then write at most ``max_rows`` rows or triples
    (all of them, with Oxigraph's own serializer, when ``max_rows`` is None).

    :raises NotAcceptable: no format of this kind of result is acceptable.
    """
    if max_rows is None and isinstance(results, ox.QuerySolutions):
        fmt = choose(RESULT_FORMATS, accept, format_param)
        return Serialized(_media(fmt), results.serialize(format=_NATIVE[fmt.name]), -1, False)
    if max_rows is None:
        max_rows = 10**12
    if isinstance(results, ox.QueryBoolean):
        fmt = choose(RESULT_FORMATS, accept, format_param)
        return Serialized(_media(fmt), _boolean(bool(results), fmt), 1, False)
    if isinstance(results, (ox.QueryTriples, list)):
        fmt = choose(GRAPH_FORMATS, accept, format_param)
        triples = list(islice(results, max_rows + 1))
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        return Serialized(_media(fmt), serialize_graph(triples, fmt.name), len(triples), truncated)
    fmt = choose(RESULT_FORMATS, accept, format_param)
    variables = [v.value for v in results.variables]
    rows = list(islice(results, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return Serialized(_media(fmt), writer(variables, rows), len(rows), truncated)


def serialize_graph(triples, name: str) -> bytes:
    fmt = _RDF_FORMATS[name]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return ox.serialize(triples, format=fmt)


def _media(fmt: Format) -> str:
    return fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") or "json" in fmt.media_type else "")


def _boolean(value: bool, fmt: Format) -> bytes:
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.name == "xml":
        return (b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                b"<boolean>" + (b"true" if value else b"false") + b"</boolean></sparql>\n")
    return b"true\r\n" if value else b"false\r\n"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json(variables: list[str], rows) -> bytes:
    bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(variables: list[str], rows) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>" for v in variables if row[v] is not None]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def _csv(variables: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if row[v] is None else _plain(row[v]) for v in variables])
    return buffer.getvalue().encode()


def _plain(term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else f"_:{term.value}" if isinstance(term, ox.BlankNode) else str(term)


def _tsv(variables: list[str], rows) -> bytes:
    # SPARQL TSV writes terms in Turtle syntax (pyoxigraph's str()).
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join("" if row[v] is None else str(row[v]) for v in variables))
    return ("\n".join(lines) + "\n").encode()
