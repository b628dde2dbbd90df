"""Regimens as ``PlanDefinition``s: one per dosing regimen, an action per
cycle block (as the timeline draws it) with its dose steps, treatment-free
interval and windows as sub-actions, each dose step and each
hospitalization, monitoring, premedication or administration claim an
``ActivityDefinition``; the dose modification rules in the regimen's scope as
actions whose condition is the trigger in words (the structured trigger in
an extension). Also the FHIR ``Dosage`` of a dose step, shared with the
``MedicationKnowledge`` dosing guidelines."""

from __future__ import annotations

from therapykg.domain.fhir.identifiers import (
    UCUM,
    Graph,
    Json,
    canonical,
    concept,
    days,
    decimal,
    ext,
    fhir_id,
    local,
    narrative,
    quantity,
    quantity_or_range,
    ref,
    term,
)
from therapykg.domain.modification import _Rule
from therapykg.domain.nodes import RDFS_COMMENT, Struct
from therapykg.domain.timeline import Cycle, DoseStep, Timeline, Window
from therapykg.namespaces import TKG, TKGR, expand

_PLAN_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/plan-definition-type", "code": "clinical-protocol",
                          "display": "Clinical Protocol"}]}
_ACTIVITY_KIND = {"Premedication": "MedicationRequest", "InfusionBagOption": "MedicationRequest",
                  "MonitoringRequirement": "ServiceRequest", "HospitalizationRequirement": "ServiceRequest",
                  "AdministrationRequirement": "Task"}
ACTIVITY_CLASSES = tuple(_ACTIVITY_KIND)


def _name(iri: str) -> str:
    """A computer-friendly name (FHIR's name pattern: a letter, then letters, digits and underscores)."""
    cleaned = "".join(c if c.isalnum() else "_" for c in local(iri))
    return cleaned if cleaned[:1].isalpha() else "R" + cleaned


def _per_day(unit: str) -> str | None:
    """The amount unit of a per-day unit ("ug/d" -> "ug", "ug/m2/d" -> "ug/m2"), else None."""
    return unit[:-2] if unit.endswith("/d") else None


def dosage(graph: Graph, step: DoseStep, cycle: Cycle | None, sequence: int) -> Json:
    """A dose step as a FHIR Dosage: the dose as stated (UCUM; a per-day amount of a continuous infusion
    as a rate), its cap, route and mode, timing within the cycle, and the dose basis in an extension."""
    node = graph.get(expand(step.id))
    where = f"{cycle.name}, " if cycle is not None else ""
    out: Json = {"sequence": sequence, "text": f"{where}{step.days_text}: {step.dose_text}"}
    extensions: list[Json] = []
    if (basis := node.tkg_refs("doseBasis")):
        extensions.append(ext("dose-basis", valueCoding=term(basis[0], graph.label(basis[0]))))
    if step.first_day is not None:
        extensions.append(ext("cycle-first-day", valueInteger=step.first_day))
    if step.last_day is not None:
        extensions.append(ext("cycle-last-day", valueInteger=step.last_day))
    if extensions:
        out["extension"] = extensions
    stated = quantity_or_range(node.tkg1("dose"))
    continuous = TKG + "ContinuousInfusion" in node.tkg_refs("hasAdministrationMode")
    if stated is not None:
        kind, value = stated
        bound: Json = value.get("low") or value.get("high") or {}
        unit = value.get("unit") or bound.get("unit", "")
        rate = _per_day(str(unit)) is not None
        field = ("rate" if rate else "dose") + kind
        out["doseAndRate"] = [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/dose-rate-type",
                                                    "code": "ordered", "display": "Ordered"}]}, field: value}]
    cap = quantity(node.tkg1("doseCap"))
    if cap is not None:
        amount = _per_day(cap["unit"])
        if amount is not None:
            out["maxDosePerPeriod"] = [{"numerator": {**cap, "unit": amount, "code": amount},
                                        "denominator": {"value": 1, "unit": "day", "system": UCUM, "code": "d"}}]
        else:
            out["maxDosePerAdministration"] = cap
    if routes := node.tkg_refs("hasRoute"):
        out["route"] = concept(routes, graph.labels(routes))
    if modes := node.tkg_refs("hasAdministrationMode"):
        out["method"] = concept(modes, graph.labels(modes))
    if step.first_day is not None and step.last_day is not None:
        span = step.last_day - step.first_day + 1
        repeat: Json = ({"count": 1, "duration": span, "durationUnit": "d"} if continuous and span > 1 else
                        {"count": 1} if span == 1 else {"frequency": 1, "period": 1, "periodUnit": "d", "boundsDuration": days(span)})
        out["timing"] = {"repeat": repeat, "code": {"text": f"{where}{step.days_text}"}}
    return out


