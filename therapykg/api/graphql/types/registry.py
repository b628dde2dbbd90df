"""GraphQL types by name and by rdf:type. Types find each other here, by
name, so that the type modules need not import each other: a node becomes
the type of its most specific class, and a link names the type it leads to."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Annotated, Any, Protocol

import strawberry

from therapykg.domain.nodes import Node

_PACKAGE = "therapykg.api.graphql.types"

# Each type that other modules name, and the module that defines it.
MODULES = {
    "Resource": "common", "Concept": "common", "Source": "common", "Conflict": "common", "Claim": "common",
    "Therapy": "therapy",
    "ClinicalTrial": "trial", "TrialArm": "trial", "EfficacyOutcome": "trial",
    "Indication": "indication", "Disease": "indication", "DiseaseState": "indication", "Population": "indication",
    "Regimen": "regimen", "Cycle": "regimen", "DoseStep": "regimen", "Premedication": "regimen",
    "MonitoringRequirement": "monitoring", "AdministrationRequirement": "monitoring",
    "AdverseReaction": "adverse_event",
    "DoseModificationRule": "rule", "Trigger": "rule", "RuleAction": "rule",
    "SafetyStatement": "safety", "SafetyKind": "safety",
    "Alternative": "alternative",
    "PharmacologyClaim": "pharmacology",
    "Statement": "statement",
}

# rdf:type (a tkg: class) -> GraphQL type, most specific first.
CLAIM_TYPES = (
    ("Indication", "Indication"),
    ("DosingRegimen", "Regimen"),
    ("Cycle", "Cycle"),
    ("DoseStep", "DoseStep"),
    ("Premedication", "Premedication"),
    ("MonitoringRequirement", "MonitoringRequirement"),
    ("AdministrationRequirement", "AdministrationRequirement"),
    ("AdverseReaction", "AdverseReaction"),
    ("DoseModificationRule", "DoseModificationRule"),
    ("SafetyStatement", "SafetyStatement"),
    ("AlternativeTherapyRelation", "Alternative"),
    ("EfficacyOutcome", "EfficacyOutcome"),
    ("PharmacokineticProperty", "PharmacologyClaim"),
    ("Immunogenicity", "PharmacologyClaim"),
    ("DrugInteraction", "PharmacologyClaim"),
)
CLAIM_DEFAULT = "Statement"  # a claim with no more specific structure

# Any resource; a claim takes its type from CLAIM_TYPES.
RESOURCE_TYPES = (
    ("Therapy", "Therapy"),
    ("ClinicalTrial", "ClinicalTrial"),
    ("Source", "Source"),
    ("Conflict", "Conflict"),
    ("Claim", "Claim"),
    ("Disease", "Disease"),
    ("DiseaseState", "DiseaseState"),
    ("Population", "Population"),
)
RESOURCE_DEFAULT = "Concept"  # any other labelled resource


class NodeType(Protocol):
    """A GraphQL object type made from a graph node (its ``from_node`` classmethod).
    Which type is known only at run time, by name: what it makes is Any."""

    def from_node(self, node: Node) -> Any: ...


@cache
def graphql_type(name: str) -> NodeType:
    """The GraphQL type called ``name``."""
    found: NodeType = getattr(import_module(f"{_PACKAGE}.{MODULES[name]}"), name)
    return found


def annotation(name: str) -> Any:
    """An annotation for the type ``name`` that strawberry resolves when it builds the schema."""
    return Annotated[name, strawberry.lazy(f"{_PACKAGE}.{MODULES[name]}")]


def _most_specific(node: Node, table: tuple[tuple[str, str], ...], default: str) -> str:
    """The GraphQL type of the first class in ``table`` that ``node`` belongs to."""
    return next((name for local_class, name in table if node.is_a(local_class)), default)


def type_of_class(local_class: str) -> str:
    """The GraphQL type of the instances of ``tkg:local_class``."""
    return dict(CLAIM_TYPES + RESOURCE_TYPES)[local_class]


def as_claim(node: Node) -> Any:
    """A claim as the type of its most specific claim class."""
    return graphql_type(_most_specific(node, CLAIM_TYPES, CLAIM_DEFAULT)).from_node(node)


def as_resource(node: Node) -> Any:
    """Any resource: therapy, trial, source, conflict, claim, disease, state, population, or a concept."""
    name = _most_specific(node, RESOURCE_TYPES, RESOURCE_DEFAULT)
    return as_claim(node) if name == "Claim" else graphql_type(name).from_node(node)


_INTERFACES: dict[str, Callable[[Node], Any]] = {"Claim": as_claim, "Resource": as_resource}


def from_nodes(name: str, nodes: list[Node]) -> list[Any]:
    """``nodes`` as the type ``name`` (an interface: as each node's own type).
    A type with an ``accepts(node)`` classmethod leaves out the nodes it does not accept."""
    if name in _INTERFACES:
        return [_INTERFACES[name](n) for n in nodes]
    cls = graphql_type(name)
    accepts: Callable[[Node], bool] | None = getattr(cls, "accepts", None)
    return [cls.from_node(n) for n in nodes if accepts is None or accepts(n)]
