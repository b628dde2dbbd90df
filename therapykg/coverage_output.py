"""Render the coverage matrix for the command line: a rich table on a
terminal, or CSV, JSON or Markdown. A cell is "claims/sources": how many
claims back it, and from how many distinct sources."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from rich import box
from rich.table import Table

from therapykg.domain.coverage import Coverage, CoverageAspect, TherapyCoverage

CAPTION = "claims/sources: how many claims back the cell, and from how many distinct sources"


def _name(aspect: CoverageAspect) -> str:
    return aspect.name.lower()


def _cells(line: TherapyCoverage) -> list[str]:
    return [f"{c.claims}/{c.sources}" if c.claims else "-" for c in line.cells] + [f"{line.claims}/{line.sources}"]


# Short column heads, so that the terminal table fits a narrow window.
SHORT = {CoverageAspect.INDICATIONS: "ind", CoverageAspect.APPLICABILITY: "appl", CoverageAspect.ADMINISTRATION: "admin",
         CoverageAspect.DOSE_MODIFICATION: "dmod", CoverageAspect.EFFICACY: "effic", CoverageAspect.ADVERSE_EVENTS: "AEs",
         CoverageAspect.MONITORING: "monit", CoverageAspect.SAFETY: "safety", CoverageAspect.BOXED_WARNINGS: "boxed",
         CoverageAspect.PHARMACOLOGY: "pharm", CoverageAspect.OTHER: "other"}


CELL_WIDTH = 8  # "77/10" with its padding and the column's share of the frame


def _short_id(line: TherapyCoverage) -> str:
    return line.therapy.split(":", 1)[-1]


def as_tables(coverage: Coverage, width: int | None = None) -> list[Table]:
    """A therapy a row, an aspect a column, in as many tables as it takes to fit
    ``width`` columns of the terminal without cutting a name or a count."""
    name_width = max((len(_short_id(line)) for line in coverage.therapies), default=7) + 2
    heads = [SHORT.get(a, _name(a)) for a in coverage.aspects] + ["all"]
    rows = [[_short_id(line), *_cells(line)] for line in coverage.therapies]
    per_table = len(heads) if width is None else max(1, (width - name_width) // CELL_WIDTH)
    tables = []
    for first in range(0, len(heads), per_table):
        part = range(first, min(first + per_table, len(heads)))
        last = part.stop == len(heads)
        table = Table(title="therapykg coverage (claims/sources)" if first == 0 else None, caption=CAPTION if last else None,
                      box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
        table.add_column("therapy", no_wrap=True, min_width=name_width - 1)
        for i in part:
            table.add_column(heads[i], justify="right", no_wrap=True, min_width=6)
        for row in rows:
            table.add_row(row[0], *(row[i + 1] for i in part))
        tables.append(table)
    return tables


def as_csv(coverage: Coverage) -> str:
    """One row per therapy: a claims and a sources column per aspect, then the totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["therapy", "label", *(f"{_name(a)}_{what}" for a in coverage.aspects for what in ("claims", "sources")),
                     "claims", "sources"])
    for line in coverage.therapies:
        writer.writerow([line.therapy, line.label, *(n for c in line.cells for n in (c.claims, c.sources)), line.claims, line.sources])
    return buffer.getvalue()


def as_markdown(coverage: Coverage) -> str:
    lines = ["| therapy | " + " | ".join(_name(a) for a in coverage.aspects) + " | all |",
             "|---|" + "---:|" * (len(coverage.aspects) + 1)]
    for line in coverage.therapies:
        lines.append(f"| {line.therapy.split(':', 1)[-1]} | " + " | ".join(_cells(line)) + " |")
    return "\n".join([*lines, "", f"Cells are {CAPTION}; - is none."]) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, CoverageAspect):
        return _name(value)
    return str(value)


def as_json(coverage: Coverage) -> str:
    data = asdict(coverage)
    data["aspects"] = [_name(a) for a in coverage.aspects]
    for line in data["therapies"]:
        for cell in line["cells"]:
            cell["aspect"] = _name(cell["aspect"])
    return json.dumps(data, default=_plain, indent=2, ensure_ascii=False) + "\n"
