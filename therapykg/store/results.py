"""Serialize query results in the chosen format, stopping at a row
limit and at a byte limit (whole rows or triples only, so the document stays
valid and the response can say it was cut, and why)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from therapykg.namespaces import PREFIXES
from therapykg.store.errors import NoFormatForResult
from therapykg.store.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, by_name
from therapykg.store.terms import QueryResult, Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

# What serialize writes: a query's answer (a remote engine's CONSTRUCT arrives as a list of triples).
Serializable = QueryResult | list[ox.Triple]
# A results format's writer: the head, one solution's bytes, the separator between solutions, the tail.
Writer = tuple[bytes, Callable[[ox.QuerySolution], bytes], bytes, bytes]


@dataclass
class Serialized:
    media_type: str
    body: bytes
    rows: int
    truncated: str = ""  # "limit=N" (rows) or "byte-limit=N" (bytes); empty if whole


_NATIVE = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
           "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def _format(offered: tuple[Format, ...], name: str | None, kind: str) -> Format:
    if name is None:
        raise NoFormatForResult(kind)
    return by_name(offered, name)


def serialize(results: Serializable, result_format: str | None, graph_format: str | None, max_rows: int | None,
              max_bytes: int | None = None) -> Serialized:
    """Write ``results`` in the format chosen for their kind, at most
    ``max_rows`` rows or triples and ``max_bytes`` bytes (all of it, with
    Oxigraph's own serializer, when both are None: the service's own queries).

    :raises NoFormatForResult: no format was chosen for this kind of result.
    """
    if max_rows is None and max_bytes is None and isinstance(results, ox.QuerySolutions):
        fmt = _format(RESULT_FORMATS, result_format, "results")
        return Serialized(_media(fmt), results.serialize(format=_NATIVE[fmt.name]) or b"", -1)
    row_limit = 10**12 if max_rows is None else max_rows
    if isinstance(results, ox.QueryBoolean):
        fmt = _format(RESULT_FORMATS, result_format, "results")
        return Serialized(_media(fmt), _boolean(bool(results), fmt), 1)
    if isinstance(results, (ox.QueryTriples, list)):
        fmt = _format(GRAPH_FORMATS, graph_format, "graph")
        triples = list(islice(results, row_limit + 1))
        truncated = f"limit={max_rows}" if len(triples) > row_limit else ""
        triples = triples[:row_limit]
        body = serialize_graph(triples, fmt.name)
        if max_bytes is not None and len(body) > max_bytes:
            triples, body = _fit_graph(triples, fmt.name, max_bytes)
            truncated = f"byte-limit={max_bytes}"
        return Serialized(_media(fmt), body, len(triples), truncated)
    fmt = _format(RESULT_FORMATS, result_format, "results")
    variables = [v.value for v in results.variables]
    head, write_row, separator, tail = _WRITERS[fmt.name](variables)
    parts, size, rows, truncated = [head], len(head) + len(tail), 0, ""
    for row in results:
        if rows == row_limit:
            truncated = f"limit={max_rows}"
            break
        line = write_row(row)
        grown = len(line) + (len(separator) if rows else 0)
        if max_bytes is not None and size + grown > max_bytes:
            truncated = f"byte-limit={max_bytes}"
            break
        parts += [separator, line] if rows else [line]
        size, rows = size + grown, rows + 1
    parts.append(tail)
    return Serialized(_media(fmt), b"".join(parts), rows, truncated)


def _fit_graph(triples: list[ox.Triple], name: str, max_bytes: int) -> tuple[list[ox.Triple], bytes]:
    """The longest prefix of ``triples`` whose serialization fits in
    ``max_bytes`` (a binary search: each format writes prefixes its own way)."""
    low, high, best = 0, len(triples), serialize_graph([], name)
    while low < high:
        middle = (low + high + 1) // 2
        body = serialize_graph(triples[:middle], name)
        if len(body) <= max_bytes:
            low, best = middle, body
        else:
            high = middle - 1
    return triples[:low], best


def serialize_graph(triples: Iterable[ox.Triple], name: str) -> bytes:
    fmt = _RDF_FORMATS[name]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES) or b""
    return ox.serialize(triples, format=fmt) or b""  # (None only when writing to a file)


def _media(fmt: Format) -> str:
    return fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") or "json" in fmt.media_type else "")


def _boolean(value: bool, fmt: Format) -> bytes:
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.name == "xml":
        return (b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                b"<boolean>" + (b"true" if value else b"false") + b"</boolean></sparql>\n")
    return b"true\r\n" if value else b"false\r\n"


# JSON strings as the json module writes them (its C encoder), without the
# cost of a json.dumps call per term: terms are written by hand around them.
_string = json.encoder.encode_basestring


def _json_term(term: Term) -> str:
    # type(term) is C rather than isinstance: as fast as the test gets, and the classes are final.
    if type(term) is ox.NamedNode:
        return '{"type":"uri","value":' + _string(term.value) + "}"
    if type(term) is ox.Literal:
        value = '{"type":"literal","value":' + _string(term.value)
        if term.language:
            return value + ',"xml:lang":' + _string(term.language) + "}"
        datatype = term.datatype.value
        return value + ("}" if datatype == XSD_STRING else ',"datatype":' + _string(datatype) + "}")
    if type(term) is ox.BlankNode:
        return '{"type":"bnode","value":' + _string(term.value) + "}"
    return ('{"type":"triple","value":{"subject":' + _json_term(term.subject) + ',"predicate":'
            + _json_term(term.predicate) + ',"object":' + _json_term(term.object) + "}}")


def _json_writer(variables: list[str]) -> Writer:
    head = '{"head":{"vars":[' + ",".join(map(_string, variables)) + ']},"results":{"bindings":['
    keys = [_string(v) + ":" for v in variables]

    def row(solution: ox.QuerySolution) -> bytes:
        # A solution yields its values in the order of the variables, None where unbound.
        return ("{" + ",".join([key + _json_term(value) for key, value in zip(keys, solution, strict=False) if value is not None])
                + "}").encode()
    return head.encode(), row, b",", b"]}}"


_XML_WHITE_SPACE = " \t\n"


def _xml_text(value: str) -> str:
    """Literal text as XML content that every reader gives back exactly: a
    carriage return as a reference (readers turn CR LF into LF), and white
    space at either end as references (some readers trim it)."""
    text = escape(value, {"\r": "&#13;"})
    inner = text.strip(_XML_WHITE_SPACE)
    if len(inner) == len(text):
        return text
    lead = len(text) - len(text.lstrip(_XML_WHITE_SPACE))
    trail = len(text) - lead - len(inner)
    return _references(text[:lead]) + inner + _references(text[len(text) - trail:])


def _references(white_space: str) -> str:
    return "".join(f"&#{ord(c)};" for c in white_space)


def _xml_term(term: Term) -> str:
    if type(term) is ox.NamedNode:
        return f"<uri>{escape(term.value)}</uri>"
    if type(term) is ox.BlankNode:
        return f"<bnode>{escape(term.value)}</bnode>"
    if type(term) is ox.Triple:
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
    return f"<literal>{_xml_text(term.value)}</literal>"


def _xml_writer(variables: list[str]) -> Writer:
    head = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>")
    opening = [f"<binding name={quoteattr(v)}>" for v in variables]

    def row(solution: ox.QuerySolution) -> bytes:
        bindings = "".join([name + _xml_term(value) + "</binding>" for name, value in zip(opening, solution, strict=False) if value is not None])
        return f"<result>{bindings}</result>".encode()
    return head.encode(), row, b"", b"</results></sparql>\n"


def _csv_writer(variables: list[str]) -> Writer:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[str]) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue().encode()

    def row(solution: ox.QuerySolution) -> bytes:
        return line(["" if value is None else _plain(value) for value in solution])
    return line(variables), row, b"", b""


def _plain(term: Term) -> str:
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return f"{_plain(term.subject)} {_plain(term.predicate)} {_plain(term.object)}"


def _tsv_term(term: Term) -> str:
    # SPARQL TSV writes terms in Turtle syntax (pyoxigraph's str()); a triple term in its own brackets.
    if type(term) is ox.Triple:
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)


def _tsv_writer(variables: list[str]) -> Writer:
    def row(solution: ox.QuerySolution) -> bytes:
        return ("\t".join(["" if value is None else _tsv_term(value) for value in solution]) + "\n").encode()
    return ("\t".join(f"?{v}" for v in variables) + "\n").encode(), row, b"", b""


_WRITERS: dict[str, Callable[[list[str]], Writer]] = {"json": _json_writer, "xml": _xml_writer, "csv": _csv_writer, "tsv": _tsv_writer}
