"""The GraphQL schema: root fields, limits and caches.

Root fields that take arguments are nullable: a wrong argument (an unknown
id, named with the closest known one) nulls that field alone, with its error,
and the other root fields of the request still answer (the GraphQL spec
keeps an error in a nullable field local)."""

from __future__ import annotations

import asyncio
import base64
from enum import Enum
from typing import Annotated

import strawberry

from therapykg.api.graphql.context import GraphQLInfo
from therapykg.api.graphql.errors import INTERNAL_ERROR, ErrorCodes, _should_mask
from therapykg.api.graphql.limits import Limits, request_limits
from therapykg.api.graphql.types.adverse_event import AdverseReaction
from therapykg.api.graphql.types.alternative import Alternative
from therapykg.api.graphql.types.common import Concept, Conflict, Resource, Source
from therapykg.api.graphql.types.compare import Aspect, Comparison
from therapykg.api.graphql.types.coverage import Coverage
from therapykg.api.graphql.types.dose import (
    DoseAnswer,
    DoseCalculation,
    DoseInput,
    DoseModificationAnswer,
    PatientInput,
    ResponseStatus,
)
from therapykg.api.graphql.types.fields import load
from therapykg.api.graphql.types.indication import Disease, DiseaseState, Indication, Population
from therapykg.api.graphql.types.label_version import LabelComparison, LabelVersion
from therapykg.api.graphql.types.monitoring import AdministrationRequirement, MonitoringRequirement
from therapykg.api.graphql.types.pharmacology import PharmacologyClaim
from therapykg.api.graphql.types.regimen import Cycle, DoseStep, Premedication, Regimen
from therapykg.api.graphql.types.registry import as_resource
from therapykg.api.graphql.types.rule import DoseModificationRule
from therapykg.api.graphql.types.safety import SafetyStatement
from therapykg.api.graphql.types.statement import Statement
from therapykg.api.graphql.types.therapy import Therapy, TherapyKind
from therapykg.api.graphql.types.trial import ClinicalTrial
from therapykg.domain import catalog, coverage, label_versions
from therapykg.domain.compare import MAX_COMPARED, compare
from therapykg.domain.dose_calculation import calculate
from therapykg.domain.doses import dose_answers, dose_modification_answers
from therapykg.domain.dosing import DoseQuestion
from therapykg.domain.ids import UserInputError, to_iri
from therapykg.domain.inputs import known, scope_of, therapy_iri
from therapykg.domain.modification import EventReport
from therapykg.namespaces import TKG


@strawberry.enum(description="Clinical settings of the disease course.")
class Setting(Enum):
    RELAPSED_REFRACTORY = "RelapsedRefractory"
    MRD_POSITIVE = "MRDPositiveRemission"
    CONSOLIDATION = "Consolidation"


@strawberry.enum(description="Age groups.")
class AgeGroup(Enum):
    ADULT = "Adult"
    PEDIATRIC = "Pediatric"


@strawberry.enum(description="Orders for therapy lists (ties broken by id, so pages are stable).")
class TherapyOrder(Enum):
    NAME = "name"
    KIND = "kind"


@strawberry.input(description="Filters for therapies; all given filters must hold.")
class TherapyFilter:
    kind: list[TherapyKind] | None = None
    target: strawberry.ID | None = strawberry.field(default=None, description="A molecular target, for example tkg:CD19 or CD19.")
    setting: Setting | None = strawberry.field(default=None, description="Indicated, or an alternative, in this setting.")
    population: AgeGroup | None = strawberry.field(default=None, description="Has an indication covering this age group.")
    text: str | None = strawberry.field(default=None, description="Text in the name, a synonym or a brand name (case-insensitive).")

    def to_domain(self) -> catalog.TherapyFilter:
        target = self.target and to_iri(self.target if ":" in self.target else "tkg:" + self.target)  # a bare name is a tkg: target
        return catalog.TherapyFilter(kinds=frozenset(k.value for k in self.kind or []), target=target or None,
                                     setting=TKG + self.setting.value if self.setting else None,
                                     age_group=TKG + self.population.value if self.population else None, text=self.text)


