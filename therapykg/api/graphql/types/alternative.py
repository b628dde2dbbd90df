"""Alternative therapy relations with applicability and the reason."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, claim_fields
from therapykg.api.graphql.types.fields import link, links
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG


@strawberry.type(description=definition("AlternativeTherapyRelation"))
class Alternative(Claim):
    applicable: bool = strawberry.field(description=definition("applicability"))
    reason: str | None = strawberry.field(description=definition("applicabilityReason"))
    conditions: list[str] = strawberry.field(description=definition("condition"))
    comparative_notes: list[str] = strawberry.field(description=definition("comparativeNote"))
    recommended_by: list[str] = strawberry.field(description=definition("recommendedBy"))

    therapy = link("alternativeTherapy", to="Therapy")
    alternative_to = link("alternativeTo", to="Therapy")
    settings = links("inSetting", to="Concept")
    diseases = links("forDisease", to="Concept")
    roles = links("hasRole", to="Concept")
    required_targets = links("requiresTargetExpression", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> Alternative:
        return cls(**claim_fields(node), applicable=TKG + "Applicable" in node.tkg_refs("applicability"),
                   reason=node.tkg1("applicabilityReason"), conditions=node.texts(TKG + "condition"),
                   comparative_notes=node.texts(TKG + "comparativeNote"), recommended_by=node.texts(TKG + "recommendedBy"))
