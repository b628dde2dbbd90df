"""Monitoring requirements and hospitalization/administration requirements,
with their cycle-day windows."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, claim_fields, concepts
from therapykg.domain.nodes import Node, Struct
from therapykg.namespaces import TKG


@strawberry.type(description=definition("TimeWindow"))
class TimeWindow:
    first_cycle: int | None
    last_cycle: int | None = strawberry.field(description="Empty when the window applies to every later cycle.")
    first_day: int | None
    last_day: int | None
    label: str | None

    @classmethod
    def from_struct(cls, struct: Struct) -> TimeWindow:
        return cls(first_cycle=struct.get_tkg("firstCycle"), last_cycle=struct.get_tkg("lastCycle"),
                   first_day=struct.get_tkg("firstDay"), last_day=struct.get_tkg("lastDay"),
                   label=struct.get("http://www.w3.org/2000/01/rdf-schema#label"))

    def covers_cycle(self, number: int) -> bool:
        first = self.first_cycle or 1
        return number >= first and (self.last_cycle is None or number <= self.last_cycle)


def windows(node: Node) -> list[TimeWindow]:
    found = [TimeWindow.from_struct(w) for w in node.tkg("hasWindow") if isinstance(w, Struct)]
    return sorted(found, key=lambda w: (w.first_cycle or 0, w.first_day or 0))


@strawberry.type(description=definition("MonitoringRequirement"))
class MonitoringRequirement(Claim):
    intensity: str | None = strawberry.field(description=definition("monitoringIntensity"))
    methods: list[str] = strawberry.field(description=definition("monitoringMethod"))
    rationale: str | None = strawberry.field(description=definition("rationale"))
    windows: list[TimeWindow] = strawberry.field(description=definition("hasWindow"))

    @strawberry.field(description=definition("monitors"))
    async def monitors(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("monitors"))

    @strawberry.field(description=definition("assesses"))
    async def assesses(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("assesses"))


def monitoring_requirement(node: Node) -> MonitoringRequirement:
    return MonitoringRequirement(**claim_fields(node), intensity=node.tkg1("monitoringIntensity"),
                                 methods=node.texts(TKG + "monitoringMethod"), rationale=node.tkg1("rationale"),
                                 windows=windows(node))


@strawberry.type(description=definition("AdministrationRequirement"))
class AdministrationRequirement(Claim):
    windows: list[TimeWindow] = strawberry.field(description=definition("hasWindow"))
    hospitalization: bool = strawberry.field(description=definition("HospitalizationRequirement"))
    rationale: str | None

    @strawberry.field(description=definition("inSetting"))
    async def settings(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("inSetting"))


def administration_requirement(node: Node) -> AdministrationRequirement:
    return AdministrationRequirement(**claim_fields(node), windows=windows(node),
                                     hospitalization=node.is_a("HospitalizationRequirement"), rationale=node.tkg1("rationale"))
