"""Side-by-side comparison of therapies. Everything is fetched in a few
batched phases (so the number of SPARQL queries does not grow with the
number of therapies), then the rows are built from the fetched nodes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from therapykg.domain.evidence import Citation, ConfidenceInterval, OutcomeIntervals, Quantity, cite
from therapykg.domain.ids import to_id
from therapykg.domain.kinds import therapy_kind
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import PROV_DERIVED, SKOS, Node, Ref, Struct
from therapykg.domain.rows import required
from therapykg.namespaces import TKG
from therapykg.queries import query_text

NOT_REPORTED = "not reported in the sources"
MAX_COMPARED = 8  # therapies side by side: wider is unreadable on any surface


class Aspect(Enum):
    """What a comparison covers."""

    MECHANISM = "mechanism and target"
    MODALITY = "modality"
    ADMINISTRATION = "administration and schedule burden"
    INDICATIONS = "indications and populations"
    APPLICABILITY = "applicability"
    EFFICACY = "pivotal trials and outcomes"
    ADVERSE_EVENTS = "key adverse events"
    MONITORING = "monitoring"
    SAFETY = "contraindications and precautions"


class CellStatus(Enum):
    """Whether a cell has data."""

    REPORTED = "reported"
    NOT_REPORTED = "not reported in the sources"


@dataclass(frozen=True)
class ValueContext:
    """The context a value belongs to; values with different contexts are not directly comparable."""

    trial: str | None = None
    population: str | None = None
    setting: str | None = None
    endpoint: str | None = None
    comparator: str | None = None
    assessment: str | None = None
    combination: str | None = None
    # How the evidence was gathered: the trial's design and phase, the
    # patients counted (n/N), and when (data cut-off, median follow-up).
    design: str | None = None
    counted: str | None = None
    data_cut: str | None = None


@dataclass
class ComparisonValue:
    """One sourced value in a comparison cell."""

    text: str
    quantity: Quantity | None = None
    comparator_quantity: Quantity | None = None
    hazard_ratio: float | None = None
    p_value: float | None = None
    # The 95% confidence intervals the source gives, of the value, the comparator's value and the hazard ratio.
    confidence_interval: ConfidenceInterval | None = None
    comparator_confidence_interval: ConfidenceInterval | None = None
    hazard_ratio_confidence_interval: ConfidenceInterval | None = None
    median_not_reached: bool = False  # the source says the median had not been reached (so there is no quantity)
    context: ValueContext = field(default_factory=ValueContext)
    sources: list[Citation] = field(default_factory=list)
    disputed: bool = False  # another source disagrees with this value
    conflicts: list[str] = field(default_factory=list)  # compact ids of the recorded conflicts it is part of
    claim: str | None = None  # the compact id of the claim the value comes from


@dataclass
class ComparisonCell:
    """What the sources say about one therapy for one row; says so explicitly when nothing is reported."""

    therapy: str
    status: CellStatus
    values: list[ComparisonValue]
    note: str | None = None


@dataclass
class ComparisonRow:
    """One line of the comparison, with a cell per therapy in the order asked."""

    aspect: Aspect
    label: str
    cells: list[ComparisonCell]
    comparable: bool  # False when the values come from different trials, populations or endpoints
    note: str | None = None


@dataclass
class ComparedTherapy:
    """A therapy in a comparison."""

    id: str
    label: str
    kind: str | None


@dataclass
class Comparison:
    """A side-by-side comparison of therapies."""

    therapies: list[ComparedTherapy]
    rows: list[ComparisonRow]


@dataclass
class _Fetched:
    nodes: dict[str, Node] = field(default_factory=dict)
    claims: dict[str, list[Node]] = field(default_factory=dict)  # therapy -> claims about it
    alternative_for: dict[str, list[Node]] = field(default_factory=dict)
    disputed: dict[str, list[str]] = field(default_factory=dict)  # claim -> the conflicts it is part of

    def get(self, iri: str) -> Node:
        return self.nodes.get(iri) or Node(iri)

    def label(self, iri: str) -> str:
        return self.get(iri).label


async def _load(loaders: Loaders, fetched: _Fetched, iris: Iterable[str]) -> None:
    wanted = sorted({i for i in iris if i not in fetched.nodes})
    for node in await loaders.nodes(wanted):
        fetched.nodes[node.iri] = node


def _links(nodes: Iterable[Node], *names: str) -> set[str]:
    """The resources ``nodes`` link to with any of the tkg: properties ``names``."""
    wanted = {TKG + name for name in names}
    # One look at each node's own predicates, not one per name: a node has a few, the callers ask for 25.
    return {v.iri for n in nodes for p, values in n.values.items() if p in wanted for v in values if isinstance(v, Ref)}


async def _fetch(loaders: Loaders, iris: list[str]) -> _Fetched:
    fetched = _Fetched()
    await _load(loaders, fetched, iris)
    # Phase 2: every claim that points at the therapies.
    keys = [(TKG + p, t) for t in iris for p in ("forTherapy", "indicationTherapy", "regimenFor", "alternativeTherapy")]
    found = await asyncio.gather(*[loaders.referring(p, t) for p, t in keys])
    by_key = dict(zip(keys, found, strict=True))
    await _load(loaders, fetched, {i for lst in found for i in lst})
    for t in iris:
        about = {i for p in ("forTherapy", "indicationTherapy", "regimenFor") for i in by_key[(TKG + p, t)]}
        fetched.claims[t] = [fetched.get(i) for i in sorted(about)]
        fetched.alternative_for[t] = [fetched.get(i) for i in by_key[(TKG + "alternativeTherapy", t)]]
    claims = [n for lst in list(fetched.claims.values()) + list(fetched.alternative_for.values()) for n in lst]
    # Phase 3: what those claims link to, and which of them are disputed.
    linked = _links(list(fetched.nodes.values()), "hasTarget", "hasMechanism", "hasRoute", "hasAdministrationMode",
                    "indicationDiseaseState", "indicationPopulation", "basisTrial", "hasCycle", "regimenSetting",
                    "regimenPopulation", "adverseEvent", "monitors", "metric", "inTrial", "inPopulation", "inSetting",
                    "comparatorTherapy", "inCombinationWith", "concernsFinding", "citedReference", "forDisease",
                    "applicability", "hasRole", "requiresTargetExpression")
    linked |= {i for n in claims for i in n.refs(PROV_DERIVED)}
    linked |= {TKG + kind.value for t in iris if (kind := therapy_kind(fetched.get(t)))}  # for the kind's label
    conflict_rows, _ = await asyncio.gather(loaders.backend.select(query_text("model/conflict-claims")),
                                            _load(loaders, fetched, linked))
    ours = {n.iri for n in claims}
    for row in conflict_rows:
        claim, conflict = required(row, "claim"), required(row, "conflict")
        if claim in ours:
            fetched.disputed.setdefault(claim, []).append(conflict)
    for conflicts in fetched.disputed.values():
        conflicts.sort()
    # Phase 4: one level further (dose steps of cycles, settings and diseases of states, trials' settings and populations).
    await _load(loaders, fetched, _links(list(fetched.nodes.values()), "hasDoseStep", "inSetting", "stateOfDisease", "ageGroup",
                                         "trialSetting", "trialPopulation"))
    return fetched


def _citations(fetched: _Fetched, claim: Node) -> list[Citation]:
    return cite(claim, [fetched.get(s) for s in claim.refs(PROV_DERIVED)], [fetched.get(r) for r in claim.tkg_refs("citedReference")])


def _value(fetched: _Fetched, claim: Node, text: str, **extra: Any) -> ComparisonValue:
    conflicts = fetched.disputed.get(claim.iri, [])
    return ComparisonValue(text=text, sources=_citations(fetched, claim), disputed=bool(conflicts),
                           conflicts=[to_id(c) for c in conflicts], claim=to_id(claim.iri), **extra)


def _labels(fetched: _Fetched, iris: list[str]) -> str:
    return ", ".join(fetched.label(i) for i in iris)


def _cell(therapy: str, values: list[ComparisonValue], note: str | None = None) -> ComparisonCell:
    if not values:
        return ComparisonCell(therapy=to_id(therapy), status=CellStatus.NOT_REPORTED, values=[],
                              note=f"{NOT_REPORTED} ({note})" if note else NOT_REPORTED)
    return ComparisonCell(therapy=to_id(therapy), status=CellStatus.REPORTED, values=values, note=note)


def _row(aspect: Aspect, label: str, cells: list[ComparisonCell], comparable: bool = True, note: str | None = None) -> ComparisonRow:
    return ComparisonRow(aspect=aspect, label=label, cells=cells, comparable=comparable, note=note)


def _entity_value(fetched: _Fetched, therapy: Node, names: tuple[str, ...]) -> list[ComparisonValue]:
    iris = [i for name in names for i in therapy.tkg_refs(name)]
    if not iris:
        return []
    return [_value(fetched, therapy, _labels(fetched, iris))]


def _of_kind(fetched: _Fetched, therapy: str, local: str) -> list[Node]:
    return [n for n in fetched.claims[therapy] if n.is_a(local)]


def _by_link(nodes: list[Node], name: str) -> dict[str, list[Node]]:
    """``nodes`` grouped by what they link to with tkg:``name``, in their order
    (one pass, where filtering them again for each target is quadratic)."""
    grouped: dict[str, list[Node]] = {}
    for node in nodes:
        for target in dict.fromkeys(node.tkg_refs(name)):
            grouped.setdefault(target, []).append(node)
    return grouped


def _mechanism_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    return [
        _row(Aspect.MECHANISM, "Targets", [_cell(t, _entity_value(fetched, fetched.get(t), ("hasTarget",))) for t in iris]),
        _row(Aspect.MECHANISM, "Mechanism", [_cell(t, _entity_value(fetched, fetched.get(t), ("hasMechanism",))) for t in iris]),
    ]


def _modality_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    cells = []
    for t in iris:
        node = fetched.get(t)
        kind = therapy_kind(node)
        cells.append(_cell(t, [_value(fetched, node, fetched.label(TKG + kind.value))] if kind else []))
    return [_row(Aspect.MODALITY, "Kind of therapy", cells)]


def _days(step: Node) -> int | None:
    first: int | None = step.tkg1("firstDay")
    last: int | None = step.tkg1("lastDay")
    return last - first + 1 if first is not None and last is not None else None


def _administration_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    route = [_cell(t, _entity_value(fetched, fetched.get(t), ("hasRoute", "hasAdministrationMode"))) for t in iris]
    infusion, hospital, cycles = [], [], []
    for t in iris:
        values = []
        for regimen in _of_kind(fetched, t, "DosingRegimen"):
            for c in sorted(regimen.tkg_refs("hasCycle"), key=lambda i: fetched.get(i).tkg1("firstCycle") or 0):
                cycle = fetched.get(c)
                steps = [fetched.get(s) for s in cycle.tkg_refs("hasDoseStep")]
                continuous = [s for s in steps if TKG + "ContinuousInfusion" in s.tkg_refs("hasAdministrationMode")]
                days = [d for s in continuous if (d := _days(s)) is not None]
                if continuous and len(days) == len(continuous) and cycle.tkg1("firstCycle") == 1:
                    values.append(_value(fetched, cycle, f"{sum(days)} days of continuous infusion in cycle 1",
                                         quantity=Quantity.computed(value=float(sum(days)), unit="d", text=f"{sum(days)} d"),
                                         context=ValueContext(population=_labels(fetched, regimen.tkg_refs("regimenPopulation")),
                                                              setting=_labels(fetched, regimen.tkg_refs("regimenSetting")) or None)))
        infusion.append(_cell(t, values))
        stays = []
        for req in _of_kind(fetched, t, "HospitalizationRequirement"):
            spans = [w for w in req.tkg("hasWindow") if isinstance(w, Struct) and w.get_tkg("lastDay")]
            if spans:
                text = "; ".join(f"cycle {w.get_tkg('firstCycle')}: days {w.get_tkg('firstDay')}-{w.get_tkg('lastDay')}"
                                 for w in sorted(spans, key=lambda w: w.get_tkg("firstCycle") or 0))
                stays.append(_value(fetched, req, text, context=ValueContext(setting=_labels(fetched, req.tkg_refs("inSetting")) or None)))
        hospital.append(_cell(t, stays))
        limits = [_value(fetched, r, f"at most {r.tkg1('maximumCycles')} cycle{'' if r.tkg1('maximumCycles') == 1 else 's'}"
                         + (f" ({r.tkg1('maximumCyclesCondition')})" if r.tkg1("maximumCyclesCondition") else ""),
                         context=ValueContext(setting=_labels(fetched, r.tkg_refs("regimenSetting")) or None))
                  for r in _of_kind(fetched, t, "DosingRegimen") if r.tkg1("maximumCycles") is not None]
        cycles.append(_cell(t, limits))
    return [
        _row(Aspect.ADMINISTRATION, "Route and mode", route),
        _row(Aspect.ADMINISTRATION, "Continuous infusion days", infusion),
        _row(Aspect.ADMINISTRATION, "Hospitalization", hospital),
        _row(Aspect.ADMINISTRATION, "Maximum number of cycles", cycles),
    ]


def _indication_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    cells = []
    for t in iris:
        values = []
        for ind in _of_kind(fetched, t, "Indication"):
            text = _labels(fetched, ind.tkg_refs("indicationDiseaseState"))
            pops = _labels(fetched, ind.tkg_refs("indicationPopulation"))
            date = ind.tkg1("approvalDate")
            values.append(_value(fetched, ind, f"{text}; {pops}" + (f"; approved {date}" if date else ""),
                                 context=ValueContext(population=pops, trial=_labels(fetched, ind.tkg_refs("basisTrial")) or None)))
        cells.append(_cell(t, values))
    return [_row(Aspect.INDICATIONS, "Approved indications and populations", cells, comparable=False,
                 note="populations and approval dates differ between therapies")]


def _applicability_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    cells = []
    for t in iris:
        values = []
        for rel in fetched.alternative_for[t]:
            applicable = TKG + "Applicable" in rel.tkg_refs("applicability")
            verdict = "applicable" if applicable else "not applicable"
            target = _labels(fetched, rel.tkg_refs("forDisease"))
            reason = rel.tkg1("applicabilityReason")
            values.append(_value(fetched, rel, f"{verdict} to {target} as an alternative to {_labels(fetched, rel.tkg_refs('alternativeTo'))}"
                                 + (f": {reason}" if reason else ""),
                                 context=ValueContext(setting=_labels(fetched, rel.tkg_refs("inSetting")) or None)))
        if not values:
            for ind in _of_kind(fetched, t, "Indication"):
                states = [fetched.get(s) for s in ind.tkg_refs("indicationDiseaseState")]
                diseases = _labels(fetched, sorted({d for s in states for d in s.tkg_refs("stateOfDisease")}))
                values.append(_value(fetched, ind, f"indicated for {diseases}"))
        cells.append(_cell(t, values))
    return [_row(Aspect.APPLICABILITY, "Applicability to Ph-negative B-cell precursor ALL", cells)]


_METRIC_ORDER = ["CRCRiRate", "CompleteRemissionRate", "OverallRemissionRate", "MedianOverallSurvival",
                 "ThreeYearOverallSurvival", "FiveYearProgressionFreeSurvival", "CompleteMRDResponse", "MRDNegativityRate"]


def _design(fetched: _Fetched, trials: list[str]) -> str | None:
    """A trial's design in words: phase, design, randomization (as the graph states them)."""
    parts = []
    for trial in trials:
        node = fetched.get(trial)
        phase, design, ratio = node.tkg1("trialPhase"), node.tkg1("trialDesign"), node.tkg1("randomizationRatio")
        words = [f"phase {phase}" if phase else "", str(design) if design else "", f"randomized {ratio}" if ratio else ""]
        if any(words):
            parts.append(", ".join(w for w in words if w))
    return "; ".join(parts) or None