def _window_range(first: int | None, last: int | None) -> Json | None:
    if first is None and last is None:
        return None
    out: Json = {}
    if first is not None:
        out["low"] = days(first)
    if last is not None:
        out["high"] = days(last)
    return out


def step_activity(graph: Graph, step: DoseStep, therapy: str) -> Json:
    """An ActivityDefinition for a dose step (a medication request of the dose)."""
    iri = expand(step.id)
    drug = expand(step.drug.id) if step.drug is not None else therapy
    out: Json = {
        "resourceType": "ActivityDefinition", "id": fhir_id(iri), "meta": graph.meta(iri), "url": canonical("ActivityDefinition", iri),
        "extension": graph.provenance(iri), "name": _name(iri), "title": step.label, "status": "active",
        "kind": "MedicationRequest", "intent": "proposal", "text": narrative(f"{step.label}: {step.dose_text}, {step.days_text}"),
        "productCodeableConcept": concept([drug], graph.labels([drug])), "dosage": [dosage(graph, step, None, 1)],
        "relatedArtifact": graph.citations(iri),
    }
    if summary := graph.summary(iri):
        out["description"] = summary
    graph.home(iri, "ActivityDefinition", out["id"])
    return out


def claim_activity(graph: Graph, iri: str, kind: str) -> Json:
    """An ActivityDefinition for a hospitalization, monitoring, premedication, administration or infusion bag claim."""
    node = graph.get(iri)
    out: Json = {
        "resourceType": "ActivityDefinition", "id": fhir_id(iri), "meta": graph.meta(iri), "url": canonical("ActivityDefinition", iri),
        "extension": graph.provenance(iri), "name": _name(iri), "title": node.label, "status": "active",
        "kind": _ACTIVITY_KIND[kind], "intent": "proposal", "code": concept([TKG + kind], {TKG + kind: graph.label(TKG + kind)}),
        "text": narrative(node.label), "relatedArtifact": graph.citations(iri),
    }
    if summary := graph.summary(iri):
        out["description"] = summary
    usage = [str(v) for name in ("recommendation", "timing", "condition", "monitoringIntensity", "frequencyDescription", "rationale")
             for v in node.texts(TKG + name)]
    if usage:
        out["usage"] = "\n\n".join(usage)
    drugs = node.tkg_refs("premedicationDrug")
    if drugs:
        out["productCodeableConcept"] = concept(drugs, graph.labels(drugs))
    dose: Json = {"text": node.label}
    stated = quantity_or_range(node.tkg1("dose"))
    if stated is not None:
        dose["doseAndRate"] = [{"dose" + stated[0]: stated[1]}]
    rate = quantity(node.tkg1("rate"))
    if rate is not None:
        dose.setdefault("doseAndRate", [{}])[0]["rateQuantity"] = rate
    duration = quantity(node.tkg1("duration"))
    if duration is not None:
        out["timingDuration"] = duration
    if cap := quantity(node.tkg1("doseCap")):
        dose["maxDosePerAdministration"] = cap
    if routes := node.tkg_refs("hasRoute"):
        dose["route"] = concept(routes, graph.labels(routes))
    if out["kind"] == "MedicationRequest" and len(dose) > 1:
        out["dosage"] = [dose]
    things = node.tkg_refs("monitors") + node.tkg_refs("assesses") + node.tkg_refs("concernsFinding") + node.tkg_refs("adverseEvent")
    if things:
        out["topic"] = [concept(sorted(set(things)), graph.labels(sorted(set(things))))]
    graph.home(iri, "ActivityDefinition", out["id"])
    return out


def _trigger_text(graph: Graph, rule: _Rule) -> str:
    parts = [", ".join(sorted(graph.label(e) for e in rule.events)) or "the event"]
    if rule.min_grade is not None or rule.max_grade is not None:
        low, high = rule.min_grade, rule.max_grade
        parts.append(f"grade {low}" if low == high else f"grade {low or 1}-{high}" if high is not None else f"grade {low} or higher")
    if rule.conditions - rule.events:
        parts.append("with " + ", ".join(sorted(graph.label(c) for c in rule.conditions - rule.events)))
    if rule.min_duration is not None:
        parts.append(f"lasting {rule.min_duration[1]} {rule.min_duration[0]:g} days")
    if rule.min_occurrences is not None:
        parts.append(f"from the {rule.min_occurrences}th occurrence" if rule.min_occurrences > 3 else
                     f"{rule.min_occurrences} or more occurrences")
    if rule.on_recurrence:
        parts.append("recurring after the restart")
    return ", ".join(parts)


