"""The dose engine: the dose a patient gets on a day of a cycle, computed
from the dose schedules of the graph (queries/dose-schedules.rq), one
answer per regimen in scope, each with its sources.

Nothing applies everywhere by default: a regimen answers for the settings
its source states, or for every setting with a caveat where the source
states none; for the patients of its population (weight and age bands);
for the cycles it lists. Where it gives no dose the answer says why, with
the numbers used, instead of returning nothing."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from therapykg.domain.rows import Row, add_bound, add_source, integer, is_true, number, required, required_number, within
from therapykg.domain.rows import text as _value
from therapykg.namespaces import TKG
from therapykg.queries import library, runnable_text

SETTINGS = {"relapsed-refractory": TKG + "RelapsedRefractory", "mrd-positive": TKG + "MRDPositiveRemission",
            "consolidation": TKG + "Consolidation"}
RESPONSES = {"cr-cri": TKG + "CompleteRemissionOrCRi", "no-cr": TKG + "NoCompleteRemission"}
_BSA_DOSE, _FLAT_DOSE, _PER_KG_DOSE = TKG + "BodySurfaceAreaDose", TKG + "FlatDose", TKG + "WeightBasedDose"
_ADULT, _PEDIATRIC = TKG + "Adult", TKG + "Pediatric"
ADULT_AGE = 18  # years: tkg:Adult is "patients 18 years and older" (ontology/vocabulary.ttl)
_AGE_IN_YEARS = {"a": 1.0, "mo": 1 / 12, "wk": 7 / 365.25, "d": 1 / 365.25}
BSA_FORMULA = "Mosteller: sqrt(height cm x weight kg / 3600), rounded to 0.01 m2"


class Status(Enum):
    DOSE = "a dose is given on this day"
    TREATMENT_FREE = "no dose on this day of the cycle"
    NOT_COVERED = "the source gives no dose for this case"
    OUTSIDE_POPULATION = "the patient is outside the populations the source doses"
    BEYOND_MAXIMUM_CYCLES = "the cycle is past the most the source allows"
    NEEDS_INPUT = "more about the patient is needed"
    SOURCE_FLAGGED = "the source's schedule is flagged as probably wrong"


@dataclass(frozen=True)
class Patient:
    weight_kg: float
    height_cm: float | None = None
    bsa_m2: float | None = None
    age_years: float | None = None

    def problems(self) -> list[str]:
        """Values no patient has (the engine refuses them rather than compute from them)."""
        found = []
        if not 0 < self.weight_kg <= 400:
            found.append(f"weight {self.weight_kg:g} kg is not a plausible body weight (0-400 kg)")
        if self.height_cm is not None and not 20 <= self.height_cm <= 250:
            found.append(f"height {self.height_cm:g} cm is not a plausible height (20-250 cm)")
        if self.bsa_m2 is not None and not 0 < self.bsa_m2 <= 4:
            found.append(f"body surface area {self.bsa_m2:g} m2 is not plausible (0-4 m2)")
        if self.age_years is not None and not 0 <= self.age_years <= 120:
            found.append(f"age {self.age_years:g} years is not plausible (0-120)")
        return found


@dataclass(frozen=True)
class DoseQuestion:
    setting: str  # a clinical setting IRI (SETTINGS)
    patient: Patient
    cycle: int
    day: int
    response: str | None = None  # a response status IRI (RESPONSES), for response-dependent schedules

    def problems(self) -> list[str]:
        found = self.patient.problems()
        if self.cycle < 1:
            found.append("cycles are counted from 1")
        if not -60 <= self.day <= 400:
            found.append(f"day {self.day} is outside any schedule (-60 to 400)")
        return found


@dataclass(frozen=True)
class Amount:
    """A dose: one value, or a range from ``lower`` to ``upper`` (a cell dose), in a UCUM unit."""

    value: float | None
    unit: str
    lower: float | None = None
    upper: float | None = None

    @property
    def text(self) -> str:
        number = f"{self.lower:g}-{self.upper:g}" if self.value is None else f"{self.value:g}"
        scaled = _SCALED.match(self.unit)
        if scaled:  # 10*6{CAR-positive viable T cells}/kg -> "x 10^6 CAR-positive viable T cells/kg"
            return f"{number} x 10^{scaled.group(1)} {scaled.group(2)}{scaled.group(3)}"
        return f"{number} {self.unit}"

    @property
    def point(self) -> float:
        """The one value of an amount that is not a range."""
        if self.value is None:
            raise ValueError(f"{self.text} is a range, not one value")
        return self.value

    @property
    def bounds(self) -> tuple[float, float]:
        """(lower, upper); one value is its own range."""
        if self.value is not None:
            return self.value, self.value
        if self.lower is None or self.upper is None:
            raise ValueError(f"an amount in {self.unit} with neither a value nor both bounds")
        return self.lower, self.upper

    def times(self, factor: float, unit: str) -> Amount:
        if self.value is None:
            lower, upper = self.bounds
            return Amount(None, unit, round(lower * factor, 2), round(upper * factor, 2))
        return Amount(round(self.value * factor, 2), unit)

    def in_unit_of(self, other: Amount) -> float | None:
        """This amount's value (or upper bound) in ``other``'s unit, where the two differ only by a power of ten."""
        mine, theirs = _scale(self.unit), _scale(other.unit)
        if mine[1] != theirs[1]:
            return None
        factor: float = 10 ** (mine[0] - theirs[0])  # (int ** int is typed Any: a negative power is a float)
        return self.bounds[1] * factor


_SCALED = re.compile(r"^10\*(\d+)\{([^}]*)\}(.*)$")


def _scale(unit: str) -> tuple[int, str]:
    """(power of ten, the unit without it): 10*8{cells} -> (8, "{cells}")."""
    scaled = _SCALED.match(unit)
    return (int(scaled.group(1)), "{" + scaled.group(2) + "}" + scaled.group(3)) if scaled else (0, unit)


@dataclass
class DoseAnswer:
    status: Status
    regimen: str
    regimen_label: str
    sources: list[tuple[str, str]]  # (IRI, label)
    section: str | None
    reason: str
    step: str | None = None
    amount: Amount | None = None  # for this patient
    stated: Amount | None = None  # as the source states it (for example 15 ug/m2/d)
    cap: Amount | None = None
    capped: bool = False
    bsa_m2: float | None = None
    bsa_formula: str | None = None
    caveats: list[str] = field(default_factory=list)
    drug: str | None = None  # the drug given, where it is not the therapy (lymphodepletion)


class _Reply(Protocol):
    """The answer of the regimen at hand, with its status, the reason and any other DoseAnswer fields."""

    def __call__(self, status: Status, reason: str, **values: Any) -> DoseAnswer: ...


@dataclass
class _Step:
    iri: str
    drug: str | None
    first_day: int | None
    last_day: int | None
    dose: Amount | None
    basis: str | None
    cap: Amount | None


@dataclass
class _Cycle:
    iri: str
    first: int
    last: int | None
    days: float | None
    free_days: float | None
    response: str | None
    note: str | None
    steps: dict[str, _Step] = field(default_factory=dict)

    def covers(self, cycle: int) -> bool:
        return self.first <= cycle and (self.last is None or cycle <= self.last)


@dataclass
class _Bound:
    value: float
    comparator: str

    def admits(self, value: float) -> bool:
        return within(value, self.value, self.comparator)


@dataclass
class _Regimen:
    iri: str
    label: str
    section: str | None
    sources: dict[str, str] = field(default_factory=dict)
    settings: set[str] = field(default_factory=set)
    setting_not_stated: bool = False
    issues: set[str] = field(default_factory=set)
    weight: list[_Bound] = field(default_factory=list)
    age: list[_Bound] = field(default_factory=list)  # in years
    age_groups: set[str] = field(default_factory=set)  # tkg:Adult (18 and older) and tkg:Pediatric (younger), as the ontology defines them
    maximum_cycles: int | None = None
    maximum_cycles_condition: str | None = None
    last_cycle_listed: int | None = None
    cycles_without_response: int | None = None
    cycles: dict[str, _Cycle] = field(default_factory=dict)


def schedule_query(therapy: str) -> str:
    """The SPARQL text whose rows :func:`answer` reads, for ``therapy`` (an IRI or compact name)."""
    return runnable_text(library()["dose-schedules"], {"therapy": therapy})


def read_schedules(rows: list[Row]) -> list[_Regimen]:
    """The regimens of ``rows`` (queries/dose-schedules.rq), in row order."""
    regimens: dict[str, _Regimen] = {}
    for row in rows:
        iri = required(row, "regimen")
        regimen = regimens.get(iri)
        if regimen is None:
            regimen = regimens[iri] = _Regimen(iri, _value(row, "regimenLabel") or iri, _value(row, "section"))
            regimen.setting_not_stated = is_true(row, "settingNotStated")
            regimen.maximum_cycles = integer(row, "maximumCycles")
            regimen.maximum_cycles_condition = _value(row, "maximumCyclesCondition")
            regimen.last_cycle_listed = integer(row, "lastCycleListed")
            regimen.cycles_without_response = integer(row, "maximumCyclesWithoutResponse")
            for name, bounds, scale in (("minWeight", regimen.weight, None), ("maxWeight", regimen.weight, None),
                                        ("minAge", regimen.age, "minAgeUnit"), ("maxAge", regimen.age, "maxAgeUnit")):
                value = number(row, name)
                if value is not None:
                    unit = _value(row, scale) if scale else None
                    comparator = _value(row, name + "Comparator") or (">=" if name.startswith("min") else "<=")
                    bounds.append(_Bound(value * _AGE_IN_YEARS.get(unit or "", 1.0) if scale else value, comparator))
        add_source(row, regimen.sources)
        add_bound(row, {"setting": regimen.settings, "issue": regimen.issues, "ageGroup": regimen.age_groups})
        cycle_iri = required(row, "cycle")
        cycle = regimen.cycles.get(cycle_iri)
        if cycle is None:
            cycle = regimen.cycles[cycle_iri] = _Cycle(cycle_iri, integer(row, "firstCycle") or 1, integer(row, "lastCycle"),
                                                       number(row, "cycleDays"), number(row, "freeDays"),
                                                       _value(row, "response"), _value(row, "cycleNote"))
        step_iri = _value(row, "step")
        if step_iri and step_iri not in cycle.steps:
            dose = None
            if _value(row, "dose") is not None:
                dose = Amount(required_number(row, "dose"), required(row, "unit"))
            elif _value(row, "doseLow") is not None:
                dose = Amount(None, required(row, "unit"), number(row, "doseLow"), number(row, "doseHigh"))
            cap = Amount(required_number(row, "cap"), required(row, "capUnit")) if _value(row, "cap") else None
            drug = _value(row, "stepDrugLabel") or _value(row, "stepDrug")
            cycle.steps[step_iri] = _Step(step_iri, drug, integer(row, "firstDay"), integer(row, "lastDay"), dose, _value(row, "basis"), cap)
    return list(regimens.values())


def mosteller(height_cm: float, weight_kg: float) -> float:
    return round(math.sqrt(height_cm * weight_kg / 3600), 2)


def answer(rows: list[Row], question: DoseQuestion) -> list[DoseAnswer]:
    """One answer per regimen in scope for the question's setting (answers
    of one source's regimens for other weight or age bands are folded into
    one OUTSIDE_POPULATION answer when none of them fits the patient).

    :raises ValueError: the question holds values no patient has.
    """
    if problems := question.problems():
        raise ValueError("; ".join(problems))
    in_scope = [r for r in read_schedules(rows) if question.setting in r.settings or (r.setting_not_stated and not r.settings)]
    by_sources: dict[tuple[str, ...], list[_Regimen]] = {}
    for regimen in in_scope:
        by_sources.setdefault(tuple(sorted(regimen.sources)), []).append(regimen)
    answers = []
    for regimens in by_sources.values():
        # A regimen for another weight band is another source's business only when no band fits.
        candidates = [r for r in regimens if _outside(r, question.patient) != "weight"]
        if not candidates:
            bands = "; ".join(f"{r.label}: {_bands(r)}" for r in regimens)
            first = regimens[0]
            answers.append(DoseAnswer(Status.OUTSIDE_POPULATION, first.iri, first.label, _sources(first), first.section,
                                      f"{question.patient.weight_kg:g} kg is outside every population this source doses here ({bands})"))
            continue
        answers += [a for r in candidates for a in _answer(r, question)]
    return sorted(answers, key=lambda a: (a.sources[0][1].lower(), a.regimen_label))


def _sources(regimen: _Regimen) -> list[tuple[str, str]]:
    return list(regimen.sources.items())


def _bands(regimen: _Regimen) -> str:
    weight = " and ".join(f"{b.comparator} {b.value:g} kg" for b in regimen.weight)
    age = " and ".join(f"{b.comparator} {b.value:g} years" for b in regimen.age)
    groups = " or ".join(sorted({_ADULT: "adults (18 years and older)", _PEDIATRIC: "children (younger than 18)"}.get(g, g)
                                for g in regimen.age_groups))
    return ", ".join(part for part in (weight, age, groups) if part) or "no weight or age band"


def _outside(regimen: _Regimen, patient: Patient) -> str | None:
    """None when the patient is in the regimen's population; else "weight", or "age" (not known, or outside)."""
    if not all(bound.admits(patient.weight_kg) for bound in regimen.weight):
        return "weight"
    if regimen.age and (patient.age_years is None or not all(bound.admits(patient.age_years) for bound in regimen.age)):
        return "age"
    # An age group is checked when the age is given (the ontology defines adults as 18 and older).
    if patient.age_years is not None and regimen.age_groups and not any(
            (group == _ADULT and patient.age_years >= ADULT_AGE) or (group == _PEDIATRIC and patient.age_years < ADULT_AGE)
            for group in regimen.age_groups):
        return "age"
    return None


