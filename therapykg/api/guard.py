"""What an ad-hoc query may ask for, decided on the text as the engine
reads it, before the engine sees it: no updates, no SERVICE (Oxigraph would
follow it), no graphs outside this dataset, and no nesting deeper than the
engine's parser can take.

The text is read by the engine's own lexical rules (therapykg.sparql_text):
``\\u`` escapes count inside strings and IRIs only, never across the query.
Where the engine could read a ``<`` as "less than" (or as half of ``<<``)
rather than as the start of an IRI, every reading is checked, each by the
same rules (or both at once, where the IRI holds nothing that would change
how the rest is read). A match in a variable name or in the local part of a prefixed
name is not a keyword, but only where the engine certainly reads that name:
its prefix is declared and the IRI it names is valid (otherwise the engine
reads the prefix alone, ``rdf:``, and the rest as what follows it). Anywhere
else a keyword is one, whatever comes before or after it (the engine reads
``SERVICEex:a`` as SERVICE followed by ``ex:a``).

The query processes cannot open network connections at all (see
therapykg.store.sandbox); this guard gives the client a clear refusal and keeps
the engine from trying."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

import pyoxigraph as ox

from therapykg.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES
from therapykg.sparql_text import BRANCHING, Lexeme, TooAmbiguous, readings

LOCAL_GRAPHS = frozenset({GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED})
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
# Oxigraph's parser recurses once per level: measured, it overflows its stack
# at about 200 nested [ ] and 800 chained path steps, so both stay far below.
MAX_NESTING = 64
MAX_OPERATORS = 1000
# Each '<' the engine may read two ways doubles the readings to check.
MAX_READINGS = 8

SERVICE_REFUSED = "SERVICE is not allowed: this endpoint makes no outbound requests"
_SERVICE = re.compile("service", re.IGNORECASE)
_FROM = re.compile("from", re.IGNORECASE)
_NAMED = re.compile("named", re.IGNORECASE)
# Names by the engine's grammar (Oxigraph's PEG: each repetition takes all it
# can and gives nothing back, hence the possessive quantifiers).
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd")
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f\u2040\\-"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = re.compile(rf"[{_PN_CHARS_BASE}][{_PN_CHARS}]*+(?:\.++[{_PN_CHARS}]++)*+")
_PN_LOCAL = re.compile(rf"(?:[{_PN_CHARS_BASE}_:0-9]|{_PLX})(?:[{_PN_CHARS}:]|{_PLX})*+(?:\.++(?:[{_PN_CHARS}:]|{_PLX})++)?+")
_VARNAME = re.compile(rf"[{_PN_CHARS_BASE}_0-9][{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f\u2040]*+")
_LABEL = re.compile(rf"[{_PN_CHARS_BASE}_0-9][{_PN_CHARS}]*+(?:\.++[{_PN_CHARS}]++)*+")
# Where a variable, a blank node label or a prefixed name may start (nothing else can hold one).
_NAME_START = re.compile(rf"[?$]|_:|[{_PN_CHARS_BASE}:]")
_PREFIX_DECLARATION = re.compile(rf"(?i:prefix)\s*((?:{_PN_PREFIX.pattern})?):")
_OPENING, _CLOSING = frozenset("{(["), frozenset("})]")
_BRACKETS = re.compile(r"[{}()\[\]]")
_OPERATOR_WORDS = ("union", "optional", "minus")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Outside strings and IRIs a backslash escapes a character of a local name (or is an error).
_ESCAPED = re.compile(r"\\.", re.DOTALL)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@lru_cache(maxsize=4096)
def _valid_iri(iri: str) -> bool:
    """Whether the engine takes ``iri`` as an absolute IRI (it checks with the same library)."""
    try:
        ox.NamedNode(iri)
    except (ValueError, TypeError):
        return False
    return True


class Refused(Exception):
    """The request asks for something this endpoint does not do; carries the HTTP status."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