def _trigger(graph: Graph, rule: _Rule) -> Json:
    """The rule's trigger as one structured extension (event, grade range, duration, occurrences, recurrence)."""
    parts = [ext("event", valueCoding=term(e, graph.label(e))) for e in sorted(rule.events)]
    parts += [ext("condition", valueCoding=term(c, graph.label(c))) for c in sorted(rule.conditions)]
    if rule.min_grade is not None:
        parts.append(ext("minimum-grade", valueInteger=rule.min_grade))
    if rule.max_grade is not None:
        parts.append(ext("maximum-grade", valueInteger=rule.max_grade))
    if rule.min_duration is not None:
        value, comparator = rule.min_duration
        duration: Json = {"value": decimal(int(value)) if value == int(value) else value, "unit": "day", "system": UCUM, "code": "d"}
        if comparator in ("<", "<=", ">=", ">"):
            duration["comparator"] = comparator
        parts.append(ext("duration", valueQuantity=duration))
    if rule.min_occurrences is not None:
        parts.append(ext("minimum-occurrences", valueInteger=rule.min_occurrences))
    if rule.on_recurrence:
        parts.append(ext("on-recurrence", valueBoolean=True))
    if rule.grading:
        parts.append(ext("grading-system", valueCoding=term(rule.grading, graph.label(rule.grading))))
    return ext("trigger", extension=parts)


def _amount(value: float, unit: str) -> Json:
    number = int(value) if value == int(value) else value
    return {"value": number, "unit": unit, "system": UCUM, "code": unit}


def rule_action(graph: Graph, rule: _Rule, position: str) -> Json:
    """A dose modification rule as an action: applicable when its trigger holds, its actions in order."""
    steps: list[Json] = []
    for action in sorted(rule.actions.values(), key=lambda a: a.sequence):
        step: Json = {"id": f"{position}-{action.sequence}", "prefix": str(action.sequence), "title": action.label or graph.label(action.kind)}
        if action.kind:
            step["code"] = concept([action.kind], {action.kind: graph.label(action.kind)})
        extensions = [ext("claim", valueUri=action.iri)]
        if action.target is not None:
            extensions.append(ext("target-dose", valueQuantity=_amount(action.target.value or 0, action.target.unit))
                              if action.target.value is not None else ext("target-dose", valueString=action.target.text))
        if action.drug:
            extensions.append(ext("drug", valueCoding=term(action.drug, action.drug_label)))
        if action.drug_dose is not None and action.drug_dose.value is not None:
            extensions.append(ext("drug-dose", valueQuantity=_amount(action.drug_dose.value, action.drug_dose.unit)))
        if action.drug_cap is not None and action.drug_cap.value is not None:
            extensions.append(ext("drug-dose-cap", valueQuantity=_amount(action.drug_cap.value, action.drug_cap.unit)))
        if action.anchor:
            extensions.append(ext("counted-from", valueCoding=term(action.anchor, graph.label(action.anchor))))
        if action.unless_recurred:
            extensions.append(ext("unless-recurred", valueBoolean=True))
        if action.max_event_days is not None:
            extensions.append(ext("maximum-event-duration", valueQuantity=_amount(action.max_event_days, "d")))
        step["extension"] = extensions
        if action.after_days is not None:
            step["timingDuration"] = {**_amount(action.after_days, "d"), "unit": "day"}
        if action.condition:
            step["condition"] = [{"kind": "applicability", "expression": {"language": "text/plain", "expression": action.condition}}]
        if steps:
            step["relatedAction"] = [{"targetId": steps[-1]["id"], "relationship": "after-end"}]
        steps.append(step)
    out: Json = {
        "id": position, "title": rule.label, "textEquivalent": f"When {_trigger_text(graph, rule)}: "
        + "; then ".join(s["title"] for s in steps),
        "extension": graph.provenance(rule.iri) + [_trigger(graph, rule)],
        "condition": [{"kind": "applicability", "expression": {"language": "text/plain", "expression": _trigger_text(graph, rule),
                                                                "description": "the rule's trigger in words; the structured trigger is the "
                                                                               "trigger extension of this action"}}],
        "selectionBehavior": "all", "action": steps,
    }
    if rule.section:
        out["description"] = f"Source section: {rule.section}"
    return out


