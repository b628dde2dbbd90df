"""Reading SPARQL JSON result rows (one dict per solution) into Python
values, the shape every domain computation receives from a query."""

from __future__ import annotations

from therapykg.store.terms import Row as Row  # re-exported: the shape every reader here takes


def text(row: Row, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else term["value"]


def required(row: Row, name: str) -> str:
    """A variable the query always binds (a missing one is a broken query, not missing data)."""
    return row[name]["value"]


def required_number(row: Row, name: str) -> float:
    return float(required(row, name))


def number(row: Row, name: str) -> float | None:
    value = text(row, name)
    return None if value is None else float(value)


def integer(row: Row, name: str) -> int | None:
    value = text(row, name)
    return None if value is None else int(float(value))


def is_true(row: Row, name: str) -> bool:
    return text(row, name) in ("true", "1")


def add_bound(row: Row, buckets: dict[str, set[str]]) -> None:
    """Add each variable's value, where it is bound, to its set."""
    for name, bucket in buckets.items():
        found = text(row, name)
        if found:
            bucket.add(found)


def add_source(row: Row, sources: dict[str, str]) -> None:
    """Record the row's ``?source`` with its label (the IRI when it has none)."""
    source = required(row, "source")
    sources.setdefault(source, text(row, "sourceLabel") or source)


def within(value: float, bound: float, comparator: str) -> bool:
    """Whether ``value`` meets ``comparator bound`` (for example value >= 45)."""
    return {">=": value >= bound, ">": value > bound, "<": value < bound, "<=": value <= bound}[comparator]