def _counted(value: Quantity | None) -> str | None:
    if value is None or value.denominator is None:
        return None
    return f"{value.numerator}/{value.denominator}" if value.numerator is not None else f"N={value.denominator}"


def _data_cut(outcome: Node) -> str | None:
    cut, follow_up = outcome.tkg1("dataCutoff"), Quantity.from_struct(outcome.tkg1("medianFollowUp"))
    parts = [f"data cut-off {cut}" if cut else "", f"median follow-up {follow_up.text}" if follow_up else ""]
    return ", ".join(p for p in parts if p) or None


# What makes two values of one row not directly comparable, by the part of their context that differs.
_DIFFERENCES = (("trial", "different trials"), ("design", "different designs"), ("population", "different populations"),
                ("setting", "different settings"), ("assessment", "different assessment windows"),
                ("data_cut", "different data cuts or follow-up"), ("combination", "different combinations"))


def _not_comparable_because(contexts: list[ValueContext]) -> list[str]:
    """Why the values of a row cannot be compared directly (empty when they can)."""
    return [reason for name, reason in _DIFFERENCES if len({getattr(c, name) for c in contexts}) > 1]


def _reported_under(fetched: _Fetched, metric: str, metrics: list[str], outcomes: list[Node]) -> str | None:
    """Where a therapy without a value for ``metric`` reports a related metric
    (skos:related, either way, among the ``metrics`` of the comparison)."""
    related = {m for m in metrics if m in fetched.get(metric).refs(SKOS + "related")
               or metric in fetched.get(m).refs(SKOS + "related")}
    found = sorted({fetched.label(m) for o in outcomes for m in o.tkg_refs("metric") if m in related})
    return "reported under a related endpoint: " + "; ".join(found) if found else None


