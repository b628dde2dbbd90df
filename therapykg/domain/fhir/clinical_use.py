"""``ClinicalUseDefinition``s: one per indication, contraindication, adverse
reaction (undesirable effect), boxed warning, precaution and pitfall
(warnings, with the label versions their sources reproduce) and drug
interaction; and a ``Group`` per population they (and the regimens) name."""

from __future__ import annotations

from therapykg.domain.evidence import Quantity
from therapykg.domain.fhir.citations import label_version
from therapykg.domain.fhir.identifiers import (
    Graph,
    Json,
    concept,
    ext,
    fhir_id,
    local,
    narrative,
    quantity,
    quantity_or_range,
    ref,
    term,
)
from therapykg.domain.nodes import DCT, PROV_DERIVED, RDFS_COMMENT, Struct
from therapykg.namespaces import TKG, TKGR

LOINC = "http://loinc.org"
_WEIGHT = {"coding": [{"system": LOINC, "code": "29463-7", "display": "Body weight"}], "text": "body weight"}
_AGE = {"coding": [{"system": LOINC, "code": "30525-0", "display": "Age"}], "text": "age"}
_AGE_GROUP = {"coding": [{"system": TKG, "code": "AgeGroup", "display": "age group"}], "text": "age group"}
CLINICAL_USE_CLASSES = ("Indication", "Contraindication", "AdverseReaction", "BoxedWarning", "Precaution", "Pitfall", "DrugInteraction")
_WARNING_KIND = {"BoxedWarning": "boxed warning", "Precaution": "precaution", "Pitfall": "pitfall"}


def _kind_of(graph: Graph, iri: str) -> str:
    node = graph.get(iri)
    return next(k for k in CLINICAL_USE_CLASSES if node.is_a(k))


def _states_and_settings(graph: Graph, states: list[str]) -> tuple[Json, Json | None]:
    settings = sorted({s for st in states for s in graph.get(st).tkg_refs("inSetting")})
    disease = concept(states, graph.labels(states))
    return disease, (concept(settings, graph.labels(settings)) if settings else None)


def clinical_use(graph: Graph, iri: str, subject: str | None) -> Json:
    """The ClinicalUseDefinition of one claim (its kind decides the element that holds it)."""
    node = graph.get(iri)
    kind = _kind_of(graph, iri)
    cud_type = {"Indication": "indication", "Contraindication": "contraindication", "AdverseReaction": "undesirable-effect",
                "DrugInteraction": "interaction"}.get(kind, "warning")
    extensions = graph.provenance(iri)
    out: Json = {"resourceType": "ClinicalUseDefinition", "id": fhir_id(iri), "meta": graph.meta(iri),
                 "identifier": [{"system": TKGR, "value": local(iri)}], "type": cud_type,
                 "category": [concept([TKG + kind], {TKG + kind: graph.label(TKG + kind)})],
                 "text": narrative(f"{node.label}. {graph.summary(iri) or ''}".strip())}
    if subject is not None:
        out["subject"] = [ref("MedicinalProductDefinition", subject, graph.label(subject))]
    populations = node.tkg_refs("indicationPopulation") + node.tkg_refs("inPopulation")
    if populations:
        out["population"] = [ref("Group", p, graph.label(p)) for p in sorted(set(populations))]
    summary = graph.summary(iri) or node.label
    if kind == "Indication":
        states = node.tkg_refs("indicationDiseaseState")
        disease, settings = _states_and_settings(graph, states)
        indication: Json = {"diseaseSymptomProcedure": {"concept": disease}}
        if settings is not None:
            indication["diseaseStatus"] = {"concept": settings}
        targets = node.tkg_refs("requiresTargetExpression")
        if targets:
            extensions.append(ext("requires-target-expression", valueCodeableConcept=concept(targets, graph.labels(targets))))
        out["indication"] = indication
        approval = node.tkg1("approvalKind")
        out["status"] = {"text": str(approval) if approval is not None else "stated by the source"}
        for name, url in (("approvingAgency", "approving-agency"), ("approvalDate", "approval-date")):
            if (value := node.tkg1(name)) is not None:
                extensions.append(ext(url, valueString=str(value)))
        if (jurisdiction := node.first(DCT + "spatial")) is not None:
            extensions.append(ext("jurisdiction", valueString=str(jurisdiction)))
        for trial in node.tkg_refs("basisTrial"):
            extensions.append(ext("basis-trial", valueCoding=term(trial, graph.label(trial))))
    elif kind == "Contraindication":
        findings = node.tkg_refs("concernsFinding")
        contra: Json = {}
        if findings:
            contra["diseaseSymptomProcedure"] = {"concept": concept(findings, graph.labels(findings))}
        else:
            contra["diseaseSymptomProcedure"] = {"concept": {"text": summary}}
        out["contraindication"] = contra
    elif kind == "AdverseReaction":
        events = node.tkg_refs("adverseEvent")
        effect: Json = {"symptomConditionEffect": {"concept": concept(events, graph.labels(events))}}
        frequency, incidence = _frequency(graph, iri)
        if frequency:
            effect["frequencyOfOccurrence"] = {"text": frequency}
        if incidence:
            extensions.append(ext("incidence", extension=incidence))
        out["undesirableEffect"] = effect
        context = _context(graph, iri)
        if context:
            extensions.append(ext("context", valueString=context))
    elif kind == "DrugInteraction":
        enzymes = node.tkg_refs("affectsEnzyme")
        interactant = ({"itemCodeableConcept": concept(enzymes, graph.labels(enzymes))} if enzymes
                       else {"itemCodeableConcept": {"text": node.label}})
        interaction: Json = {"interactant": [interactant]}
        mechanism = node.texts(TKG + "interactionMechanism") + node.texts(TKG + "interactionPotential")
        if mechanism:
            interaction["type"] = {"text": "; ".join(mechanism)}
        if effect_text := node.texts(TKG + "directEffect"):
            interaction["effect"] = {"concept": {"text": "; ".join(effect_text)}}
        if management := node.texts(TKG + "management"):
            interaction["management"] = [{"text": m} for m in management]
        out["interaction"] = interaction
    else:
        recommendations = node.texts(TKG + "recommendation")
        findings = sorted(set(node.tkg_refs("concernsFinding") + node.tkg_refs("adverseEvent")))
        warning: Json = {"description": "\n\n".join([summary, *recommendations])}
        warning["code"] = concept([TKG + kind, *findings], graph.labels([TKG + kind, *findings]), _WARNING_KIND[kind])
        out["warning"] = warning
        versions = sorted({v for s in node.refs(PROV_DERIVED) for v in graph.get(s).tkg_refs("reproducesLabel")})
        extensions += [label_version(graph, v) for v in versions]
    if "status" not in out:
        out["status"] = {"text": "stated by the source"}
    comment = node.first(RDFS_COMMENT)
    if comment is not None:
        extensions.append(ext("comment", valueString=str(comment)))
    if node.tkg1("settingNotStated") is True:
        extensions.append(ext("setting-not-stated", valueBoolean=True))
    if node.tkg1("populationNotStated") is True:
        extensions.append(ext("population-not-stated", valueBoolean=True))
    out["extension"] = extensions
    graph.home(iri, "ClinicalUseDefinition", out["id"])
    return out


