"""Regimen timelines: a dosing regimen's schedule as it is drawn, read from
the graph and nothing else.

A timeline holds the regimen's cycles in order, each as the graph groups
them ("Cycles 3-5" is one cycle node of the graph), split only where a
hospitalization, monitoring or premedication window covers some of its
cycles and not others (cycle 2 of "Cycles 2-5" has inpatient days, cycles
3-5 do not). Within a cycle: the dose steps as day ranges with the dose as
the graph states it, the days without a dose step (treatment-free), the
stated treatment-free interval (the last days of the cycle: the cycle length
includes it, docs/modelling.md), and the windows that apply to it.

What is drawn is what the graph states. A cycle with no dose step says so
(its days are not "treatment-free": the source gives nothing); a window
with no days is kept as "days not stated"; a claim in scope with no window
at all (a premedication timed "before each dose", a monitoring period after
an infusion) is a note beside the timeline, never a guessed position.

Scope: a hospitalization or monitoring claim applies when one of its
settings is one of the regimen's, or when it states no setting; a
premedication when its population's age groups meet the regimen's (or
either states none). A regimen that precedes another (lymphodepletion
before a cell infusion) is drawn before it: on the infusion's own day axis
when its days count back from day 0, else on its own days with the gap to
the infusion left unstated."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from therapykg.domain.evidence import Quantity
from therapykg.domain.ids import to_id
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import PROV_DERIVED, RDFS_COMMENT, RDFS_LABEL, SCHEMA_URL, Node, Ref, Struct
from therapykg.namespaces import TKG
from therapykg.queries import bind_values, query_text

HOSPITALIZATION, MONITORING, PREMEDICATION = "hospitalization", "monitoring", "premedication"
_KINDS = {TKG + "HospitalizationRequirement": HOSPITALIZATION, TKG + "MonitoringRequirement": MONITORING,
          TKG + "Premedication": PREMEDICATION}
_BASIS = {TKG + "FlatDose": "flat", TKG + "BodySurfaceAreaDose": "per m2", TKG + "WeightBasedDose": "per kg"}


@dataclass(frozen=True)
class Labelled:
    """A resource of the graph: its compact id (``tkgr:blinatumomab``) and label."""

    id: str
    label: str

    @property
    def local(self) -> str:
        """The local part of the id (``blinatumomab``), as in the site's URLs."""
        return self.id.split(":", 1)[1] if ":" in self.id and not self.id.startswith("http") else self.id


@dataclass(frozen=True)
class Source:
    id: str
    label: str
    url: str | None = None


@dataclass(frozen=True)
class DayRange:
    """Days ``first`` to ``last`` of a cycle, both included."""

    first: int
    last: int

    @property
    def days(self) -> int:
        return self.last - self.first + 1

    @property
    def text(self) -> str:
        if self.first == self.last:
            return f"day {self.first}"
        joint = " to " if self.first < 0 else "-"  # days -4 to -2, not -4--2
        return f"days {self.first}{joint}{self.last}"


@dataclass(frozen=True)
class DoseStep:
    """A dose given on days ``first_day`` to ``last_day`` of its cycle (no last day: the source gives none)."""

    id: str
    label: str
    first_day: int | None
    last_day: int | None
    dose: Quantity | None  # as the graph states it: dose.text is "9 ug/d", "0.2-5.0 10*6{cells}/kg"
    basis: str | None  # "flat", "per m2" or "per kg" (tkg:doseBasis)
    basis_label: str | None  # the basis's own label ("per body surface area")
    cap: Quantity | None  # tkg:doseCap, as stated
    drug: Labelled | None  # tkg:stepDrug, where the step gives a drug other than the therapy
    route: str | None
    mode: str | None
    source_issues: tuple[str, ...] = ()

    @property
    def open_ended(self) -> bool:
        return self.first_day is not None and self.last_day is None

    @property
    def days_text(self) -> str:
        if self.first_day is None:
            return "days not stated"
        if self.last_day is None:
            return f"from day {self.first_day} (no last day stated)"
        return DayRange(self.first_day, self.last_day).text

    @property
    def dose_text(self) -> str:
        """The dose and its cap as the graph states them, or that it states none."""
        if self.dose is None:
            return "no dose stated"
        return self.dose.text + (f", max {self.cap.text}" if self.cap is not None else "")


