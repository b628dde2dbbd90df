"""Render a therapy comparison for the command line and the downloads: rich
tables that fit the terminal, a tidy CSV (one row per value) with its
sources in a CSV of their own, JSON or Markdown, with a source marker on
every value. A value that several sources give is shown once, with all
their markers."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from enum import Enum

from rich.table import Table
from rich.text import Text

from therapykg.domain.compare import CellStatus, Comparison, ComparisonCell, ComparisonRow, ComparisonValue
from therapykg.domain.evidence import Source


class SourceIndex:
    """Numbers the sources in order of first use: [1], [2], ..."""

    def __init__(self):
        self.numbers: dict[str, int] = {}
        self.sources: dict[str, Source] = {}

    def cited(self, value: ComparisonValue) -> list[tuple[int, str, str]]:
        """(number, source id, marker text such as ``2 ref 4,5``) for each of ``value``'s citations."""
        out = []
        for citation in value.sources:
            source = citation.source
            number = self.numbers.setdefault(source.id, len(self.numbers) + 1)
            self.sources[source.id] = source
            refs = f" ref {','.join(map(str, citation.article_references))}" if citation.article_references else ""
            out.append((number, source.id, f"{number}{refs}"))
        return out

    def cited_all(self, values: list[ComparisonValue]) -> list[tuple[int, str, str]]:
        """The citations of several values (the same value from several sources), each once, in order of number."""
        return sorted({mark for value in values for mark in self.cited(value)})

    def marks(self, value: ComparisonValue) -> list[str]:
        """The markers of ``value``'s citations, one per citation: ``[1]``, ``[2 ref 4,5]``."""
        return [f"[{text}]" for _, _, text in self.cited(value)]

    def markers(self, value: ComparisonValue) -> str:
        return "".join(self.marks(value))

    def markers_of(self, values: list[ComparisonValue], sep: str = "") -> str:
        """The markers of several values (the same value from several sources), each once, in order of first use."""
        return sep.join(dict.fromkeys(mark for value in values for mark in self.marks(value)))

    def footnotes(self) -> list[str]:
        return [f"[{n}] {self.sources[sid].title} ({sid})" for sid, n in self.numbers.items()]


def _evidence_parts(value: ComparisonValue) -> list[str]:
    context = value.context
    return [p for p in (context.trial, context.design, context.counted, context.data_cut) if p]


def _evidence(value: ComparisonValue) -> str:
    """Where a value comes from, in brackets: trial, design, patients counted, data cut (those known)."""
    parts = _evidence_parts(value)
    return f" [{'; '.join(parts)}]" if parts else ""


@dataclass
class Merged:
    """One value text of a cell, as several sources give it: the values with
    that text, grouped by the evidence they come from (trial, design, patients
    counted, data cut), in order of first appearance."""

    text: str
    contexts: list[list[ComparisonValue]]

    @property
    def values(self) -> list[ComparisonValue]:
        return [v for group in self.contexts for v in group]


def merged(cell: ComparisonCell) -> list[Merged]:
    """The values of ``cell`` with the same text shown once: their markers
    together, and each distinct evidence kept (a value counts as disputed
    when any source's copy of it is)."""
    by_text: dict[str, dict[str, list[ComparisonValue]]] = {}
    for value in cell.values:
        by_text.setdefault(value.text, {}).setdefault(_evidence(value), []).append(value)
    return [Merged(text, list(groups.values())) for text, groups in by_text.items()]


def _disputed(values: list[ComparisonValue]) -> str:
    return " (disputed)" if any(v.disputed for v in values) else ""


def _cell_text(cell: ComparisonCell, index: SourceIndex) -> str:
    """A cell on one line (Markdown): each value once, with its evidence, whether it is disputed, and its markers."""
    if cell.status == CellStatus.NOT_REPORTED:
        return f"({cell.note})"
    return "; ".join(m.text + " and".join(f"{_evidence(g[0])}{_disputed(g)} {index.markers_of(g)}" for g in m.contexts)
                     for m in merged(cell))


def _row_label(row: ComparisonRow) -> str:
    if row.comparable:
        return row.label
    return f"{row.label} * ({row.note})" if row.note else f"{row.label} *"


def _rows(comparison: Comparison, index: SourceIndex) -> list[list[str]]:
    return [[row.aspect.value, _row_label(row), *(_cell_text(c, index) for c in row.cells)] for row in comparison.rows]


# -- the terminal table ------------------------------------------------------

TITLE = "therapykg comparison (research use, not for clinical decisions)"
CAPTION = "* not directly comparable (the row says why); [n] the sources listed below"
LABEL_WIDTH = 24  # the row-label column, at most (longer labels wrap)
MIN_CELL = 20  # a therapy's column, at least (and never narrower than its longest word)
MAX_CELL = 48  # a therapy's column, at most: wider lines are hard to read


