"""A regimen timeline (therapykg.domain.timeline) drawn as SVG, by our own code.

Layout: one panel per cycle block, stacked from top to bottom, each with its
own day axis, so that the drawing stays narrow (480 units wide: at 390 px
on a phone its text is still about 10 px). All panels share one scale, so
cycle lengths compare at a glance. Two things keep long schedules legible:

- repeated identical cycles are drawn once: the graph already groups them
  ("Cycles 3-5"), and the panel says how many cycles it stands for;
- a run of more than 14 days without a dose step (the 56 days off of an
  84-day blinatumomab cycle) is drawn 14 days wide with a break mark, and
  its label gives its real days.

Every text comes from the timeline and is escaped here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from therapykg.domain.timeline import HOSPITALIZATION, MONITORING, PREMEDICATION, Cycle, DayRange, DoseStep, Timeline, Window

WIDTH = 480
MARGIN = 12
TRACK = WIDTH - 2 * MARGIN
COMPRESS_AFTER = 14  # days: a longer run without a dose step is drawn this wide, with a break mark
MIN_UNITS = 14  # a panel of a day or two is drawn no wider than this many days of the shared scale
OPEN_END = 7  # days drawn after the first day of a step with no last day

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK, MUTED, LINE = "#1b1f24", "#57606a", "#d0d7de"
DOSE, LYMPHO = "#0b5cad", "#6639ba"
FREE_FILL = "#eef1f4"
BANDS = {HOSPITALIZATION: ("#ffd8eb", "#99286e", "Hospitalization"), MONITORING: ("#d2f4dc", "#116329", "Monitoring"),
         PREMEDICATION: ("#fff1c2", "#7d4e00", "Premedication")}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _width(text: str, size: float) -> float:
    """About how wide ``text`` is at ``size`` (a sans-serif averages a little over half its size a character)."""
    return len(text) * size * 0.56


def _wrap(text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _width(lines[-1] + " " + word, size) * (1.1 if bold else 1.0) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


_SCALED = re.compile(r"^10\*(\d+)\{([^}]*)\}(.*)$")


def unit_text(unit: str) -> str:
    """A UCUM unit as read aloud in a label: 10*6{cells}/kg -> "x10^6 cells/kg"."""
    scaled = _SCALED.match(unit)
    return f"\u00d710^{scaled.group(1)} {scaled.group(2)}{scaled.group(3)}" if scaled else unit


def dose_label(step: DoseStep) -> str:
    """The step's dose as the graph states it (cell units written out), with its cap."""
    if step.dose is None:
        return "no dose stated"
    number = step.dose.text[: len(step.dose.text) - len(step.dose.unit)].strip()
    text = f"{number} {unit_text(step.dose.unit)}"
    if step.cap is not None:
        cap_number = step.cap.text[: len(step.cap.text) - len(step.cap.unit)].strip()
        text += f", max {cap_number} {unit_text(step.cap.unit)}"
    return text


def step_label(step: DoseStep) -> str:
    return f"{step.drug.label} {dose_label(step)}" if step.drug else dose_label(step)


# Panels ------------------------------------------------------------------------------------------------------------


@dataclass
class _Panel:
    title: str
    subtitle: str
    steps: list[tuple[DoseStep, bool]]  # (step, is lymphodepletion)
    free: list[DayRange]
    stated_free: DayRange | None
    stated_free_text: str
    windows: list[Window]
    span: DayRange | None
    open_end: bool = False
    message: str = ""
    _days: list[tuple[int, float]] = field(default_factory=list)  # (day, units it is drawn wide)

    def layout(self) -> None:
        if self.span is None:
            return
        end = self.span.last + (OPEN_END if self.open_end else 0)
        long_runs = {d: r for r in self.free if r.days > COMPRESS_AFTER for d in range(r.first, r.last + 1)}
        self._days = [(d, COMPRESS_AFTER / long_runs[d].days if d in long_runs else 1.0) for d in range(self.span.first, end + 1)]

    @property
    def units(self) -> float:
        return sum(u for _, u in self._days)

    def x(self, day: int, unit: float, *, end: bool = False) -> float:
        """The x of the start of ``day`` (its end with ``end``)."""
        x = float(MARGIN)
        for d, u in self._days:
            if d == day:
                return x + (u * unit if end else 0)
            x += u * unit
        return x


