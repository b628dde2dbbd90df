"""Dose calculation from the regimen data in the graph: the weight band of
the regimen's population, the cycle and day, the dose basis and the cap."""

from __future__ import annotations

import math
from enum import Enum

import strawberry

from therapykg.api.graphql.types.common import Citation, Quantity, Source
from therapykg.domain import dosing, modification
from therapykg.domain.ids import UserInputError, to_id
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import Node, Struct
from therapykg.namespaces import TKG


@strawberry.type(description="A dose computed from a regimen of the graph, with the rule applied and its source.")
class DoseCalculation:
    regimen: strawberry.ID
    dose_step: strawberry.ID
    dose: float
    unit: str
    capped: bool = strawberry.field(description="True when the per-BSA dose was limited by the step's cap.")
    body_surface_area_m2: float | None
    bsa_formula: str | None = strawberry.field(description="How the BSA was obtained: given, or Mosteller from height and weight.")
    rule: str = strawberry.field(description="The computation in words, with the numbers used.")
    sources: list[Citation]


def _bound(population: Node, name: str) -> tuple[float, str] | None:
    struct = population.tkg1(name)
    if not isinstance(struct, Struct) or struct.get_tkg("numericValue") is None:
        return None
    return float(struct.get_tkg("numericValue")), struct.get_tkg("comparator") or (">=" if name.startswith("minimum") else "<=")


def _in_band(weight: float, population: Node) -> str | None:
    """None when the weight fits the population's band, else why not."""
    low, high = _bound(population, "minimumWeight"), _bound(population, "maximumWeight")
    if low and not (weight > low[0] if low[1] == ">" else weight >= low[0]):
        return f"{population.label} ({low[1]} {low[0]:g} kg)"
    if high and not (weight < high[0] if high[1] == "<" else weight <= high[0]):
        return f"{population.label} ({high[1]} {high[0]:g} kg)"
    return None


def mosteller(height_cm: float, weight_kg: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600)