@dataclass(frozen=True)
class Window:
    """A hospitalization, monitoring or premedication window of a cycle, as a claim states it."""

    kind: str  # HOSPITALIZATION, MONITORING or PREMEDICATION
    claim: Labelled
    label: str  # the window's own label ("cycle 1, days 1-9")
    first_day: int | None  # None with last_day None: the source states the cycles but no days
    last_day: int | None  # None with a first day: the source gives where it starts only
    detail: str  # what is done (intensity, drug and dose, recommendation) in the claim's words; "" when it states no more
    population: str | None
    setting_stated: bool
    sources: tuple[Source, ...]

    @property
    def days(self) -> DayRange | None:
        if self.first_day is None or self.last_day is None:
            return None
        return DayRange(self.first_day, self.last_day)

    @property
    def days_text(self) -> str:
        if self.first_day is None and self.last_day is None:
            return "days not stated"
        if self.last_day is None:
            return f"from day {self.first_day} (how long not stated)"
        if self.first_day is None:
            return f"until day {self.last_day} (start not stated)"
        return DayRange(self.first_day, self.last_day).text


@dataclass(frozen=True)
class Note:
    """A claim in the regimen's scope that states no window: listed beside the timeline, not drawn on it."""

    kind: str
    claim: Labelled
    detail: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Cycle:
    """One block of the drawing: cycles ``first`` to ``last`` of one cycle node of the graph."""

    id: str  # the graph's cycle node
    label: str
    first: int | None  # None: the source numbers no cycle
    last: int | None
    open_ended: bool  # a first cycle and no last one ("cycles 2 onward")
    length_days: int | None  # tkg:cycleLength in days
    length: Quantity | None
    treatment_period: Quantity | None
    treatment_free: Quantity | None  # the stated interval ("2 wk")
    phase: str | None
    response: str | None  # the response the cycle is for ("CR or CRi")
    condition: str | None  # tkg:additionalCyclesCondition
    comment: str | None
    steps: tuple[DoseStep, ...]
    free_days: tuple[DayRange, ...]  # days of the cycle with no dose step (within its length, or between steps)
    stated_free_days: DayRange | None  # the stated treatment-free interval, at the end of the cycle
    windows: tuple[Window, ...]
    source_issues: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        if self.first is None:
            return "Schedule (no cycle number stated)"
        if self.open_ended:
            return f"Cycles {self.first} onward"
        if self.last is None or self.last == self.first:
            return f"Cycle {self.first}"
        return f"Cycles {self.first}-{self.last}"

    @property
    def repeats(self) -> int | None:
        """How many identical cycles this block stands for (None: open-ended or unnumbered)."""
        if self.first is None or self.open_ended:
            return None
        return (self.last or self.first) - self.first + 1

    @property
    def span(self) -> DayRange | None:
        """The days drawn: from day 1 (or the first step, if earlier) to the cycle's end (or the last step day stated)."""
        firsts = [s.first_day for s in self.steps if s.first_day is not None]
        lasts = [d for s in self.steps for d in (s.last_day, s.first_day) if d is not None]
        if self.length_days is not None:
            return DayRange(min([1, *firsts]), max([self.length_days, *lasts]))
        if not firsts:
            return None
        return DayRange(min(firsts), max(lasts))