def _answer(regimen: _Regimen, question: DoseQuestion) -> list[DoseAnswer]:
    """The regimen's answer: one per dose step given that day (two drugs may be given on one day), else one."""
    decided = _decide(regimen, question)
    return decided if isinstance(decided, list) else [decided]


def _decide(regimen: _Regimen, question: DoseQuestion) -> DoseAnswer | list[DoseAnswer]:
    def reply(status: Status, reason: str, **values: Any) -> DoseAnswer:
        return DoseAnswer(status, regimen.iri, regimen.label, _sources(regimen), regimen.section, reason, caveats=caveats, **values)

    caveats = []
    if regimen.setting_not_stated:
        caveats.append("The source ties this schedule to no clinical setting; it is shown for every setting, and another "
                       "source may give a different schedule for this one.")
    if regimen.maximum_cycles_condition:
        caveats.append(f"Maximum of {regimen.maximum_cycles} cycles for: {regimen.maximum_cycles_condition}")
    patient, cycle, day = question.patient, question.cycle, question.day
    outside = _outside(regimen, patient)
    if outside == "age":
        if patient.age_years is None:
            return reply(Status.NEEDS_INPUT, f"this schedule is for {_bands(regimen)}: give the patient's age")
        return reply(Status.OUTSIDE_POPULATION, f"{patient.age_years:g} years is outside this schedule's population ({_bands(regimen)})")
    if regimen.issues:
        return reply(Status.SOURCE_FLAGGED, "the source's values for this schedule are flagged as probably wrong "
                                            f"({', '.join(i.rsplit('/', 1)[-1] for i in sorted(regimen.issues))}); no dose is computed from them")
    if regimen.cycles_without_response and question.response == RESPONSES["no-cr"] and cycle > regimen.cycles_without_response:
        return reply(Status.BEYOND_MAXIMUM_CYCLES, f"treatment stops for patients without CR or CRi within "
                                                   f"{regimen.cycles_without_response} cycles: cycle {cycle} is not given")
    if regimen.maximum_cycles and cycle > regimen.maximum_cycles:
        return reply(Status.BEYOND_MAXIMUM_CYCLES, f"this schedule allows at most {regimen.maximum_cycles} cycles: cycle {cycle} is past it")
    covering = [c for c in regimen.cycles.values() if c.covers(cycle)]
    if not covering:
        listed = regimen.last_cycle_listed or max((c.last or c.first for c in regimen.cycles.values()), default=0)
        return reply(Status.NOT_COVERED, f"the source's schedule lists cycles 1-{listed} and states no dose for cycle {cycle}")
    if any(c.response for c in covering):
        if question.response is None:
            kinds = ", ".join(sorted({c.response.rsplit('/', 1)[-1] for c in covering if c.response}))
            return reply(Status.NEEDS_INPUT, f"cycle {cycle} doses depend on the response so far ({kinds}): give the response status")
        covering = [c for c in covering if c.response in (None, question.response)]
        if not covering:
            return reply(Status.NOT_COVERED, f"the source gives no cycle {cycle} schedule for this response status")
    chosen = covering[0]
    if not chosen.steps:
        note = f" ({chosen.note})" if chosen.note else ""
        return reply(Status.NOT_COVERED, f"the source describes cycle {cycle}{note} but states no dose, length or interval for it")
    given = [s for s in chosen.steps.values() if s.first_day is not None and s.first_day <= day and (s.last_day is None or day <= s.last_day)]
    if not given:
        return _no_step(reply, chosen, cycle, day)
    answers = [_dose(reply, step, patient, cycle, day) for step in given]
    for step, dosed in zip(given, answers, strict=True):
        dosed.drug = step.drug
    return answers


