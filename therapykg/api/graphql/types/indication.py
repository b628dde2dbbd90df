"""Indications with their disease state and population."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, Quantity, Resource, claim_fields, concepts, first_concept, quantity
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import Node


@strawberry.type(description=definition("Disease"))
class Disease(Resource):
    synonyms: list[str]
    _node: strawberry.Private[Node]

    @strawberry.field(description="The disease's classes (for example B-cell precursor ALL).")
    async def classes(self, info: Info) -> list[Concept]:
        return await concepts(info, sorted(self._node.types))


@strawberry.type(description=definition("DiseaseState"))
class DiseaseState(Resource):
    remission_numbers: list[int] = strawberry.field(description=definition("remissionNumber"))
    mrd_threshold: Quantity | None = strawberry.field(description=definition("mrdThreshold"))
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("stateOfDisease"))
    async def disease(self, info: Info) -> Disease | None:
        found = await info.context.loaders.nodes(self._node.tkg_refs("stateOfDisease"))
        return [disease(n) for n in found][0] if found else None

    @strawberry.field(description=definition("inSetting"))
    async def setting(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("inSetting"))


def disease(node: Node) -> Disease:
    return Disease(id=strawberry.ID(to_id(node.iri)), label=node.label,
                   synonyms=node.texts("http://www.w3.org/2004/02/skos/core#altLabel"), _node=node)


def disease_state(node: Node) -> DiseaseState:
    return DiseaseState(id=strawberry.ID(to_id(node.iri)), label=node.label,
                        remission_numbers=sorted(node.tkg("remissionNumber")), mrd_threshold=quantity(node, "mrdThreshold"),
                        _node=node)


@strawberry.type(description=definition("Population"))
class Population(Resource):
    minimum_age: Quantity | None = strawberry.field(description=definition("minimumAge"))
    maximum_age: Quantity | None = strawberry.field(description=definition("maximumAge"))
    minimum_weight: Quantity | None = strawberry.field(description=definition("minimumWeight"))
    maximum_weight: Quantity | None = strawberry.field(description=definition("maximumWeight"))
    comment: str | None
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("ageGroup"))
    async def age_groups(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("ageGroup"))


def population(node: Node) -> Population:
    return Population(id=strawberry.ID(to_id(node.iri)), label=node.label, minimum_age=quantity(node, "minimumAge"),
                      maximum_age=quantity(node, "maximumAge"), minimum_weight=quantity(node, "minimumWeight"),
                      maximum_weight=quantity(node, "maximumWeight"),
                      comment=node.first("http://www.w3.org/2000/01/rdf-schema#comment"), _node=node)


async def populations(info: Info, iris: list[str]) -> list[Population]:
    return [population(n) for n in await info.context.loaders.nodes(iris)]


@strawberry.type(description=definition("Indication"))
class Indication(Claim):
    approval_date: str | None = strawberry.field(description=definition("approvalDate"))
    approving_agency: str | None = strawberry.field(description=definition("approvingAgency"))
    approval_kind: str | None = strawberry.field(description=definition("approvalKind"))

    @strawberry.field(description=definition("indicationTherapy"))
    async def therapy(self, info: Info) -> Annotated["Therapy", strawberry.lazy("therapykg.api.graphql.types.therapy")] | None:
        from therapykg.api.graphql.types.therapy import therapies

        found = await therapies(info, self._node.tkg_refs("indicationTherapy"))
        return found[0] if found else None

    @strawberry.field(description=definition("indicationDiseaseState"))
    async def disease_states(self, info: Info) -> list[DiseaseState]:
        return [disease_state(n) for n in await info.context.loaders.nodes(self._node.tkg_refs("indicationDiseaseState"))]

    @strawberry.field(description=definition("indicationPopulation"))
    async def populations(self, info: Info) -> list[Population]:
        return await populations(info, self._node.tkg_refs("indicationPopulation"))

    @strawberry.field(description=definition("basisTrial"))
    async def basis_trials(self, info: Info) -> list[Annotated["ClinicalTrial", strawberry.lazy("therapykg.api.graphql.types.trial")]]:
        from therapykg.api.graphql.types.trial import trials

        return await trials(info, self._node.tkg_refs("basisTrial"))

    @strawberry.field(description=definition("requiresTargetExpression"))
    async def required_targets(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("requiresTargetExpression"))


def indication(node: Node) -> Indication:
    return Indication(**claim_fields(node), approval_date=node.tkg1("approvalDate"),
                      approving_agency=node.tkg1("approvingAgency"), approval_kind=node.tkg1("approvalKind"))
