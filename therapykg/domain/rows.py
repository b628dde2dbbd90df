"""Reading SPARQL JSON result rows (one dict per solution) into Python
values, the shape every domain computation receives from a query."""

from __future__ import annotations

Row = dict[str, dict]  # a SPARQL JSON binding: variable -> {"type", "value", ...}


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


def within(value: float, bound: float, comparator: str) -> bool:
    """Whether ``value`` meets ``comparator bound`` (for example value >= 45)."""
    return {">=": value >= bound, ">": value > bound, "<": value < bound, "<=": value <= bound}[comparator]
