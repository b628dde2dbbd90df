"""The FHIR R5 export (therapykg/domain/fhir/, therapykg/fhir_output.py):
every resource validates, references point at resources of the allowed
types that exist, provenance survives, conflicts stay visible, and the
output is deterministic."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from decimal import Decimal

import pytest
from click.testing import CliRunner
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle

from therapykg.cli import main
from therapykg.domain.fhir import bundle, fhir_resources, resource_json
from therapykg.domain.fhir.identifiers import EXT
from therapykg.domain.loaders import Loaders
from therapykg.fhir_output import export
from therapykg.namespaces import TKGR
from therapykg.store.engine import GraphSelector


@pytest.fixture(scope="module")
def resources(graph):
    return asyncio.run(fhir_resources(Loaders(GraphSelector(graph))))


@pytest.fixture(scope="module")
def by_key(resources):
    return {(r.get_resource_type(), r.id): json.loads(resource_json(r)) for r in resources}


def _ext(element: dict, name: str) -> list:
    return [e for e in element.get("extension", []) if e["url"] == EXT + name]


def _walk(value, path=""):
    """Every (path, dict) in a JSON value."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)


def test_every_resource_validates_and_has_a_valid_id(resources):
    assert len(resources) > 100
    for resource in resources:
        data = json.loads(resource_json(resource))
        model = get_fhir_model_class(data["resourceType"]).model_validate(data)
        assert model.id == resource.id
        assert 1 <= len(resource.id) <= 64 and all(c.isalnum() or c in "-." for c in resource.id)
    counts = Counter(r.get_resource_type() for r in resources)
    for kind in ("MedicationKnowledge", "MedicinalProductDefinition", "ClinicalUseDefinition", "PlanDefinition",
                 "ActivityDefinition", "Citation", "List", "Group", "Evidence"):
        assert counts[kind] > 0, kind


def test_sorted_by_type_and_id(resources):
    keys = [(r.get_resource_type(), r.id) for r in resources]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_references_resolve_to_allowed_types(resources, by_key):
    """Every literal reference names an exported resource, of a type the element allows (fhir.resources does not check this)."""
    for resource in resources:
        data = by_key[(resource.get_resource_type(), resource.id)]
        for path, element in _walk(data):
            reference = element.get("reference")
            if not isinstance(reference, str) or path.endswith("extension") and "url" in element:
                continue
            kind, _, ident = reference.partition("/")
            assert (kind, ident) in by_key, f"{resource.id}{path}: {reference}"


def test_reference_types_are_those_fhir_allows(resources):
    def check(model, where):
        for name, field in type(model).model_fields.items():
            value = getattr(model, name, None)
            if value is None:
                continue
            allowed = (field.json_schema_extra or {}).get("enum_reference_types") if isinstance(field.json_schema_extra, dict) else None
            for item in value if isinstance(value, list) else [value]:
                target = getattr(item, "reference", None)
                if allowed and isinstance(target, str) and "/" in target and "Resource" not in allowed:
                    assert target.split("/")[0] in allowed, f"{where}.{name}: {target} not in {allowed}"
                if hasattr(type(item), "model_fields") and name != "resource":
                    check(item, f"{where}.{name}")

    for resource in resources:
        check(resource, f"{resource.get_resource_type()}/{resource.id}")


def test_bundle_round_trips(resources, graph):
    collection = bundle(resources, version=graph.version)
    text = resource_json(collection)
    parsed = Bundle.model_validate_json(text)
    assert parsed.type == "collection"
    assert len(parsed.entry) == len(resources)
    assert resource_json(parsed) == text


def test_every_resource_keeps_its_provenance(by_key):
    """Every resource from a claim names the claim (meta.source and the claim extension) and its sources as Citations."""
    for (kind, ident), data in by_key.items():
        source = data.get("meta", {}).get("source")
        assert source and source.startswith(TKGR), f"{kind}/{ident}"
        assert _ext(data, "claim")[0]["valueUri"] == source
        if kind in ("Citation", "List"):
            continue
        for cited in _ext(data, "source"):
            assert ("Citation", cited["valueReference"]["reference"].split("/")[1]) in by_key


