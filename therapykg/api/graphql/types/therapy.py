"""Therapies: kind, targets, mechanism, administration, identifiers, and
every claim about them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry

from therapykg.api.graphql.context import GraphQLInfo
from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.common import Citation, Resource, citations
from therapykg.api.graphql.types.fields import links, load, referring, reverse
from therapykg.api.graphql.types.registry import from_nodes
from therapykg.domain import catalog, kinds
from therapykg.domain.ids import to_id
from therapykg.domain.kinds import therapy_kind
from therapykg.domain.nodes import SKOS, Node
from therapykg.namespaces import TKG

if TYPE_CHECKING:  # at run time the types stay apart; strawberry finds them lazily
    from therapykg.api.graphql.types.monitoring import MonitoringRequirement
    from therapykg.api.graphql.types.safety import SafetyKind, SafetyStatement
    from therapykg.api.graphql.types.trial import ClinicalTrial

# The domain's enum as a GraphQL enum: strawberry.enum marks the class itself,
# so the name is a plain alias of the domain's class (a type, to mypy).
TherapyKind = kinds.TherapyKind
strawberry.enum(TherapyKind, name="TherapyKind", description=definition("Therapy"))

# Types of other modules that the hand-written fields below return or take,
# resolved when strawberry builds the schema (what registry.annotation makes).
ClinicalTrialType: TypeAlias = Annotated["ClinicalTrial", strawberry.lazy("therapykg.api.graphql.types.trial")]
MonitoringRequirementType: TypeAlias = Annotated["MonitoringRequirement", strawberry.lazy("therapykg.api.graphql.types.monitoring")]
SafetyKindType: TypeAlias = Annotated["SafetyKind", strawberry.lazy("therapykg.api.graphql.types.safety")]
SafetyStatementType: TypeAlias = Annotated["SafetyStatement", strawberry.lazy("therapykg.api.graphql.types.safety")]


# Prefix of each identifier scheme in the mapping IRIs.
_SCHEMES = {
    "ncit": "http://purl.obolibrary.org/obo/NCIT_",
    "rxnorm": "http://purl.bioontology.org/ontology/RXNORM/",
    "drugbank": "https://go.drugbank.com/drugs/",
    "atc": "http://www.whocc.no/atc_ddd_index/?code=",
    "chebi": "http://purl.obolibrary.org/obo/CHEBI_",
}


@strawberry.type(description="Identifiers of a therapy in other vocabularies (only those verified in a source).")
class ExternalIds:
    ncit: list[str]
    rxnorm: list[str] = strawberry.field(description="RxNorm concepts: ingredient (exact match) and brand (close match).")
    drugbank: list[str]
    atc: list[str]
    chebi: list[str]


def external_ids(node: Node) -> ExternalIds:
    iris = [v.iri for p in (SKOS + "exactMatch", SKOS + "closeMatch") for v in node.all(p) if hasattr(v, "iri")]
    return ExternalIds(**{scheme: sorted(i[len(prefix):] for i in iris if i.startswith(prefix)) for scheme, prefix in _SCHEMES.items()})


@strawberry.type(description=definition("Therapy"))
class Therapy(Resource):
    kind: TherapyKind | None
    classes: list[str] = strawberry.field(description="Every class of the therapy, asserted or inferred by the reasoner, as compact IRIs.")
    synonyms: list[str]
    brand_names: list[str] = strawberry.field(description=definition("brandName"))
    payload: str | None = strawberry.field(description=definition("payload"))
    initial_approval_year: int | None = strawberry.field(description=definition("initialApprovalYear"))
    external_ids: ExternalIds
    _node: strawberry.Private[Node]

    targets = links("hasTarget", to="Concept")
    mechanisms = links("hasMechanism", to="Concept")
    routes = links("hasRoute", to="Concept")
    administration_modes = links("hasAdministrationMode", to="Concept")
    components = links("hasComponent", to="Therapy")
    applicable_diseases = links("applicableDisease", to="Concept")

    @strawberry.field(description="The sources of the therapy's description and identifiers.")
    async def sources(self, info: GraphQLInfo) -> list[Citation]:
        return await citations(info, self._node)

    indications = reverse("indicationTherapy", to="Indication")
    regimens = reverse("regimenFor", of_class="DosingRegimen")
    premedications = reverse("regimenFor", of_class="Premedication")

    @strawberry.field(description=definition("MonitoringRequirement") + " With `cycle`, only those that apply in that cycle.")
    async def monitoring(self, info: GraphQLInfo, cycle: int | None = None) -> list[MonitoringRequirementType]:
        return from_nodes("MonitoringRequirement", await catalog.monitoring(info.context.loaders, self._node.iri, cycle))

    administration = reverse("forTherapy", of_class="AdministrationRequirement")
    adverse_reactions = reverse("forTherapy", of_class="AdverseReaction")
    dose_modification_rules = reverse("forTherapy", of_class="DoseModificationRule")

    @strawberry.field(description=definition("SafetyStatement") + " Optionally of one kind.")
    async def safety(self, info: GraphQLInfo, kind: SafetyKindType | None = None) -> list[SafetyStatementType]:
        found = await referring(info, self._node.iri, "forTherapy", "SafetyStatement", of_class="SafetyStatement")
        return [s for s in found if kind is None or s.kind == kind]

    outcomes = reverse("forTherapy", of_class="EfficacyOutcome")
    pharmacology = reverse("forTherapy", to="PharmacologyClaim", description="Pharmacokinetics, immunogenicity and drug interaction claims.")
    alternative_for = reverse("alternativeTherapy", to="Alternative",
                              description="Statements that this therapy is an alternative to another, with applicability and reason.")
    alternatives = reverse("alternativeTo", to="Alternative", description="Alternatives to this therapy.")

    @strawberry.field(description="Trials with an arm that gives this therapy.")
    async def trials(self, info: GraphQLInfo) -> list[ClinicalTrialType]:
        loaders = info.context.loaders
        arms = await loaders.referring(TKG + "armIntervention", self._node.iri)
        per_arm = await asyncio.gather(*(loaders.referring(TKG + "hasArm", arm) for arm in arms))
        return await load(info, "ClinicalTrial", sorted({t for found in per_arm for t in found}))

    @classmethod
    def accepts(cls, node: Node) -> bool:
        """Only therapies (a link to anything else is left out)."""
        return node.is_a("Therapy")

    @classmethod
    def from_node(cls, node: Node) -> Therapy:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, kind=therapy_kind(node),
                   classes=sorted(to_id(t) for t in node.types if t.startswith(TKG)),
                   synonyms=node.texts(SKOS + "altLabel"), brand_names=node.texts(TKG + "brandName"),
                   payload=node.tkg1("payload"), initial_approval_year=node.tkg1("initialApprovalYear"),
                   external_ids=external_ids(node), _node=node)