def _efficacy_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    outcomes = {t: _of_kind(fetched, t, "EfficacyOutcome") for t in iris}
    by_metric = {t: _by_link(outcomes[t], "metric") for t in iris}
    metrics = sorted({m for groups in by_metric.values() for m in groups},
                     key=lambda m: (_METRIC_ORDER.index(m[len(TKG):]) if m[len(TKG):] in _METRIC_ORDER else 99, m))
    rows = []
    for metric in metrics:
        cells: list[ComparisonCell] = []
        contexts: list[ValueContext] = []
        for t in iris:
            values = []
            for o in by_metric[t].get(metric, []):
                value = Quantity.from_struct(o.tkg1("value"))
                comp = Quantity.from_struct(o.tkg1("comparatorValue"))
                hr, p = o.tkg1("hazardRatio"), o.tkg1("pValue")
                not_reached = o.tkg1("medianNotReached") is True
                intervals = OutcomeIntervals.of(o)
                ci, comp_ci, hr_ci = intervals.value, intervals.comparator, intervals.hazard_ratio
                comparator = _labels(fetched, o.tkg_refs("comparatorTherapy")) or None
                parts = [(value.text if value else "not reached" if not_reached else "?") + (f" ({ci.text})" if ci else "")]
                if comp:
                    parts[0] += f" vs {comp.text}" + (f" ({comp_ci.text})" if comp_ci else "")
                    parts[0] += f" ({comparator})" if comparator else ""
                if hr is not None:
                    parts.append(f"HR {hr}" + (f" ({hr_ci.text})" if hr_ci else ""))
                if p is not None:
                    parts.append(f"p {p}")
                partners = _labels(fetched, o.tkg_refs("inCombinationWith"))
                if partners:
                    parts[0] += f" (with {partners})"
                context = ValueContext(trial=_labels(fetched, o.tkg_refs("inTrial")) or None,
                                       population=_labels(fetched, o.tkg_refs("inPopulation")) or None,
                                       setting=_labels(fetched, o.tkg_refs("inSetting")) or None,
                                       endpoint=fetched.label(metric), comparator=comparator,
                                       assessment=o.tkg1("assessmentWindow"),
                                       combination=_labels(fetched, o.tkg_refs("inCombinationWith")) or None,
                                       design=_design(fetched, o.tkg_refs("inTrial")), counted=_counted(value),
                                       data_cut=_data_cut(o))
                contexts.append(context)
                values.append(_value(fetched, o, "; ".join(parts), quantity=value, comparator_quantity=comp,
                                     hazard_ratio=float(hr) if hr is not None else None,
                                     p_value=float(p) if p is not None else None, confidence_interval=ci,
                                     comparator_confidence_interval=comp_ci, hazard_ratio_confidence_interval=hr_ci,
                                     median_not_reached=not_reached, context=context))
            cells.append(_cell(t, values, note=None if values else _reported_under(fetched, metric, metrics, outcomes[t])))
        reasons = _not_comparable_because(contexts)
        rows.append(_row(Aspect.EFFICACY, fetched.label(metric), cells, comparable=not reasons,
                         note="not directly comparable: " + "; ".join(reasons) if reasons else None))
    return rows