def _block_action(graph: Graph, timeline: Timeline, block: Cycle, position: str, notes: list[Json]) -> Json:
    cycle_iri = expand(block.id)
    node = graph.get(cycle_iri)
    children: list[Json] = []
    for n, step in enumerate(block.steps):
        iri = expand(step.id)
        child: Json = {"id": f"{position}-step{n + 1}", "title": step.label, "textEquivalent": f"{step.dose_text}, {step.days_text}",
                       "definitionCanonical": canonical("ActivityDefinition", iri), "extension": graph.provenance(iri)}
        if (span := _window_range(step.first_day, step.last_day)) is not None:
            child["timingRange"] = span
        children.append(child)
        graph.home(iri, "PlanDefinition", fhir_id(timeline.iri))
    if block.stated_free_days is not None and block.treatment_free is not None:
        free = block.stated_free_days
        children.append({"id": f"{position}-free", "title": "Treatment-free interval",
                         "textEquivalent": f"{block.treatment_free.text} without treatment ({free.text})",
                         "timingRange": {"low": days(free.first), "high": days(free.last)},
                         "extension": [ext("treatment-free-interval", valueQuantity=quantity(node.tkg1("treatmentFreeInterval")))]})
    for n, window in enumerate(block.windows):
        children.append(_window_action(graph, window, f"{position}-w{n + 1}"))
    title = block.name + (f" (response: {block.response})" if block.response else "")
    out: Json = {"id": position, "title": title, "textEquivalent": _block_text(block), "extension": graph.provenance(cycle_iri)}
    if summary := graph.summary(cycle_iri):
        out["description"] = summary
    extra = []
    if block.first is not None:
        extra.append(ext("first-cycle", valueInteger=block.first))
    if block.last is not None:
        extra.append(ext("last-cycle", valueInteger=block.last))
    for name in ("treatmentPeriod", "treatmentFreeInterval", "cycleLength"):
        if (q := quantity(node.tkg1(name))) is not None:
            extra.append(ext({"treatmentPeriod": "treatment-period", "treatmentFreeInterval": "treatment-free-interval",
                              "cycleLength": "cycle-length"}[name], valueQuantity=q))
    out["extension"] += extra
    repeat: Json = {}
    if block.repeats is not None:
        repeat["count"] = block.repeats
    if block.length_days is not None:
        repeat.update(period=block.length_days, periodUnit="d")
    if repeat:
        out["timingTiming"] = {"repeat": repeat, "code": {"text": _block_text(block)}}
    conditions = []
    response = node.tkg_refs("responseCondition")
    if response:
        conditions.append({"kind": "applicability", "expression": {"language": "text/plain",
                                                                    "expression": f"response so far: {graph.label(response[0])}"}})
        out["extension"].append(ext("response-condition", valueCoding=term(response[0], graph.label(response[0]))))
    if block.condition:
        conditions.append({"kind": "applicability", "expression": {"language": "text/plain", "expression": block.condition}})
    if conditions:
        out["condition"] = conditions
    if block.comment:
        notes.append({"text": f"{block.name}: {block.comment}"})
    out["action"] = children
    graph.home(cycle_iri, "PlanDefinition", fhir_id(timeline.iri))
    return out


def _block_text(block: Cycle) -> str:
    parts = [block.name]
    if block.length is not None:
        parts.append(f"cycle length {block.length.text}")
    if block.treatment_free is not None:
        parts.append(f"{block.treatment_free.text} treatment-free")
    if block.response:
        parts.append(f"for response {block.response}")
    return ", ".join(parts)


def _window_action(graph: Graph, window: Window, position: str) -> Json:
    iri = expand(window.claim.id)
    out: Json = {"id": position, "title": f"{window.kind}: {window.claim.label}",
                 "textEquivalent": "; ".join(p for p in (window.label, window.detail, window.days_text) if p),
                 "definitionCanonical": canonical("ActivityDefinition", iri), "extension": graph.provenance(iri)}
    if (span := _window_range(window.first_day, window.last_day)) is not None:
        out["timingRange"] = span
    return out


