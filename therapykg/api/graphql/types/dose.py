"""Dose answers as GraphQL types, wrapping the domain's: the dose of a
regimen on a cycle day (:mod:`therapykg.domain.dose_calculation`), each
source's dose for a patient and each source's dose modification rules for a
reported event (:mod:`therapykg.domain.doses`)."""

from __future__ import annotations

from enum import Enum

import strawberry

from therapykg.api.graphql.types.common import Citation, Quantity, Source
from therapykg.domain import dose_calculation, doses, dosing


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

    @classmethod
    def from_domain(cls, calculation: dose_calculation.DoseCalculation) -> DoseCalculation:
        return cls(regimen=strawberry.ID(calculation.regimen), dose_step=strawberry.ID(calculation.dose_step), dose=calculation.dose,
                   unit=calculation.unit, capped=calculation.capped, body_surface_area_m2=calculation.body_surface_area_m2,
                   bsa_formula=calculation.bsa_formula, rule=calculation.rule,
                   sources=[Citation.from_domain(c) for c in calculation.sources])


@strawberry.enum(description="The patient's response so far, for schedules whose later cycles depend on it.")
class ResponseStatus(Enum):
    CR_CRI = "cr-cri"
    NO_CR_CRI = "no-cr"

    def to_domain(self) -> str:
        """The response status IRI the dose engine takes."""
        return dosing.RESPONSES[self.value]


# The domain's enum as a GraphQL enum: strawberry.enum marks the class itself,
# so the name is a plain alias of the domain's class (a type, to mypy).
DoseStatus = dosing.Status
strawberry.enum(DoseStatus, name="DoseStatus", description="What a source says about this patient, cycle and day.")


@strawberry.input(description="A dose, as a value and a UCUM unit (for example 28 ug/d).")
class DoseInput:
    value: float
    unit: str

    def to_domain(self) -> dosing.Amount:
        return dosing.Amount(self.value, self.unit)


@strawberry.input(description="The patient a dose is computed for.")
class PatientInput:
    weight_kg: float
    height_cm: float | None = None
    body_surface_area_m2: float | None = None
    age_years: float | None = None

    def to_domain(self) -> dosing.Patient:
        return dosing.Patient(self.weight_kg, self.height_cm, self.body_surface_area_m2, self.age_years)


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

    @classmethod
    def from_domain(cls, answer: doses.DoseAnswer) -> DoseAnswer:
        return cls(status=answer.status, sources=[Source.from_domain(s) for s in answer.sources], section=answer.section,
                   regimen=strawberry.ID(answer.regimen), regimen_label=answer.regimen_label,
                   dose_step=strawberry.ID(answer.dose_step) if answer.dose_step else None,
                   amount=Quantity.from_domain(answer.amount), stated=Quantity.from_domain(answer.stated),
                   cap=Quantity.from_domain(answer.cap), capped=answer.capped, body_surface_area_m2=answer.body_surface_area_m2,
                   bsa_formula=answer.bsa_formula, reason=answer.reason, caveats=answer.caveats, drug=answer.drug)


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

    @classmethod
    def from_domain(cls, action: doses.EvaluatedAction) -> EvaluatedAction:
        return cls(sequence=action.sequence, kind=strawberry.ID(action.kind), text=action.text, rule=strawberry.ID(action.rule),
                   chosen_by=action.chosen_by, dose=Quantity.from_domain(action.dose),
                   stated_dose=Quantity.from_domain(action.stated_dose), drug=strawberry.ID(action.drug) if action.drug else None,
                   after_days=action.after_days, counted_from=action.counted_from, condition=action.condition)


@strawberry.type(description="One source's rules that apply to a reported event, and their actions in order.")
class DoseModificationAnswer:
    sources: list[Source]
    rules: list[strawberry.ID]
    actions: list[EvaluatedAction]
    grading_system: str
    needs: list[str] = strawberry.field(description="Rules that may apply, and what the report must add to decide them.")
    superseded: list[str] = strawberry.field(description="Rules that also fire but are superseded by a permanent discontinuation.")
    caveats: list[str]

    @classmethod
    def from_domain(cls, answer: doses.DoseModificationAnswer) -> DoseModificationAnswer:
        return cls(sources=[Source.from_domain(s) for s in answer.sources], rules=[strawberry.ID(r) for r in answer.rules],
                   actions=[EvaluatedAction.from_domain(a) for a in answer.actions], grading_system=answer.grading_system,
                   needs=answer.needs, superseded=answer.superseded, caveats=answer.caveats)