class _Reading:
    """One reading of the query: its code (strings, IRIs, comments and the
    names the engine certainly reads as names blanked) and its lexemes."""

    def __init__(self, query: str, lexemes: list[Lexeme]):
        self.query = query
        self.lexemes = lexemes
        self.by_start = {lexeme.start: lexeme for lexeme in lexemes}
        parts, at = [], 0
        for lexeme in lexemes:
            # An IRI the engine may read as "less than" and code, that holds
            # nothing that changes how the rest is read, is read both ways at
            # once: its text stays (see therapykg.sparql_text.readings).
            if lexeme.kind == "iri" and lexeme.after_operand and BRANCHING.isdisjoint(query[lexeme.start:lexeme.end]):
                continue
            parts += [query[at:lexeme.start], " " * (lexeme.end - lexeme.start)]
            at = lexeme.end
        parts.append(query[at:])
        self.words = "".join(parts)
        self.declared = self._declarations()
        self._certain: dict[tuple[str, str], bool] = {}
        self.code = self._blank_names()
        # An IRI after an operand that holds a quote, hash or backslash: read
        # as "less than", its rest would start a string or comment elsewhere.
        self.ambiguous = any(lexeme.kind == "iri" and lexeme.after_operand and any(c in query[lexeme.start:lexeme.end] for c in "'#\\")
                             for lexeme in lexemes)

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

    def _declarations(self) -> dict[str, set[str]]:
        """Every namespace each prefix may stand for: the predeclared one and
        every one the query may declare (a stray match only adds doubt)."""
        declared = {prefix: {iri} for prefix, iri in PREFIXES.items()}
        for match in _PREFIX_DECLARATION.finditer(self.words):
            iri = self.iri_at(self.skip_space(match.end()))
            if iri is not None:
                declared.setdefault(match.group(1), set()).add(iri)
        return declared

    def _certain_name(self, prefix: str, local: str) -> bool:
        """Whether the engine certainly reads ``prefix:local`` as one name:
        the prefix is declared and every IRI it may name is valid, also for
        any shorter prefix the engine may start at after a keyword glued to
        it (``DESCRIBEex:a``). Otherwise the engine may take ``prefix:``
        alone and read ``local`` as what follows it."""
        known = self._certain.get((prefix, local))
        if known is None:
            known = self._certain[prefix, local] = self._reads_as_one_name(prefix, local)
        return known

    def _reads_as_one_name(self, prefix: str, local: str) -> bool:
        value = local.replace("\\", "")
        for cut in range(len(prefix) + 1):
            shorter = prefix[cut:]
            if shorter and not _PN_PREFIX.fullmatch(shorter):
                continue
            namespaces = self.declared.get(shorter)
            if not namespaces:
                if cut == 0:
                    return False
                continue
            if not all(_valid_iri(namespace + value) for namespace in namespaces):
                return False
        return True

    def _blank_names(self) -> str:
        """``words`` with variable names, blank node labels and the local
        parts of certain prefixed names blanked."""
        words, spans, at = self.words, [], 0
        while (start := _NAME_START.search(words, at)) is not None:
            at = start.start()
            if words[at] in "?$":
                name = _VARNAME.match(words, at + 1)
                if name:
                    spans.append(name.span())
                at = name.end() if name else at + 1
                continue
            if words.startswith("_:", at):
                label = _LABEL.match(words, at + 2)
                if label:
                    spans.append(label.span())
                at = label.end() if label else at + 2
                continue
            prefix = _PN_PREFIX.match(words, at)
            end = prefix.end() if prefix else at
            if words.startswith(":", end):
                local = _PN_LOCAL.match(words, end + 1)
                if local and self._certain_name(words[at:end], local.group()):
                    spans.append(local.span())
                    at = local.end()
                else:
                    at = end + 1  # what follows the colon is read on its own
                continue
            at = end if prefix else at + 1  # a word that names nothing: a keyword, or an error
        parts, at = [], 0
        for span_start, span_end in spans:
            parts += [words[at:span_start], " " * (span_end - span_start)]
            at = span_end
        parts.append(words[at:])
        return "".join(parts)

    def _targets(self, at: int, unknown: bool = True) -> list[str]:
        """The graph an IRI or prefixed name at ``at`` may name (each
        namespace its prefix may stand for); one with a prefix not declared
        is kept as written if ``unknown``, else left out (the engine reads no name there)."""
        iri = self.iri_at(at)
        if iri is not None:
            return [iri]
        prefix = _PN_PREFIX.match(self.words, at)
        end = prefix.end() if prefix else at
        if not self.words.startswith(":", end):
            return []
        local = _PN_LOCAL.match(self.words, end + 1)
        value = local.group().replace("\\", "") if local else ""
        namespaces = self.declared.get(self.words[at:end])
        if not namespaces:
            return [self.words[at:local.end() if local else end + 1]] if unknown else []
        return [namespace + value for namespace in sorted(namespaces)]

    def undeclared_names(self) -> list[tuple[int, str, str]]:
        """The prefixed names whose prefix neither the query nor the
        endpoint declares, as (offset, prefix, the name as written)."""
        words, found, at = self.words, [], 0
        while (start := _NAME_START.search(words, at)) is not None:
            at = start.start()
            if words[at] in "?$":
                name = _VARNAME.match(words, at + 1)
                at = name.end() if name else at + 1
                continue
            if words.startswith("_:", at):
                label = _LABEL.match(words, at + 2)
                at = label.end() if label else at + 2
                continue
            prefix = _PN_PREFIX.match(words, at)
            end = prefix.end() if prefix else at
            if words.startswith(":", end):
                local = _PN_LOCAL.match(words, end + 1)
                stop = local.end() if local else end + 1
                if words[at:end] not in self.declared:
                    found.append((at, words[at:end], words[at:stop]))
                at = stop
                continue
            at = end if prefix else at + 1
        return found

    def dataset_iris(self) -> list[str]:
        """The targets of everything that may be a FROM or FROM NAMED clause;
        a target that is neither an IRI nor a known prefixed name is kept as
        written (and so is not a graph of this dataset)."""
        targets = []
        for match in _FROM.finditer(self.code):
            at = self.skip_space(match.end())
            named = _NAMED.match(self.code, at)
            # NAMEDg:x is also a prefixed name of its own if the prefix NAMEDg is declared.
            targets += self._targets(at, unknown=not named)
            if named:
                targets += self._targets(self.skip_space(named.end()))
        return targets


