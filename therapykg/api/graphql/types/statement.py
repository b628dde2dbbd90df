"""General statements: sourced claims with no more specific structure."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, claim_fields, concepts
from therapykg.domain.nodes import Node


@strawberry.type(description=definition("Statement"))
class Statement(Claim):
    @strawberry.field(description=definition("about"))
    async def about(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("about"))


def statement(node: Node) -> Statement:
    return Statement(**claim_fields(node))