def _dose_days(cycle: _Cycle) -> str:
    spans = sorted((s.first_day, s.last_day) for s in cycle.steps.values() if s.first_day is not None)
    def span(a: int, b: int | None) -> str:
        if a == b:
            return f"{a}"
        joint = " to " if a < 0 else "-"  # -4 to -2, not -4--2
        return f"{a}{joint}{b if b is not None else ''}"
    return ", ".join(span(a, b) for a, b in spans)


def _no_step(reply: _Reply, chosen: _Cycle, cycle: int, day: int) -> DoseAnswer:
    doses = _dose_days(chosen)
    first = min((s.first_day for s in chosen.steps.values() if s.first_day is not None), default=1)
    if day < min(first, 1):
        return reply(Status.NOT_COVERED, f"day {day} is before this schedule's first day ({first}); doses on days {doses}")
    if chosen.days is not None and day <= chosen.days:
        free = f", {chosen.free_days:g} of them treatment-free" if chosen.free_days else ""
        return reply(Status.TREATMENT_FREE, f"no dose on day {day} of cycle {cycle}: doses on days {doses} of a {chosen.days:g}-day cycle{free}")
    if chosen.days is not None:
        return reply(Status.NOT_COVERED, f"day {day} is past the end of cycle {cycle}, which lasts {chosen.days:g} days")
    last = max((s.last_day or s.first_day or 0) for s in chosen.steps.values())
    if day > last:
        return reply(Status.NOT_COVERED, f"the source gives doses on days {doses} of cycle {cycle} and no cycle length or "
                                         f"treatment-free interval after day {last}")
    return reply(Status.TREATMENT_FREE, f"no dose on day {day} of cycle {cycle}: doses on days {doses}")


