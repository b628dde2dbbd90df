"""Dosing: regimen -> cycles -> dose steps, and premedication."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Quantity, claim_fields, quantity
from therapykg.api.graphql.types.fields import link, links
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG


@strawberry.type(description=definition("DoseStep"))
class DoseStep(Claim):
    first_day: int | None = strawberry.field(description=definition("firstDay"))
    last_day: int | None = strawberry.field(description=definition("lastDay") + " Empty when the source gives no end.")
    dose: Quantity | None = strawberry.field(description=definition("dose"))
    cap: Quantity | None = strawberry.field(description=definition("doseCap"))
    duration: Quantity | None = strawberry.field(description=definition("duration"))

    basis = link("doseBasis", to="Concept")
    administration_modes = links("hasAdministrationMode", "hasRoute", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> DoseStep:
        return cls(**claim_fields(node), first_day=node.tkg1("firstDay"), last_day=node.tkg1("lastDay"),
                   dose=quantity(node, "dose"), cap=quantity(node, "doseCap"), duration=quantity(node, "duration"))


@strawberry.type(description=definition("Cycle"))
class Cycle(Claim):
    first_cycle: int | None = strawberry.field(description=definition("firstCycle"))
    last_cycle: int | None = strawberry.field(description=definition("lastCycle") + " Empty when open-ended.")
    length: Quantity | None = strawberry.field(description=definition("cycleLength"))
    treatment_free_interval: Quantity | None = strawberry.field(description=definition("treatmentFreeInterval"))

    phase = link("cyclePhase", to="Concept")
    dose_steps = links("hasDoseStep", to="DoseStep", order=lambda s: (s.first_day or 0, s.id))

    @classmethod
    def from_node(cls, node: Node) -> Cycle:
        return cls(**claim_fields(node), first_cycle=node.tkg1("firstCycle"), last_cycle=node.tkg1("lastCycle"),
                   length=quantity(node, "cycleLength"), treatment_free_interval=quantity(node, "treatmentFreeInterval"))


@strawberry.type(description=definition("DosingRegimen"))
class Regimen(Claim):
    maximum_cycles: int | None = strawberry.field(description=definition("maximumCycles"))
    maximum_cycles_condition: str | None = strawberry.field(description=definition("maximumCyclesCondition"))
    additional_cycles_condition: str | None = strawberry.field(description=definition("additionalCyclesCondition"))
    interspersed_with: str | None = strawberry.field(description=definition("interspersedWith"))

    therapy = link("regimenFor", to="Therapy")
    disease_state = link("regimenSetting", to="DiseaseState")
    population = link("regimenPopulation", to="Population")
    cycles = links("hasCycle", to="Cycle", order=lambda c: (c.first_cycle or 0, c.id))

    @classmethod
    def from_node(cls, node: Node) -> Regimen:
        return cls(**claim_fields(node), maximum_cycles=node.tkg1("maximumCycles"),
                   maximum_cycles_condition=node.tkg1("maximumCyclesCondition"),
                   additional_cycles_condition=node.tkg1("additionalCyclesCondition"),
                   interspersed_with=node.tkg1("interspersedWith"))


@strawberry.type(description=definition("Premedication"))
class Premedication(Claim):
    dose: Quantity | None = strawberry.field(description=definition("dose"))
    cap: Quantity | None = strawberry.field(description=definition("doseCap"))
    timings: list[str] = strawberry.field(description=definition("timing"))

    drug = link("premedicationDrug", to="Therapy")
    population = link("regimenPopulation", to="Population")

    @classmethod
    def from_node(cls, node: Node) -> Premedication:
        return cls(**claim_fields(node), dose=quantity(node, "dose"), cap=quantity(node, "doseCap"),
                   timings=node.texts(TKG + "timing"))