def plan(graph: Graph, timeline: Timeline, rules: list[_Rule]) -> Json:
    """The PlanDefinition of a regimen."""
    iri = timeline.iri
    node = graph.get(iri)
    therapy = node.tkg_refs("regimenFor")
    notes: list[Json] = []
    actions: list[Json] = []
    for n, before in enumerate(timeline.preceded_by):
        actions.append({"id": f"before{n + 1}", "title": f"Before: {before.label}", "definitionCanonical": canonical("PlanDefinition", before.iri),
                        "textEquivalent": f"{before.label}, given before this regimen",
                        "extension": graph.provenance(before.iri)})
    for n, block in enumerate(timeline.cycles):
        action = _block_action(graph, timeline, block, f"c{n + 1}", notes)
        if actions:
            action["relatedAction"] = [{"targetId": actions[-1]["id"], "relationship": "after-end"}]
        actions.append(action)
    for n, note in enumerate(timeline.notes):
        claim = expand(note.claim.id)
        actions.append({"id": f"note{n + 1}", "title": f"{note.kind}: {note.claim.label}", "textEquivalent": note.detail,
                        "definitionCanonical": canonical("ActivityDefinition", claim), "extension": graph.provenance(claim)})
    if rules:
        actions.append({"id": "rules", "title": "Dose modification rules", "selectionBehavior": "any",
                        "textEquivalent": "Each rule applies when its trigger holds; its actions are taken in order.",
                        "action": [rule_action(graph, r, f"rule{n + 1}") for n, r in enumerate(rules)]})
        for r in rules:
            graph.home(r.iri, "PlanDefinition", fhir_id(iri))
    extensions = graph.provenance(iri)
    if timeline.maximum_cycles is not None:
        extensions.append(ext("maximum-cycles", valueInteger=timeline.maximum_cycles))
    if timeline.maximum_cycles_condition:
        extensions.append(ext("maximum-cycles-condition", valueString=timeline.maximum_cycles_condition))
    if timeline.cycles_without_response is not None:
        extensions.append(ext("maximum-cycles-without-response", valueInteger=timeline.cycles_without_response))
    if timeline.last_cycle_listed is not None:
        extensions.append(ext("last-cycle-listed", valueInteger=timeline.last_cycle_listed))
    if timeline.setting_not_stated:
        extensions.append(ext("setting-not-stated", valueBoolean=True))
    if (condition := node.tkg1("additionalCyclesCondition")) is not None:
        extensions.append(ext("additional-cycles-condition", valueString=str(condition)))
    states = node.tkg_refs("regimenSetting")
    use = [{"code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "focus"},
            "valueCodeableConcept": concept(therapy, graph.labels(therapy))}] if therapy else []
    if states:
        use.append({"code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "focus"},
                    "valueCodeableConcept": concept(states, graph.labels(states))})
    out: Json = {
        "resourceType": "PlanDefinition", "id": fhir_id(iri), "meta": graph.meta(iri), "url": canonical("PlanDefinition", iri),
        "extension": extensions, "identifier": [{"system": TKGR, "value": local(iri)}], "name": _name(iri),
        "title": timeline.label, "type": _PLAN_TYPE, "status": "active", "text": narrative(timeline.label),
        "relatedArtifact": graph.citations(iri), "action": actions,
    }
    if use:
        out["useContext"] = use
    population = node.tkg_refs("regimenPopulation")
    if population:
        out["subjectReference"] = ref("Group", population[0], graph.label(population[0]))
    if timeline.summary:
        out["description"] = timeline.summary
    comment = node.first(RDFS_COMMENT)
    if comment is not None:
        out["usage"] = str(comment)
    if timeline.maximum_cycles is not None:
        out["purpose"] = f"At most {timeline.maximum_cycles} cycles" + (
            f" ({timeline.maximum_cycles_condition})" if timeline.maximum_cycles_condition else "") + "."
    graph.home(iri, "PlanDefinition", out["id"])
    return out


def rule_applies(graph: Graph, rule: _Rule, regimen: str) -> bool:
    """Whether a therapy's rule is in a regimen's scope: a setting in common (or either states none), and
    weight bounds that do not exclude the regimen's population."""
    node = graph.get(regimen)
    settings = {s for state in node.tkg_refs("regimenSetting") for s in graph.get(state).tkg_refs("inSetting")}
    if not (rule.setting_not_stated or node.tkg1("settingNotStated") is True or rule.settings & settings):
        return False
    population = node.tkg_refs("regimenPopulation")
    if not population:
        return True
    pop = graph.get(population[0])
    low, high = _bound(pop.tkg1("minimumWeight")), _bound(pop.tkg1("maximumWeight"))
    for bound, comparator in rule.weight:
        if comparator in (">=", ">") and high is not None and high <= bound and not (comparator == ">=" and high == bound):
            return False
        if comparator in ("<=", "<") and low is not None and low >= bound and not (comparator == "<=" and low == bound):
            return False
    return True


def _bound(struct: object) -> float | None:
    if not isinstance(struct, Struct):
        return None
    value = struct.get_tkg("numericValue")
    return float(value) if value is not None else None

