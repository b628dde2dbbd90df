"""A therapy as a ``MedicationKnowledge`` (what is known about it: its codes,
classes, indications with the dosing guideline of each sourced regimen, its
clinical use issues) and a ``MedicinalProductDefinition`` (the product the
ClinicalUseDefinitions name as their subject, with its brand names and the
product-level codes)."""

from __future__ import annotations

from therapykg.domain.fhir.clinical_use import patient_characteristics
from therapykg.domain.fhir.identifiers import SCHEME_NAMES, SYSTEMS, Graph, Json, concept, ext, fhir_id, local, narrative, ref
from therapykg.domain.fhir.plans import dosage
from therapykg.domain.kinds import therapy_kind
from therapykg.domain.nodes import SKOS
from therapykg.domain.profile import Identifier, TherapyProfile
from therapykg.domain.timeline import Timeline
from therapykg.namespaces import TKG, TKGR

UNVERIFIED_NOTE = "kept from an earlier reference; no source seen confirms or refutes it (tkg:unverifiedIdentifier)"


def coding(identifier: Identifier) -> Json | None:
    """An identifier of the therapy as a Coding (None for a scheme without a FHIR system); an unverified
    one is marked with the unverified-identifier extension, never passed off as confirmed."""
    scheme, _, code = identifier.curie.partition(":")
    system = SYSTEMS.get(scheme.upper())
    if system is None or not code:
        return None
    out: Json = {"system": system, "code": code}
    extensions = []
    if identifier.unverified:
        extensions.append(ext("unverified-identifier", valueString=UNVERIFIED_NOTE))
    extensions.append(ext("mapping", valueCode=identifier.match))
    out["extension"] = extensions
    out["display"] = f"{SCHEME_NAMES.get(scheme.upper(), scheme)} {code}" + (" (unverified)" if identifier.unverified else "")
    return out


def _codes(profile: TherapyProfile, matches: tuple[str, ...]) -> list[Json]:
    found = [coding(i) for i in profile.identifiers if i.match in matches]
    return [c for c in found if c is not None]


def product(graph: Graph, profile: TherapyProfile) -> Json:
    """The MedicinalProductDefinition of a therapy: names, brand (close) and product-level codes, NDC codes."""
    iri = profile.iri
    names: list[Json] = [{"productName": profile.label, "type": {"text": "name in the graph"}}]
    names += [{"productName": b, "type": {"text": "brand name"}} for b in profile.brand_names]
    codings = [{"system": TKGR, "code": local(iri), "display": profile.label}, *_codes(profile, ("exact", "close", "product"))]
    codings = [c for c in codings if not str(c["system"]).endswith("/ndc")]
    out: Json = {"resourceType": "MedicinalProductDefinition", "id": fhir_id(iri), "meta": graph.meta(iri),
                 "extension": graph.provenance(iri), "identifier": [{"system": TKGR, "value": local(iri)}],
                 "name": names, "status": {"text": "as described by the sources"}, "text": narrative(profile.label),
                 "code": codings}
    ndc = [{"system": SYSTEMS["NDC"], "value": i.curie.split(":", 1)[1]} for i in profile.identifiers if i.curie.startswith("NDC:")]
    out["identifier"] += ndc
    if profile.description:
        out["description"] = profile.description
    if routes := graph.get(iri).tkg_refs("hasRoute"):
        out["route"] = [concept(routes, graph.labels(routes))]
    return out


def _indication(graph: Graph, timeline: Timeline, indications: dict[str, list[str]]) -> Json:
    """The indication a regimen is dosed for: the indication claims of its disease states (ClinicalUseDefinitions), else the states."""
    states = graph.get(timeline.iri).tkg_refs("regimenSetting")
    claims = sorted({c for s in states for c in indications.get(s, [])})
    if claims:
        return {"reference": ref("ClinicalUseDefinition", claims[0], graph.label(claims[0]))}
    if states:
        return {"concept": concept(states, graph.labels(states))}
    return {"concept": {"text": "no setting stated by the source"}}