def _adverse_event_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    reactions = {t: _of_kind(fetched, t, "AdverseReaction") for t in iris}
    by_event = {t: _by_link(reactions[t], "adverseEvent") for t in iris}
    events = sorted({e for groups in by_event.values() for e in groups}, key=fetched.label)
    rows = []
    for event in events:
        cells = []
        for t in iris:
            values = []
            for r in by_event[t].get(event, []):
                any_grade, severe = Quantity.from_struct(r.tkg1("anyGradeIncidence")), Quantity.from_struct(r.tkg1("grade3PlusIncidence"))
                onset = Quantity.from_struct(r.tkg1("medianOnset"))
                parts = []
                if any_grade:
                    parts.append(f"any grade {any_grade.text}")
                if severe:
                    parts.append(f"grade >= 3 {severe.text}")
                if onset:
                    parts.append(f"median onset {onset.text}")
                if r.tkg1("fatalCount") is not None:
                    parts.append(f"{r.tkg1('fatalCount')} fatal")
                if not parts:
                    parts.append(r.tkg1("frequencyDescription") or "reported, no incidence given")
                values.append(_value(fetched, r, "; ".join(parts), quantity=any_grade, comparator_quantity=severe,
                                     context=ValueContext(trial=_labels(fetched, r.tkg_refs("inTrial")) or None,
                                                          setting=_labels(fetched, r.tkg_refs("inSetting")) or None,
                                                          combination=_labels(fetched, r.tkg_refs("inCombinationWith")) or None,
                                                          design=_design(fetched, r.tkg_refs("inTrial")),
                                                          counted=_counted(any_grade))))
            cells.append(_cell(t, values))
        rows.append(_row(Aspect.ADVERSE_EVENTS, fetched.label(event), cells, comparable=False,
                         note="incidences come from different trials and labels"))
    return rows