_INCIDENCES = (("anyGradeIncidence", "any grade"), ("grade3PlusIncidence", "grade 3 or higher"), ("seriousIncidence", "serious"))


def _frequency(graph: Graph, iri: str) -> tuple[str, list[Json]]:
    """The incidence in words, and each incidence as an extension (a Quantity or a Range, UCUM %)."""
    node = graph.get(iri)
    words, parts = [], []
    for name, title in _INCIDENCES:
        struct = node.tkg1(name)
        stated = Quantity.from_struct(struct if isinstance(struct, Struct) else None)
        if stated is None:
            continue
        words.append(f"{title} {stated.text}" + (f" ({stated.numerator}/{stated.denominator})"
                                                  if stated.numerator is not None and stated.denominator is not None else ""))
        value = quantity_or_range(struct)
        if value is not None:
            parts.append(ext(name, **{"value" + value[0]: value[1]}))
    words += node.texts(TKG + "frequencyDescription")
    onset = quantity(node.tkg1("medianOnset"))
    if onset is not None:
        parts.append(ext("medianOnset", valueQuantity=onset))
    return "; ".join(words), parts


def _context(graph: Graph, iri: str) -> str:
    node = graph.get(iri)
    parts = [graph.label(t) for t in node.tkg_refs("inTrial")] + [graph.label(s) for s in node.tkg_refs("inSetting")]
    parts += [f"with {graph.label(c)}" for c in node.tkg_refs("inCombinationWith")]
    return "; ".join(parts)


def group(graph: Graph, iri: str) -> Json:
    """A Group for a population: its weight and age bounds and age groups as characteristics."""
    node = graph.get(iri)
    characteristics: list[Json] = []
    for name, code in (("minimumWeight", _WEIGHT), ("maximumWeight", _WEIGHT), ("minimumAge", _AGE), ("maximumAge", _AGE)):
        value = quantity(node.tkg1(name))
        if value is not None:
            if "comparator" not in value:
                value["comparator"] = ">=" if name.startswith("minimum") else "<="
            characteristics.append({"code": code, "valueQuantity": value, "exclude": False})
    for age_group in node.tkg_refs("ageGroup"):
        characteristics.append({"code": _AGE_GROUP, "valueCodeableConcept": concept([age_group], graph.labels([age_group])),
                                "exclude": False})
    out: Json = {"resourceType": "Group", "id": fhir_id(iri), "meta": graph.meta(iri), "identifier": [{"system": TKGR, "value": local(iri)}],
                 "type": "person", "membership": "definitional", "name": node.label, "text": narrative(node.label),
                 "extension": graph.provenance(iri)}
    if characteristics:
        out["characteristic"] = characteristics
    comment = node.first(RDFS_COMMENT)
    if comment is not None:
        out["description"] = str(comment)
    return out


def patient_characteristics(graph: Graph, population: str) -> list[Json]:
    """A population's weight and age bounds and age groups as MedicationKnowledge patient characteristics."""
    return [{"type": c["code"], **{k: v for k, v in c.items() if k.startswith("value")}}
            for c in group(graph, population).get("characteristic", [])]
