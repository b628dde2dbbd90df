"""The named query library: ``.rq`` files whose comment header gives a
title, a description and typed parameters. Parameters are bound through the
engine's substitutions, never pasted into the query text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from therapykg import paths
from therapykg.namespaces import expand
from therapykg.sparql_text import blank, query_form

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
    """The query with its parameters fixed by a VALUES clause, to run as-is
    in any SPARQL client (the editor's examples, benchmarks)."""
    return bind_values(query.text, query.substitutions(values or {}))


# Where the outermost group pattern opens: after WHERE, or after ASK or a
# SELECT clause when the optional WHERE keyword is left out. (A CONSTRUCT
# template also uses braces, so CONSTRUCT needs WHERE.)
_FIRST_GROUP = re.compile(r"\bWHERE\s*\{|\bASK\s*\{|\bSELECT\b[^{]*\{", re.IGNORECASE)


def bind_values(text: str, bound: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables with a VALUES clause at the start of the outermost
    group pattern, the same binding that engine substitutions make. Terms are
    written by pyoxigraph's own serializer (validated IRIs, escaped
    literals), never pasted from user text; used for engines without
    substitutions.

    :raises ValueError: there are values to bind but no group pattern to bind them in.
    """
    if not bound:
        return text
    match = _FIRST_GROUP.search(blank(text))
    if match is None:
        raise ValueError("cannot bind parameters: no WHERE group found in the query")
    names = " ".join(str(v) for v in bound)
    terms = " ".join(str(t) for t in bound.values())
    return text[:match.end()] + f"\n  VALUES ({names}) {{ ({terms}) }}" + text[match.end():]


_TRAILING_SLICE = re.compile(r"(?:\s+(LIMIT|OFFSET)\s+(\d+))+\s*$", re.IGNORECASE)


def page(text: str, limit: int | None, offset: int = 0) -> str:
    """One page of a SELECT query's ordered solutions: its own trailing
    LIMIT/OFFSET (if any) combined with the page's, so a page never reaches
    past the query's own last row."""
    match = _TRAILING_SLICE.search(blank(text))
    own = {k.upper(): int(v) for k, v in re.findall(r"(LIMIT|OFFSET)\s+(\d+)", match.group(0), re.IGNORECASE)} if match else {}
    body = text[:match.start()] if match else text.rstrip()
    start = own.get("OFFSET", 0) + offset
    ends = [limit] if limit is not None else []
    if "LIMIT" in own:
        ends.append(own["LIMIT"] - offset)
    count = max(0, min(ends)) if ends else None
    return body + (f"\nLIMIT {count}" if count is not None else "") + (f"\nOFFSET {start}" if start else "") + "\n"


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params: list[Parameter] = []
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
        elif key in ("title", "description"):
            header[key] = (header.get(key, "") + " " + value).strip()
    return NamedQuery(
        name=path.stem,
        path=path,
        title=header.get("title", path.stem),
        description=header.get("description", ""),
        text=text,
        parameters=tuple(params),
        form=query_form(text),
    )


@lru_cache(maxsize=8)
def library(directory: Path = paths.QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query under ``directory`` (not its subfolders), by name;
    read once per process."""
    return {q.name: q for q in (parse_query_file(p) for p in sorted(directory.glob("*.rq")))}


@lru_cache(maxsize=8)
def quality_checks(directory: Path = paths.QC_DIR) -> dict[str, NamedQuery]:
    return {q.name: q for q in (parse_query_file(p) for p in sorted(directory.glob("*.rq")))}