# A bare word: a maximal run of name characters with no "?" or "$" before
# it (keywords are matched as whole bare words).
_RUNS = re.compile(r"([?$]?)([\w:-]+)")
_UPDATE_LOWER = tuple(keyword.lower() for keyword in UPDATE_KEYWORDS)
_QUERY_FORMS = frozenset(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))


def _bare_words(code: str) -> set[str]:
    """The bare words of ``code`` that may be keywords, upper-cased."""
    return {word.upper() for sigil, word in _RUNS.findall(code) if not sigil and len(word) <= 9}


def _says_service(text: str) -> bool:
    """Whether "service" appears in ``text``, in any case."""
    # Lower-casing ASCII text keeps every offset and every letter's identity.
    return "service" in text.lower() if text.isascii() else _SERVICE.search(text) is not None


def _may_update(code: str) -> bool:
    """False only if no update keyword can be among the bare words of ``code``."""
    if not code.isascii():
        return True
    lowered = code.lower()
    return any(keyword in lowered for keyword in _UPDATE_LOWER)


def explain_syntax_error(query: str, line: int | None, column: int | None) -> str | None:
    """A message a person can act on for the engine's syntax error at
    ``line``:``column`` of ``query``, when the query uses a prefix that is not
    declared (the engine's own message lists the characters it expected
    instead); None when the cause is something else."""
    try:
        reading = _Reading(query, readings(query, MAX_READINGS)[0])
    except TooAmbiguous:
        return None
    names = reading.undeclared_names()
    if not names:
        return None
    # The engine reports where it gave up, at or after the name: the last such name before that point.
    lines = query.split("\n")
    if line is not None and column is not None and 0 < line <= len(lines):
        reported = sum(len(text) + 1 for text in lines[:line - 1]) + column - 1
        before = [name for name in names if name[0] <= reported]
        offset, prefix, written = before[-1] if before else names[0]
    else:
        offset, prefix, written = names[0]
    at_line = query.count("\n", 0, offset) + 1
    at_column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    declared = ", ".join(f"{name}: <{namespace}>" for name, namespace in PREFIXES.items())
    return (f"error at {at_line}:{at_column}: unknown prefix '{prefix}:' in {written}: declare it in the query "
            f"(PREFIX {prefix}: <namespace IRI>) or use one of the prefixes this endpoint predeclares: {declared}")


