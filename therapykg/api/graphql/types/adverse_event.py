"""Adverse reaction profiles: an event under a therapy, with its figures."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Quantity, claim_fields, quantity
from therapykg.api.graphql.types.fields import link, links
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG


@strawberry.type(description=definition("AdverseReaction"))
class AdverseReaction(Claim):
    any_grade: Quantity | None = strawberry.field(description=definition("anyGradeIncidence"))
    grade3_plus: Quantity | None = strawberry.field(description=definition("grade3PlusIncidence"))
    median_onset: Quantity | None = strawberry.field(description=definition("medianOnset"))
    typical_onset: str | None = strawberry.field(description=definition("typicalOnset"))
    frequency: str | None = strawberry.field(description=definition("frequencyDescription"))
    fatal_cases: int | None = strawberry.field(description=definition("fatalCount"))
    management: list[str] = strawberry.field(description=definition("management"))

    event = link("adverseEvent", to="Concept")
    therapy = link("forTherapy", to="Therapy")
    signs = links("hasSign", to="Concept")
    severe_manifestations = links("severeManifestation", to="Concept")
    risk_factors = links("riskFactor", to="Concept")
    trials = links("inTrial", to="ClinicalTrial")
    in_combination_with = links("inCombinationWith", to="Therapy")

    @classmethod
    def from_node(cls, node: Node) -> AdverseReaction:
        return cls(**claim_fields(node), any_grade=quantity(node, "anyGradeIncidence"),
                   grade3_plus=quantity(node, "grade3PlusIncidence"), median_onset=quantity(node, "medianOnset"),
                   typical_onset=node.tkg1("typicalOnset"), frequency=node.tkg1("frequencyDescription"),
                   fatal_cases=node.tkg1("fatalCount"), management=node.texts(TKG + "management"))
