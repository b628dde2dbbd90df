"""Clinical trials, their arms and efficacy outcomes."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import (
    Citation,
    Claim,
    Concept,
    Quantity,
    Resource,
    citations,
    claim_fields,
    concepts,
    first_concept,
    quantity,
)
from therapykg.api.graphql.types.indication import Population, populations
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import SKOS, Node
from therapykg.namespaces import TKG

TherapyRef = Annotated["Therapy", strawberry.lazy("therapykg.api.graphql.types.therapy")]


@strawberry.type(description=definition("TrialArm"))
class TrialArm(Resource):
    role: str | None = strawberry.field(description=definition("armRole"))
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("armIntervention"))
    async def interventions(self, info: Info) -> list[TherapyRef]:
        from therapykg.api.graphql.types.therapy import therapies

        return await therapies(info, self._node.tkg_refs("armIntervention"))


@strawberry.type(description=definition("ClinicalTrial"))
class ClinicalTrial(Resource):
    registry_id: str | None = strawberry.field(description=definition("registryId"))
    registry_url: str | None = strawberry.field(description="The trial's ClinicalTrials.gov record.")
    phase: str | None = strawberry.field(description=definition("trialPhase"))
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("hasArm"))
    async def arms(self, info: Info) -> list[TrialArm]:
        found = await info.context.loaders.nodes(self._node.tkg_refs("hasArm"))
        return [TrialArm(id=strawberry.ID(to_id(n.iri)), label=n.label, role=n.tkg1("armRole"), _node=n) for n in found]

    @strawberry.field(description=definition("trialSetting"))
    async def disease_states(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("trialSetting"))

    @strawberry.field(description=definition("trialPopulation"))
    async def populations(self, info: Info) -> list[Population]:
        return await populations(info, self._node.tkg_refs("trialPopulation"))

    @strawberry.field(description="The outcomes reported from this trial.")
    async def outcomes(self, info: Info) -> list[EfficacyOutcome]:
        found = await info.context.loaders.referring_nodes(TKG + "inTrial", self._node.iri)
        return [efficacy_outcome(n) for n in found if n.is_a("EfficacyOutcome")]

    @strawberry.field(description="The sources of the trial's name, identifier and design.")
    async def sources(self, info: Info) -> list[Citation]:
        return await citations(info, self._node)


def trial(node: Node) -> ClinicalTrial:
    matches = [v.iri for v in node.all(SKOS + "exactMatch") if hasattr(v, "iri")]
    return ClinicalTrial(id=strawberry.ID(to_id(node.iri)), label=node.label, registry_id=node.tkg1("registryId"),
                         registry_url=next((m for m in matches if "clinicaltrials.gov" in m), None),
                         phase=node.tkg1("trialPhase"), _node=node)


async def trials(info: Info, iris: list[str]) -> list[ClinicalTrial]:
    return [trial(n) for n in await info.context.loaders.nodes(iris) if n.exists]


@strawberry.type(description=definition("EfficacyOutcome"))
class EfficacyOutcome(Claim):
    value: Quantity | None = strawberry.field(description=definition("value"))
    comparator_value: Quantity | None = strawberry.field(description=definition("comparatorValue"))
    hazard_ratio: float | None = strawberry.field(description=definition("hazardRatio"))
    p_value: float | None = strawberry.field(description=definition("pValue"))
    assessment_window: str | None = strawberry.field(description=definition("assessmentWindow"))

    @strawberry.field(description=definition("metric"))
    async def metric(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("metric"))

    @strawberry.field(description=definition("forTherapy"))
    async def therapy(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("forTherapy"))
        return found[0] if found else None

    @strawberry.field(description=definition("comparatorTherapy"))
    async def comparator_therapy(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("comparatorTherapy"))
        return found[0] if found else None

    @strawberry.field(description=definition("inCombinationWith"))
    async def in_combination_with(self, info: Info) -> list[TherapyRef]:
        from therapykg.api.graphql.types.therapy import therapies

        return await therapies(info, self._node.tkg_refs("inCombinationWith"))

    @strawberry.field(description=definition("inTrial"))
    async def trial(self, info: Info) -> ClinicalTrial | None:
        found = await trials(info, self._node.tkg_refs("inTrial"))
        return found[0] if found else None

    @strawberry.field(description=definition("inPopulation"))
    async def population(self, info: Info) -> Population | None:
        found = await populations(info, self._node.tkg_refs("inPopulation"))
        return found[0] if found else None

    @strawberry.field(description=definition("inSetting"))
    async def setting(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("inSetting"))


def efficacy_outcome(node: Node) -> EfficacyOutcome:
    hr, p = node.tkg1("hazardRatio"), node.tkg1("pValue")
    return EfficacyOutcome(**claim_fields(node), value=quantity(node, "value"), comparator_value=quantity(node, "comparatorValue"),
                           hazard_ratio=float(hr) if hr is not None else None, p_value=float(p) if p is not None else None,
                           assessment_window=node.tkg1("assessmentWindow"))
