"""What an ad-hoc query may ask for, decided on the text as the engine
reads it, before the engine sees it: no updates, no SERVICE (Oxigraph would
follow it), no graphs outside this dataset, and no nesting deeper than the
engine's parser can take.

The text is read by the engine's own lexical rules (therapykg.sparql_text):
``\\u`` escapes count inside strings and IRIs only, never across the query.
Where the engine could read a ``<`` as "less than" rather than as the start
of an IRI, and the two readings would disagree on where a string or comment
starts, the guard looks for SERVICE in the raw text instead. A match in a
variable name or in the local part of a prefixed name is not a keyword;
anywhere else it is, whatever comes before or after it (the engine reads
``SERVICEex:a`` as SERVICE followed by ``ex:a``).

The query processes cannot open network connections at all (see
therapykg.api.sandbox); this guard gives the client a clear refusal and keeps
the engine from trying."""

from __future__ import annotations

import re

from therapykg.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES
from therapykg.sparql_text import Lexeme, lexemes

LOCAL_GRAPHS = frozenset({GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED})
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
# Oxigraph's parser recurses once per level: measured, it overflows its stack
# at about 200 nested [ ] and 800 chained path steps, so both stay far below.
MAX_NESTING = 64
MAX_OPERATORS = 1000

SERVICE_REFUSED = "SERVICE is not allowed: this endpoint makes no outbound requests"
_SERVICE = re.compile("service", re.IGNORECASE)
_FROM = re.compile("from", re.IGNORECASE)
_NAMED = re.compile(r"\s*named", re.IGNORECASE)
_PREFIX = re.compile(r"prefix\s*([^\s:]*):", re.IGNORECASE)
# Names whose letters are never keywords: variable names and the local part
# of prefixed names (ASCII only, so never longer than the engine's own).
_NAMES = re.compile(r"(?<=[?$])[A-Za-z0-9_]+|(?<=:)[A-Za-z0-9_:](?:[A-Za-z0-9_\-.:]|%[0-9A-Fa-f]{2}|\\.)*")
_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:((?:[\w\-.:]|%[0-9A-Fa-f]{2}|\\.)*)")
_OPENING, _CLOSING = frozenset("{(["), frozenset("})]")
_OPERATORS = re.compile(r"&&|\|\||[|/*+!-]|\b(?:UNION|OPTIONAL|MINUS)\b", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(Exception):
    """The request asks for something this endpoint does not do; carries the HTTP status."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


class _Reading:
    """The query's code (strings, IRIs, comments and names blanked) and its lexemes."""

    def __init__(self, query: str):
        self.query = query
        self.lexemes = lexemes(query)
        self.by_start = {lexeme.start: lexeme for lexeme in self.lexemes}
        parts, at = [], 0
        for lexeme in self.lexemes:
            parts += [query[at:lexeme.start], " " * (lexeme.end - lexeme.start)]
            at = lexeme.end
        parts.append(query[at:])
        self.words = "".join(parts)
        self.code = _NAMES.sub(lambda m: " " * len(m.group(0)), self.words)
        # An IRI after an operand that holds a quote, hash or backslash: read
        # as "less than", its rest would start a string or comment elsewhere.
        self.ambiguous = any(lexeme.kind == "iri" and lexeme.after_operand and any(c in query[lexeme.start:lexeme.end] for c in "'#\\")
                             for lexeme in self.lexemes)

    def skip_space(self, at: int) -> int:
        """The offset of the next character that is neither white space nor a comment."""
        while at < len(self.query):
            lexeme = self.by_start.get(at)
            if lexeme is not None and lexeme.kind == "comment":
                at = lexeme.end
            elif self.query[at] in " \t\r\n":
                at += 1
            else:
                break
        return at

    def iri_at(self, at: int) -> str | None:
        lexeme: Lexeme | None = self.by_start.get(at)
        if lexeme is None or lexeme.kind != "iri":
            return None
        return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), self.query[lexeme.start + 1:lexeme.end - 1])

    def prefixes(self) -> dict[str, str]:
        declared = dict(PREFIXES)
        for match in _PREFIX.finditer(self.code):
            iri = self.iri_at(self.skip_space(match.end()))
            if iri is not None:
                declared[match.group(1)] = iri
        return declared

    def dataset_iris(self) -> list[str]:
        """The targets of everything that may be a FROM or FROM NAMED clause;
        a target that is neither an IRI nor a known prefixed name is kept as
        written (and so is not a graph of this dataset)."""
        targets, prefixes = [], None
        for match in _FROM.finditer(self.code):
            at = self.skip_space(match.end())
            named = _NAMED.match(self.query, at)
            if named and self.code[named.start():named.end()].strip():
                at = self.skip_space(named.end())
            iri = self.iri_at(at)
            if iri is not None:
                targets.append(iri)
                continue
            pname = _PNAME.match(self.query, at)
            if pname and pname.group(0) != ":":
                prefixes = prefixes if prefixes is not None else self.prefixes()
                base = prefixes.get(pname.group(1) or "")
                targets.append(base + re.sub(r"\\(.)", r"\1", pname.group(2)) if base is not None else pname.group(0))
        return targets


def _has_keyword(code: str, keyword: str) -> bool:
    # For messages only: a keyword as a bare word.
    return re.search(rf"(?<![\w:?$-]){keyword}(?![\w:-])", code, re.IGNORECASE) is not None


def check_query(query: str, default_graphs: list[str], named_graphs: list[str]) -> None:
    """Raise Refused for updates, SERVICE, datasets outside this store, and
    nesting or operator chains deeper than the limits."""
    reading = _Reading(query)
    if _SERVICE.search(reading.code):
        raise Refused(403, f"{SERVICE_REFUSED} (federate from your client instead)")
    if reading.ambiguous and _SERVICE.search(query):
        raise Refused(403, f"{SERVICE_REFUSED}: the word 'service' appears in this query where the engine could read it as "
                           "the keyword (a '<' inside parentheses, after a value, could be 'less than' or an IRI holding "
                           "a quote or '#'); put a space after '<' when you mean 'less than'")
    updates = [k for k in UPDATE_KEYWORDS if _has_keyword(reading.code, k)]
    has_query_form = any(_has_keyword(reading.code, k) for k in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))
    if updates and (not has_query_form or "LOAD" in updates):
        raise Refused(403, f"SPARQL Update ({', '.join(updates)}) is not allowed: this endpoint is read-only")
    for iri in reading.dataset_iris() + default_graphs + named_graphs:
        if iri not in LOCAL_GRAPHS:
            raise Refused(400, f"graph <{iri}> is not in this dataset and remote graphs are never fetched; "
                               f"available graphs: {', '.join(sorted(LOCAL_GRAPHS))}")
    _check_shape(reading.code)


def _check_shape(code: str) -> None:
    """Refuse nesting and operator chains that would exhaust the parser's stack."""
    depth = deepest = 0
    for c in code:
        if c in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSING:
            depth -= 1
    if deepest > MAX_NESTING:
        raise Refused(400, f"query nested {deepest} levels deep (braces, parentheses and brackets); the limit is {MAX_NESTING}")
    operators = len(_OPERATORS.findall(code))
    if operators > MAX_OPERATORS:
        raise Refused(400, f"query has {operators} operators (path steps, arithmetic, logic, UNION, OPTIONAL, MINUS); "
                           f"the limit is {MAX_OPERATORS}")
