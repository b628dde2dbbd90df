"""Clinical trials, their arms and efficacy outcomes."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.context import GraphQLInfo
from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import (
    Citation,
    Claim,
    ConfidenceInterval,
    Quantity,
    Resource,
    citations,
    claim_fields,
    quantity,
)
from therapykg.api.graphql.types.fields import link, links, reverse
from therapykg.domain.evidence import OutcomeIntervals
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import SKOS, Node


@strawberry.type(description=definition("TrialArm"))
class TrialArm(Resource):
    role: str | None = strawberry.field(description=definition("armRole"))
    _node: strawberry.Private[Node]

    interventions = links("armIntervention", to="Therapy")

    @classmethod
    def from_node(cls, node: Node) -> TrialArm:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, role=node.tkg1("armRole"), _node=node)


@strawberry.type(description=definition("ClinicalTrial"))
class ClinicalTrial(Resource):
    registry_id: str | None = strawberry.field(description=definition("registryId"))
    registry_url: str | None = strawberry.field(description="The trial's ClinicalTrials.gov record.")
    phase: str | None = strawberry.field(description=definition("trialPhase"))
    _node: strawberry.Private[Node]

    arms = links("hasArm", to="TrialArm")
    disease_states = links("trialSetting", to="Concept")
    populations = links("trialPopulation", to="Population")
    outcomes = reverse("inTrial", to="EfficacyOutcome", description="The outcomes reported from this trial.")

    @strawberry.field(description="The sources of the trial's name, identifier and design.")
    async def sources(self, info: GraphQLInfo) -> list[Citation]:
        return await citations(info, self._node)

    @classmethod
    def accepts(cls, node: Node) -> bool:
        """Only trials the graph describes (a link to an unknown trial is left out)."""
        return node.exists

    @classmethod
    def from_node(cls, node: Node) -> ClinicalTrial:
        matches = [v.iri for v in node.all(SKOS + "exactMatch") if hasattr(v, "iri")]
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, registry_id=node.tkg1("registryId"),
                   registry_url=next((m for m in matches if "clinicaltrials.gov" in m), None),
                   phase=node.tkg1("trialPhase"), _node=node)


@strawberry.type(description=definition("EfficacyOutcome"))
class EfficacyOutcome(Claim):
    value: Quantity | None = strawberry.field(description=definition("value"))
    comparator_value: Quantity | None = strawberry.field(description=definition("comparatorValue"))
    hazard_ratio: float | None = strawberry.field(description=definition("hazardRatio"))
    p_value: float | None = strawberry.field(description=definition("pValue"))
    assessment_window: str | None = strawberry.field(description=definition("assessmentWindow"))
    median_not_reached: bool = strawberry.field(description=definition("medianNotReached"))
    confidence_interval: ConfidenceInterval | None = strawberry.field(description="The value's 95% confidence interval, as its source gives it.")
    comparator_confidence_interval: ConfidenceInterval | None = strawberry.field(
        description="The comparator value's 95% confidence interval, as its source gives it.")
    hazard_ratio_confidence_interval: ConfidenceInterval | None = strawberry.field(
        description="The hazard ratio's 95% confidence interval, as its source gives it.")

    metric = link("metric", to="Concept")
    therapy = link("forTherapy", to="Therapy")
    comparator_therapy = link("comparatorTherapy", to="Therapy")
    in_combination_with = links("inCombinationWith", to="Therapy")
    trial = link("inTrial", to="ClinicalTrial")
    population = link("inPopulation", to="Population")
    setting = link("inSetting", to="Concept")

    @classmethod
    def accepts(cls, node: Node) -> bool:
        """Only efficacy outcomes (other claims about a trial are left out)."""
        return node.is_a("EfficacyOutcome")

    @classmethod
    def from_node(cls, node: Node) -> EfficacyOutcome:
        hr, p = node.tkg1("hazardRatio"), node.tkg1("pValue")
        intervals = OutcomeIntervals.of(node)
        return cls(**claim_fields(node), value=quantity(node, "value"), comparator_value=quantity(node, "comparatorValue"),
                   hazard_ratio=float(hr) if hr is not None else None, p_value=float(p) if p is not None else None,
                   assessment_window=node.tkg1("assessmentWindow"), median_not_reached=node.tkg1("medianNotReached") is True,
                   confidence_interval=ConfidenceInterval.from_domain(intervals.value),
                   comparator_confidence_interval=ConfidenceInterval.from_domain(intervals.comparator),
                   hazard_ratio_confidence_interval=ConfidenceInterval.from_domain(intervals.hazard_ratio))
