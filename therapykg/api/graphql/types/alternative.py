"""Alternative therapy relations with applicability and the reason."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, claim_fields, concepts
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG

TherapyRef = Annotated["Therapy", strawberry.lazy("therapykg.api.graphql.types.therapy")]


@strawberry.type(description=definition("AlternativeTherapyRelation"))
class Alternative(Claim):
    applicable: bool = strawberry.field(description=definition("applicability"))
    reason: str | None = strawberry.field(description=definition("applicabilityReason"))
    conditions: list[str] = strawberry.field(description=definition("condition"))
    comparative_notes: list[str] = strawberry.field(description=definition("comparativeNote"))
    recommended_by: list[str] = strawberry.field(description=definition("recommendedBy"))

    @strawberry.field(description=definition("alternativeTherapy"))
    async def therapy(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("alternativeTherapy"))
        return found[0] if found else None

    @strawberry.field(description=definition("alternativeTo"))
    async def alternative_to(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("alternativeTo"))
        return found[0] if found else None

    @strawberry.field(description=definition("inSetting"))
    async def settings(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("inSetting"))

    @strawberry.field(description=definition("forDisease"))
    async def diseases(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("forDisease"))

    @strawberry.field(description=definition("hasRole"))
    async def roles(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasRole"))

    @strawberry.field(description=definition("requiresTargetExpression"))
    async def required_targets(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("requiresTargetExpression"))


def alternative(node: Node) -> Alternative:
    return Alternative(**claim_fields(node), applicable=TKG + "Applicable" in node.tkg_refs("applicability"),
                       reason=node.tkg1("applicabilityReason"), conditions=node.texts(TKG + "condition"),
                       comparative_notes=node.texts(TKG + "comparativeNote"), recommended_by=node.texts(TKG + "recommendedBy"))