def _dose(reply: _Reply, step: _Step, patient: Patient, cycle: int, day: int) -> DoseAnswer:
    where = f"day {day} of cycle {cycle}" + (f" ({step.drug})" if step.drug else "")
    if step.dose is None:
        return reply(Status.NOT_COVERED, f"the source states no dose for {where}", step=step.iri)
    if step.basis == _FLAT_DOSE:
        return reply(Status.DOSE, f"flat dose {step.dose.text} on {where}", step=step.iri, amount=step.dose, stated=step.dose)
    if step.basis == _PER_KG_DOSE and step.dose.unit.endswith("/kg"):
        return _per_kg(reply, step, step.dose, patient, where)
    if step.basis != _BSA_DOSE or "/m2" not in step.dose.unit:
        return reply(Status.NOT_COVERED, f"the dose basis of {where} ({step.basis}) is not one the engine computes", step=step.iri,
                     stated=step.dose)
    if patient.bsa_m2 is not None:
        bsa, formula = patient.bsa_m2, "given"
    elif patient.height_cm is not None:
        bsa, formula = mosteller(patient.height_cm, patient.weight_kg), BSA_FORMULA
    else:
        return reply(Status.NEEDS_INPUT, f"the dose on {where} is {step.dose.text}: give the body surface area, or the height to "
                                         "compute it", step=step.iri, stated=step.dose)
    if step.dose.value is None:
        return reply(Status.NOT_COVERED, f"the dose on {where} is a range per m2 ({step.dose.text}), which is not computed",
                     step=step.iri, stated=step.dose)
    raw = step.dose.value * bsa
    unit = step.dose.unit.replace("/m2", "")
    capped = step.cap is not None and raw > step.cap.point
    amount = Amount(step.cap.point if step.cap is not None and capped else round(raw, 2), unit)
    bsa_words = f"{bsa:g} m2 ({'given' if formula == 'given' else 'Mosteller from ' + f'{patient.height_cm:g} cm and {patient.weight_kg:g} kg'})"
    reason = f"{step.dose.text} x {bsa_words} = {round(raw, 2):g} {unit}"
    if step.cap is not None:
        reason += f", capped at {step.cap.text}" if capped else f" (within the cap of {step.cap.text})"
    return reply(Status.DOSE, f"{reason}, on {where}", step=step.iri, amount=amount, stated=step.dose, cap=step.cap, capped=capped,
                 bsa_m2=bsa, bsa_formula=formula)


def _per_kg(reply: _Reply, step: _Step, dose: Amount, patient: Patient, where: str) -> DoseAnswer:
    """A dose per kg of body weight (or a range of them), with the step's maximum."""
    raw = dose.times(patient.weight_kg, dose.unit[:-len("/kg")])
    reason = f"{dose.text} x {patient.weight_kg:g} kg = {raw.text}"
    amount, capped = raw, False
    if step.cap is not None:
        over = raw.in_unit_of(step.cap)
        if over is None:
            return reply(Status.NOT_COVERED, f"the maximum {step.cap.text} is in a unit the dose cannot be compared with", step=step.iri,
                         stated=dose)
        capped = over > step.cap.point
        if capped:
            amount = step.cap if raw.value is not None else Amount(None, step.cap.unit, raw.bounds[0] * (step.cap.point / over),
                                                                   step.cap.point)
            reason += f", capped at the maximum of {step.cap.text}"
        else:
            reason += f" (within the maximum of {step.cap.text})"
    return reply(Status.DOSE, f"{reason}, on {where}", step=step.iri, amount=amount, stated=dose, cap=step.cap, capped=capped)
