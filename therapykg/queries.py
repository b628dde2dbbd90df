"""The named query library: ``.rq`` files whose comment header gives a
title, a description and typed parameters. Parameters are bound by VALUES
clauses that pyoxigraph writes, never pasted into the query text.

Two optional header lines help a query stay fast on a large graph:

- ``# paging: subquery``: the query's first subquery lists its subjects in
  the query's own order and each of them yields at least one row, so the
  first N rows come from its first N subjects; a page's end is then applied
  inside that subquery too, and the engine completes rows for one page of
  subjects only.
- ``# label-index: ?resource ?text``: the service narrows ``?resource`` to
  the resources whose label or alternative label contains ``?text``, with
  its label index, before the engine runs the query (the query's own filter
  still decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox

from therapykg import paths
from therapykg.namespaces import expand
from therapykg.sparql_text import blank, closing_brace, query_form

XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM = re.compile(r"^\?(?P<name>\w+) \((?P<type>iri|string|integer|decimal|boolean)(?:, default (?P<default>[^)]+))?\): (?P<doc>.+)$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    default: str | None = None

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """Turn a user's string into an RDF term of this parameter's type."""
        value = raw.strip()
        if self.type == "iri":
            iri = expand(value)
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri) or _IRI_FORBIDDEN.search(iri):
                raise ValueError(f"parameter {self.name!r}: {raw!r} is not an IRI or a known compact name (e.g. tkgr:blinatumomab)")
            return ox.NamedNode(iri)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise ValueError(f"parameter {self.name!r}: {raw!r} is not an integer")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "decimal":
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise ValueError(f"parameter {self.name!r}: {raw!r} is not a number") from None
            if not number.is_finite():
                raise ValueError(f"parameter {self.name!r}: {raw!r} is not a finite number")
            return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "decimal"))
        if self.type == "boolean":
            if value.lower() not in ("true", "false"):
                raise ValueError(f"parameter {self.name!r}: {raw!r} is not true or false")
            return ox.Literal(value.lower(), datatype=ox.NamedNode(XSD + "boolean"))
        return ox.Literal(raw)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    form: str = "SELECT"  # SELECT, ASK, CONSTRUCT or DESCRIBE
    page_in_subquery: bool = False  # "# paging: subquery"
    # "# label-index: ?resource ?text": (variable narrowed, parameter holding the text)
    label_index: tuple[str, str] | None = None

    def substitutions(self, values: dict[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Bind ``values`` (strings from a user) to this query's parameters.

        :raises ValueError: an unknown parameter, a missing one, or a value of the wrong type.
        """
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                             f"its parameters are {', '.join(known) or 'none'}")
        bound = {}
        for name, param in known.items():
            raw = values.get(name, param.default)
            if raw is None:
                raise ValueError(f"query {self.name!r} needs parameter {name!r} ({param.type}): {param.description}")
            bound[ox.Variable(name)] = param.bind(raw)
        return bound


def runnable_text(query: NamedQuery, values: dict[str, str] | None = None) -> str:
    """The query with its parameters fixed by VALUES clauses, to run as-is
    in any SPARQL client (the command line, the editor's examples, benchmarks)."""
    return bind_values(query.text, query.substitutions(values or {}))


# Where a query's group pattern opens: after WHERE, or after ASK or a SELECT
# clause when the optional WHERE keyword is left out. (A CONSTRUCT template
# also uses braces, so CONSTRUCT needs WHERE.) Subqueries match too.
_QUERY_GROUP = re.compile(r"\bWHERE\s*\{|\bASK\s*\{|\bSELECT\b[^{]*\{", re.IGNORECASE)


def _into_query_groups(text: str, clause: str) -> str:
    """``clause`` at the start of the query's group pattern and of every subquery's."""
    ends = [m.end() for m in _QUERY_GROUP.finditer(blank(text))]
    if not ends:
        raise ValueError("cannot bind parameters: no WHERE group found in the query")
    for end in reversed(ends):
        text = text[:end] + clause + text[end:]
    return text