@dataclass(frozen=True)
class Timeline:
    """A dosing regimen as drawn: its scope, its sources and its cycles in order."""

    iri: str
    id: str  # compact: tkgr:blina-rr-adult
    label: str
    summary: str | None
    comment: str | None
    therapy: Labelled
    settings: tuple[Labelled, ...]  # the disease states of tkg:regimenSetting
    setting_not_stated: bool
    population: Labelled | None
    sources: tuple[Source, ...]
    section: str | None
    maximum_cycles: int | None
    maximum_cycles_condition: str | None
    last_cycle_listed: int | None
    cycles_without_response: int | None  # tkg:maximumCyclesWithoutResponse
    source_issues: tuple[str, ...]
    cycles: tuple[Cycle, ...]
    preceded_by: tuple[Timeline, ...] = ()  # regimens given before this one (lymphodepletion), drawn first
    precedes: tuple[Labelled, ...] = ()  # regimens this one is given before
    counts_back: bool = False  # its days count back from the day 0 of the regimen it precedes
    notes: tuple[Note, ...] = ()

    @property
    def local(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def steps(self) -> list[tuple[Cycle, DoseStep]]:
        return [(c, s) for c in self.cycles for s in c.steps]


# Reading the graph ---------------------------------------------------------------------------------------------------


def _text(node: Node | Struct, predicate: str) -> str | None:
    value = node.get(predicate) if isinstance(node, Struct) else node.first(predicate)
    return None if value is None or isinstance(value, (Ref, Struct)) else str(value)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None


def _days(struct: Any) -> int | None:
    """A duration's tkg:valueInDays when it is a whole number of days."""
    if not isinstance(struct, Struct):
        return None
    days = struct.get_tkg("valueInDays")
    return int(days) if isinstance(days, (int, Decimal)) and not isinstance(days, bool) and days == int(days) else None


def _label(nodes: dict[str, Node], iri: str) -> Labelled:
    node = nodes.get(iri)
    return Labelled(to_id(iri), node.label if node is not None and node.exists else iri.rsplit("/", 1)[-1])


def _sources(nodes: dict[str, Node], node: Node) -> tuple[Source, ...]:
    found = []
    for iri in node.refs(PROV_DERIVED):
        source = nodes.get(iri)
        label = source.label if source is not None and source.exists else iri.rsplit("/", 1)[-1]
        url = _text(source, SCHEMA_URL) if source is not None else None
        found.append(Source(to_id(iri), label, url))
    return tuple(sorted(found, key=lambda s: s.label.lower()))


async def _fetch(loaders: Loaders, iris: list[str], known: dict[str, Node]) -> None:
    wanted = sorted({i for i in iris if i not in known})
    for node in await loaders.nodes(wanted):
        known[node.iri] = node


def _therapy_query(name: str, therapy: str) -> str:
    return bind_values(query_text(f"model/{name}"), {ox.Variable("therapy"): ox.NamedNode(therapy)})


async def regimen_timeline(loaders: Loaders, regimen_iri: str) -> Timeline | None:
    """The timeline of the dosing regimen ``regimen_iri`` (None when the graph has no such regimen)."""
    found = await regimen_timelines(loaders, [regimen_iri])
    return found[0] if found else None


async def regimen_timelines(loaders: Loaders, regimen_iris: list[str]) -> list[Timeline]:
    """The timelines of those of ``regimen_iris`` that are dosing regimens, in that order, read together
    (each therapy's claims once, however many of its regimens are asked for)."""
    return await _timelines(loaders, regimen_iris)


async def therapy_timelines(loaders: Loaders, therapy_iri: str) -> list[Timeline]:
    """The timelines of every dosing regimen of a therapy, by label. A regimen
    given before another of the therapy's (lymphodepletion) is drawn inside
    the timeline of the one it precedes, not on its own."""
    rows = await loaders.backend.select(_therapy_query("timeline-regimens", therapy_iri))
    regimens = list(dict.fromkeys(r["regimen"]["value"] for r in rows))
    preceding = {r["regimen"]["value"] for r in rows if "precedes" in r and r["precedes"]["value"] in regimens}
    return await _timelines(loaders, [r for r in regimens if r not in preceding])


async def _timelines(loaders: Loaders, regimen_iris: list[str]) -> list[Timeline]:
    """The timelines of ``regimen_iris`` (those that are dosing regimens), in the order given, read in a few batches."""
    known: dict[str, Node] = {}
    await _fetch(loaders, regimen_iris, known)
    regimens = [known[i] for i in regimen_iris if known[i].is_a("DosingRegimen")]
    if not regimens:
        return []
    # The regimens given before these (lymphodepletion), and those these are given before.
    before_lists = await asyncio.gather(*(loaders.referring(TKG + "precedesRegimen", r.iri) for r in regimens))
    before = {r.iri: lst for r, lst in zip(regimens, before_lists, strict=True)}
    await _fetch(loaders, [i for lst in before_lists for i in lst], known)
    every = regimens + [known[i] for lst in before_lists for i in lst if known[i].is_a("DosingRegimen")]
    therapies = sorted({t for r in every for t in r.tkg_refs("regimenFor")})
    claim_rows = await asyncio.gather(*(loaders.backend.select(_therapy_query("timeline-claims", t)) for t in therapies))
    claims_of = {t: [(row["claim"]["value"], _KINDS[row["kind"]["value"]]) for row in rows]
                 for t, rows in zip(therapies, claim_rows, strict=True)}
    # Cycles, claims and what the regimens link to; then steps and what those link to; then labels.
    await _fetch(loaders, [i for r in every for i in r.links()] + [c for cl in claims_of.values() for c, _ in cl], known)
    cycles = [known[c] for r in every for c in r.tkg_refs("hasCycle")]
    claims = [known[c] for cl in claims_of.values() for c, _ in cl]
    await _fetch(loaders, [i for n in cycles + claims for i in n.links()], known)
    steps = [known[s] for c in cycles for s in c.tkg_refs("hasDoseStep")]
    states = [known[s] for r in every for s in r.tkg_refs("regimenSetting") if s in known]
    await _fetch(loaders, [i for n in steps + states for i in n.links()], known)
    reader = _Reader(known, claims_of)
    return [reader.timeline(r, [known[b] for b in before[r.iri] if known[b].is_a("DosingRegimen")]) for r in regimens]


@dataclass
class _Reader:
    nodes: dict[str, Node]
    claims_of: dict[str, list[tuple[str, str]]]

    def label(self, iri: str) -> Labelled:
        return _label(self.nodes, iri)

    def labels(self, iris: list[str]) -> tuple[str, ...]:
        return tuple(self.label(i).label for i in iris)

    def settings(self, regimen: Node) -> set[str]:
        """The clinical settings (tkg:RelapsedRefractory ...) of a regimen's disease states."""
        return {s for state in regimen.tkg_refs("regimenSetting") if state in self.nodes
                for s in self.nodes[state].tkg_refs("inSetting")}

    def age_groups(self, population: str | None) -> set[str]:
        node = self.nodes.get(population) if population else None
        return set(node.tkg_refs("ageGroup")) if node is not None else set()

    def timeline(self, regimen: Node, before: list[Node]) -> Timeline:
        therapy = (regimen.tkg_refs("regimenFor") or [""])[0]
        population = _one(regimen.tkg_refs("regimenPopulation"))
        windows, notes = self.scope(regimen, therapy, population)
        cycles = sorted((self.nodes[c] for c in regimen.tkg_refs("hasCycle") if c in self.nodes), key=_cycle_order)
        drawn = tuple(block for cycle in cycles for block in self.blocks(cycle, windows))
        days = [d for c in drawn for s in c.steps for d in (s.first_day, s.last_day) if d is not None]
        precedes = regimen.tkg_refs("precedesRegimen")
        return Timeline(
            iri=regimen.iri, id=to_id(regimen.iri), label=regimen.label, summary=_text(regimen, TKG + "summary"),
            comment=_text(regimen, RDFS_COMMENT), therapy=self.label(therapy),
            settings=tuple(self.label(s) for s in regimen.tkg_refs("regimenSetting")),
            setting_not_stated=regimen.tkg1("settingNotStated") is True,
            population=self.label(population) if population else None, sources=_sources(self.nodes, regimen),
            section=_text(regimen, TKG + "sourceSection"), maximum_cycles=_int(regimen.tkg1("maximumCycles")),
            maximum_cycles_condition=_text(regimen, TKG + "maximumCyclesCondition"),
            last_cycle_listed=_int(regimen.tkg1("lastCycleListed")),
            cycles_without_response=_int(regimen.tkg1("maximumCyclesWithoutResponse")),
            source_issues=self.labels(regimen.tkg_refs("hasSourceIssue")), cycles=drawn,
            preceded_by=tuple(self.timeline(b, []) for b in before),
            precedes=tuple(self.label(p) for p in precedes),
            counts_back=bool(precedes) and bool(days) and max(days) <= 0, notes=notes)

    def scope(self, regimen: Node, therapy: str, population: str | None) -> tuple[list[tuple[Window, int | None, int | None]], tuple[Note, ...]]:
        """The windows (with the cycles they cover) and the notes of the claims in the regimen's scope."""
        settings, groups = self.settings(regimen), self.age_groups(population)
        windows: list[tuple[Window, int | None, int | None]] = []
        notes = []
        for iri, kind in self.claims_of.get(therapy, []):
            claim = self.nodes.get(iri)
            if claim is None:
                continue
            own_settings = set(claim.tkg_refs("inSetting"))
            if own_settings and not own_settings & settings:
                continue
            claim_population = _one(claim.tkg_refs("regimenPopulation"))
            their_groups = self.age_groups(claim_population)
            if groups and their_groups and not groups & their_groups:
                continue
            detail = self.detail(claim, kind)
            sources = _sources(self.nodes, claim)
            structs = [w for w in claim.tkg("hasWindow") if isinstance(w, Struct)]
            if not structs:
                notes.append(Note(kind, self.label(iri), detail or self.label(iri).label, sources))
                continue
            for struct in structs:
                first_cycle, last_cycle = _int(struct.get_tkg("firstCycle")), _int(struct.get_tkg("lastCycle"))
                if first_cycle is None and last_cycle is None:  # days of no stated cycle: not placed
                    notes.append(Note(kind, self.label(iri), f"{detail or claim.label} ({struct.get(RDFS_LABEL) or 'no cycle stated'})", sources))
                    continue
                first_day, last_day = _int(struct.get_tkg("firstDay")), _int(struct.get_tkg("lastDay"))
                window = Window(kind, self.label(iri), str(struct.get(RDFS_LABEL) or ""), first_day, last_day, detail,
                                self.label(claim_population).label if claim_population else None, bool(own_settings), sources)
                windows.append((window, first_cycle, last_cycle))
        order = {HOSPITALIZATION: 0, MONITORING: 1, PREMEDICATION: 2}
        return windows, tuple(sorted(notes, key=lambda n: (order[n.kind], n.claim.label.lower())))

    def detail(self, claim: Node, kind: str) -> str:
        """What the claim asks for, in its own values: drug and dose, intensity, timing, duration, recommendation."""
        parts: list[str] = []
        if kind == PREMEDICATION:
            drugs = ", ".join(self.label(d).label for d in claim.tkg_refs("premedicationDrug"))
            dose = Quantity.from_struct(claim.tkg1("dose"))
            cap = Quantity.from_struct(claim.tkg1("doseCap"))
            parts.append(" ".join(p for p in (drugs, dose.text if dose else "", f"(max {cap.text})" if cap else "") if p))
        for name in ("monitoringIntensity", "timing", "condition", "recommendation"):
            parts += claim.texts(TKG + name)
        duration = Quantity.from_struct(claim.tkg1("duration"))
        if duration is not None:
            parts.append(f"for {duration.text}")
        return "; ".join(p for p in parts if p)

    def blocks(self, cycle: Node, windows: list[tuple[Window, int | None, int | None]]) -> list[Cycle]:
        """The cycle node as drawn: one block, or several where windows cover some of its cycles only."""
        first, last = _int(cycle.tkg1("firstCycle")), _int(cycle.tkg1("lastCycle"))
        steps = tuple(sorted((self.step(self.nodes[s]) for s in cycle.tkg_refs("hasDoseStep") if s in self.nodes),
                             key=lambda s: (s.first_day if s.first_day is not None else 10**6, s.drug.label if s.drug else "")))
        if first is None:
            return [self.block(cycle, None, None, False, steps, [])]
        # Cut the cycle range where a window's cycle range starts or ends inside it.
        cuts = {first}
        for _, w_first, w_last in windows:
            for cut in (w_first, None if w_last is None else w_last + 1):
                if cut is not None and cut > first and (last is None or cut <= last):
                    cuts.add(cut)
        starts = sorted(cuts)
        blocks = []
        for n, start in enumerate(starts):
            end = starts[n + 1] - 1 if n + 1 < len(starts) else last
            covering = [w for w, w_first, w_last in windows
                        if (w_first is None or w_first <= start) and (w_last is None or (end is not None and end <= w_last))]
            blocks.append(self.block(cycle, start, end, end is None, steps, covering))
        return blocks

    def block(self, cycle: Node, first: int | None, last: int | None, open_ended: bool, steps: tuple[DoseStep, ...],
              windows: list[Window]) -> Cycle:
        length = Quantity.from_struct(cycle.tkg1("cycleLength"))
        length_days = _days(cycle.tkg1("cycleLength"))
        free = Quantity.from_struct(cycle.tkg1("treatmentFreeInterval"))
        free_days = _days(cycle.tkg1("treatmentFreeInterval"))
        stated = DayRange(length_days - free_days + 1, length_days) if length_days and free_days and free_days < length_days else None
        phase, response = cycle.tkg_refs("cyclePhase"), cycle.tkg_refs("responseCondition")
        order = {HOSPITALIZATION: 0, MONITORING: 1, PREMEDICATION: 2}
        return Cycle(
            id=to_id(cycle.iri), label=cycle.label, first=first, last=last if last is not None else (None if open_ended else first),
            open_ended=open_ended, length_days=length_days, length=length,
            treatment_period=Quantity.from_struct(cycle.tkg1("treatmentPeriod")), treatment_free=free,
            phase=self.label(phase[0]).label if phase else None, response=self.label(response[0]).label if response else None,
            condition=_text(cycle, TKG + "additionalCyclesCondition"), comment=_text(cycle, RDFS_COMMENT), steps=steps,
            free_days=_free_days(steps, length_days), stated_free_days=stated,
            windows=tuple(sorted(windows, key=lambda w: (order[w.kind], w.first_day or 0, w.claim.label))),
            source_issues=self.labels(cycle.tkg_refs("hasSourceIssue")))

    def step(self, node: Node) -> DoseStep:
        basis, drug = _one(node.tkg_refs("doseBasis")), _one(node.tkg_refs("stepDrug"))
        route, mode = node.tkg_refs("hasRoute"), node.tkg_refs("hasAdministrationMode")
        return DoseStep(
            id=to_id(node.iri), label=node.label, first_day=_int(node.tkg1("firstDay")), last_day=_int(node.tkg1("lastDay")),
            dose=Quantity.from_struct(node.tkg1("dose")), basis=_BASIS.get(basis or ""),
            basis_label=self.label(basis).label if basis else None, cap=Quantity.from_struct(node.tkg1("doseCap")),
            drug=self.label(drug) if drug else None, route=self.label(route[0]).label if route else None,
            mode=self.label(mode[0]).label if mode else None, source_issues=self.labels(node.tkg_refs("hasSourceIssue")))


def _one(iris: list[str]) -> str | None:
    return iris[0] if iris else None


def _cycle_order(cycle: Node) -> tuple[int, str, str]:
    first = _int(cycle.tkg1("firstCycle"))
    response = (cycle.tkg_refs("responseCondition") or [""])[0]
    return (first if first is not None else 0, response, cycle.iri)


def _free_days(steps: tuple[DoseStep, ...], length_days: int | None) -> tuple[DayRange, ...]:
    """The days with no dose step: between steps, and after the last one up to the cycle's length when it is stated.
    Nothing for a cycle without steps (the source gives nothing there, which is not the same as treatment-free)."""
    dated = [s for s in steps if s.first_day is not None]
    if not dated:
        return ()
    if any(s.open_ended for s in dated):
        end = max(s.first_day for s in dated if s.first_day is not None)
    else:
        end = max(s.last_day for s in dated if s.last_day is not None)
    if length_days is not None:
        end = max(end, length_days) if not any(s.open_ended for s in dated) else end
    start = min(1, min(s.first_day for s in dated if s.first_day is not None))
    given: set[int] = set()
    for s in dated:
        assert s.first_day is not None
        top = s.last_day if s.last_day is not None else end
        given.update(range(s.first_day, top + 1))
    if start <= 0 and 0 not in given:  # day 0 exists only in schedules that give a dose on it (cell infusions)
        given.add(0)
    runs: list[DayRange] = []
    for day in range(start, end + 1):
        if day in given:
            continue
        if runs and runs[-1].last == day - 1:
            runs[-1] = DayRange(runs[-1].first, day)
        else:
            runs.append(DayRange(day, day))
    return tuple(runs)
