"""Indications with their disease state and population."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.context import GraphQLInfo
from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Claim, Concept, Quantity, Resource, claim_fields, quantity
from therapykg.api.graphql.types.fields import link, links, load
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import RDFS_COMMENT, SKOS, Node


@strawberry.type(description=definition("Disease"))
class Disease(Resource):
    synonyms: list[str]
    _node: strawberry.Private[Node]

    @strawberry.field(description="The disease's classes (for example B-cell precursor ALL).")
    async def classes(self, info: GraphQLInfo) -> list[Concept]:
        return await load(info, "Concept", sorted(self._node.types))

    @classmethod
    def from_node(cls, node: Node) -> Disease:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, synonyms=node.texts(SKOS + "altLabel"), _node=node)


@strawberry.type(description=definition("DiseaseState"))
class DiseaseState(Resource):
    remission_numbers: list[int] = strawberry.field(description=definition("remissionNumber"))
    mrd_threshold: Quantity | None = strawberry.field(description=definition("mrdThreshold"))
    _node: strawberry.Private[Node]

    disease = link("stateOfDisease", to="Disease")
    setting = link("inSetting", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> DiseaseState:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, remission_numbers=sorted(node.tkg("remissionNumber")),
                   mrd_threshold=quantity(node, "mrdThreshold"), _node=node)


@strawberry.type(description=definition("Population"))
class Population(Resource):
    minimum_age: Quantity | None = strawberry.field(description=definition("minimumAge"))
    maximum_age: Quantity | None = strawberry.field(description=definition("maximumAge"))
    minimum_weight: Quantity | None = strawberry.field(description=definition("minimumWeight"))
    maximum_weight: Quantity | None = strawberry.field(description=definition("maximumWeight"))
    comment: str | None
    _node: strawberry.Private[Node]

    age_groups = links("ageGroup", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> Population:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, minimum_age=quantity(node, "minimumAge"),
                   maximum_age=quantity(node, "maximumAge"), minimum_weight=quantity(node, "minimumWeight"),
                   maximum_weight=quantity(node, "maximumWeight"), comment=node.first(RDFS_COMMENT), _node=node)


@strawberry.type(description=definition("Indication"))
class Indication(Claim):
    approval_date: str | None = strawberry.field(description=definition("approvalDate"))
    approving_agency: str | None = strawberry.field(description=definition("approvingAgency"))
    approval_kind: str | None = strawberry.field(description=definition("approvalKind"))

    therapy = link("indicationTherapy", to="Therapy")
    disease_states = links("indicationDiseaseState", to="DiseaseState")
    populations = links("indicationPopulation", to="Population")
    basis_trials = links("basisTrial", to="ClinicalTrial")
    required_targets = links("requiresTargetExpression", to="Concept")

    @classmethod
    def from_node(cls, node: Node) -> Indication:
        return cls(**claim_fields(node), approval_date=node.tkg1("approvalDate"),
                   approving_agency=node.tkg1("approvingAgency"), approval_kind=node.tkg1("approvalKind"))