def _actions(plan: dict) -> list[dict]:
    out = []
    for action in plan.get("action", []):
        out.append(action)
        out += _actions(action)
    return out


def test_blinatumomab_rr_adult_cycle_1(by_key):
    plan = by_key[("PlanDefinition", "blina-rr-adult")]
    assert _ext(plan, "maximum-cycles")[0]["valueInteger"] == 5
    cycle1 = next(a for a in plan["action"] if a.get("title") == "Cycle 1")
    assert cycle1["timingTiming"]["repeat"] == {"count": 1, "period": 42, "periodUnit": "d"}
    steps = [a for a in cycle1["action"] if "-step" in a["id"]]
    found = []
    for step in steps:
        ident = step["definitionCanonical"].rsplit("/", 1)[1]
        activity = by_key[("ActivityDefinition", ident)]
        rate = activity["dosage"][0]["doseAndRate"][0]["rateQuantity"]
        found.append((step["timingRange"]["low"]["value"], step["timingRange"]["high"]["value"], Decimal(str(rate["value"])), rate["code"],
                      [s["valueReference"]["reference"] for s in _ext(step, "source")]))
        assert rate["system"] == "http://unitsofmeasure.org"
    assert found == [(1, 7, Decimal(9), "ug/d", ["Citation/source-article"]), (8, 28, Decimal(28), "ug/d", ["Citation/source-article"])]
    free = next(a for a in cycle1["action"] if a.get("title") == "Treatment-free interval")
    assert (free["timingRange"]["low"]["value"], free["timingRange"]["high"]["value"]) == (29, 42)
    # The same schedule in the MedicationKnowledge's dosing guideline, with the weight band.
    knowledge = by_key[("MedicationKnowledge", "blinatumomab")]
    guideline = next(g for g in knowledge["indicationGuideline"]
                     if _ext(g["dosingGuideline"][0], "plan")[0]["valueReference"]["reference"] == "PlanDefinition/blina-rr-adult")
    dosing = guideline["dosingGuideline"][0]
    first = dosing["dosage"][0]
    assert first["type"]["text"] == "Cycle 1"
    assert [d["doseAndRate"][0]["rateQuantity"]["value"] for d in first["dosage"]] == [9, 28]
    weight = next(c for c in dosing["patientCharacteristic"] if c["type"]["coding"][0]["code"] == "29463-7")
    assert weight["valueQuantity"]["value"] == 45 and weight["valueQuantity"]["comparator"] == ">="
    assert guideline["indication"][0]["reference"]["reference"].startswith("ClinicalUseDefinition/")


def test_per_m2_dose_with_cap(by_key):
    activity = by_key[("ActivityDefinition", "blina-pediatric-bsa-c1-d1-7")]
    dosage = activity["dosage"][0]
    assert dosage["doseAndRate"][0]["rateQuantity"]["code"] == "ug/m2/d"
    assert dosage["maxDosePerPeriod"][0]["numerator"]["code"] == "ug"
    assert _ext(dosage, "dose-basis")[0]["valueCoding"]["code"] == "BodySurfaceAreaDose"


def test_boxed_warnings_of_both_blincyto_label_versions(by_key):
    warnings = {ident: data for (kind, ident), data in by_key.items()
                if kind == "ClinicalUseDefinition" and data["type"] == "warning"
                and data.get("subject", [{}])[0].get("reference") == "MedicinalProductDefinition/blinatumomab"
                and data["warning"]["code"]["text"] == "boxed warning"}
    versions = {}
    for ident, data in warnings.items():
        for version in _ext(data, "label-version"):
            parts = {e["url"].rsplit("/", 1)[1]: e.get("valueUri") or e.get("valueString") for e in version["extension"]}
            versions[ident] = parts["label-version-iri"]
    assert versions["blina-boxed-warning-current"] == TKGR + "label-blincyto-us-current"
    assert versions["blina-boxed-warning-older"] == TKGR + "label-blincyto-us-older"
    assert "ICANS" in warnings["blina-boxed-warning-current"]["warning"]["description"]


