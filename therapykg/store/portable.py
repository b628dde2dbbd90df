"""What makes a remote SPARQL engine answer like the embedded store: the
CONSTRUCT WHERE short form is written out in full, and engine-specific
spellings in XML and JSON results are rewritten (all differences seen on
Virtuoso 7.2)."""

from __future__ import annotations

import hashlib
import json
import re

from therapykg.sparql_text import blank, closing_brace

_CONSTRUCT_WHERE = re.compile(r"(?<![\w:?$-])CONSTRUCT\s+WHERE\s*\{", re.IGNORECASE)

BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
CANONICAL_BOOLEAN = {"1": "true", "0": "false"}
ASK_COLUMN = "__ASK_RETVAL"


def expand_construct_where(query: str) -> str:
    """``CONSTRUCT WHERE { P }`` as ``CONSTRUCT { P } WHERE { P }``; the
    short form allows only triple patterns in P, so P is a valid template."""
    code = blank(query)
    match = _CONSTRUCT_WHERE.search(code)
    if match is None:
        return query
    start = match.end() - 1
    end = closing_brace(code, start)
    if end is None:
        return query  # unbalanced: let the engine report the syntax error
    pattern = query[start:end + 1]
    return query[:match.start()] + f"CONSTRUCT {pattern} WHERE {pattern}" + query[end + 1:]


def standard_json(body: bytes) -> bytes:
    """SPARQL JSON results with engine-specific spellings made standard.
    Virtuoso writes blank nodes as ``nodeID://b123``, not a valid blank node
    label (renamed, kept distinct), booleans as "1"/"0" (valid xsd:boolean
    lexical forms, written here in the canonical "true"/"false"), and the
    answer to ASK as a one-column SELECT (turned back into a boolean)."""
    if b'"bnode"' not in body and BOOLEAN.encode() not in body and ASK_COLUMN.encode() not in body:
        return body
    data = json.loads(body)
    if data.get("head", {}).get("vars") == [ASK_COLUMN]:
        rows = data.get("results", {}).get("bindings", [])
        return json.dumps({"head": {}, "boolean": bool(rows) and rows[0][ASK_COLUMN]["value"] not in ("0", "false")}).encode()
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = _bnode_label(term["value"].encode()).decode()
            elif term.get("datatype") == BOOLEAN:
                term["value"] = CANONICAL_BOOLEAN.get(term["value"], term["value"])
    return json.dumps(data).encode()


_XML_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")
_XML_BOOLEAN = re.compile(rb'(<literal datatype="http://www.w3.org/2001/XMLSchema#boolean">)([01])(</literal>)')
_XML_ASK = re.compile(rb'<variable name="__ASK_RETVAL"\s*/>.*?<literal[^>]*>([^<]*)</literal>', re.DOTALL)


def _bnode_label(value: bytes) -> bytes:
    return b"b" + hashlib.sha1(value).hexdigest()[:16].encode()


def standard_xml(body: bytes) -> bytes:
    """SPARQL XML results with the same rewrites as :func:`standard_json`
    (XML is what we ask remote engines for: Virtuoso writes it several times
    faster than JSON)."""
    if f'<variable name="{ASK_COLUMN}"'.encode() in body:
        answer = _XML_ASK.search(body)
        value = b"true" if answer and answer.group(1) not in (b"0", b"false") else b"false"
        return b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>' + value + b"</boolean></sparql>"
    if b"<bnode>" in body:
        body = _XML_BNODE.sub(lambda m: b"<bnode>" + _bnode_label(m.group(1)) + b"</bnode>", body)
    if BOOLEAN.encode() in body:
        body = _XML_BOOLEAN.sub(lambda m: m.group(1) + (b"true" if m.group(2) == b"1" else b"false") + m.group(3), body)
    return body