def _table_cell(cell: ComparisonCell, index: SourceIndex) -> Text:
    """A cell for the terminal: each value once, its markers after it, and on
    the next line the trial and evidence it comes from; values apart by a blank line."""
    text = Text()
    if cell.status == CellStatus.NOT_REPORTED:
        return Text(f"({cell.note})", style="dim")
    for i, value in enumerate(merged(cell)):
        if i:
            text.append("\n\n")
        if len(value.contexts) == 1:
            (group,) = value.contexts
            text.append(f"{value.text}{_disputed(group)} {index.markers_of(group, ' ')}")
            if parts := _evidence_parts(group[0]):
                text.append("\n" + _evidence_line(group[0], parts), style="italic")
            continue
        text.append(value.text)
        for group in value.contexts:
            parts = _evidence_parts(group[0])
            text.append("\n" + (_evidence_line(group[0], parts) if parts else "no trial stated"), style="italic")
            text.append(f"{_disputed(group)} {index.markers_of(group, ' ')}")
    return text


def _evidence_line(value: ComparisonValue, parts: list[str]) -> str:
    return f"trial: {'; '.join(parts)}" if value.context.trial else "; ".join(parts)


def _label_cell(row: ComparisonRow) -> Text:
    label = Text(row.label if row.comparable else f"{row.label} *")
    if not row.comparable and row.note:
        label.append(f"\n({row.note})", style="dim")
    return label


def _longest_word(texts: list[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


def _parts(count: int, per_table: int) -> list[range]:
    """``count`` therapies in as few tables of at most ``per_table`` as it takes, as even as can be."""
    tables = -(-count // max(1, per_table))
    size = -(-count // tables)
    return [range(first, min(first + size, count)) for first in range(0, count, size)]


def as_tables(comparison: Comparison, width: int | None = None) -> tuple[list[Table], list[str]]:
    """The comparison as terminal tables: a row per row of the comparison
    under its aspect, a column per therapy, in as many tables as it takes to fit
    ``width`` columns of the terminal without cutting a word (each repeats
    the row labels); and the source footnotes the markers point to, numbered
    as in the Markdown and the sources CSV (in order of first use, row by row)."""
    index = SourceIndex()
    cells = [[_table_cell(cell, index) for cell in row.cells] for row in comparison.rows]
    labels = [_label_cell(row) for row in comparison.rows]
    count = len(comparison.therapies)
    label_texts = [row.aspect.value for row in comparison.rows] + [label.plain for label in labels]
    label_width = max(min(LABEL_WIDTH, max((len(t) for t in label_texts), default=5)), _longest_word(label_texts))
    needs = [max(MIN_CELL, _longest_word([t.label] + [row[i].plain for row in cells])) for i, t in enumerate(comparison.therapies)]
    if width is None:
        parts = [range(count)]
    else:
        per_table = max(1, (width - label_width - 4) // (max(needs, default=MIN_CELL) + 3))
        parts = _parts(count, per_table)
    tables = []
    for number, part in enumerate(parts, 1):
        title = TITLE if len(parts) == 1 else f"{TITLE}, part {number} of {len(parts)}"
        table = Table(title=Text(title), caption=Text(CAPTION) if number == len(parts) else None, show_lines=True)
        cell_width = None
        if width is not None:
            cell_width = min(MAX_CELL, (width - label_width - 3 * (len(part) + 1) - 1) // len(part))
        table.add_column("row", width=label_width, overflow="fold")
        for i in part:
            table.add_column(comparison.therapies[i].label, width=cell_width, overflow="fold")
        aspect = None
        for row, label, row_cells in zip(comparison.rows, labels, cells, strict=True):
            if row.aspect != aspect:
                aspect = row.aspect
                table.add_row(Text(aspect.value, style="bold"), *[""] * len(part))
            table.add_row(label, *(row_cells[i] for i in part))
        tables.append(table)
    return tables, index.footnotes()


# -- files -------------------------------------------------------------------

SOURCE_COLUMNS = ["number", "id", "title", "urls", "label_version"]


def as_sources_csv(comparison: Comparison) -> str:
    """The sources of a comparison, one a row, numbered in order of first use
    (as the table's markers are): number, id, title, URLs (space-separated)
    and the label version a label copy reproduces. The tidy CSV's ``sources``
    column names them by id."""
    index = SourceIndex()
    for row in comparison.rows:
        for cell in row.cells:
            for value in cell.values:
                index.marks(value)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SOURCE_COLUMNS)
    for sid, number in index.numbers.items():
        source = index.sources[sid]
        writer.writerow([number, sid, source.title, " ".join(source.urls), source.label_version or ""])
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
