"""The read-only FHIR API under /fhir, in process: metadata, read, search by
each parameter, OperationOutcome errors, ETag and 304, content type."""

from __future__ import annotations

from fhir.resources.bundle import Bundle
from fhir.resources.capabilitystatement import CapabilityStatement
from fhir.resources.operationoutcome import OperationOutcome

FHIR_JSON = "application/fhir+json"


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    found = Bundle.model_validate_json(response.content)
    assert found.type == "searchset"
    assert found.total == len(found.entry or [])
    return [e.resource.id for e in found.entry or []]


def _outcome(response, status: int) -> OperationOutcome:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    return OperationOutcome.model_validate_json(response.content)


def test_metadata(app_client):
    response = app_client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == "5.0.0"
    served = {r.type: r for r in statement.rest[0].resource}
    assert {"MedicationKnowledge", "ClinicalUseDefinition", "PlanDefinition", "Citation", "List"} <= set(served)
    assert {p.name for p in served["ClinicalUseDefinition"].searchParam} == {"_id", "subject", "type"}


def test_read(app_client):
    response = app_client.get("/fhir/PlanDefinition/blina-rr-adult")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "PlanDefinition" and body["id"] == "blina-rr-adult"
    assert body["meta"]["source"] == "https://w3id.org/therapykg/resource/blina-rr-adult"


def test_search_medication_knowledge_by_code(app_client):
    assert _ids(app_client.get("/fhir/MedicationKnowledge", params={"code": "C62528"})) == ["blinatumomab"]
    assert _ids(app_client.get("/fhir/MedicationKnowledge",
                               params={"code": "http://www.whocc.no/atc|L01FX07"})) == ["blinatumomab"]
    assert _ids(app_client.get("/fhir/MedicationKnowledge", params={"code": "http://www.whocc.no/atc|C62528"})) == []
    assert len(_ids(app_client.get("/fhir/MedicationKnowledge"))) >= 4


def test_search_clinical_use_by_subject_and_type(app_client):
    warnings = _ids(app_client.get("/fhir/ClinicalUseDefinition",
                                   params={"subject": "MedicinalProductDefinition/blinatumomab", "type": "warning"}))
    assert {"blina-boxed-warning-current", "blina-boxed-warning-older"} <= set(warnings)
    indications = _ids(app_client.get("/fhir/ClinicalUseDefinition", params={"subject": "inotuzumab-ozogamicin", "type": "indication"}))
    assert indications and all(i.startswith("ino") for i in indications)
    everything = _ids(app_client.get("/fhir/ClinicalUseDefinition", params={"subject": "blinatumomab"}))
    assert set(warnings) < set(everything)


def test_search_plan_by_name(app_client):
    assert "blina-rr-adult" in _ids(app_client.get("/fhir/PlanDefinition", params={"name": "blina_rr"}))
    assert _ids(app_client.get("/fhir/PlanDefinition", params={"name:exact": "blina_rr_adult"})) == ["blina-rr-adult"]
    assert "ino-rr-adult" in _ids(app_client.get("/fhir/PlanDefinition", params={"name:contains": "inotuzumab"}))
    assert _ids(app_client.get("/fhir/PlanDefinition", params={"name": "no-such-plan"})) == []
    assert _ids(app_client.get("/fhir/PlanDefinition", params={"_id": "ino-rr-adult"})) == ["ino-rr-adult"]


def test_count(app_client):
    response = app_client.get("/fhir/Citation", params={"_count": "2"})
    found = Bundle.model_validate_json(response.content)
    assert len(found.entry) == 2 and found.total > 2


def test_errors_are_operation_outcomes(app_client):
    assert _outcome(app_client.get("/fhir/PlanDefinition/no-such-plan"), 404).issue[0].code == "not-found"
    assert _outcome(app_client.get("/fhir/Patient/x"), 404).issue[0].code == "not-supported"
    assert _outcome(app_client.get("/fhir/PlanDefinition", params={"colour": "red"}), 400).issue[0].code == "not-supported"
    assert _outcome(app_client.get("/fhir/ClinicalUseDefinition", params={"type": "side-effect"}), 400).issue[0].code == "value"
    assert _outcome(app_client.get("/fhir/Citation", params={"_count": "many"}), 400).issue[0].code == "value"
    assert _outcome(app_client.get("/fhir/PlanDefinition", params={"name:missing": "x"}), 400).issue[0].code == "not-supported"


def test_formats(app_client):
    assert app_client.get("/fhir/metadata", params={"_format": "json"}).status_code == 200
    assert app_client.get("/fhir/metadata", headers={"Accept": "application/json"}).status_code == 200
    _outcome(app_client.get("/fhir/metadata", params={"_format": "xml"}), 406)
    _outcome(app_client.get("/fhir/metadata", headers={"Accept": "application/fhir+xml"}), 406)


def test_etag_and_304(app_client):
    first = app_client.get("/fhir/MedicationKnowledge/blinatumomab")
    etag = first.headers["etag"]
    again = app_client.get("/fhir/MedicationKnowledge/blinatumomab", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = app_client.get("/fhir/MedicationKnowledge/inotuzumab-ozogamicin")
    assert other.headers["etag"] != etag


def test_resource_set_built_once_per_version(app_client):
    app_client.get("/fhir/metadata")
    built = app_client.app.state.fhir_index
    before = app_client.engine.executed
    app_client.get("/fhir/Evidence")
    assert app_client.app.state.fhir_index is built
    assert app_client.engine.executed == before


def test_lenient_handling_ignores_unknown_parameters(app_client):
    response = app_client.get("/fhir/PlanDefinition", params={"colour": "red", "_id": "ino-rr-adult"},
                              headers={"Prefer": "handling=lenient"})
    assert _ids(response) == ["ino-rr-adult"]
    assert _ids(app_client.get("/fhir/PlanDefinition", params={"_total": "accurate", "_id": "ino-rr-adult"})) == ["ino-rr-adult"]
