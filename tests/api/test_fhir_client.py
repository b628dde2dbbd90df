"""A real FHIR client (fhirpy, from PyPI) reads and searches the live /fhir
API of a running ``therapykg serve``."""

from __future__ import annotations

import asyncio

import pytest
from fhirpy import AsyncFHIRClient, SyncFHIRClient

pytestmark = pytest.mark.live


def test_sync_client_reads_and_searches(server):
    client = SyncFHIRClient(f"{server}/fhir")
    plan = client.reference("PlanDefinition", "blina-rr-adult").to_resource()
    assert plan["resourceType"] == "PlanDefinition" and plan["id"] == "blina-rr-adult"
    assert plan.get_by_path(["meta", "source"]) == "https://w3id.org/therapykg/resource/blina-rr-adult"
    found = client.resources("MedicationKnowledge").search(code="C62528").fetch()
    assert [r["id"] for r in found] == ["blinatumomab"]
    warnings = client.resources("ClinicalUseDefinition").search(subject="MedicinalProductDefinition/blinatumomab", type="warning").fetch_all()
    assert {"blina-boxed-warning-current", "blina-boxed-warning-older"} <= {r["id"] for r in warnings}
    plans = client.resources("PlanDefinition").search(name="ino").fetch()
    assert "ino-rr-adult" in {r["id"] for r in plans}


def test_async_client_reads(server):
    async def run():
        # Prefer: handling=lenient, so that fhirpy's own _totalMethod parameter is ignored (by default unknown ones are refused).
        client = AsyncFHIRClient(f"{server}/fhir", extra_headers={"Prefer": "handling=lenient"})
        knowledge = await client.reference("MedicationKnowledge", "inotuzumab-ozogamicin").to_resource()
        count = await client.resources("PlanDefinition").count()
        return knowledge, count

    knowledge, count = asyncio.run(run())
    assert knowledge["id"] == "inotuzumab-ozogamicin"
    assert count == 17
