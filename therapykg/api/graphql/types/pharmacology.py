"""Pharmacokinetics, immunogenicity and drug interaction statements."""

from __future__ import annotations

from enum import Enum

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Quantity, claim_fields, quantity
from therapykg.api.graphql.types.fields import link
from therapykg.domain.nodes import Node


@strawberry.enum(description="What a pharmacology claim is about.")
class PharmacologyKind(Enum):
    PHARMACOKINETICS = "PharmacokineticProperty"
    IMMUNOGENICITY = "Immunogenicity"
    DRUG_INTERACTION = "DrugInteraction"


def pharmacology_kind(node: Node) -> PharmacologyKind | None:
    return next((k for k in PharmacologyKind if node.is_a(k.value)), None)


@strawberry.type(description="A pharmacokinetic, immunogenicity or drug interaction claim.")
class PharmacologyClaim(Claim):
    kind: PharmacologyKind
    value: Quantity | None = strawberry.field(description=definition("value"))
    incidence: Quantity | None = strawberry.field(description=definition("incidence"))
    boolean_value: bool | None = strawberry.field(description=definition("booleanValue"))
    dose_adjustment_needed: bool | None = strawberry.field(description=definition("doseAdjustmentNeeded"))
    clinically_significant: bool | None = strawberry.field(description=definition("clinicallySignificant"))
    enzyme: str | None = strawberry.field(description=definition("affectsEnzyme"))
    direct_effect: bool | None = strawberry.field(description=definition("directEffect"))
    mechanism: str | None = strawberry.field(description=definition("interactionMechanism"))
    potential: str | None = strawberry.field(description=definition("interactionPotential"))

    parameter = link("pkParameter", to="Concept")

    @classmethod
    def accepts(cls, node: Node) -> bool:
        """Only pharmacokinetics, immunogenicity and interaction claims (a therapy's other claims are left out)."""
        return pharmacology_kind(node) is not None

    @classmethod
    def from_node(cls, node: Node) -> PharmacologyClaim:
        kind = pharmacology_kind(node)
        if kind is None:  # the registry makes this type only of claims of these kinds (CLAIM_TYPES, accepts)
            raise ValueError(f"{node.iri} is none of {[k.value for k in PharmacologyKind]}")
        return cls(**claim_fields(node), kind=kind, value=quantity(node, "value"),
                   incidence=quantity(node, "incidence"), boolean_value=node.tkg1("booleanValue"),
                   dose_adjustment_needed=node.tkg1("doseAdjustmentNeeded"),
                   clinically_significant=node.tkg1("clinicallySignificant"), enzyme=node.tkg1("affectsEnzyme"),
                   direct_effect=node.tkg1("directEffect"), mechanism=node.tkg1("interactionMechanism"),
                   potential=node.tkg1("interactionPotential"))
