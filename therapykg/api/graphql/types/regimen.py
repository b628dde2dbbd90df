"""Dosing: regimen -> cycles -> dose steps, and premedication."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, Quantity, claim_fields, concepts, first_concept, quantity
from therapykg.api.graphql.types.indication import DiseaseState, Population, disease_state, populations
from therapykg.domain.nodes import Node

TherapyRef = Annotated["Therapy", strawberry.lazy("therapykg.api.graphql.types.therapy")]


@strawberry.type(description=definition("DoseStep"))
class DoseStep(Claim):
    first_day: int | None = strawberry.field(description=definition("firstDay"))
    last_day: int | None = strawberry.field(description=definition("lastDay") + " Empty when the source gives no end.")
    dose: Quantity | None = strawberry.field(description=definition("dose"))
    cap: Quantity | None = strawberry.field(description=definition("doseCap"))
    duration: Quantity | None = strawberry.field(description=definition("duration"))

    @strawberry.field(description=definition("doseBasis"))
    async def basis(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("doseBasis"))

    @strawberry.field(description=definition("hasAdministrationMode"))
    async def administration_modes(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasAdministrationMode") + self._node.tkg_refs("hasRoute"))


def dose_step(node: Node) -> DoseStep:
    return DoseStep(**claim_fields(node), first_day=node.tkg1("firstDay"), last_day=node.tkg1("lastDay"),
                    dose=quantity(node, "dose"), cap=quantity(node, "doseCap"), duration=quantity(node, "duration"))


@strawberry.type(description=definition("Cycle"))
class Cycle(Claim):
    first_cycle: int | None = strawberry.field(description=definition("firstCycle"))
    last_cycle: int | None = strawberry.field(description=definition("lastCycle") + " Empty when open-ended.")
    length: Quantity | None = strawberry.field(description=definition("cycleLength"))
    treatment_free_interval: Quantity | None = strawberry.field(description=definition("treatmentFreeInterval"))

    @strawberry.field(description=definition("cyclePhase"))
    async def phase(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("cyclePhase"))

    @strawberry.field(description=definition("hasDoseStep"))
    async def dose_steps(self, info: Info) -> list[DoseStep]:
        steps = [dose_step(n) for n in await info.context.loaders.nodes(self._node.tkg_refs("hasDoseStep"))]
        return sorted(steps, key=lambda s: (s.first_day or 0, s.id))


def cycle(node: Node) -> Cycle:
    return Cycle(**claim_fields(node), first_cycle=node.tkg1("firstCycle"), last_cycle=node.tkg1("lastCycle"),
                 length=quantity(node, "cycleLength"), treatment_free_interval=quantity(node, "treatmentFreeInterval"))


@strawberry.type(description=definition("DosingRegimen"))
class Regimen(Claim):
    maximum_cycles: int | None = strawberry.field(description=definition("maximumCycles"))
    maximum_cycles_condition: str | None = strawberry.field(description=definition("maximumCyclesCondition"))
    additional_cycles_condition: str | None = strawberry.field(description=definition("additionalCyclesCondition"))
    interspersed_with: str | None = strawberry.field(description=definition("interspersedWith"))

    @strawberry.field(description=definition("regimenFor"))
    async def therapy(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("regimenFor"))
        return found[0] if found else None

    @strawberry.field(description=definition("regimenSetting"))
    async def disease_state(self, info: Info) -> DiseaseState | None:
        found = await info.context.loaders.nodes(self._node.tkg_refs("regimenSetting"))
        return disease_state(found[0]) if found else None

    @strawberry.field(description=definition("regimenPopulation"))
    async def population(self, info: Info) -> Population | None:
        found = await populations(info, self._node.tkg_refs("regimenPopulation"))
        return found[0] if found else None

    @strawberry.field(description=definition("hasCycle"))
    async def cycles(self, info: Info) -> list[Cycle]:
        found = [cycle(n) for n in await info.context.loaders.nodes(self._node.tkg_refs("hasCycle"))]
        return sorted(found, key=lambda c: (c.first_cycle or 0, c.id))


def regimen(node: Node) -> Regimen:
    return Regimen(**claim_fields(node), maximum_cycles=node.tkg1("maximumCycles"),
                   maximum_cycles_condition=node.tkg1("maximumCyclesCondition"),
                   additional_cycles_condition=node.tkg1("additionalCyclesCondition"),
                   interspersed_with=node.tkg1("interspersedWith"))


@strawberry.type(description=definition("Premedication"))
class Premedication(Claim):
    dose: Quantity | None = strawberry.field(description=definition("dose"))
    cap: Quantity | None = strawberry.field(description=definition("doseCap"))
    timings: list[str] = strawberry.field(description=definition("timing"))

    @strawberry.field(description=definition("premedicationDrug"))
    async def drug(self, info: Info) -> TherapyRef | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("premedicationDrug"))
        return found[0] if found else None

    @strawberry.field(description=definition("regimenPopulation"))
    async def population(self, info: Info) -> Population | None:
        found = await populations(info, self._node.tkg_refs("regimenPopulation"))
        return found[0] if found else None


def premedication(node: Node) -> Premedication:
    from therapykg.namespaces import TKG

    return Premedication(**claim_fields(node), dose=quantity(node, "dose"), cap=quantity(node, "doseCap"),
                         timings=node.texts(TKG + "timing"))