def _resolved(iri: str, base_iri: str | None, reading: _Reading) -> str:
    """A relative IRI resolved as the engine resolves it: against the
    endpoint's base, unless the query sets its own (then left as written)."""
    if base_iri is None or _ABSOLUTE.match(iri) or "BASE" in _bare_words(reading.code):
        return iri
    return urljoin(base_iri, iri)


def check_query(query: str, default_graphs: list[str], named_graphs: list[str], base_iri: str | None = None) -> None:
    """Raise Refused for updates, SERVICE, datasets outside this store, and
    nesting or operator chains deeper than the limits, in any reading of the
    query. Relative IRIs resolve against ``base_iri``, as the engine is told to."""
    try:
        every = [_Reading(query, lexed) for lexed in readings(query, MAX_READINGS)]
    except TooAmbiguous:
        status, refused = (403, f"{SERVICE_REFUSED}: ") if _says_service(query) else (400, "")
        raise Refused(status, f"{refused}the query has more than {MAX_READINGS} ways to be read: too many places where "
                              "a '<' could be 'less than' or the start of an IRI; put a space after '<' when you mean "
                              "'less than'") from None
    if any(_says_service(reading.code) for reading in every):
        raise Refused(403, f"{SERVICE_REFUSED} (federate from your client instead)")
    if every[0].ambiguous and _says_service(query):
        raise Refused(403, f"{SERVICE_REFUSED}: the word 'service' appears in this query where the engine could read it as "
                           "the keyword (a '<' inside parentheses, after a value, could be 'less than' or an IRI holding "
                           "a quote or '#'); put a space after '<' when you mean 'less than'")
    for reading in [reading for reading in every if _may_update(reading.code)]:
        found = _bare_words(reading.code)
        updates = [k for k in UPDATE_KEYWORDS if k in found]
        has_query_form = not _QUERY_FORMS.isdisjoint(found)
        if updates and (not has_query_form or "LOAD" in updates):
            raise Refused(403, f"SPARQL Update ({', '.join(updates)}) is not allowed: this endpoint is read-only")
    in_query = [_resolved(iri, base_iri, reading) for reading in every for iri in reading.dataset_iris()]
    for iri in in_query + default_graphs + named_graphs:
        if iri not in LOCAL_GRAPHS:
            raise Refused(400, f"graph <{iri}> is not in this dataset and remote graphs are never fetched; "
                               f"available graphs: {', '.join(sorted(LOCAL_GRAPHS))}")
    for reading in every:
        _check_shape(reading.code)


def _check_shape(code: str) -> None:
    """Refuse nesting and operator chains that would exhaust the parser's stack."""
    code = _ESCAPED.sub("  ", code)
    depth = deepest = 0
    for c in _BRACKETS.findall(code):
        if c in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    if deepest > MAX_NESTING:
        raise Refused(400, f"query nested {deepest} levels deep (braces, parentheses and brackets); the limit is {MAX_NESTING}")
    # "||" and "&&" are one operator each; a keyword is counted wherever its letters appear.
    lowered = code.lower()
    operators = (sum(code.count(c) for c in "/*+!-") + code.count("|") - code.count("||") + code.count("&&")
                 + sum(lowered.count(word) for word in _OPERATOR_WORDS))
    if operators > MAX_OPERATORS:
        raise Refused(400, f"query has {operators} operators (path steps, arithmetic, logic, UNION, OPTIONAL, MINUS); "
                           f"the limit is {MAX_OPERATORS}")