def _monitoring_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    cells = []
    for t in iris:
        values = []
        for m in _of_kind(fetched, t, "MonitoringRequirement"):
            windows = [w for w in m.tkg("hasWindow") if isinstance(w, Struct)]
            when = "; ".join(f"cycle {w.get_tkg('firstCycle')}{'' if w.get_tkg('lastCycle') else '+'} days {w.get_tkg('firstDay')}-{w.get_tkg('lastDay')}"
                             for w in sorted(windows, key=lambda w: w.get_tkg("firstCycle") or 0))
            values.append(_value(fetched, m, _labels(fetched, m.tkg_refs("monitors")) + (f" ({when})" if when else "")
                                 + (f", {m.tkg1('monitoringIntensity')}" if m.tkg1("monitoringIntensity") else "")))
        cells.append(_cell(t, values))
    return [_row(Aspect.MONITORING, "Monitoring requirements", cells)]


def _safety_rows(fetched: _Fetched, iris: list[str]) -> list[ComparisonRow]:
    rows = []
    for local, label in (("Contraindication", "Absolute contraindications"), ("BoxedWarning", "Boxed warnings"),
                         ("Precaution", "Precautions"), ("Pitfall", "Pitfalls to avoid")):
        cells = [_cell(t, [_value(fetched, s, s.label) for s in _of_kind(fetched, t, local)]) for t in iris]
        rows.append(_row(Aspect.SAFETY, label, cells))
    return rows


