"""Dose modification rules: a trigger and ordered actions."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Quantity, claim_fields, quantity
from therapykg.api.graphql.types.fields import link, links
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

    events = links("triggerEvent", to="Concept")
    conditions = links("triggerCondition", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> Trigger:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, minimum_grade=node.tkg1("minimumGrade"),
                   maximum_grade=node.tkg1("maximumGrade"), minimum_duration=quantity(node, "minimumDuration"),
                   minimum_occurrences=node.tkg1("minimumOccurrences"), _node=node)


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

    kind = link("actionKind", to="Concept")
    drug = link("givenDrug", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> RuleAction:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, sequence=node.tkg1("sequence") or 0,
                   until_grade_at_most=node.tkg1("untilGradeAtMost"), until_resolved=node.tkg1("untilResolved"),
                   minimum_time_resolved=quantity(node, "minimumHoldAfterResolution"),
                   target_dose=quantity(node, "targetDose"), after=quantity(node, "afterTime"),
                   dose=quantity(node, "dose"), duration=quantity(node, "duration"),
                   condition=node.tkg1("actionCondition"), _node=node)


@strawberry.type(description=definition("DoseModificationRule"))
class DoseModificationRule(Claim):
    permanent_discontinuation: bool = strawberry.field(description=definition("PermanentDiscontinuationRule"))

    trigger = link("hasTrigger", to="Trigger")
    actions = links("hasAction", to="RuleAction", order=lambda a: a.sequence, description=definition("hasAction") + " In order.")

    @classmethod
    def from_node(cls, node: Node) -> DoseModificationRule:
        return cls(**claim_fields(node), permanent_discontinuation=node.is_a("PermanentDiscontinuationRule"))