def _cycle_title(cycle: Cycle) -> tuple[str, str]:
    title = cycle.name
    if cycle.response:
        title += f" \u00b7 if {cycle.response}"
    parts = []
    if cycle.length_days is not None:
        parts.append(f"{cycle.length_days} days" + (" each" if (cycle.repeats or 1) > 1 or cycle.open_ended else ""))
    elif cycle.steps:
        parts.append("no cycle length stated")
    if cycle.repeats and cycle.repeats > 1:
        parts.append(f"{cycle.repeats} identical cycles, drawn once")
    if cycle.phase:
        parts.append(cycle.phase)
    return title, " \u00b7 ".join(parts)


def _panel(cycle: Cycle, lympho: bool = False) -> _Panel:
    title, subtitle = _cycle_title(cycle)
    free_text = f"stated treatment-free interval: {cycle.treatment_free.text}" if cycle.treatment_free else ""
    message = ""
    if not cycle.steps:
        message = "The source states no dose for " + ("these cycles" if (cycle.repeats or 2) > 1 else "this cycle") + "."
    return _Panel(title, subtitle, [(s, lympho) for s in cycle.steps], list(cycle.free_days), cycle.stated_free_days, free_text,
                  list(cycle.windows), cycle.span, open_end=any(s.open_ended for s in cycle.steps), message=message)


def panels(timeline: Timeline) -> list[_Panel]:
    """The panels of the drawing, top to bottom: what precedes the regimen, then its cycles."""
    drawn: list[_Panel] = []
    cycles = list(timeline.cycles)
    for before in timeline.preceded_by:
        label = f"Before it: {before.label}"
        if before.counts_back and cycles and cycles[0].span is not None:
            # Days counted back from the infusion (day 0): one axis for both.
            first = _panel(cycles.pop(0))
            steps = [(s, True) for c in before.cycles for s in c.steps] + first.steps
            days = [d for s, _ in steps for d in (s.first_day, s.last_day) if d is not None]
            assert first.span is not None
            first.span = DayRange(min([first.span.first, *days]), max([first.span.last, *days]))
            first.steps = steps
            first.subtitle = "lymphodepletion days counted back from the infusion on day 0"
            drawn.append(first)
            continue
        for cycle in before.cycles:
            panel = _panel(cycle, lympho=True)
            panel.title, panel.subtitle = label, "its own days; the graph fixes no day between it and the infusion"
            drawn.append(panel)
    drawn += [_panel(c) for c in cycles]
    for panel in drawn:
        panel.layout()
    return drawn


# Drawing -----------------------------------------------------------------------------------------------------------


def _lanes(panel: _Panel, unit: float, end: int) -> list[list[tuple[DoseStep, bool]]]:
    """Steps packed into lanes so that neither a bar nor its label overlaps another in its lane."""
    lanes: list[list[tuple[DoseStep, bool, float]]] = []
    dated = sorted((s for s in panel.steps if s[0].first_day is not None),
                   key=lambda s: (s[0].first_day or 0, -(s[0].last_day if s[0].last_day is not None else end)))
    for step, lympho in dated:
        assert step.first_day is not None
        x0 = panel.x(step.first_day, unit)
        x1 = panel.x(step.last_day if step.last_day is not None else end, unit, end=True) + (10 if step.last_day is None else 0)
        text = _width(step_label(step), 12.5)
        reach = x1 if text + 8 <= x1 - x0 else max(x1, x0 + text) + 6  # a label outside its bar needs room too
        for lane in lanes:
            if all(other_reach <= x0 + 0.5 for _, _, other_reach in lane):
                lane.append((step, lympho, reach))
                break
        else:
            lanes.append([(step, lympho, reach)])
    return [[(step, lympho) for step, lympho, _ in lane] for lane in lanes]


def _text(x: float, y: float, text: str, *, size: float = 12, fill: str = INK, weight: str = "normal", anchor: str = "start") -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    end = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{bold}{end} fill="{fill}">{_e(text)}</text>'


def _label_at(x0: float, x1: float, y: float, text: str, size: float, inside_fill: str, outside_fill: str) -> str:
    """A label inside a bar from x0 to x1 if it fits, else beside it (above the bar's lane: y is its baseline inside)."""
    if _width(text, size) + 8 <= x1 - x0:
        return _text((x0 + x1) / 2, y, text, size=size, fill=inside_fill, weight="bold", anchor="middle")
    if x0 + _width(text, size) > WIDTH - MARGIN:
        return _text(min(x1, WIDTH - MARGIN), y - 16, text, size=size, fill=outside_fill, weight="bold", anchor="end")
    return _text(x0, y - 16, text, size=size, fill=outside_fill, weight="bold")


