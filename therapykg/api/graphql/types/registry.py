"""From a graph node to its GraphQL type, by the node's class."""

from __future__ import annotations

from therapykg.api.graphql.types import (
    adverse_event,
    alternative,
    indication,
    monitoring,
    pharmacology,
    regimen,
    rule,
    safety,
    trial,
)
from therapykg.api.graphql.types.common import Concept, Conflict, Source
from therapykg.domain.nodes import Node

# Most specific first.
CLAIM_BUILDERS = [
    ("Indication", indication.indication),
    ("DosingRegimen", regimen.regimen),
    ("Cycle", regimen.cycle),
    ("DoseStep", regimen.dose_step),
    ("Premedication", regimen.premedication),
    ("MonitoringRequirement", monitoring.monitoring_requirement),
    ("AdministrationRequirement", monitoring.administration_requirement),
    ("AdverseReaction", adverse_event.adverse_reaction),
    ("DoseModificationRule", rule.dose_modification_rule),
    ("SafetyStatement", safety.safety_statement),
    ("AlternativeTherapyRelation", alternative.alternative),
    ("EfficacyOutcome", trial.efficacy_outcome),
    ("PharmacokineticProperty", pharmacology.pharmacology_claim),
    ("Immunogenicity", pharmacology.pharmacology_claim),
    ("DrugInteraction", pharmacology.pharmacology_claim),
]


def as_claim(node: Node):
    for local, build in CLAIM_BUILDERS:
        if node.is_a(local):
            return build(node)
    return _statement(node)


def _statement(node: Node):
    from therapykg.api.graphql.types.statement import statement

    return statement(node)


def as_resource(node: Node):
    """Any resource: therapy, claim, trial, source, disease, population, or a concept."""
    from therapykg.api.graphql.types.indication import disease, disease_state, population
    from therapykg.api.graphql.types.therapy import therapy

    if node.is_a("Therapy"):
        return therapy(node)
    if node.is_a("ClinicalTrial"):
        return trial.trial(node)
    if node.is_a("Source"):
        return Source.from_node(node)
    if node.is_a("Conflict"):
        return Conflict.from_node(node)
    if node.is_a("Claim"):
        return as_claim(node)
    if node.is_a("Disease"):
        return disease(node)
    if node.is_a("DiseaseState"):
        return disease_state(node)
    if node.is_a("Population"):
        return population(node)
    return Concept.from_node(node)


__all__ = ["as_claim", "as_resource"]