async def calculate(loaders: Loaders, regimen_iri: str, *, weight_kg: float, cycle: int, day: int,
                    bsa_m2: float | None = None, height_cm: float | None = None) -> DoseCalculation:
    """The dose on ``day`` of ``cycle``; raises UserInputError with the reason when it cannot be given."""
    if not 0 < weight_kg <= 400:
        raise UserInputError(f"weightKg {weight_kg:g} is not a plausible body weight (0-400 kg)")
    if bsa_m2 is not None and not 0 < bsa_m2 <= 4:
        raise UserInputError(f"bodySurfaceAreaM2 {bsa_m2:g} is not a plausible body surface area (0-4 m2)")
    if height_cm is not None and not 20 <= height_cm <= 250:
        raise UserInputError(f"heightCm {height_cm:g} is not a plausible height (20-250 cm)")
    if cycle < 1 or day < 1:
        raise UserInputError("cycle and day are counted from 1")
    (regimen,) = await loaders.nodes([regimen_iri])
    if not regimen.is_a("DosingRegimen"):
        raise UserInputError(f"{to_id(regimen_iri)} is not a dosing regimen")
    if regimen.tkg_refs("hasSourceIssue"):
        raise UserInputError(f"{to_id(regimen_iri)} is flagged as probably wrong in its source and is not used for dosing")
    populations = await loaders.nodes(regimen.tkg_refs("regimenPopulation"))
    for population in populations:
        outside = _in_band(weight_kg, population)
        if outside:
            raise UserInputError(f"{weight_kg:g} kg is outside this regimen's population: {outside}")
    cycles = await loaders.nodes(regimen.tkg_refs("hasCycle"))
    matching = [c for c in cycles if (c.tkg1("firstCycle") or 1) <= cycle and (c.tkg1("lastCycle") is None or cycle <= c.tkg1("lastCycle"))]
    if not matching:
        last = max((c.tkg1("lastCycle") or 0 for c in cycles), default=0)
        raise UserInputError(f"cycle {cycle} is not part of {to_id(regimen_iri)} (cycles 1-{last})")
    cycle_node = matching[0]
    steps = await loaders.nodes(cycle_node.tkg_refs("hasDoseStep"))
    if not steps:
        raise UserInputError(f"the sources give no dose for cycle {cycle} of {to_id(regimen_iri)}")
    step = next((s for s in steps if s.tkg1("firstDay") is not None and s.tkg1("firstDay") <= day
                 and (s.tkg1("lastDay") is None or day <= s.tkg1("lastDay"))), None)
    if step is None:
        last_day = max((s.tkg1("lastDay") or 0 for s in steps), default=0)
        raise UserInputError(f"day {day} is outside cycle {cycle}, whose treatment days are 1-{last_day}")
    dose = Quantity.from_struct(step.tkg1("dose"))
    cap = Quantity.from_struct(step.tkg1("doseCap"))
    sources = [Citation(source=Source.from_node(s), section=step.tkg1("sourceSection"), article_references=[])
               for s in await loaders.nodes(step.refs("http://www.w3.org/ns/prov#wasDerivedFrom"))]
    if TKG + "BodySurfaceAreaDose" not in step.tkg_refs("doseBasis"):
        return DoseCalculation(regimen=strawberry.ID(to_id(regimen_iri)), dose_step=strawberry.ID(to_id(step.iri)),
                               dose=dose.value, unit=dose.unit, capped=False, body_surface_area_m2=None, bsa_formula=None,
                               rule=f"flat dose {dose.text} on days {step.tkg1('firstDay')}-{step.tkg1('lastDay')} of cycle {cycle}",
                               sources=sources)
    formula = "given"
    if bsa_m2 is None:
        if height_cm is None:
            raise UserInputError("this dose is per m2 of body surface area: give bodySurfaceAreaM2, or heightCm to compute it")
        bsa_m2, formula = round(mosteller(height_cm, weight_kg), 3), "Mosteller: sqrt(height cm x weight kg / 3600)"
    raw = dose.value * bsa_m2
    unit = dose.unit.replace("/m2", "")
    capped = cap is not None and raw > cap.value
    final = cap.value if capped else round(raw, 3)
    rule = f"{dose.text} x {bsa_m2:g} m2 = {round(raw, 3):g} {unit}" + (f", capped at {cap.text}" if capped else
                                                                        f" (cap {cap.text})" if cap else "")
    return DoseCalculation(regimen=strawberry.ID(to_id(regimen_iri)), dose_step=strawberry.ID(to_id(step.iri)), dose=final,
                           unit=unit, capped=capped, body_surface_area_m2=bsa_m2, bsa_formula=formula, rule=rule, sources=sources)


# The dose engine (therapykg.domain.dosing) as GraphQL: one answer per source.

@strawberry.enum(description="The patient's response so far, for schedules whose later cycles depend on it.")
class ResponseStatus(Enum):
    CR_CRI = "cr-cri"
    NO_CR_CRI = "no-cr"


DoseStatus = strawberry.enum(dosing.Status, name="DoseStatus",
                             description="What a source says about this patient, cycle and day.")


@strawberry.input(description="A dose, as a value and a UCUM unit (for example 28 ug/d).")
class DoseInput:
    value: float
    unit: str


@strawberry.input(description="The patient a dose is computed for.")
class PatientInput:
    weight_kg: float
    height_cm: float | None = None
    body_surface_area_m2: float | None = None
    age_years: float | None = None


@strawberry.type(description="One source's answer to a dose question: the dose for this patient, or why there is none.")
class DoseAnswer:
    status: DoseStatus
    sources: list[Source]
    section: str | None = strawberry.field(description="Where in the source the regimen is.")
    regimen: strawberry.ID
    regimen_label: str
    dose_step: strawberry.ID | None
    amount: Quantity | None = strawberry.field(description="The dose for this patient (for example 15.6 ug/d).")
    stated: Quantity | None = strawberry.field(description="The dose as the source states it (for example 15 ug/m2/d).")
    cap: Quantity | None
    capped: bool
    body_surface_area_m2: float | None
    bsa_formula: str | None
    reason: str = strawberry.field(description="The answer in words, with the numbers used.")
    caveats: list[str] = strawberry.field(description="What the answer depends on that the source leaves open (for example no stated setting).")
    drug: str | None = strawberry.field(description="The drug given, where it is not the therapy itself (the lymphodepletion before a cell infusion).")