def bind_values(text: str, bound: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables with a VALUES clause at the start of the query's group
    pattern and of each subquery's, so that a parameter has one value
    throughout the query (a subquery cannot see its parent's bindings).
    Terms are written by pyoxigraph's own serializer (validated IRIs,
    escaped literals), never pasted from user text.

    :raises ValueError: there are values to bind but no group pattern to bind them in.
    """
    if not bound:
        return text
    names = " ".join(str(v) for v in bound)
    terms = " ".join(str(t) for t in bound.values())
    return _into_query_groups(text, f"\n  VALUES ({names}) {{ ({terms}) }}")


def restrict(text: str, variable: str, terms: list[ox.NamedNode]) -> str:
    """Allow ``?variable`` only the given terms (none: no solutions), at the
    start of the first subquery if there is one (where the query finds its
    subjects), else of the query's group pattern."""
    clause = f"\n  VALUES ?{variable} {{ {' '.join(str(t) for t in terms)} }}"
    blanked = blank(text)
    opening = _SUBQUERY_OPEN.search(blanked)
    match = _QUERY_GROUP.search(blanked, opening.start() if opening else 0)
    if match is None:
        raise ValueError("cannot restrict the query: no WHERE group found in it")
    return text[:match.end()] + clause + text[match.end():]


_TRAILING_SLICE = re.compile(r"(?:\s+(LIMIT|OFFSET)\s+(\d+))+\s*$", re.IGNORECASE)


def page(text: str, limit: int | None, offset: int = 0, *, in_subquery: bool = False) -> str:
    """One page of a SELECT query's ordered solutions: its own trailing
    LIMIT/OFFSET (if any) combined with the page's, so a page never reaches
    past the query's own last row. With ``in_subquery`` (a query headed
    ``# paging: subquery``) the page's end also limits the first subquery."""
    if in_subquery and limit is not None:
        start, end = _first_subquery(text)
        inner = text[start:end]
        closing_space = inner[len(inner.rstrip()):]
        text = text[:start] + page(inner, offset + limit).rstrip() + closing_space + text[end:]
    match = _TRAILING_SLICE.search(blank(text))
    own = {k.upper(): int(v) for k, v in re.findall(r"(LIMIT|OFFSET)\s+(\d+)", match.group(0), re.IGNORECASE)} if match else {}
    body = text[:match.start()] if match else text.rstrip()
    start = own.get("OFFSET", 0) + offset
    ends = [limit] if limit is not None else []
    if "LIMIT" in own:
        ends.append(own["LIMIT"] - offset)
    count = max(0, min(ends)) if ends else None
    return body + (f"\nLIMIT {count}" if count is not None else "") + (f"\nOFFSET {start}" if start else "") + "\n"


_SUBQUERY_OPEN = re.compile(r"\{\s*SELECT\b", re.IGNORECASE)


def _first_subquery(text: str) -> tuple[int, int]:
    """Where the first subquery's text starts and ends (inside its braces).

    :raises ValueError: the query has no subquery.
    """
    blanked = blank(text)
    opening = _SUBQUERY_OPEN.search(blanked)
    if opening is None:
        raise ValueError("the query is paged in its subquery but has none")
    end = closing_brace(blanked, opening.start())
    if end is None:
        raise ValueError("the query's first subquery is not closed")
    return opening.start() + 1, end


_LABEL_INDEX = re.compile(r"^\?(\w+) \?(\w+)$")


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params: list[Parameter] = []
    page_in_subquery, label_index = False, None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        value = value.strip()
        if key == "param":
            match = _PARAM.match(value)
            if not match:
                raise ValueError(f"{path}: malformed parameter line {line!r}")
            params.append(Parameter(match["name"], match["type"], match["doc"], match["default"]))
        elif key == "paging":
            if value != "subquery":
                raise ValueError(f"{path}: unknown paging {value!r} (only 'subquery')")
            page_in_subquery = True
        elif key == "label-index":
            match = _LABEL_INDEX.match(value)
            if not match:
                raise ValueError(f"{path}: label-index must name ?resource ?text, not {value!r}")
            label_index = (match[1], match[2])
        elif key in ("title", "description"):
            header[key] = (header.get(key, "") + " " + value).strip()
    if page_in_subquery:
        try:
            _first_subquery(text)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    if label_index and label_index[1] not in {p.name for p in params}:
        raise ValueError(f"{path}: label-index text ?{label_index[1]} is not one of the query's parameters")
    return NamedQuery(
        name=path.stem,
        path=path,
        title=header.get("title", path.stem),
        description=header.get("description", ""),
        text=text,
        parameters=tuple(params),
        form=query_form(text),
        page_in_subquery=page_in_subquery,
        label_index=label_index,
    )


@lru_cache(maxsize=8)
def library(directory: Path = paths.QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query under ``directory`` (not its subfolders), by name;
    read once per process."""
    return {q.name: q for q in (parse_query_file(p) for p in sorted(directory.glob("*.rq")))}


@lru_cache(maxsize=8)
def quality_checks(directory: Path = paths.QC_DIR) -> dict[str, NamedQuery]:
    return {q.name: q for q in (parse_query_file(p) for p in sorted(directory.glob("*.rq")))}


@cache
def query_text(name: str, directory: Path = paths.QUERIES_ROOT) -> str:
    """The text of the project's own query ``queries/{name}.rq`` (for
    example ``model/describe``), read once per process. Its parameters are
    bound with :func:`bind_values` or :func:`restrict`, never pasted in."""
    path = (directory / f"{name}.rq").resolve()
    if directory.resolve() not in path.parents:
        raise ValueError(f"no query {name!r}")
    return path.read_text(encoding="utf-8")
