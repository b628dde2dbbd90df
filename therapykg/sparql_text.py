"""Reading SPARQL text without parsing it, the way Oxigraph's parser reads
it: strings (with their escapes), IRIs and comments are found by the
engine's own rules (``\\u`` escapes count inside strings and IRIs only), so
that keywords and braces found in the rest are the query's own. Strings,
IRIs and comments can be blanked out, keeping every offset."""

from __future__ import annotations

import re
from typing import NamedTuple

# Any IRI the engine accepts lies within these characters (checked against
# Oxigraph character by character in the tests); a wider class is safe.
_IRI = re.compile(r'<[^<>"{}|^`\x00-\x20]*>')
_HEX = frozenset("0123456789abcdefABCDEF")
_ECHAR = frozenset("tbnrf\"'\\")
# After one of these, a ``<`` can only start an IRI: a comparison needs an
# operand before it. Anywhere else (after a variable, a literal, ``)``, or a
# ``-`` that may end a prefixed name) the engine may read ``<`` as "less than".
_TERM_EXPECTED = frozenset("{(,;.|/^=!&*+<[")
# The head of a VALUES clause, written plainly (after white space or "}",
# with no comment inside), up to its "{": what follows is data, not code.
_VALUES_HEAD = re.compile(r"(?<![^ \t\r\n}])VALUES[ \t\r\n]*(?:[?$][A-Za-z0-9_]+|\((?:[ \t\r\n]*[?$][A-Za-z0-9_]+)*[ \t\r\n]*\))"
                          r"[ \t\r\n]*$", re.IGNORECASE)