def _ticks(panel: _Panel, unit: float, y: float) -> list[str]:
    assert panel.span is not None
    out = [f'<line x1="{MARGIN}" y1="{y:.1f}" x2="{panel.x(panel._days[-1][0], unit, end=True):.1f}" y2="{y:.1f}" stroke="{MUTED}"/>']
    days = [d for d, _ in panel._days]
    first = panel.span.first
    # Days 1, 8, 15... (the days regimens are written in) once a week fits, else every day.
    step = 1 if unit >= 24 else 7 if 7 * unit >= 26 else 14 if 14 * unit >= 26 else 28
    inner_long = {d for r in panel.free if r.days > COMPRESS_AFTER for d in range(r.first + 1, r.last)}
    marked = sorted({d for d in days if ((d - first) % step == 0 or d in (0, 1)) and d not in inner_long} | {days[-1] if not panel.open_end else panel.span.last})
    kept: list[tuple[int, float]] = []
    for day in marked:
        cx = (panel.x(day, unit) + panel.x(day, unit, end=True)) / 2
        if kept and cx - kept[-1][1] < 22:
            if day != marked[-1]:
                continue
            kept.pop()  # the last day is labelled rather than the one before it
        kept.append((day, cx))
    for day, cx in kept:
        out.append(f'<line x1="{cx:.1f}" y1="{y:.1f}" x2="{cx:.1f}" y2="{y + 4:.1f}" stroke="{MUTED}"/>')
        out.append(_text(cx, y + 15, str(day), size=11, fill=MUTED, anchor="middle"))
    return out


def _break_mark(x: float, y0: float, y1: float) -> str:
    return (f'<path d="M{x - 4:.1f},{y1:.1f} L{x + 1:.1f},{y0:.1f} M{x + 1:.1f},{y1:.1f} L{x + 6:.1f},{y0:.1f}" '
            f'stroke="{INK}" stroke-width="1.5" fill="none"/>')


