"""Contraindications, precautions, pitfalls and boxed warnings."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, claim_fields, concepts
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG


@strawberry.enum(description=definition("SafetyStatement"))
class SafetyKind(Enum):
    CONTRAINDICATION = "Contraindication"
    PRECAUTION = "Precaution"
    PITFALL = "Pitfall"
    BOXED_WARNING = "BoxedWarning"


@strawberry.type(description=definition("SafetyStatement"))
class SafetyStatement(Claim):
    kind: SafetyKind
    recommendations: list[str] = strawberry.field(description=definition("recommendation"))
    rationale: str | None = strawberry.field(description=definition("rationale"))

    @strawberry.field(description=definition("concernsFinding"))
    async def concerns(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("concernsFinding"))


def safety_kind(node: Node) -> SafetyKind | None:
    for kind in SafetyKind:
        if node.is_a(kind.value):
            return kind
    return None


def safety_statement(node: Node) -> SafetyStatement:
    return SafetyStatement(**claim_fields(node), kind=safety_kind(node), recommendations=node.texts(TKG + "recommendation"),
                           rationale=node.tkg1("rationale"))