BUILDERS = {
    Aspect.MECHANISM: _mechanism_rows, Aspect.MODALITY: _modality_rows, Aspect.ADMINISTRATION: _administration_rows,
    Aspect.INDICATIONS: _indication_rows, Aspect.APPLICABILITY: _applicability_rows, Aspect.EFFICACY: _efficacy_rows,
    Aspect.ADVERSE_EVENTS: _adverse_event_rows, Aspect.MONITORING: _monitoring_rows, Aspect.SAFETY: _safety_rows,
}


@dataclass(frozen=True)
class Scope:
    """Which claims a comparison keeps: those whose stated setting and age group
    are the ones asked for. A claim that states none of its own has those of
    the trials it reports on (the trial's setting and population, as recorded
    with their source); one with neither is kept: its source does not restrict it."""

    setting: str | None = None  # IRI of a tkg:ClinicalSetting
    age_group: str | None = None  # IRI of a tkg:AgeGroup


def _stated_settings(fetched: _Fetched, claim: Node) -> set[str]:
    states = claim.tkg_refs("indicationDiseaseState")
    own = ({*claim.tkg_refs("inSetting"), *claim.tkg_refs("regimenSetting"), *claim.tkg_refs("ruleSetting")}
           | {s for state in states for s in fetched.get(state).tkg_refs("inSetting")})
    if own or claim.tkg1("settingNotStated") is True:
        return own
    trial_states = [s for t in claim.tkg_refs("inTrial") for s in fetched.get(t).tkg_refs("trialSetting")]
    return {s for state in trial_states for s in fetched.get(state).tkg_refs("inSetting")}


