"""Adverse reaction profiles: an event under a therapy, with its figures."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, Quantity, claim_fields, concepts, first_concept, quantity
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG

TherapyRef = Annotated["Therapy", strawberry.lazy("therapykg.api.graphql.types.therapy")]
TrialRef = Annotated["ClinicalTrial", strawberry.lazy("therapykg.api.graphql.types.trial")]


@strawberry.type(description=definition("AdverseReaction"))
class AdverseReaction(Claim):
    any_grade: Quantity | None = strawberry.field(description=definition("anyGradeIncidence"))
    grade3_plus: Quantity | None = strawberry.field(description=definition("grade3PlusIncidence"))
    median_onset: Quantity | None = strawberry.field(description=definition("medianOnset"))
    typical_onset: str | None = strawberry.field(description=definition("typicalOnset"))
    frequency: str | None = strawberry.field(description=definition("frequencyDescription"))
    fatal_cases: int | None = strawberry.field(description=definition("fatalCount"))
    management: list[str] = strawberry.field(description=definition("management"))

    @strawberry.field(description=definition("adverseEvent"))
    async def event(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("adverseEvent"))

    @strawberry.field(description=definition("forTherapy"))
    async def therapy(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("forTherapy"))
        return found[0] if found else None

    @strawberry.field(description=definition("hasSign"))
    async def signs(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasSign"))

    @strawberry.field(description=definition("severeManifestation"))
    async def severe_manifestations(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("severeManifestation"))

    @strawberry.field(description=definition("riskFactor"))
    async def risk_factors(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("riskFactor"))

    @strawberry.field(description=definition("inTrial"))
    async def trials(self, info: Info) -> list[TrialRef]:
        from therapykg.api.graphql.types.trial import trials

        return await trials(info, self._node.tkg_refs("inTrial"))

    @strawberry.field(description=definition("inCombinationWith"))
    async def in_combination_with(self, info: Info) -> list[TherapyRef]:
        from therapykg.api.graphql.types.therapy import therapies

        return await therapies(info, self._node.tkg_refs("inCombinationWith"))


def adverse_reaction(node: Node) -> AdverseReaction:
    return AdverseReaction(**claim_fields(node), any_grade=quantity(node, "anyGradeIncidence"),
                           grade3_plus=quantity(node, "grade3PlusIncidence"), median_onset=quantity(node, "medianOnset"),
                           typical_onset=node.tkg1("typicalOnset"), frequency=node.tkg1("frequencyDescription"),
                           fatal_cases=node.tkg1("fatalCount"), management=node.texts(TKG + "management"))
