"""Read-only and no-outbound-requests rules, checked on the query text
before it reaches the engine (Oxigraph would otherwise follow SERVICE)."""

from __future__ import annotations

import re

from therapykg.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY
from therapykg.sparql_text import LEXEMES

LOCAL_GRAPHS = frozenset({GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED})
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")

# Strings, IRIs and comments are removed before looking for keywords so that
# a keyword inside a literal or an IRI does not count (LEXEMES).
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(Exception):
    """The request asks for something this endpoint does not do; carries the HTTP status."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


def _unescape(query: str) -> str:
    # SPARQL applies \u and \U escapes to the whole query before parsing.
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)


def _keywords(query: str) -> str:
    """The query with strings, IRIs and comments blanked out."""
    return LEXEMES.sub(lambda m: " " if m.group(0).startswith("#") else " <> ", query)


def _has_keyword(code: str, keyword: str) -> bool:
    # A keyword is a bare word: not part of a prefixed name, variable or longer word.
    return re.search(rf"(?<![\w:?$-]){keyword}(?![\w:-])", code, re.IGNORECASE) is not None


def check_query(query: str, default_graphs: list[str], named_graphs: list[str]) -> None:
    """Raise Refused for updates, SERVICE, and datasets outside this store."""
    text = _unescape(query)
    code = _keywords(text)
    if _has_keyword(code, "SERVICE"):
        raise Refused(403, "SERVICE is not allowed: this endpoint makes no outbound requests (federate from your client instead)")
    updates = [k for k in UPDATE_KEYWORDS if _has_keyword(code, k)]
    has_query_form = any(_has_keyword(code, k) for k in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))
    if updates and (not has_query_form or "LOAD" in updates):
        raise Refused(403, f"SPARQL Update ({', '.join(updates)}) is not allowed: this endpoint is read-only")
    for iri in _dataset_iris(text) + default_graphs + named_graphs:
        if iri not in LOCAL_GRAPHS:
            raise Refused(400, f"graph <{iri}> is not in this dataset and remote graphs are never fetched; "
                               f"available graphs: {', '.join(sorted(LOCAL_GRAPHS))}")


def _dataset_iris(query: str) -> list[str]:
    """The IRIs of FROM and FROM NAMED clauses."""
    iris = []
    for match in re.finditer(r"(?<![\w:?$-])FROM(\s+NAMED)?\s*(<[^>]*>|[\w-]*:[\w.-]*)", _strip_strings_and_comments(query), re.IGNORECASE):
        target = match.group(2)
        iri = _IRI.match(target)
        iris.append(iri.group(1) if iri else target)
    return iris


def _strip_strings_and_comments(query: str) -> str:
    return LEXEMES.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", query)
