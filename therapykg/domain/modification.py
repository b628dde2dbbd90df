"""Dose modification rules, evaluated: for an event at a grade (with how
long it lasted, whether it recurred, a condition such as seizures) in a
setting and for a patient, each source's rules that apply, and their actions
in order, each with the condition it was chosen by.

A rule applies in the settings and to the weight band its source states
(or, where the source states none, everywhere with a caveat saying so). A
rule whose firing depends on something not given is reported as needing it.
Within one source, a rule that discontinues permanently comes first and
supersedes the others that fire with it: after it, nothing else is done."""

from __future__ import annotations

from dataclasses import dataclass, field

from therapykg.domain.dosing import Amount, Patient, mosteller
from therapykg.domain.rows import Row, add_bound, add_source, is_true, number, required, required_number, within
from therapykg.domain.rows import text as _v
from therapykg.namespaces import TKG
from therapykg.queries import library, runnable_text

_DISCONTINUE, _ESCALATE = TKG + "DiscontinuePermanently", TKG + "Escalate"
_ANCHORS = {TKG + "FromRestart": "counted from the restart"}


@dataclass(frozen=True)
class EventReport:
    setting: str  # a clinical setting IRI
    patient: Patient
    event: str  # an adverse event IRI
    grade: int | None = None
    duration_days: float | None = None  # how long the event lasted, or took to resolve
    recurred: bool | None = None  # whether it came back after the restart
    condition: str | None = None  # a finding the rule may name (for example seizure)
    occurrences: int | None = None  # how many times (for example seizures)
    current_dose: Amount | None = None

    def problems(self) -> list[str]:
        found = self.patient.problems()
        if self.grade is not None and not 1 <= self.grade <= 5:
            found.append("grade must be a grade from 1 to 5")
        if self.duration_days is not None and self.duration_days < 0:
            found.append("duration must not be negative")
        if self.occurrences is not None and self.occurrences < 1:
            found.append("occurrences are counted from 1")
        if self.current_dose is not None and not (self.current_dose.value or 0) > 0:
            found.append("the current dose must be positive")
        return found


@dataclass
class ActionAnswer:
    sequence: int
    kind: str  # an action kind IRI
    text: str  # the action for this patient, in words
    rule: str
    chosen_by: str  # the condition the action was chosen by
    dose: Amount | None = None  # for this patient (restart, escalate, maintain, or a drug's dose)
    stated_dose: Amount | None = None
    drug: str | None = None
    after_days: float | None = None
    counted_from: str | None = None
    condition: str | None = None  # what must still hold for the action (not decidable from the report)


@dataclass
class RuleAnswer:
    """One source's answer: the actions, in order, of the rules that apply."""

    sources: list[tuple[str, str]]
    rules: list[tuple[str, str]]  # (IRI, label) of the rules applied
    actions: list[ActionAnswer]
    grading_system: str
    needs: list[str] = field(default_factory=list)  # rules that might apply, and what they need to decide
    superseded: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


@dataclass
class _Action:
    iri: str
    sequence: int
    kind: str
    label: str
    target: Amount | None
    drug: str | None
    drug_label: str | None
    drug_dose: Amount | None
    drug_cap: Amount | None
    after_days: float | None
    anchor: str | None
    unless_recurred: bool
    max_event_days: float | None
    condition: str | None


@dataclass
class _Rule:
    iri: str
    label: str
    section: str | None
    sources: dict[str, str] = field(default_factory=dict)
    settings: set[str] = field(default_factory=set)
    setting_not_stated: bool = False
    population_not_stated: bool = False
    weight: list[tuple[float, str]] = field(default_factory=list)
    grading: str | None = None
    events: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    min_grade: int | None = None
    max_grade: int | None = None
    min_duration: tuple[float, str] | None = None
    min_occurrences: int | None = None
    on_recurrence: bool = False
    actions: dict[str, _Action] = field(default_factory=dict)


def rules_query(therapy: str) -> str:
    """The SPARQL text whose rows :func:`evaluate` reads."""
    return runnable_text(library()["dose-modification-rules"], {"therapy": therapy})