def _draw_panel(panel: _Panel, unit: float, y: float) -> tuple[list[str], float]:
    out = []
    for line in _wrap(panel.title, 14, TRACK, bold=True):
        out.append(_text(MARGIN, y + 14, line, size=14, weight="bold"))
        y += 18
    for line in _wrap(panel.subtitle, 12, TRACK) if panel.subtitle else []:
        out.append(_text(MARGIN, y + 12, line, size=12, fill=MUTED))
        y += 15
    y += 6
    if panel.span is None or not panel._days:
        for line in _wrap(panel.message or "No days are stated for this cycle.", 12.5, TRACK):
            out.append(_text(MARGIN, y + 13, line, size=12.5, fill=INK))
            y += 16
        said = dict.fromkeys((f"{BANDS[w.kind][2]}: {w.label or w.days_text}" + (f" ({w.detail})" if w.detail else ""), w.kind)
                             for w in panel.windows)
        for words, kind in said:
            for line in _wrap(words, 12, TRACK):
                out.append(_text(MARGIN, y + 13, line, size=12, fill=BANDS[kind][1]))
                y += 15
        return out, y + 10
    end_day = panel._days[-1][0]
    lanes = _lanes(panel, unit, end_day)
    lane_h = 38
    top = y
    # Days without a dose step, under the dose lanes.
    dose_bottom = top + max(1, len(lanes)) * lane_h
    for run in panel.free:
        x0, x1 = panel.x(run.first, unit), panel.x(run.last, unit, end=True)
        out.append(f'<rect class="free" x="{x0:.1f}" y="{top + 16:.1f}" width="{x1 - x0:.1f}" height="{dose_bottom - top - 16:.1f}" '
                   f'fill="url(#free)" stroke="{LINE}"><title>{_e(run.text)}: no dose step</title></rect>')
        if run.days > COMPRESS_AFTER:
            out.append(_break_mark(x0 + (x1 - x0) * 0.86, top + 14, dose_bottom + 2))
        words = f"{run.text}: no dose" if run.days > 1 else "no dose"
        room = (x1 - x0) * (0.8 if run.days > COMPRESS_AFTER else 1)
        if _width(words, 11) + 6 <= room:
            out.append(_text(x0 + room / 2, dose_bottom - 6, words, size=11, fill=MUTED, anchor="middle"))
    for n, lane in enumerate(lanes):
        bar_y = top + n * lane_h + 16
        for step, lympho in lane:
            assert step.first_day is not None
            last = step.last_day if step.last_day is not None else end_day
            x0, x1 = panel.x(step.first_day, unit), panel.x(last, unit, end=True)
            colour = LYMPHO if lympho else DOSE
            title = f"{step.days_text}: {step_label(step)}" + (f" ({step.basis})" if step.basis else "")
            out.append(f'<rect class="dose" x="{x0:.1f}" y="{bar_y:.1f}" width="{max(x1 - x0, 3):.1f}" height="20" rx="2" fill="{colour}">'
                       f'<title>{_e(title)}</title></rect>')
            if step.last_day is None:  # no last day stated: an arrow, not an end
                out.append(f'<path d="M{x1 - 2:.1f},{bar_y - 3:.1f} L{x1 + 8:.1f},{bar_y + 10:.1f} L{x1 - 2:.1f},{bar_y + 23:.1f} Z" fill="{colour}"/>')
            out.append(_label_at(x0, x1, bar_y + 14.5, step_label(step), 12.5, "#ffffff", colour))
    y = dose_bottom + 4
    if panel.stated_free is not None:
        x0, x1 = panel.x(panel.stated_free.first, unit), panel.x(panel.stated_free.last, unit, end=True)
        out.append(f'<path class="stated-free" d="M{x0 + 1:.1f},{y:.1f} v5 H{x1 - 1:.1f} v-5" stroke="{INK}" fill="none"/>')
        label = panel.stated_free_text
        anchor_x = min(max((x0 + x1) / 2, MARGIN + _width(label, 11) / 2), WIDTH - MARGIN - _width(label, 11) / 2)
        out.append(_text(anchor_x, y + 17, label, size=11, fill=INK, anchor="middle"))
        y += 22
    out += _ticks(panel, unit, y + 2)
    y += 24
    # Windows: one lane per kind, identical day ranges drawn once.
    for kind in (HOSPITALIZATION, MONITORING, PREMEDICATION):
        fill, ink, name = BANDS[kind]
        merged: dict[tuple[int | None, int | None], list[Window]] = {}
        for window in (w for w in panel.windows if w.kind == kind):
            merged.setdefault((window.first_day, window.last_day), []).append(window)
        if not merged:
            continue
        out.append(_text(MARGIN, y + 11, name, size=11.5, fill=ink, weight="bold"))
        y += 14
        for (w_first, w_last), windows in merged.items():
            claims = "; ".join(sorted({w.claim.label for w in windows}))
            what = f": {windows[0].detail}" if windows[0].detail else ""
            population = f" (for {windows[0].population})" if windows[0].population else ""
            if w_first is not None and w_last is not None:
                x0, x1 = panel.x(w_first, unit), panel.x(w_last, unit, end=True)
                text = f"{DayRange(w_first, w_last).text}{what}{population}"
                out.append(f'<rect class="{kind}" x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" height="16" fill="{fill}" stroke="{ink}">'
                           f'<title>{_e(claims)}</title></rect>')
                tx = x1 + 4
            elif w_first is not None:  # where it starts only: a mark
                x0 = panel.x(w_first, unit)
                text = f"from day {w_first}, how long not stated{what}{population}"
                out.append(f'<path class="{kind}" d="M{x0:.1f},{y:.1f} l7,8 l-7,8 z" fill="{ink}"><title>{_e(claims)}</title></path>')
                tx = x0 + 10
            else:  # the cycles are stated, the days are not: a dashed outline across the cycle
                x0, x1 = MARGIN, panel.x(end_day, unit, end=True)
                text = f"days not stated{what}{population}"
                out.append(f'<rect class="{kind}" x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" height="16" fill="none" stroke="{ink}" '
                           f'stroke-dasharray="4 3"><title>{_e(claims)}</title></rect>')
                tx = x0 + 4
            lines = _wrap(text, 11, WIDTH - MARGIN - tx) if WIDTH - MARGIN - tx > 120 else []
            if not lines:
                lines, tx = _wrap(text, 11, TRACK), MARGIN
                y += 18
                for line in lines:
                    out.append(_text(tx, y + 11, line, size=11, fill=ink))
                    y += 14
                y += 4
                continue
            for k, line in enumerate(lines):
                out.append(_text(tx, y + 12 + 14 * k, line, size=11, fill=ink))
            y += max(20, 14 * len(lines) + 6)
    return out, y + 12


