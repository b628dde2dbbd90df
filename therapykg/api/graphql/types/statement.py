"""General statements: sourced claims with no more specific structure."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, claim_fields
from therapykg.api.graphql.types.fields import links
from therapykg.domain.nodes import Node


@strawberry.type(description=definition("Statement"))
class Statement(Claim):
    about = links("about", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> Statement:
        return cls(**claim_fields(node))