# Characters that start or end nothing the lexer tracks (strings, IRIs,
# comments, escapes, brackets).
_PLAIN = re.compile(r"[^#\"'<\\{}()\[\]]+")
_FORM = re.compile(r"(?<![\w:?$-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


class Lexeme(NamedTuple):
    """A string, IRI or comment at ``start:end``; ``after_operand``: an IRI
    whose ``<`` the engine might read otherwise (as "less than", or as the
    second half of ``<<``), so that its text would be code."""

    kind: str  # "string", "iri" or "comment"
    start: int
    end: int
    after_operand: bool = False


def _escape(text: str, at: int) -> int:
    """The length of the ECHAR or UCHAR escape at ``at``, or 0."""
    if text[at:at + 1] != "\\":
        return 0
    kind = text[at + 1:at + 2]
    if kind and kind in _ECHAR:
        return 2
    digits = {"u": 4, "U": 8}.get(kind, 0)
    if digits and len(text) >= at + 2 + digits and all(c in _HEX for c in text[at + 2:at + 2 + digits]):
        return 2 + digits
    return 0


def _char(text: str, at: int, quote: str, long: bool) -> int:
    """The length of one string character (plain or escaped) at ``at``, or 0."""
    if at >= len(text):
        return 0
    c = text[at]
    if c == "\\":
        return _escape(text, at)
    if c == quote or (not long and c in "\n\r"):
        return 0
    return 1


def _string_end(text: str, start: int) -> int | None:
    """Where the string opening at ``start`` ends, by the engine's grammar
    (a PEG: no backtracking within a rule), or None if it never ends."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        at = start + 3
        while True:
            # ("" / ")? (plain character / ECHAR / UCHAR), in that order.
            lead = 2 if text.startswith(quote * 2, at) else 1 if text.startswith(quote, at) else 0
            size = _char(text, at + lead, quote, True)
            if not size:
                break
            at += lead + size
        if text.startswith(quote * 3, at):
            return at + 3
        # A long string that never ends: the engine then tries a short one at
        # the same place, and reads '' (an empty string) and what follows.
    at = start + 1
    while size := _char(text, at, quote, False):
        at += size
    return at + 1 if text.startswith(quote, at) else None


class TooAmbiguous(ValueError):
    """More readings than the caller is willing to check."""


def lexemes(text: str, less_than: frozenset[int] = frozenset()) -> list[Lexeme]:
    """The strings, IRIs and comments of ``text``, in order; a ``<`` at an
    offset in ``less_than`` is read as an operator, not as an IRI start."""
    found: list[Lexeme] = []
    at, n, previous = 0, len(text), ""
    # Open brackets: "<" means "less than" only inside an expression, which
    # is always within parentheses (a group pattern or [ ] resets that).
    open_brackets: list[str] = []
    while at < n:
        # A run of characters that start nothing: only its last non-space counts.
        plain = _PLAIN.match(text, at)
        if plain:
            run = plain.group().rstrip(" \t\r\n")
            if run:
                previous = run[-1]
            at = plain.end()
            continue
        c = text[at]
        if c == "#":
            end = at + 1
            while end < n and text[end] not in "\r\n":
                end += 1
            found.append(Lexeme("comment", at, end))
            at = end
            continue
        if c in "\"'":
            closed = _string_end(text, at)
            if closed is not None:
                found.append(Lexeme("string", at, closed))
                at, previous = closed, c
                continue
        elif c == "<":
            match = None if at in less_than else _IRI.match(text, at)
            if match:
                in_parentheses = bool(open_brackets) and open_brackets[-1] == "("
                # Glued to a "<" before it, the engine may read "<<" (a triple term) instead.
                other = (in_parentheses and previous not in _TERM_EXPECTED) or text[at - 1:at] == "<"
                found.append(Lexeme("iri", at, match.end(), after_operand=other))
                at, previous = match.end(), ">"
                continue
        elif c == "\\":
            # Outside strings and IRIs a backslash escapes one character of
            # a prefixed name (ex:a\'b): that character starts nothing.
            at, previous = at + 2, "a"
            continue
        if c == "{" and _values_head(text, max(at - 256, found[-1].end if found else 0), at):
            open_brackets.append("values")  # a data block: its rows hold terms, never an expression
        elif c == "(" and open_brackets and open_brackets[-1] in ("values", "row"):
            open_brackets.append("row")
        elif c in "{([":
            open_brackets.append(c)
        elif c in "})]" and open_brackets:
            open_brackets.pop()
        if c not in " \t\r\n":
            previous = c
        at += 1
    return found


def _values_head(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` ends with the head of a VALUES clause."""
    return "values" in text[start:end].lower() and _VALUES_HEAD.search(text, start, end) is not None


# Read as code, these characters change how the rest is read (a string, a
# comment, an escape, nesting); an IRI holding none of them changes nothing
# but its own text, which a caller can then read both ways at once.
BRANCHING = frozenset("'\"#\\()[]{}")


def readings(text: str, limit: int) -> list[list[Lexeme]]:
    """Every way the engine may read ``text``: the lexemes once for each
    choice, at every IRI whose ``<`` it might read otherwise and that holds
    a BRANCHING character, of reading it as an IRI or not (the first reading
    takes every such ``<`` as an IRI). Raises TooAmbiguous beyond ``limit``
    readings."""
    found: list[list[Lexeme]] = []
    pending: list[frozenset[int]] = [frozenset()]
    while pending:
        less_than = pending.pop(0)
        reading = lexemes(text, less_than)
        found.append(reading)
        # Each choice is made once, in text order: a choice only changes what comes after it.
        last = max(less_than, default=-1)
        pending += [less_than | {lexeme.start} for lexeme in reading
                    if lexeme.kind == "iri" and lexeme.after_operand and lexeme.start > last
                    and not BRANCHING.isdisjoint(text[lexeme.start + 1:lexeme.end - 1])]
        if len(found) + len(pending) > limit:
            raise TooAmbiguous(f"more than {limit} readings")
    return found


def blank(query: str) -> str:
    """The query with strings, IRIs and comments replaced by spaces of the same length."""
    parts, at = [], 0
    for lexeme in lexemes(query):
        parts += [query[at:lexeme.start], " " * (lexeme.end - lexeme.start)]
        at = lexeme.end
    parts.append(query[at:])
    return "".join(parts)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside strings, IRIs and comments."""
    match = _FORM.search(blank(query))
    return match.group(1).upper() if match else "SELECT"


def closing_brace(code: str, opening: int) -> int | None:
    """The offset of the ``}`` that closes the ``{`` at ``opening`` in
    blanked ``code``, or None if it is never closed."""
    depth = 0
    for position in range(opening, len(code)):
        depth += {"{": 1, "}": -1}.get(code[position], 0)
        if depth == 0:
            return position
    return None
