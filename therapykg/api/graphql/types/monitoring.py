"""Monitoring requirements and hospitalization/administration requirements,
with their cycle-day windows."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, claim_fields
from therapykg.api.graphql.types.fields import links
from therapykg.domain.nodes import RDFS_LABEL, Node, Struct
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
                   first_day=struct.get_tkg("firstDay"), last_day=struct.get_tkg("lastDay"), label=struct.get(RDFS_LABEL))


def windows(node: Node) -> list[TimeWindow]:
    found = [TimeWindow.from_struct(w) for w in node.tkg("hasWindow") if isinstance(w, Struct)]
    return sorted(found, key=lambda w: (w.first_cycle or 0, w.first_day or 0))


@strawberry.type(description=definition("MonitoringRequirement"))
class MonitoringRequirement(Claim):
    intensity: str | None = strawberry.field(description=definition("monitoringIntensity"))
    methods: list[str] = strawberry.field(description=definition("monitoringMethod"))
    rationale: str | None = strawberry.field(description=definition("rationale"))
    windows: list[TimeWindow] = strawberry.field(description=definition("hasWindow"))

    monitors = links("monitors", to="Concept")
    assesses = links("assesses", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> MonitoringRequirement:
        return cls(**claim_fields(node), intensity=node.tkg1("monitoringIntensity"), methods=node.texts(TKG + "monitoringMethod"),
                   rationale=node.tkg1("rationale"), windows=windows(node))


@strawberry.type(description=definition("AdministrationRequirement"))
class AdministrationRequirement(Claim):
    windows: list[TimeWindow] = strawberry.field(description=definition("hasWindow"))
    hospitalization: bool = strawberry.field(description=definition("HospitalizationRequirement"))
    rationale: str | None

    settings = links("inSetting", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> AdministrationRequirement:
        return cls(**claim_fields(node), windows=windows(node), hospitalization=node.is_a("HospitalizationRequirement"),
                   rationale=node.tkg1("rationale"))