def read_rules(rows: list[Row]) -> list[_Rule]:
    rules: dict[str, _Rule] = {}
    for row in rows:
        iri = required(row, "rule")
        rule = rules.get(iri)
        if rule is None:
            rule = rules[iri] = _Rule(iri, _v(row, "ruleLabel") or iri, _v(row, "section"))
            rule.setting_not_stated, rule.population_not_stated = is_true(row, "settingNotStated"), is_true(row, "populationNotStated")
            for name, default in (("minWeight", ">="), ("maxWeight", "<=")):
                if _v(row, name) is not None:
                    rule.weight.append((required_number(row, name), _v(row, name + "Comparator") or default))
            rule.grading = _v(row, "grading")
            rule.min_grade = int(required_number(row, "minGrade")) if _v(row, "minGrade") else None
            rule.max_grade = int(required_number(row, "maxGrade")) if _v(row, "maxGrade") else None
            if _v(row, "minDurationDays") is not None:
                rule.min_duration = (required_number(row, "minDurationDays"), _v(row, "minDurationComparator") or ">=")
            rule.min_occurrences = int(required_number(row, "minOccurrences")) if _v(row, "minOccurrences") else None
            rule.on_recurrence = is_true(row, "onRecurrence")
        add_source(row, rule.sources)
        add_bound(row, {"setting": rule.settings, "event": rule.events, "condition": rule.conditions})
        action = required(row, "action")
        if action not in rule.actions:
            def amount(value: str, unit: str, row: Row = row) -> Amount | None:
                return Amount(required_number(row, value), required(row, unit)) if _v(row, value) is not None else None
            rule.actions[action] = _Action(action, int(number(row, "sequence") or 0), _v(row, "kind") or "", _v(row, "actionLabel") or "",
                                           amount("targetDose", "targetUnit"), _v(row, "drug"), _v(row, "drugLabel"),
                                           amount("drugDose", "drugUnit"), amount("drugCap", "drugCapUnit"), number(row, "afterDays"),
                                           _v(row, "anchor"), is_true(row, "unlessRecurred"), number(row, "maxEventDays"),
                                           _v(row, "actionCondition"))
    return list(rules.values())


def _fires(rule: _Rule, report: EventReport) -> tuple[bool, str, str | None]:
    """(fires, why, what is missing to decide): whether the rule's trigger matches the report."""
    if report.event not in rule.events | rule.conditions:
        return False, "", None
    why = [f"event {report.event.rsplit('/', 1)[-1]}"]
    if rule.min_grade is not None or rule.max_grade is not None:
        if report.grade is None:
            return False, "", f"{rule.label}: give the grade"
        if (rule.min_grade is not None and report.grade < rule.min_grade) or (rule.max_grade is not None and report.grade > rule.max_grade):
            return False, "", None
        why.append(f"grade {report.grade}")
    # A named finding (seizure, a liver test) must be the one reported; a duration condition is decided by the duration.
    named = rule.conditions - {report.event}
    if named and rule.min_duration is None:
        if report.condition not in named:
            return False, "", None
        why.append(report.condition.rsplit("/", 1)[-1])
    if rule.min_duration is not None:
        days, comparator = rule.min_duration
        if report.duration_days is None:
            return False, "", f"{rule.label}: give how long the event lasted (it applies when {comparator} {days:g} days)"
        if not within(report.duration_days, days, comparator):
            return False, "", None
        why.append(f"lasted {report.duration_days:g} days ({comparator} {days:g})")
    if rule.min_occurrences is not None:
        if report.occurrences is None:
            return False, "", f"{rule.label}: give the number of occurrences (it applies from {rule.min_occurrences})"
        if report.occurrences < rule.min_occurrences:
            return False, "", None
        why.append(f"{report.occurrences} occurrences (from {rule.min_occurrences})")
    if rule.on_recurrence:
        if report.recurred is None:
            return False, "", f"{rule.label}: say whether the event recurred after the restart"
        if not report.recurred:
            return False, "", None
        why.append("recurred after the restart")
    return True, ", ".join(why), None


def _patient_dose(stated: Amount, cap: Amount | None, patient: Patient) -> tuple[Amount | None, str]:
    """The dose for this patient and how it was worked out; None where a BSA is needed and not given."""
    if "/m2" not in stated.unit:
        return stated, stated.text
    bsa = patient.bsa_m2 if patient.bsa_m2 is not None else (mosteller(patient.height_cm, patient.weight_kg) if patient.height_cm else None)
    if bsa is None:
        return None, f"{stated.text} (give the body surface area or the height to compute it)"
    if stated.value is None:
        return None, f"{stated.text} (a range per m2, which is not computed)"
    raw = stated.value * bsa
    unit = stated.unit.replace("/m2", "")
    if cap is not None and raw > cap.point:
        return cap, f"{stated.text} x {bsa:g} m2 = {raw:.2f} {unit}, capped at {cap.text}"
    return Amount(round(raw, 2), unit), f"{stated.text} x {bsa:g} m2 = {raw:.2f} {unit}"


