"""Pharmacokinetics, immunogenicity and drug interaction statements."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, Quantity, claim_fields, first_concept, quantity
from therapykg.domain.nodes import Node


@strawberry.enum(description="What a pharmacology claim is about.")
class PharmacologyKind(Enum):
    PHARMACOKINETICS = "PharmacokineticProperty"
    IMMUNOGENICITY = "Immunogenicity"
    DRUG_INTERACTION = "DrugInteraction"


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

    @strawberry.field(description=definition("pkParameter"))
    async def parameter(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("pkParameter"))


def pharmacology_kind(node: Node) -> PharmacologyKind | None:
    return next((k for k in PharmacologyKind if node.is_a(k.value)), None)


def pharmacology_claim(node: Node) -> PharmacologyClaim:
    return PharmacologyClaim(**claim_fields(node), kind=pharmacology_kind(node), value=quantity(node, "value"),
                             incidence=quantity(node, "incidence"), boolean_value=node.tkg1("booleanValue"),
                             dose_adjustment_needed=node.tkg1("doseAdjustmentNeeded"),
                             clinically_significant=node.tkg1("clinicallySignificant"), enzyme=node.tkg1("affectsEnzyme"),
                             direct_effect=node.tkg1("directEffect"), mechanism=node.tkg1("interactionMechanism"),
                             potential=node.tkg1("interactionPotential"))
