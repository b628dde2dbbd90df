"""Dose modification rules: a trigger and ordered actions."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, Quantity, claim_fields, concepts, first_concept, quantity
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import Node


@strawberry.type(description=definition("Trigger"))
class Trigger:
    id: strawberry.ID
    label: str
    minimum_grade: int | None = strawberry.field(description=definition("minimumGrade"))
    maximum_grade: int | None = strawberry.field(description=definition("maximumGrade"))
    minimum_duration: Quantity | None = strawberry.field(description=definition("minimumDuration"))
    minimum_occurrences: int | None = strawberry.field(description=definition("minimumOccurrences"))
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("triggerEvent"))
    async def events(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("triggerEvent"))

    @strawberry.field(description=definition("triggerCondition"))
    async def conditions(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("triggerCondition"))


@strawberry.type(description=definition("Action"))
class RuleAction:
    id: strawberry.ID
    label: str
    sequence: int = strawberry.field(description=definition("sequence"))
    until_grade_at_most: int | None = strawberry.field(description=definition("untilGradeAtMost"))
    until_resolved: bool | None = strawberry.field(description=definition("untilResolved"))
    minimum_time_resolved: Quantity | None = strawberry.field(description=definition("minimumHoldAfterResolution"))
    target_dose: Quantity | None = strawberry.field(description=definition("targetDose"))
    after: Quantity | None = strawberry.field(description=definition("afterTime"))
    dose: Quantity | None = strawberry.field(description=definition("dose"))
    duration: Quantity | None = strawberry.field(description=definition("duration"))
    condition: str | None = strawberry.field(description=definition("actionCondition"))
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("actionKind"))
    async def kind(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("actionKind"))

    @strawberry.field(description=definition("givenDrug"))
    async def drug(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("givenDrug"))


def rule_action(node: Node) -> RuleAction:
    return RuleAction(id=strawberry.ID(to_id(node.iri)), label=node.label, sequence=node.tkg1("sequence") or 0,
                      until_grade_at_most=node.tkg1("untilGradeAtMost"), until_resolved=node.tkg1("untilResolved"),
                      minimum_time_resolved=quantity(node, "minimumHoldAfterResolution"),
                      target_dose=quantity(node, "targetDose"), after=quantity(node, "afterTime"),
                      dose=quantity(node, "dose"), duration=quantity(node, "duration"),
                      condition=node.tkg1("actionCondition"), _node=node)


def trigger(node: Node) -> Trigger:
    return Trigger(id=strawberry.ID(to_id(node.iri)), label=node.label, minimum_grade=node.tkg1("minimumGrade"),
                   maximum_grade=node.tkg1("maximumGrade"), minimum_duration=quantity(node, "minimumDuration"),
                   minimum_occurrences=node.tkg1("minimumOccurrences"), _node=node)


@strawberry.type(description=definition("DoseModificationRule"))
class DoseModificationRule(Claim):
    permanent_discontinuation: bool = strawberry.field(description=definition("PermanentDiscontinuationRule"))

    @strawberry.field(description=definition("hasTrigger"))
    async def trigger(self, info: Info) -> Trigger | None:
        found = await info.context.loaders.nodes(self._node.tkg_refs("hasTrigger"))
        return trigger(found[0]) if found else None

    @strawberry.field(description=definition("hasAction") + " In order.")
    async def actions(self, info: Info) -> list[RuleAction]:
        found = [rule_action(n) for n in await info.context.loaders.nodes(self._node.tkg_refs("hasAction"))]
        return sorted(found, key=lambda a: a.sequence)


def dose_modification_rule(node: Node) -> DoseModificationRule:
    return DoseModificationRule(**claim_fields(node), permanent_discontinuation=node.is_a("PermanentDiscontinuationRule"))