def _actions(rule: _Rule, report: EventReport, chosen_by: str) -> list[ActionAnswer]:
    out = []
    for action in sorted(rule.actions.values(), key=lambda a: a.sequence):
        condition = []
        if action.unless_recurred:
            if report.recurred:
                continue  # the event came back: this step is not taken
            if report.recurred is None:
                condition.append("only if the event does not recur")
        if action.max_event_days is not None:
            if report.duration_days is not None and report.duration_days > action.max_event_days:
                continue  # the event took longer than this step allows
            if report.duration_days is None:
                condition.append(f"only if the event resolved within {action.max_event_days:g} days")
        if action.condition and not (action.unless_recurred or action.max_event_days is not None):
            condition.append(action.condition)  # in words only: nothing in the report decides it
        stated = action.target or action.drug_dose
        dose, worked = _patient_dose(stated, action.drug_cap, report.patient) if stated else (None, "")
        text = action.label + (f": {worked}" if stated and worked != stated.text else "")
        if action.after_days is not None:
            text += f" (after {action.after_days:g} days, {_ANCHORS.get(action.anchor or '', 'counted from the previous step')})"
        current = report.current_dose
        if current is not None and dose is not None and action.drug is None and current.unit == dose.unit:
            text += f" (the current dose is {current.text})"
            if action.kind == _ESCALATE and current.value is not None and dose.value is not None and current.value >= dose.value:
                condition.append(f"the current dose ({current.text}) is already at or above it")
        out.append(ActionAnswer(action.sequence, action.kind, text, rule.iri, chosen_by, dose, stated, action.drug, action.after_days,
                                _ANCHORS.get(action.anchor) if action.anchor else None, "; ".join(condition) or None))
    return out


def _in_scope(rule: _Rule, report: EventReport) -> bool:
    if report.setting not in rule.settings and not (rule.setting_not_stated and not rule.settings):
        return False
    return all(within(report.patient.weight_kg, bound, comparator) for bound, comparator in rule.weight)


def evaluate(rows: list[Row], report: EventReport) -> list[RuleAnswer]:
    """Per source, the actions of the rules that apply to the report, in order.

    :raises ValueError: the report holds values no patient or event has.
    """
    if problems := report.problems():
        raise ValueError("; ".join(problems))
    by_source: dict[tuple[str, ...], list[_Rule]] = {}
    for rule in read_rules(rows):
        if _in_scope(rule, report):
            by_source.setdefault(tuple(sorted(rule.sources)), []).append(rule)
    answers = []
    for rules in by_source.values():
        fired, needs = [], []
        for rule in rules:
            fires, why, missing = _fires(rule, report)
            if fires:
                fired.append((rule, why))
            elif missing:
                needs.append(missing)
        if not fired and not needs:
            continue
        stopping = [(r, why) for r, why in fired if any(a.kind == _DISCONTINUE for a in r.actions.values())]
        applied = stopping[:1] if stopping else fired
        superseded = [f"{r.label}: superseded by permanent discontinuation" for r, _ in fired if stopping and (r, _) not in applied]
        if stopping:
            needs = []  # nothing else is done once treatment stops
        actions = [a for rule, why in applied for a in _actions(rule, report, why)]
        first = rules[0]
        caveats = []
        if any(r.setting_not_stated for r, _ in applied):
            caveats.append("The source ties this rule to no clinical setting; it is shown for every setting.")
        if any(r.population_not_stated for r, _ in applied):
            caveats.append("The source states no weight or age band for this rule; doses in it are as stated, and another "
                           "source may give per-m2 doses for patients under 45 kg.")
        gradings = {r.grading for r, _ in applied if r.grading}
        grading = ", ".join(sorted(g.rsplit("/", 1)[-1] for g in gradings)) or "not stated by the source"
        answers.append(RuleAnswer(list(first.sources.items()), [(r.iri, r.label) for r, _ in applied], actions, grading, needs,
                                  superseded, caveats))
    return sorted(answers, key=lambda a: a.sources[0][1].lower())