def test_inotuzumab_response_dependent_cycles(by_key):
    plan = by_key[("PlanDefinition", "ino-rr-adult")]
    responses = {}
    for action in plan["action"]:
        for condition in _ext(action, "response-condition"):
            responses[action["id"]] = condition["valueCoding"]["code"]
            assert "response" in action["title"]
            assert any("response so far" in c["expression"]["expression"] for c in action["condition"])
    assert set(responses.values()) == {"CompleteRemissionOrCRi", "NoCompleteRemission"}
    assert _ext(plan, "maximum-cycles-without-response") or _ext(plan, "maximum-cycles")


def test_dose_modification_rules_are_conditions_with_structured_triggers(by_key):
    plan = by_key[("PlanDefinition", "blina-rr-adult")]
    rules = next(a for a in plan["action"] if a["title"] == "Dose modification rules")["action"]
    assert rules
    for rule in rules:
        assert rule["condition"][0]["expression"]["language"] == "text/plain"
        trigger = _ext(rule, "trigger")[0]
        assert any(e["url"] == EXT + "event" for e in trigger["extension"])
        assert rule["action"], rule["title"]


def test_every_conflict_keeps_all_its_claims_linked(graph, by_key):
    rows = graph.select("""PREFIX tkg: <https://w3id.org/therapykg/ontology/>
        SELECT ?conflict ?claim WHERE { ?conflict a tkg:Conflict ; tkg:conflictingClaim ?claim }""")
    expected: dict[str, set[str]] = {}
    for row in rows:
        expected.setdefault(row["conflict"].value.rsplit("/", 1)[1], set()).add(row["claim"].value)
    assert expected
    for conflict, claims in expected.items():
        listed = by_key[("List", conflict)]
        entries = {_ext(e, "claim")[0]["valueUri"]: e for e in listed["entry"]}
        assert set(entries) == claims, conflict
        for claim, entry in entries.items():
            assert "reference" in entry["item"], f"{conflict}: {claim} is exported nowhere"
            kind, ident = entry["item"]["reference"].split("/")
            holder = by_key[(kind, ident)]
            # The resource holding the claim names it, with its sources, and links back to the conflict.
            holding = [e for _, e in _walk(holder) if any(x.get("valueUri") == claim for x in _ext(e, "claim"))]
            assert holding, f"{kind}/{ident} does not name {claim}"
            assert any(x["valueReference"]["reference"] == f"List/{conflict}" for e in holding for x in _ext(e, "conflict"))
            assert all(_ext(e, "source") for e in holding)


def test_unverified_rxnorm_codes_are_marked(by_key):
    codings = by_key[("MedicationKnowledge", "blinatumomab")]["code"]["coding"]
    rxnorm = [c for c in codings if c["system"] == "http://www.nlm.nih.gov/research/umls/rxnorm"]
    assert [c["code"] for c in rxnorm] == ["1597258"]
    assert _ext(rxnorm[0], "unverified-identifier")
    # No source seen shows the NCIt code either (alternatives.md A.7); the ATC code is the reference list's, unmarked.
    ncit = [c for c in codings if c["system"] == "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"]
    assert [c["code"] for c in ncit] == ["C62528"] and _ext(ncit[0], "unverified-identifier")
    atc = [c for c in codings if c["system"] == "http://www.whocc.no/atc"]
    assert [c["code"] for c in atc] == ["L01FX07"] and not _ext(atc[0], "unverified-identifier")
    product = by_key[("MedicinalProductDefinition", "blinatumomab")]
    brand = [c for c in product["code"] if c["code"] == "1597263"]
    assert brand and _ext(brand[0], "unverified-identifier")


def test_deterministic(graph, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    counts = export(graph, out_dir=None, bundle=first)
    assert export(graph, out_dir=None, bundle=second) == counts
    assert first.read_bytes() == second.read_bytes()
    assert counts["PlanDefinition"] == 17


def test_cli_command(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["export", "fhir", "--out", str(tmp_path / "out"), "--bundle", str(tmp_path / "b.json")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "out").rglob("*.json"))
    written = Bundle.model_validate_json((tmp_path / "b.json").read_bytes())
    assert len(files) == len(written.entry)
    assert (tmp_path / "out" / "PlanDefinition" / "blina-rr-adult.json").exists()
    assert "total" in result.output
    refused = runner.invoke(main, ["export", "fhir"])
    assert refused.exit_code == 2
