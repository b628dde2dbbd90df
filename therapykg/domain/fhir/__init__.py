"""The graph's therapy knowledge as FHIR R5 resources (validated with
``fhir.resources``): MedicationKnowledge and MedicinalProductDefinition per
therapy, ClinicalUseDefinition per indication, contraindication, adverse
reaction, warning and interaction, PlanDefinition per regimen with
ActivityDefinitions, Evidence per outcome and statement, Group per
population, Citation per source, List per conflict. See docs/fhir.md."""

from __future__ import annotations

from therapykg.domain.fhir.bundle import bundle, fhir_resources, resource_json

__all__ = ["bundle", "fhir_resources", "resource_json"]
