"""Dose answers with their sources: the dose engine
(:mod:`therapykg.domain.dosing`) and the dose modification rules
(:mod:`therapykg.domain.modification`) run over the graph, one answer per
source, with every source loaded and every id compact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from therapykg.domain import dosing, modification
from therapykg.domain.evidence import Quantity, Source
from therapykg.domain.ids import UserInputError, to_id
from therapykg.domain.loaders import Loaders


@dataclass
class DoseAnswer:
    """One source's answer to a dose question: the dose for this patient, or why there is none."""

    status: dosing.Status
    sources: list[Source]
    section: str | None  # where in the source the regimen is
    regimen: str
    regimen_label: str
    dose_step: str | None
    amount: Quantity | None  # the dose for this patient (for example 15.6 ug/d)
    stated: Quantity | None  # the dose as the source states it (for example 15 ug/m2/d)
    cap: Quantity | None
    capped: bool
    body_surface_area_m2: float | None
    bsa_formula: str | None
    reason: str  # the answer in words, with the numbers used
    caveats: list[str] = field(default_factory=list)  # what the answer depends on that the source leaves open
    drug: str | None = None  # the drug given, where it is not the therapy itself (lymphodepletion before a cell infusion)


@dataclass
class EvaluatedAction:
    """One action of a dose modification rule, for this patient, with what it was chosen by."""

    sequence: int
    kind: str
    text: str  # the action for this patient, in words, with the numbers used
    rule: str
    chosen_by: str  # the parts of the report the rule's trigger matched
    dose: Quantity | None  # the dose for this patient (restart, escalation, or a drug given)
    stated_dose: Quantity | None  # the dose as the source states it
    drug: str | None
    after_days: float | None
    counted_from: str | None  # what the waiting time is counted from
    condition: str | None  # what must still hold for the action, where the report does not decide it


@dataclass
class DoseModificationAnswer:
    """One source's rules that apply to a reported event, and their actions in order."""

    sources: list[Source]
    rules: list[str]
    actions: list[EvaluatedAction]
    grading_system: str
    needs: list[str]  # rules that may apply, and what the report must add to decide them
    superseded: list[str]  # rules that also fire but are superseded by a permanent discontinuation
    caveats: list[str]


def quantity(amount: dosing.Amount | None) -> Quantity | None:
    """A dose engine amount as a quantity (None stays None)."""
    if amount is None:
        return None
    return Quantity.computed(value=amount.value, lower=amount.lower, upper=amount.upper, unit=amount.unit, text=amount.text)


async def _sources(loaders: Loaders, answers: Sequence[dosing.DoseAnswer] | Sequence[modification.RuleAnswer]) -> dict[str, Source]:
    """The sources the engine's answers name, loaded in one batch."""
    nodes = await loaders.nodes(sorted({iri for a in answers for iri, _ in a.sources}))
    return {n.iri: Source.from_node(n) for n in nodes}


async def dose_answers(loaders: Loaders, therapy_iri: str, question: dosing.DoseQuestion) -> list[DoseAnswer]:
    """Per source, the dose of ``therapy_iri`` for the question's patient, cycle and day in its setting.

    :raises UserInputError: the question holds values no patient has.
    """
    if problems := question.problems():
        raise UserInputError("; ".join(problems))
    answers = dosing.answer(await loaders.backend.select(dosing.schedule_query(therapy_iri)), question)
    sources = await _sources(loaders, answers)
    return [DoseAnswer(status=a.status, sources=[sources[iri] for iri, _ in a.sources], section=a.section,
                       regimen=to_id(a.regimen), regimen_label=a.regimen_label, dose_step=to_id(a.step) if a.step else None,
                       amount=quantity(a.amount), stated=quantity(a.stated), cap=quantity(a.cap), capped=a.capped,
                       body_surface_area_m2=a.bsa_m2, bsa_formula=a.bsa_formula, reason=a.reason, caveats=a.caveats, drug=a.drug)
            for a in answers]


def _action(action: modification.ActionAnswer) -> EvaluatedAction:
    return EvaluatedAction(sequence=action.sequence, kind=to_id(action.kind), text=action.text, rule=to_id(action.rule),
                           chosen_by=action.chosen_by, dose=quantity(action.dose), stated_dose=quantity(action.stated_dose),
                           drug=to_id(action.drug) if action.drug else None, after_days=action.after_days,
                           counted_from=action.counted_from, condition=action.condition)


async def dose_modification_answers(loaders: Loaders, therapy_iri: str, report: modification.EventReport) -> list[DoseModificationAnswer]:
    """Per source, the dose modification rules of ``therapy_iri`` that apply to the reported event, and their actions in order.

    :raises UserInputError: the report holds values no patient or event has.
    """
    if problems := report.problems():
        raise UserInputError("; ".join(problems))
    answers = modification.evaluate(await loaders.backend.select(modification.rules_query(therapy_iri)), report)
    sources = await _sources(loaders, answers)
    return [DoseModificationAnswer(sources=[sources[iri] for iri, _ in a.sources], rules=[to_id(r) for r, _ in a.rules],
                                   actions=[_action(x) for x in a.actions], grading_system=a.grading_system, needs=a.needs,
                                   superseded=a.superseded, caveats=a.caveats)
            for a in answers]
