"""Render a therapy comparison for the command line: a rich table on a
terminal, or CSV, JSON or Markdown, with a source marker on every value."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from enum import Enum

from rich.table import Table

from therapykg.domain.compare import CellStatus, Comparison


class SourceIndex:
    """Numbers the sources in order of first use: [1], [2], ..."""

    def __init__(self):
        self.numbers: dict[str, int] = {}
        self.titles: dict[str, str] = {}

    def markers(self, value) -> str:
        out = []
        for citation in value.sources:
            source = citation.source
            number = self.numbers.setdefault(source.id, len(self.numbers) + 1)
            self.titles[source.id] = source.title
            refs = f" ref {','.join(map(str, citation.article_references))}" if citation.article_references else ""
            out.append(f"[{number}{refs}]")
        return "".join(out)

    def footnotes(self) -> list[str]:
        return [f"[{n}] {self.titles[sid]} ({sid})" for sid, n in self.numbers.items()]


def _evidence(value) -> str:
    """Where a value comes from, in brackets: trial, design, patients counted, data cut (those known)."""
    context = value.context
    parts = [p for p in (context.trial, context.design, context.counted, context.data_cut) if p]
    return f" [{'; '.join(parts)}]" if parts else ""


def _cell_text(cell, index: SourceIndex) -> str:
    if cell.status == CellStatus.NOT_REPORTED:
        return f"({cell.note})"
    return "; ".join(f"{v.text}{_evidence(v)}{' (disputed)' if v.disputed else ''} {index.markers(v)}" for v in cell.values)


def _row_label(row) -> str:
    if row.comparable:
        return row.label
    return f"{row.label} * ({row.note})" if row.note else f"{row.label} *"


def _rows(comparison: Comparison, index: SourceIndex) -> list[list[str]]:
    return [[row.aspect.value, _row_label(row), *(_cell_text(c, index) for c in row.cells)] for row in comparison.rows]


def as_table(comparison: Comparison) -> tuple[Table, list[str]]:
    index = SourceIndex()
    table = Table("aspect", "row", *(t.label for t in comparison.therapies), show_lines=True,
                  title="therapykg comparison (research use, not for clinical decisions)",
                  caption="* not directly comparable (the row says why)")
    for row in _rows(comparison, index):
        table.add_row(*row)
    return table, index.footnotes()


def as_csv(comparison: Comparison) -> str:
    index = SourceIndex()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["aspect", "row", *(t.id for t in comparison.therapies)])
    writer.writerows(_rows(comparison, index))
    writer.writerow([])
    for line in index.footnotes():
        writer.writerow(["source", line])
    return buffer.getvalue()


# One row per value (or per empty cell): a tidy table that a spreadsheet or a
# data frame reads without reshaping.
TIDY_COLUMNS = ["aspect", "row", "therapy", "therapy_label", "status", "value", "quantity", "lower", "upper", "unit",
                "ci_lower", "ci_upper", "comparator_value", "hazard_ratio", "p_value", "trial", "design", "population",
                "setting", "counted", "data_cut", "comparable", "row_note", "disputed", "conflicts", "claim", "sources",
                "sections"]


def as_tidy_csv(comparison: Comparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TIDY_COLUMNS)
    labels = {t.id: t.label for t in comparison.therapies}

    def number(x: float | None) -> str:
        return "" if x is None else f"{x:g}"

    for row in comparison.rows:
        start = [row.aspect.value, row.label]
        end_row = ["true" if row.comparable else "false", row.note or ""]
        for cell in row.cells:
            who = [cell.therapy, labels.get(cell.therapy, cell.therapy), cell.status.value]
            if not cell.values:
                writer.writerow([*start, *who, cell.note or "", *[""] * 15, *end_row, "", "", "", "", ""])
                continue
            for v in cell.values:
                q, c, ci = v.quantity, v.context, v.confidence_interval
                writer.writerow([
                    *start, *who, v.text, number(q.value) if q else "", number(q.lower) if q else "", number(q.upper) if q else "",
                    q.unit if q else "", number(ci.lower) if ci else "", ("NE" if ci.upper_not_estimable else number(ci.upper)) if ci else "",
                    v.comparator_quantity.text if v.comparator_quantity else "", number(v.hazard_ratio), number(v.p_value),
                    c.trial or "", c.design or "", c.population or "", c.setting or "", c.counted or "", c.data_cut or "",
                    *end_row, "true" if v.disputed else "false", " ".join(v.conflicts), v.claim or "",
                    " ".join(cite.source.id for cite in v.sources), " | ".join(cite.section or "" for cite in v.sources)])
    return buffer.getvalue()


def as_markdown(comparison: Comparison) -> str:
    index = SourceIndex()
    lines = ["| aspect | row | " + " | ".join(t.label for t in comparison.therapies) + " |",
             "|---|---|" + "---|" * len(comparison.therapies)]
    for row in _rows(comparison, index):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", "\\* not directly comparable (the row says why).", ""]
    lines += [f"- {line}" for line in index.footnotes()]
    return "\n".join(lines) + "\n"


def _plain(value):
    """What JSON cannot hold as it is: an enum by its value (the aspect's and status's words)."""
    if isinstance(value, Enum):
        return value.value
    return str(value)


def as_json(comparison: Comparison) -> str:
    return json.dumps(asdict(comparison), default=_plain, indent=2, ensure_ascii=False) + "\n"