@strawberry.type
class TherapyEdge:
    cursor: str
    node: Therapy


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A page of therapies (Relay connection).")
class TherapyConnection:
    edges: list[TherapyEdge]
    page_info: PageInfo
    total_count: int


def _cursor(identifier: str) -> str:
    return base64.urlsafe_b64encode(f"therapy:{identifier}".encode()).decode()


def _after(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise UserInputError(f"after: {cursor!r} is not a cursor from this API") from None
    if not text.startswith("therapy:"):
        raise UserInputError(f"after: {cursor!r} is not a cursor from this API")
    return text[len("therapy:"):]


@strawberry.type
class Query:
    @strawberry.field(description="A therapy by id (compact IRI such as tkgr:blinatumomab, or its name).")
    async def therapy(self, info: GraphQLInfo, id: strawberry.ID) -> Therapy | None:
        found = await load(info, "Therapy", [to_iri(id)])
        return found[0] if found else None

    @strawberry.field(description="Therapies, filtered, ordered and paginated (Relay connection with totalCount).")
    async def therapies(self, info: GraphQLInfo, filter: TherapyFilter | None = None, order_by: TherapyOrder = TherapyOrder.NAME,
                        first: int = 20, after: str | None = None) -> TherapyConnection | None:
        catalog.check_page_size(first)
        loaders = info.context.loaders
        nodes = await catalog.therapies(loaders)
        if filter:
            nodes = await catalog.filtered(loaders, nodes, filter.to_domain())
        nodes = catalog.ordered(nodes, by_kind=order_by == TherapyOrder.KIND)
        page = catalog.page(nodes, first, _after(after) if after else None)
        edges = [TherapyEdge(cursor=_cursor(t.id), node=t) for t in map(Therapy.from_node, page.nodes)]
        return TherapyConnection(edges=edges, total_count=page.total,
                                 page_info=PageInfo(has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="Approved indications, of one therapy or of all.")
    async def indications(self, info: GraphQLInfo, therapy: strawberry.ID | None = None) -> list[Indication] | None:
        found = await catalog.claims(info.context.loaders, "Indication", "indicationTherapy", await _therapy(info, therapy))
        return [Indication.from_node(n) for n in found]

    @strawberry.field(description="Clinical trials, ordered by name.")
    async def trials(self, info: GraphQLInfo) -> list[ClinicalTrial]:
        return [ClinicalTrial.from_node(n) for n in await catalog.trials(info.context.loaders)]

    @strawberry.field(description="Adverse reaction claims, of one therapy or of all.")
    async def adverse_events(self, info: GraphQLInfo, therapy: strawberry.ID | None = None) -> list[AdverseReaction] | None:
        found = await catalog.claims(info.context.loaders, "AdverseReaction", "forTherapy", await _therapy(info, therapy))
        return [AdverseReaction.from_node(n) for n in found]

    @strawberry.field(description="Monitoring requirements of a therapy; with `cycle`, those that apply in that cycle.")
    async def monitoring(self, info: GraphQLInfo, therapy: strawberry.ID, cycle: int | None = None) -> list[MonitoringRequirement] | None:
        iri = await therapy_iri(info.context.loaders, therapy)
        return [MonitoringRequirement.from_node(n) for n in await catalog.monitoring(info.context.loaders, iri, cycle)]

    @strawberry.field(description="Dose modification rules evaluated for a reported event: per source, the rules that apply in this "
                                  "setting to this patient and their actions in order (doses for this patient, waiting times and what "
                                  "they are counted from), what the report must add to decide the others, and the grading system.")
    async def dose_modification(self, info: GraphQLInfo, therapy: strawberry.ID, setting: Setting, patient: PatientInput,
                                         event: strawberry.ID, grade: int | None = None, duration_days: float | None = None,
                                         recurred: bool | None = None, condition: strawberry.ID | None = None,
                                         occurrences: int | None = None, current_dose: DoseInput | None = None,
                                         ) -> list[DoseModificationAnswer] | None:
        report = EventReport(TKG + setting.value, patient.to_domain(), to_iri(event), grade, duration_days, recurred,
                             to_iri(condition) if condition else None, occurrences, current_dose.to_domain() if current_dose else None)
        iri, _ = await asyncio.gather(therapy_iri(info.context.loaders, therapy), _finding(info, event))
        return [DoseModificationAnswer.from_domain(a) for a in await dose_modification_answers(info.context.loaders, iri, report)]

    @strawberry.field(description="The dose modification rules of a therapy for an event at a grade (and condition), as the sources "
                                  "state them, with their ordered actions: for every patient and setting. doseModification evaluates "
                                  "them for one patient in one setting.")
    async def dose_modification_rules(self, info: GraphQLInfo, therapy: strawberry.ID, event: strawberry.ID, grade: int,
                                condition: strawberry.ID | None = None) -> list[DoseModificationRule] | None:
        grade = catalog.ctcae_grade(grade)  # checked before the ids
        condition_iri = _iri(condition)
        iri, event_iri = await asyncio.gather(therapy_iri(info.context.loaders, therapy), _finding(info, event))
        rules = await catalog.triggered_rules(info.context.loaders, iri, event_iri, grade, condition_iri)
        return [DoseModificationRule.from_node(n) for n in rules]

    @strawberry.field(description="Alternatives to a therapy, optionally in one setting, with applicability and the reason.")
    async def alternatives(self, info: GraphQLInfo, to: strawberry.ID, setting: Setting | None = None) -> list[Alternative] | None:
        iri = await therapy_iri(info.context.loaders, to)
        found = await catalog.alternatives(info.context.loaders, iri, TKG + setting.value if setting else None)
        return [Alternative.from_node(n) for n in found]

    @strawberry.field(description="Every recorded disagreement between sources.")
    async def conflicts(self, info: GraphQLInfo) -> list[Conflict]:
        return [Conflict.from_node(n) for n in await catalog.conflicts(info.context.loaders)]

    @strawberry.field(description="Any resource of the graph by id.")
    async def node(self, info: GraphQLInfo, id: strawberry.ID) -> Resource | None:
        (found,) = await info.context.loaders.nodes([to_iri(id)])
        return as_resource(found) if found.exists else None

    @strawberry.field(description="A side-by-side comparison of two or more therapies over the chosen aspects (all by default). A cell with no data says so; values that cannot be compared on the same scale carry their context.")
    async def compare_therapies(
        self, info: GraphQLInfo, ids: list[strawberry.ID], aspects: list[Aspect] | None = None,
        setting: Annotated[str | None, strawberry.argument(
            description="Only claims in this setting: relapsed-refractory, mrd-positive or consolidation. A claim that states none takes the setting of the trial it reports on; one with neither is kept.")] = None,
        population: Annotated[str | None, strawberry.argument(
            description="Only claims about this age group: adult or pediatric. A claim that states none takes the population of the trial it reports on; one with neither is kept.")] = None,
    ) -> Comparison | None:
        if len(ids) > MAX_COMPARED:
            raise UserInputError(f"compare at most {MAX_COMPARED} therapies at a time")
        checked = await asyncio.gather(*(therapy_iri(info.context.loaders, i) for i in ids), return_exceptions=True)
        if failed := next((e for e in checked if isinstance(e, BaseException)), None):
            raise failed
        try:
            comparison = await compare(info.context.loaders, [i for i in checked if isinstance(i, str)], aspects=aspects,
                                       scope=scope_of(setting, population))
        except ValueError as exc:
            raise UserInputError(str(exc)) from None
        return Comparison.from_domain(comparison)

    @strawberry.field(description="How many claims, and from how many distinct sources, back each aspect of each therapy of the "
                                  "graph: a therapy-by-aspect matrix that shows where the graph is thin.")
    async def coverage(self, info: GraphQLInfo) -> Coverage:
        return Coverage.from_domain(await coverage.coverage(info.context.loaders))

    @strawberry.field(description="Label versions (of one product, a therapy id, when given): jurisdiction, version date, "
                                  "identifiers where a source shows them, and the sources that reproduce each.")
    async def label_versions(self, info: GraphQLInfo, product: strawberry.ID | None = None) -> list[LabelVersion] | None:
        found = await label_versions.label_versions(info.context.loaders, await _therapy(info, product))
        return [LabelVersion.from_domain(v) for v in found]

    @strawberry.field(name="labelDifferences",
                      description="What differs between two versions of a product's label: claims read from one version and "
                                  "not the other (where the other has claims of that kind), and pairs a recorded conflict sets "
                                  "against each other, with the values that differ.")
    async def label_differences(self, info: GraphQLInfo, product: strawberry.ID, from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
                                to: strawberry.ID) -> LabelComparison | None:
        iri = await therapy_iri(info.context.loaders, product)
        comparison = await label_versions.label_differences(info.context.loaders, iri, to_iri(from_), to_iri(to))
        return LabelComparison.from_domain(comparison)

    @strawberry.field(description="The dose of a therapy for a patient on a day of a cycle in a setting: one answer per source "
                                  "that has a regimen for it, each with the dose for this patient or the reason there is none.")
    async def dose(self, info: GraphQLInfo, therapy: strawberry.ID, setting: Setting, patient: PatientInput, cycle: int, day: int,
                   response: ResponseStatus | None = None) -> list[DoseAnswer] | None:
        question = DoseQuestion(TKG + setting.value, patient.to_domain(), cycle, day, response.to_domain() if response else None)
        iri = await therapy_iri(info.context.loaders, therapy)
        return [DoseAnswer.from_domain(a) for a in await dose_answers(info.context.loaders, iri, question)]

    @strawberry.field(description="The dose for a patient on a cycle day, computed from a regimen of the graph (weight band, basis, cap), with the rule and its source.")
    async def dose_calculation(self, info: GraphQLInfo, regimen: strawberry.ID, weight_kg: float, cycle: int, day: int,
                               body_surface_area_m2: float | None = None, height_cm: float | None = None) -> DoseCalculation | None:
        iri = to_iri(regimen)
        (node,) = await info.context.loaders.nodes([iri])
        if not node.exists:  # a typo: named with the closest regimen (what exists but is no regimen, the domain says)
            await known(info.context.loaders, regimen, ("DosingRegimen",), "dosing regimen")
        return DoseCalculation.from_domain(await calculate(info.context.loaders, iri, weight_kg=weight_kg, cycle=cycle,
                                                           day=day, bsa_m2=body_surface_area_m2, height_cm=height_cm))


def _iri(identifier: str | None) -> str | None:
    return to_iri(identifier) if identifier is not None else None


async def _therapy(info: GraphQLInfo, identifier: str | None) -> str | None:
    """The IRI of the therapy ``identifier`` names, if one is given.

    :raises UserInputError: it names none; the message names the closest therapy.
    """
    return await therapy_iri(info.context.loaders, identifier) if identifier is not None else None


async def _finding(info: GraphQLInfo, identifier: str) -> str:
    """The IRI of the clinical finding (an adverse event) ``identifier`` names.

    :raises UserInputError: it names none; the message names the closest finding.
    """
    return await known(info.context.loaders, identifier, ("ClinicalFinding",), "clinical finding")


__all__ = ["INTERNAL_ERROR", "_should_mask", "build_schema", "schema"]


DEFAULT_LIMITS = Limits()


def build_schema(*, limits: Limits = DEFAULT_LIMITS) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        # Types the root fields do not lead to directly (resources and claims that `node` may answer).
        types=[Concept, Source, Disease, DiseaseState, Population, Regimen, Cycle, DoseStep, Premedication,
               AdministrationRequirement, SafetyStatement, PharmacologyClaim, Statement],
        extensions=[
            request_limits(limits),  # also caches the parsing and validation of small queries
            ErrorCodes,  # masks internal errors, and gives every error its extensions.code
        ],
    )


schema = build_schema()