def _guideline(graph: Graph, timeline: Timeline, indications: dict[str, list[str]]) -> Json:
    node = graph.get(timeline.iri)
    doses: list[Json] = []
    n = 0
    for block in timeline.cycles:
        dosages = []
        for step in block.steps:
            n += 1
            dosages.append(dosage(graph, step, block, n))
        if dosages:
            doses.append({"type": {"text": block.name}, "dosage": dosages})
    guideline: Json = {"extension": graph.provenance(timeline.iri)
                       + [ext("plan", valueReference=ref("PlanDefinition", timeline.iri, timeline.label))]}
    if doses:
        guideline["dosage"] = doses
    population = node.tkg_refs("regimenPopulation")
    if population and (characteristics := patient_characteristics(graph, population[0])):
        guideline["patientCharacteristic"] = characteristics
    if timeline.maximum_cycles is not None:
        guideline["extension"].append(ext("maximum-cycles", valueInteger=timeline.maximum_cycles))
    if timeline.setting_not_stated:
        guideline["extension"].append(ext("setting-not-stated", valueBoolean=True))
    indication = [_indication(graph, timeline, indications)]
    return {"indication": indication, "dosingGuideline": [guideline]}


def knowledge(graph: Graph, profile: TherapyProfile, timelines: list[Timeline], issues: list[str],
              indications: dict[str, list[str]]) -> Json:
    """The MedicationKnowledge of a therapy."""
    iri = profile.iri
    node = graph.get(iri)
    code: Json = {"coding": [{"system": TKGR, "code": local(iri), "display": profile.label}, *_codes(profile, ("exact", "notation"))],
                  "text": profile.label}
    names = list(dict.fromkeys([profile.label, *profile.brand_names, *profile.synonyms]))
    out: Json = {"resourceType": "MedicationKnowledge", "id": fhir_id(iri), "meta": graph.meta(iri),
                 "extension": graph.provenance(iri), "identifier": [{"system": TKGR, "value": local(iri)}], "code": code,
                 "status": "active", "name": names, "text": narrative(f"{profile.label}: {profile.description or profile.kind or ''}"),
                 "definitional": {"definition": [ref("MedicinalProductDefinition", iri, profile.label)]}}
    kind = therapy_kind(node)
    classes = sorted(t for t in node.types if t.startswith(TKG) and t not in (TKG + "Therapy", TKG + "Claim"))
    if classes:
        out["medicineClassification"] = [{"type": {"text": "therapy class (ontology)"}, "sourceUri": TKG,
                                          "classification": [concept([c], graph.labels([c])) for c in classes]}]
    if kind is not None:
        out["productType"] = [concept([TKG + kind.value], graph.labels([TKG + kind.value]))]
    if routes := node.tkg_refs("hasRoute"):
        out["definitional"]["intendedRoute"] = [concept(routes, graph.labels(routes))]
    if modes := node.tkg_refs("hasAdministrationMode"):
        out["extension"].append(ext("administration-mode", valueCodeableConcept=concept(modes, graph.labels(modes))))
    targets = node.tkg_refs("hasTarget") + node.tkg_refs("hasMechanism")
    if targets:
        out["definitional"]["drugCharacteristic"] = [{"type": {"text": "target or mechanism"},
                                                      "valueCodeableConcept": concept(sorted(targets), graph.labels(sorted(targets)))}]
    if issues:
        out["clinicalUseIssue"] = [ref("ClinicalUseDefinition", i, graph.label(i)) for i in issues]
    guidelines = [_guideline(graph, t, indications) for t in timelines]
    if guidelines:
        out["indicationGuideline"] = guidelines
    notes = node.texts(SKOS + "note")
    if notes:
        out["extension"].append(ext("note", valueString=" ".join(notes)))
    graph.home(iri, "MedicationKnowledge", out["id"])
    return out