def _quantity(amount: dosing.Amount | None) -> Quantity | None:
    if amount is None:
        return None
    return Quantity(value=amount.value, lower=amount.lower, upper=amount.upper, unit=amount.unit, comparator=None, plus_minus=None,
                    numerator=None, denominator=None, text=amount.text)


async def _sources(loaders: Loaders, answers) -> dict[str, Source]:
    """The sources the domain answers name, loaded in one batch."""
    nodes = await loaders.nodes(sorted({iri for a in answers for iri, _ in a.sources}))
    return {n.iri: Source.from_node(n) for n in nodes}


async def dose_answers(loaders: Loaders, therapy_iri: str, setting_iri: str, patient: PatientInput, cycle: int, day: int,
                       response: ResponseStatus | None) -> list[DoseAnswer]:
    question = dosing.DoseQuestion(setting_iri,
                                   dosing.Patient(patient.weight_kg, patient.height_cm, patient.body_surface_area_m2, patient.age_years),
                                   cycle, day, dosing.RESPONSES[response.value] if response else None)
    if problems := question.problems():
        raise UserInputError("; ".join(problems))
    rows = await loaders.backend.select(dosing.schedule_query(therapy_iri))
    answers = dosing.answer(rows, question)
    sources = await _sources(loaders, answers)
    return [DoseAnswer(status=a.status, sources=[sources[iri] for iri, _ in a.sources], section=a.section,
                       regimen=strawberry.ID(to_id(a.regimen)), regimen_label=a.regimen_label,
                       dose_step=strawberry.ID(to_id(a.step)) if a.step else None, amount=_quantity(a.amount),
                       stated=_quantity(a.stated), cap=_quantity(a.cap), capped=a.capped, body_surface_area_m2=a.bsa_m2,
                       bsa_formula=a.bsa_formula, reason=a.reason, caveats=a.caveats, drug=a.drug) for a in answers]


# Dose modification rules, evaluated (therapykg.domain.modification).

@strawberry.type(description="One action of a dose modification rule, for this patient, with what it was chosen by.")
class EvaluatedAction:
    sequence: int
    kind: strawberry.ID
    text: str = strawberry.field(description="The action for this patient, in words, with the numbers used.")
    rule: strawberry.ID
    chosen_by: str = strawberry.field(description="The parts of the report the rule's trigger matched.")
    dose: Quantity | None = strawberry.field(description="The dose for this patient (restart, escalation, or a drug given).")
    stated_dose: Quantity | None = strawberry.field(description="The dose as the source states it.")
    drug: strawberry.ID | None
    after_days: float | None
    counted_from: str | None = strawberry.field(description="What the waiting time is counted from.")
    condition: str | None = strawberry.field(description="What must still hold for the action, where the report does not decide it.")


@strawberry.type(description="One source's rules that apply to a reported event, and their actions in order.")
class DoseModificationAnswer:
    sources: list[Source]
    rules: list[strawberry.ID]
    actions: list[EvaluatedAction]
    grading_system: str
    needs: list[str] = strawberry.field(description="Rules that may apply, and what the report must add to decide them.")
    superseded: list[str] = strawberry.field(description="Rules that also fire but are superseded by a permanent discontinuation.")
    caveats: list[str]


async def dose_modification_answers(loaders: Loaders, therapy_iri: str, report: modification.EventReport) -> list[DoseModificationAnswer]:
    if problems := report.problems():
        raise UserInputError("; ".join(problems))
    answers = modification.evaluate(await loaders.backend.select(modification.rules_query(therapy_iri)), report)
    sources = await _sources(loaders, answers)
    return [DoseModificationAnswer(
        sources=[sources[iri] for iri, _ in a.sources], rules=[strawberry.ID(to_id(r)) for r, _ in a.rules],
        actions=[EvaluatedAction(sequence=x.sequence, kind=strawberry.ID(to_id(x.kind)), text=x.text, rule=strawberry.ID(to_id(x.rule)),
                            chosen_by=x.chosen_by, dose=_quantity(x.dose), stated_dose=_quantity(x.stated_dose),
                            drug=strawberry.ID(to_id(x.drug)) if x.drug else None, after_days=x.after_days, counted_from=x.counted_from,
                            condition=x.condition) for x in a.actions],
        grading_system=a.grading_system, needs=a.needs, superseded=a.superseded, caveats=a.caveats) for a in answers]
