"""Efficacy outcomes, pharmacokinetic properties, immunogenicity and the
sources' statements as ``Evidence``: the therapy (and comparator) as the
exposure, the population or setting, the metric as the measured variable,
and the figure with its patients counted and its 95% confidence interval."""

from __future__ import annotations

from therapykg.domain.evidence import as_stated
from therapykg.domain.fhir.identifiers import Graph, Json, canonical, decimal, ext, fhir_id, local, narrative, quantity, ref
from therapykg.domain.nodes import RDF_TYPE, RDFS_COMMENT, Struct
from therapykg.namespaces import TKG, TKGR

EVIDENCE_CLASSES = ("EfficacyOutcome", "PharmacokineticProperty", "Immunogenicity", "Statement")
_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"


def _role(code: str) -> Json:
    return {"coding": [{"system": _ROLE, "code": code}]}


def _name(iri: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in local(iri))
    return cleaned if cleaned[:1].isalpha() else "R" + cleaned


def evidence(graph: Graph, iri: str) -> Json:
    node = graph.get(iri)
    variables: list[Json] = []
    therapies = sorted(set(node.tkg_refs("forTherapy")
                           + [t for t in node.tkg_refs("about") if TKG + "Therapy" in graph.get(t).types]))
    if therapies:
        variables.append({"variableRole": _role("exposure"), "description": ", ".join(graph.label(t) for t in therapies)})
    comparators = node.tkg_refs("comparatorTherapy")
    if comparators:
        variables.append({"variableRole": _role("referenceExposure"), "description": ", ".join(graph.label(c) for c in comparators)})
    for population in node.tkg_refs("inPopulation"):
        variables.append({"variableRole": _role("population"), "description": graph.label(population),
                          "observed": ref("Group", population, graph.label(population))})
    scope = node.tkg_refs("inSetting") + node.tkg_refs("forDisease") + [
        a for a in node.tkg_refs("about") if TKG + "Therapy" not in graph.get(a).types]
    if scope and not node.tkg_refs("inPopulation"):
        variables.append({"variableRole": _role("population"), "description": ", ".join(graph.label(s) for s in sorted(set(scope)))})
    measured = node.tkg_refs("metric") + node.tkg_refs("pkParameter")
    if measured:
        variables.append({"variableRole": _role("measuredVariable"), "description": ", ".join(graph.label(m) for m in measured)})
    if not variables:
        variables.append({"variableRole": _role("population"), "description": "not stated by the source"})
    out: Json = {"resourceType": "Evidence", "id": fhir_id(iri), "meta": graph.meta(iri), "url": canonical("Evidence", iri),
                 "identifier": [{"system": TKGR, "value": local(iri)}], "name": _name(iri), "title": node.label, "status": "active",
                 "text": narrative(node.label), "variableDefinition": variables, "relatedArtifact": graph.citations(iri)}
    if summary := graph.summary(iri):
        out["description"] = summary
    comment = node.first(RDFS_COMMENT)
    if comment is not None:
        out["note"] = [{"text": str(comment)}]
    statistic = _statistic(graph, iri)
    if statistic:
        out["statistic"] = [statistic]
    extensions = graph.provenance(iri)
    kinds = [t for t in node.refs(RDF_TYPE) if t.startswith(TKG) and local(t) in EVIDENCE_CLASSES]
    extensions += [ext("claim-kind", valueCoding={"system": TKG, "code": local(k)}) for k in kinds]
    for trial in node.tkg_refs("inTrial"):
        extensions.append(ext("trial", valueCoding={"system": TKGR, "code": local(trial), "display": graph.label(trial)}))
    for name, url in (("dataCutoff", "data-cutoff"), ("assessmentWindow", "assessment-window")):
        if (value := node.tkg1(name)) is not None and not isinstance(value, Struct):
            extensions.append(ext(url, valueString=str(value)))
    if (follow := quantity(node.tkg1("medianFollowUp"))) is not None:
        extensions.append(ext("median-follow-up", valueQuantity=follow))
    for obj in node.texts("http://www.w3.org/1999/02/22-rdf-syntax-ns#object"):
        extensions.append(ext("stated-value", valueString=obj))
    out["extension"] = extensions
    graph.home(iri, "Evidence", out["id"])
    return out


def _statistic(graph: Graph, iri: str) -> Json | None:
    node = graph.get(iri)
    value = node.tkg1("value")
    out: Json = {}
    metric = node.tkg_refs("metric") + node.tkg_refs("pkParameter")
    if metric:
        out["statisticType"] = {"text": ", ".join(graph.label(m) for m in metric)}
    if isinstance(value, Struct):
        point = quantity(value)
        if point is not None:
            out["quantity"] = point
        numerator, denominator = value.get_tkg("numerator"), value.get_tkg("denominator")
        if isinstance(denominator, int):
            out["sampleSize"] = {"numberOfParticipants": denominator}
        if isinstance(numerator, int):
            out["numberAffected"] = numerator
        if point is None and value.get_tkg("lowerValue") is not None:
            places = value.get_tkg("decimalPlaces")
            out["description"] = (f"{as_stated(value.get_tkg('lowerValue'), places)}-{as_stated(value.get_tkg('upperValue'), places)} "
                                  f"{value.get_tkg('unit')}")
    if node.tkg1("medianNotReached") is True:
        out["description"] = "median not reached"
    places = node.tkg1("confidenceIntervalDecimalPlaces")
    low, high = (decimal(as_stated(node.tkg1(name), places)) for name in ("confidenceIntervalLower", "confidenceIntervalUpper"))
    if low is not None or high is not None or node.tkg1("confidenceIntervalUpperNotEstimable") is True:
        unit = out.get("quantity", {}).get("unit")
        interval: Json = {}
        if low is not None:
            interval["low"] = {"value": low, **({"unit": unit, "system": "http://unitsofmeasure.org", "code": unit} if unit else {})}
        if high is not None:
            interval["high"] = {"value": high, **({"unit": unit, "system": "http://unitsofmeasure.org", "code": unit} if unit else {})}
        estimate: Json = {"description": "95% confidence interval", "level": 0.95,
                          "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/attribute-estimate-type",
                                               "code": "C53324", "display": "Confidence interval"}]}}
        if interval:
            estimate["range"] = interval
        if node.tkg1("confidenceIntervalUpperNotEstimable") is True:
            estimate["note"] = [{"text": "upper bound not estimable (NE)"}]
        out["attributeEstimate"] = [estimate]
    if (ratio := decimal(node.tkg1("hazardRatio"))) is not None:
        out.setdefault("modelCharacteristic", []).append({"code": {"text": "hazard ratio"}, "value": {"value": ratio}})
    comparator = quantity(node.tkg1("comparatorValue"))
    if comparator is not None:
        out.setdefault("note", []).append({"text": f"comparator arm: {comparator['value']} {comparator['unit']}"})
    if (p := node.tkg1("pValue")) is not None:
        out.setdefault("note", []).append({"text": f"p = {p}"})
    if (flag := node.tkg1("booleanValue")) is not None:
        out["description"] = "yes" if flag is True else "no"
    return out or None
