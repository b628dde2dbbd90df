"""Therapies: kind, targets, mechanism, administration, identifiers, and
every claim about them."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.adverse_event import AdverseReaction, adverse_reaction
from therapykg.api.graphql.types.alternative import Alternative, alternative
from therapykg.api.graphql.types.common import Citation, Concept, Resource, citations, concepts
from therapykg.api.graphql.types.indication import Indication, indication
from therapykg.api.graphql.types.monitoring import (
    AdministrationRequirement,
    MonitoringRequirement,
    administration_requirement,
    monitoring_requirement,
)
from therapykg.api.graphql.types.pharmacology import PharmacologyClaim, pharmacology_claim, pharmacology_kind
from therapykg.api.graphql.types.regimen import Premedication, Regimen, premedication, regimen
from therapykg.api.graphql.types.rule import DoseModificationRule, dose_modification_rule
from therapykg.api.graphql.types.safety import SafetyKind, SafetyStatement, safety_statement
from therapykg.api.graphql.types.trial import ClinicalTrial, EfficacyOutcome, efficacy_outcome, trials
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import SKOS, Node
from therapykg.namespaces import TKG


@strawberry.enum(description=definition("Therapy"))
class TherapyKind(Enum):
    BISPECIFIC_T_CELL_ENGAGER = "BispecificTCellEngager"
    ANTIBODY_DRUG_CONJUGATE = "AntibodyDrugConjugate"
    MONOCLONAL_ANTIBODY = "MonoclonalAntibody"
    NUCLEOSIDE_ANALOG = "NucleosideAnalog"
    ANTHRACYCLINE = "Anthracycline"
    CYTOTOXIC_DRUG = "CytotoxicDrug"
    CORTICOSTEROID = "Corticosteroid"
    DRUG = "Drug"
    CAR_T_CELL_THERAPY = "CARTCellTherapy"
    CHEMOTHERAPY_REGIMEN = "ChemotherapyRegimen"
    PROCEDURE = "Procedure"
    CLINICAL_TRIAL_PARTICIPATION = "ClinicalTrialParticipation"


# Prefix of each identifier scheme in the mapping IRIs.
_SCHEMES = {
    "ncit": "http://purl.obolibrary.org/obo/NCIT_",
    "rxnorm": "http://purl.bioontology.org/ontology/RXNORM/",
    "drugbank": "https://go.drugbank.com/drugs/",
    "atc": "http://www.whocc.no/atc_ddd_index/?code=",
    "chebi": "http://purl.obolibrary.org/obo/CHEBI_",
}


def therapy_kind(node: Node) -> TherapyKind | None:
    """The most specific asserted or inferred kind (the enum lists them in that order)."""
    return next((kind for kind in TherapyKind if node.is_a(kind.value)), None)


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

    @strawberry.field(description=definition("hasTarget"))
    async def targets(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasTarget"))

    @strawberry.field(description=definition("hasMechanism"))
    async def mechanisms(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasMechanism"))

    @strawberry.field(description=definition("hasRoute"))
    async def routes(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasRoute"))

    @strawberry.field(description=definition("hasAdministrationMode"))
    async def administration_modes(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasAdministrationMode"))

    @strawberry.field(description=definition("hasComponent"))
    async def components(self, info: Info) -> list[Therapy]:
        return await therapies(info, self._node.tkg_refs("hasComponent"))

    @strawberry.field(description=definition("applicableDisease"))
    async def applicable_diseases(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("applicableDisease"))

    @strawberry.field(description="The sources of the therapy's description and identifiers.")
    async def sources(self, info: Info) -> list[Citation]:
        return await citations(info, self._node)

    @strawberry.field(description=definition("Indication"))
    async def indications(self, info: Info) -> list[Indication]:
        return [indication(n) for n in await info.context.loaders.referring_nodes(TKG + "indicationTherapy", self._node.iri)]

    @strawberry.field(description=definition("DosingRegimen"))
    async def regimens(self, info: Info) -> list[Regimen]:
        found = await info.context.loaders.referring_nodes(TKG + "regimenFor", self._node.iri, TKG + "DosingRegimen")
        return [regimen(n) for n in found]

    @strawberry.field(description=definition("Premedication"))
    async def premedications(self, info: Info) -> list[Premedication]:
        found = await info.context.loaders.referring_nodes(TKG + "regimenFor", self._node.iri, TKG + "Premedication")
        return [premedication(n) for n in found]

    @strawberry.field(description=definition("MonitoringRequirement") + " With `cycle`, only those that apply in that cycle.")
    async def monitoring(self, info: Info, cycle: int | None = None) -> list[MonitoringRequirement]:
        found = [monitoring_requirement(n) for n in await _claims(info, self._node, "MonitoringRequirement")]
        return [m for m in found if cycle is None or not m.windows or any(w.covers_cycle(cycle) for w in m.windows)]

    @strawberry.field(description=definition("AdministrationRequirement"))
    async def administration(self, info: Info) -> list[AdministrationRequirement]:
        return [administration_requirement(n) for n in await _claims(info, self._node, "AdministrationRequirement")]

    @strawberry.field(description=definition("AdverseReaction"))
    async def adverse_reactions(self, info: Info) -> list[AdverseReaction]:
        return [adverse_reaction(n) for n in await _claims(info, self._node, "AdverseReaction")]

    @strawberry.field(description=definition("DoseModificationRule"))
    async def dose_modification_rules(self, info: Info) -> list[DoseModificationRule]:
        return [dose_modification_rule(n) for n in await _claims(info, self._node, "DoseModificationRule")]

    @strawberry.field(description=definition("SafetyStatement") + " Optionally of one kind.")
    async def safety(self, info: Info, kind: SafetyKind | None = None) -> list[SafetyStatement]:
        found = [safety_statement(n) for n in await _claims(info, self._node, "SafetyStatement")]
        return [s for s in found if kind is None or s.kind == kind]

    @strawberry.field(description=definition("EfficacyOutcome"))
    async def outcomes(self, info: Info) -> list[EfficacyOutcome]:
        return [efficacy_outcome(n) for n in await _claims(info, self._node, "EfficacyOutcome")]

    @strawberry.field(description="Pharmacokinetics, immunogenicity and drug interaction claims.")
    async def pharmacology(self, info: Info) -> list[PharmacologyClaim]:
        found = await info.context.loaders.referring_nodes(TKG + "forTherapy", self._node.iri)
        return [pharmacology_claim(n) for n in found if pharmacology_kind(n) is not None]

    @strawberry.field(description="Statements that this therapy is an alternative to another, with applicability and reason.")
    async def alternative_for(self, info: Info) -> list[Alternative]:
        return [alternative(n) for n in await info.context.loaders.referring_nodes(TKG + "alternativeTherapy", self._node.iri)]

    @strawberry.field(description="Alternatives to this therapy.")
    async def alternatives(self, info: Info) -> list[Alternative]:
        return [alternative(n) for n in await info.context.loaders.referring_nodes(TKG + "alternativeTo", self._node.iri)]

    @strawberry.field(description="Trials with an arm that gives this therapy.")
    async def trials(self, info: Info) -> list[ClinicalTrial]:
        loaders = info.context.loaders
        arms = await loaders.referring(TKG + "armIntervention", self._node.iri)
        trial_iris = sorted({t for arm in arms for t in await loaders.referring(TKG + "hasArm", arm)})
        return await trials(info, trial_iris)


async def _claims(info: Info, node: Node, local_class: str) -> list[Node]:
    return await info.context.loaders.referring_nodes(TKG + "forTherapy", node.iri, TKG + local_class)


def therapy(node: Node) -> Therapy:
    return Therapy(id=strawberry.ID(to_id(node.iri)), label=node.label, kind=therapy_kind(node),
                   classes=sorted(to_id(t) for t in node.types if t.startswith(TKG)),
                   synonyms=node.texts(SKOS + "altLabel"), brand_names=node.texts(TKG + "brandName"),
                   payload=node.tkg1("payload"), initial_approval_year=node.tkg1("initialApprovalYear"),
                   external_ids=external_ids(node), _node=node)


async def therapies(info: Info, iris: list[str]) -> list[Therapy]:
    return [therapy(n) for n in await info.context.loaders.nodes(iris) if n.is_a("Therapy")]


__all__ = ["Therapy", "TherapyKind", "therapies", "therapy", "therapy_kind"]
