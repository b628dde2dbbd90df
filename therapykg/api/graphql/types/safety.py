"""Contraindications, precautions, pitfalls and boxed warnings."""

from __future__ import annotations

from enum import Enum

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, claim_fields
from therapykg.api.graphql.types.fields import links
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

    concerns = links("concernsFinding", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> SafetyStatement:
        kind = next((k for k in SafetyKind if node.is_a(k.value)), None)
        if kind is None:  # the ontology has no safety statement outside these subclasses
            raise ValueError(f"{node.iri} is a safety statement of none of the kinds {[k.value for k in SafetyKind]}")
        return cls(**claim_fields(node), kind=kind, recommendations=node.texts(TKG + "recommendation"),
                   rationale=node.tkg1("rationale"))