def _legend(timeline: Timeline, drawn: list[_Panel], y: float) -> tuple[list[str], float]:
    items: list[tuple[str, str]] = []
    if any(not lympho for p in drawn for _, lympho in p.steps):
        items.append((f'<rect width="18" height="12" rx="2" fill="{DOSE}"/>', "dose step (dose as stated)"))
    if any(lympho for p in drawn for _, lympho in p.steps):
        items.append((f'<rect width="18" height="12" rx="2" fill="{LYMPHO}"/>', "lymphodepletion"))
    if any(p.free for p in drawn):
        items.append((f'<rect width="18" height="12" fill="url(#free)" stroke="{LINE}"/>', "day without a dose step"))
    if any(p.stated_free for p in drawn):
        items.append((f'<path d="M1,2 v5 H17 v-5" stroke="{INK}" fill="none"/>', "stated treatment-free interval"))
    if any(r.days > COMPRESS_AFTER for p in drawn for r in p.free):
        items.append((_break_mark(7, 0, 12), f"longer than {COMPRESS_AFTER} days, drawn shorter"))
    for kind in (HOSPITALIZATION, MONITORING, PREMEDICATION):
        if any(w.kind == kind for p in drawn for w in p.windows):
            fill, ink, name = BANDS[kind]
            items.append((f'<rect width="18" height="12" fill="{fill}" stroke="{ink}"/>', name.lower()))
    out, x = [], float(MARGIN)
    for swatch, words in items:
        width = 24 + _width(words, 11.5) + 14
        if x + width > WIDTH - MARGIN and x > MARGIN:
            x, y = MARGIN, y + 18
        out.append(f'<g transform="translate({x:.1f},{y:.1f})">{swatch}{_text(24, 10.5, words, size=11.5, fill=INK)}</g>')
        x += width
    return out, y + 24


def summary(timeline: Timeline) -> str:
    """The drawing in plain words (the SVG's desc)."""
    parts = [f"Regimen timeline of {timeline.label}, for {timeline.therapy.label}."]
    for before in timeline.preceded_by:
        steps = "; ".join(f"{s.days_text}: {step_label(s)}" for _, s in before.steps)
        parts.append(f"Before it, {before.label}: {steps}.")
    for cycle in timeline.cycles:
        title, subtitle = _cycle_title(cycle)
        words = [f"{s.days_text}: {step_label(s)}" for s in cycle.steps]
        words += [f"{r.text}: no dose" for r in cycle.free_days]
        words += [f"{w.kind} {w.days_text}" for w in cycle.windows]
        body = "; ".join(words) if cycle.steps else "the source states no dose"
        parts.append(f"{title}" + (f" ({subtitle})" if subtitle else "") + f": {body}.")
    if timeline.maximum_cycles:
        parts.append(f"At most {timeline.maximum_cycles} cycles.")
    return " ".join(parts)


