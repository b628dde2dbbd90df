"""Reading SPARQL text without parsing it: strings, IRIs and comments can be
blanked out (keeping every offset) so that keywords and braces found in the
rest are the query's own."""

from __future__ import annotations

import re

LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_FORM = re.compile(r"(?<![\w:?$-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


def blank(query: str) -> str:
    """The query with strings, IRIs and comments replaced by spaces of the same length."""
    return LEXEMES.sub(lambda m: " " * len(m.group(0)), query)


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