def _stated_age_groups(fetched: _Fetched, claim: Node) -> set[str]:
    populations = [*claim.tkg_refs("inPopulation"), *claim.tkg_refs("regimenPopulation"), *claim.tkg_refs("indicationPopulation")]
    own = {g for p in populations for g in fetched.get(p).tkg_refs("ageGroup")}
    if own or claim.tkg1("populationNotStated") is True:
        return own
    trial_populations = [p for t in claim.tkg_refs("inTrial") for p in fetched.get(t).tkg_refs("trialPopulation")]
    return {g for p in trial_populations for g in fetched.get(p).tkg_refs("ageGroup")}


def _in_scope(fetched: _Fetched, claim: Node, scope: Scope) -> bool:
    settings, groups = _stated_settings(fetched, claim), _stated_age_groups(fetched, claim)
    return (not scope.setting or not settings or scope.setting in settings) and \
        (not scope.age_group or not groups or scope.age_group in groups)


async def _rows(loaders: Loaders, iris: list[str], aspects: list[Aspect] | None, scope: Scope | None) -> tuple[_Fetched, list[ComparisonRow]]:
    fetched = await _fetch(loaders, iris)
    unknown = [to_id(i) for i in iris if not fetched.get(i).is_a("Therapy")]
    if unknown:
        raise ValueError(f"not a therapy: {', '.join(unknown)}")
    if scope is not None:
        for t in iris:
            fetched.claims[t] = [c for c in fetched.claims[t] if _in_scope(fetched, c, scope)]
            fetched.alternative_for[t] = [c for c in fetched.alternative_for[t] if _in_scope(fetched, c, scope)]
    return fetched, [row for aspect in (aspects or list(Aspect)) for row in BUILDERS[aspect](fetched, iris)]


async def compare(loaders: Loaders, iris: list[str], *, aspects: list[Aspect] | None = None,
                  scope: Scope | None = None) -> Comparison:
    """Compare the therapies ``iris`` (in that order) over ``aspects`` (all by
    default), keeping only the claims in ``scope`` when one is given.

    :raises ValueError: fewer than two therapies, or an id that is not a therapy.
    """
    if len(set(iris)) < 2:
        raise ValueError("compare at least two different therapies")
    fetched, rows = await _rows(loaders, iris, aspects, scope)
    therapies = [ComparedTherapy(id=to_id(i), label=fetched.label(i),
                                 kind=(k.name if (k := therapy_kind(fetched.get(i))) else None)) for i in iris]
    return Comparison(therapies=therapies, rows=rows)


async def therapy_rows(loaders: Loaders, iri: str, *, aspects: list[Aspect] | None = None) -> list[ComparisonRow]:
    """The rows a comparison would give one therapy: every value with its context,
    sources and disputes (for a therapy's own page).

    :raises ValueError: ``iri`` is not a therapy.
    """
    _, rows = await _rows(loaders, [iri], aspects, None)
    return rows