def _document(timeline: Timeline, *, standalone: bool) -> str:
    drawn = panels(timeline)
    units = max([MIN_UNITS, *(p.units for p in drawn)])
    unit = TRACK / units
    prefix = f"tl-{re.sub(r'[^A-Za-z0-9-]', '-', timeline.local)}"
    body: list[str] = []
    y = 8.0
    for line in _wrap(timeline.label, 15, TRACK, bold=True)[:4]:
        body.append(_text(MARGIN, y + 15, line, size=15, weight="bold"))
        y += 19
    scope = " \u00b7 ".join(x for x in (", ".join(s.label for s in timeline.settings) or
                                        ("setting not stated" if timeline.setting_not_stated else ""),
                                        timeline.population.label if timeline.population else "") if x)
    for line in _wrap(scope, 12, TRACK):
        body.append(_text(MARGIN, y + 13, line, size=12, fill=MUTED))
        y += 15
    if timeline.source_issues:
        body.append(_text(MARGIN, y + 13, "Source flagged: " + ", ".join(timeline.source_issues), size=12, fill="#a40e26",
                          weight="bold"))
        y += 15
    legend, y = _legend(timeline, drawn, y + 10)
    body += legend
    for panel in drawn:
        body.append(f'<line x1="{MARGIN}" y1="{y:.1f}" x2="{WIDTH - MARGIN}" y2="{y:.1f}" stroke="{LINE}"/>')
        drawn_panel, y = _draw_panel(panel, unit, y + 8)
        body += drawn_panel
    if timeline.maximum_cycles:
        cycles = "cycle" if timeline.maximum_cycles == 1 else "cycles"
        for line in _wrap(f"At most {timeline.maximum_cycles} {cycles}" + (f" ({timeline.maximum_cycles_condition})"
                                                                          if timeline.maximum_cycles_condition else "") + ".",
                          12, TRACK):
            body.append(_text(MARGIN, y + 13, line, size=12))
            y += 15
    if timeline.cycles_without_response:
        body.append(_text(MARGIN, y + 13, f"Stop without CR or CRi after {timeline.cycles_without_response} cycles.", size=12))
        y += 15
    premedications = [n for n in timeline.notes if n.kind == PREMEDICATION]
    if premedications:
        body.append(_text(MARGIN, y + 14, "Premedication stated without a day (not drawn)", size=12, fill=BANDS[PREMEDICATION][1], weight="bold"))
        y += 18
        for note in premedications:
            for line in _wrap("\u2022 " + note.detail, 11.5, TRACK):
                body.append(_text(MARGIN, y + 12, line, size=11.5, fill=INK))
                y += 14
            y += 3
    height = round(y + 10)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    size = f' width="{WIDTH}" height="{height}"' if standalone else ""
    return (f'{head}<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"{size} role="img" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{_e(FONT)}">'
            f'<title id="{prefix}-title">{_e("Timeline: " + timeline.label)}</title>'
            f'<desc id="{prefix}-desc">{_e(summary(timeline))}</desc>'
            f'<defs><pattern id="{prefix}-free" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{FREE_FILL}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c4ccd4" stroke-width="2"/></pattern></defs>'
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
            + "".join(body).replace("url(#free)", f"url(#{prefix}-free)") + "</svg>\n")


def svg(timeline: Timeline) -> str:
    """The timeline as a standalone SVG document."""
    return _document(timeline, standalone=True)


def figure(timeline: Timeline) -> Markup:
    """The timeline as a figure for a page: the inline SVG, a caption, the schedule as a table, and a link to the .svg."""
    rows = []
    for cycle in timeline.cycles:
        name = cycle.name + (f" (if {cycle.response})" if cycle.response else "")
        for step in cycle.steps:
            what = step.drug.label if step.drug else timeline.therapy.label
            rows.append((name, step.days_text, what, step.dose.text if step.dose else "not stated",
                         step.cap.text if step.cap else "", step.basis_label or "", step.id))
        if not cycle.steps:
            rows.append((name, "", "no dose stated by the source", "", "", "", cycle.id))
        for run in cycle.free_days:
            rows.append((name, run.text, "no dose step", "", "", "", ""))
        for window in cycle.windows:
            rows.append((name, window.days_text, f"{window.kind}: {window.detail}", "", "", "", window.claim.id))
    before = [(f"before: {b.label}", s.days_text, s.drug.label if s.drug else b.therapy.label,
               s.dose.text if s.dose else "not stated", s.cap.text if s.cap else "", s.basis_label or "", s.id)
              for b in timeline.preceded_by for _, s in b.steps]
    body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in before + rows)
    href = f"/regimens/{_e(timeline.local)}/timeline.svg"
    return Markup(
        f'<figure class="timeline">{_document(timeline, standalone=False)}'
        f'<figcaption>{_e(timeline.label)}: drawn from the graph\'s cycles and dose steps; repeated identical cycles are drawn '
        f'once and runs of more than {COMPRESS_AFTER} days without a dose are drawn shorter. '
        f'<a href="{href}">Download as SVG</a></figcaption>'
        f'<details><summary>Schedule as a table</summary><div class="table-wrap"><table class="data">'
        f'<thead><tr><th scope="col">Cycles</th><th scope="col">Days</th><th scope="col">What</th>'
        f'<th scope="col">Dose as stated</th><th scope="col">Maximum</th><th scope="col">Basis</th><th scope="col">Claim</th></tr></thead>'
        f'<tbody>{body}</tbody></table></div></details></figure>')
