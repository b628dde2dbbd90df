"""The GraphQL schema: root fields, limits and caches."""

from __future__ import annotations

import base64
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import Info

from therapykg.api.graphql.dose import (
    DoseAnswer,
    DoseCalculation,
    DoseInput,
    DoseModificationAnswer,
    PatientInput,
    ResponseStatus,
    calculate,
    dose_answers,
    dose_modification_answers,
)
from therapykg.api.graphql.limits import Limits, request_limits
from therapykg.api.graphql.types.adverse_event import AdverseReaction, adverse_reaction
from therapykg.api.graphql.types.alternative import Alternative, alternative
from therapykg.api.graphql.types.common import Conflict, Resource
from therapykg.api.graphql.types.indication import Indication, indication
from therapykg.api.graphql.types.monitoring import MonitoringRequirement
from therapykg.api.graphql.types.registry import as_resource
from therapykg.api.graphql.types.rule import DoseModificationRule, dose_modification_rule
from therapykg.api.graphql.types.therapy import Therapy, TherapyKind, therapies, therapy
from therapykg.api.graphql.types.trial import ClinicalTrial, trials
from therapykg.domain.compare import Aspect, Comparison, compare
from therapykg.domain.dosing import Amount
from therapykg.domain.dosing import Patient as DosePatient
from therapykg.domain.ids import UserInputError, to_iri
from therapykg.domain.modification import EventReport
from therapykg.domain.nodes import RDF_TYPE
from therapykg.namespaces import TKG

MAX_PAGE = 100


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


_THERAPY_FACETS = """
SELECT ?t ?setting ?ageGroup WHERE {
  ?t a tkg:Therapy .
  OPTIONAL { { ?i tkg:indicationTherapy ?t ; tkg:indicationDiseaseState/tkg:inSetting ?setting }
             UNION { ?a tkg:alternativeTherapy ?t ; tkg:applicability tkg:Applicable ; tkg:inSetting ?setting } }
  OPTIONAL { ?j tkg:indicationTherapy ?t ; tkg:indicationPopulation/tkg:ageGroup ?ageGroup }
}"""


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


async def _therapy_ids(info: Info) -> list[str]:
    rows = await info.context.backend.select(_PREFIXED("SELECT DISTINCT ?t WHERE { ?t a tkg:Therapy }"))
    return sorted(r["t"]["value"] for r in rows)


def _PREFIXED(query: str) -> str:
    return f"PREFIX tkg: <{TKG}>\n" + query


@strawberry.type
class Query:
    @strawberry.field(description="A therapy by id (compact IRI such as tkgr:blinatumomab, or its name).")
    async def therapy(self, info: Info, id: strawberry.ID) -> Therapy | None:
        found = await therapies(info, [to_iri(id)])
        return found[0] if found else None

    @strawberry.field(description="Therapies, filtered, ordered and paginated (Relay connection with totalCount).")
    async def therapies(self, info: Info, filter: TherapyFilter | None = None, order_by: TherapyOrder = TherapyOrder.NAME,
                        first: int = 20, after: str | None = None) -> TherapyConnection:
        if not 0 <= first <= MAX_PAGE:
            raise UserInputError(f"first must be between 0 and {MAX_PAGE}")
        nodes = await info.context.loaders.nodes(await _therapy_ids(info))
        items = [therapy(n) for n in nodes]
        if filter:
            items = await _filtered(info, items, filter)
        key = (lambda t: (t.label.lower(), t.id)) if order_by == TherapyOrder.NAME else (lambda t: ((t.kind.name if t.kind else "~"), t.label.lower(), t.id))
        items.sort(key=key)
        start = 0
        if after:
            last = _after(after)
            positions = [i for i, t in enumerate(items) if t.id == last]
            if not positions:
                raise UserInputError("after: the cursor's therapy is not in this list")
            start = positions[0] + 1
        page = items[start:start + first]
        edges = [TherapyEdge(cursor=_cursor(t.id), node=t) for t in page]
        return TherapyConnection(edges=edges, total_count=len(items),
                                 page_info=PageInfo(has_next_page=start + first < len(items), end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="Approved indications, of one therapy or of all.")
    async def indications(self, info: Info, therapy: strawberry.ID | None = None) -> list[Indication]:
        return [indication(n) for n in await _instances(info, "Indication", "indicationTherapy", therapy)]

    @strawberry.field(description="Clinical trials, ordered by name.")
    async def trials(self, info: Info) -> list[ClinicalTrial]:
        rows = await info.context.backend.select(_PREFIXED("SELECT ?t WHERE { ?t a tkg:ClinicalTrial }"))
        found = await trials(info, sorted(r["t"]["value"] for r in rows))
        return sorted(found, key=lambda t: t.label.lower())

    @strawberry.field(description="Adverse reaction claims, of one therapy or of all.")
    async def adverse_events(self, info: Info, therapy: strawberry.ID | None = None) -> list[AdverseReaction]:
        return [adverse_reaction(n) for n in await _instances(info, "AdverseReaction", "forTherapy", therapy)]

    @strawberry.field(description="Monitoring requirements of a therapy; with `cycle`, those that apply in that cycle.")
    async def monitoring(self, info: Info, therapy: strawberry.ID, cycle: int | None = None) -> list[MonitoringRequirement]:
        found = await therapies(info, [to_iri(therapy)])
        if not found:
            raise UserInputError(f"no therapy {therapy!r}")
        return await found[0].monitoring(info, cycle)

    @strawberry.field(description="Dose modification rules evaluated for a reported event: per source, the rules that apply in this "
                                  "setting to this patient and their actions in order (doses for this patient, waiting times and what "
                                  "they are counted from), what the report must add to decide the others, and the grading system.")
    async def dose_modification(self, info: Info, therapy: strawberry.ID, setting: Setting, patient: PatientInput,
                                         event: strawberry.ID, grade: int | None = None, duration_days: float | None = None,
                                         recurred: bool | None = None, condition: strawberry.ID | None = None,
                                         occurrences: int | None = None, current_dose: DoseInput | None = None) -> list[DoseModificationAnswer]:
        report = EventReport(TKG + setting.value, DosePatient(patient.weight_kg, patient.height_cm, patient.body_surface_area_m2,
                                                              patient.age_years),
                             to_iri(event), grade, duration_days, recurred, to_iri(condition) if condition else None, occurrences,
                             Amount(current_dose.value, current_dose.unit) if current_dose else None)
        return await dose_modification_answers(info.context.loaders, to_iri(therapy), report)

    @strawberry.field(description="The dose modification rules of a therapy for an event at a grade (and condition), as the sources "
                                  "state them, with their ordered actions: for every patient and setting. doseModification evaluates "
                                  "them for one patient in one setting.")
    async def dose_modification_rules(self, info: Info, therapy: strawberry.ID, event: strawberry.ID, grade: int,
                                condition: strawberry.ID | None = None) -> list[DoseModificationRule]:
        if not 1 <= grade <= 5:
            raise UserInputError("grade must be a CTCAE grade from 1 to 5")
        event_iri, condition_iri = to_iri(event), to_iri(condition) if condition else None
        loaders = info.context.loaders
        rules = await _instances(info, "DoseModificationRule", "forTherapy", therapy)
        triggers = {n.iri: n for n in await loaders.nodes(sorted({t for r in rules for t in r.tkg_refs("hasTrigger")}))}
        matching = []
        for rule in rules:
            for trig in (triggers[t] for t in rule.tkg_refs("hasTrigger")):
                low, high = trig.tkg1("minimumGrade"), trig.tkg1("maximumGrade")
                if event_iri not in trig.tkg_refs("triggerEvent") + trig.tkg_refs("triggerCondition"):
                    continue
                if low is not None and grade < low or high is not None and grade > high:
                    continue
                # A rule with a condition applies only when that condition is asked for;
                # a rule without one applies whatever the condition.
                conditions = [c for c in trig.tkg_refs("triggerCondition") if c != event_iri]
                if conditions and condition_iri not in conditions:
                    continue
                matching.append(dose_modification_rule(rule))
        return matching

    @strawberry.field(description="Alternatives to a therapy, optionally in one setting, with applicability and the reason.")
    async def alternatives(self, info: Info, to: strawberry.ID, setting: Setting | None = None) -> list[Alternative]:
        found = await info.context.loaders.referring_nodes(TKG + "alternativeTo", to_iri(to))
        if setting:
            found = [n for n in found if TKG + setting.value in n.tkg_refs("inSetting")]
        return [alternative(n) for n in found]

    @strawberry.field(description="Every recorded disagreement between sources.")
    async def conflicts(self, info: Info) -> list[Conflict]:
        rows = await info.context.backend.select(_PREFIXED("SELECT ?c WHERE { ?c a tkg:Conflict }"))
        return await Conflict.load(info, sorted(r["c"]["value"] for r in rows))

    @strawberry.field(description="Any resource of the graph by id.")
    async def node(self, info: Info, id: strawberry.ID) -> Resource | None:
        (found,) = await info.context.loaders.nodes([to_iri(id)])
        return as_resource(found) if found.exists else None

    @strawberry.field(description="A side-by-side comparison of two or more therapies over the chosen aspects (all by default). A cell with no data says so; values that cannot be compared on the same scale carry their context.")
    async def compare_therapies(self, info: Info, ids: list[strawberry.ID], aspects: list[Aspect] | None = None) -> Comparison:
        if len(ids) > 8:
            raise UserInputError("compare at most 8 therapies at a time")
        try:
            return await compare(info.context.loaders, [to_iri(i) for i in ids], aspects)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None

    @strawberry.field(description="The dose of a therapy for a patient on a day of a cycle in a setting: one answer per source "
                                  "that has a regimen for it, each with the dose for this patient or the reason there is none.")
    async def dose(self, info: Info, therapy: strawberry.ID, setting: Setting, patient: PatientInput, cycle: int, day: int,
                   response: ResponseStatus | None = None) -> list[DoseAnswer]:
        return await dose_answers(info.context.loaders, to_iri(therapy), TKG + setting.value, patient, cycle, day, response)

    @strawberry.field(description="The dose for a patient on a cycle day, computed from a regimen of the graph (weight band, basis, cap), with the rule and its source.")
    async def dose_calculation(self, info: Info, regimen: strawberry.ID, weight_kg: float, cycle: int, day: int,
                               body_surface_area_m2: float | None = None, height_cm: float | None = None) -> DoseCalculation:
        return await calculate(info.context.loaders, to_iri(regimen), weight_kg=weight_kg, cycle=cycle, day=day,
                               bsa_m2=body_surface_area_m2, height_cm=height_cm)


async def _instances(info: Info, local_class: str, link: str, therapy_id: str | None):
    loaders = info.context.loaders
    if therapy_id is not None:
        found = await loaders.referring_nodes(TKG + link, to_iri(therapy_id))
    else:
        found = await loaders.referring_nodes(RDF_TYPE, TKG + local_class)
    return [n for n in found if n.is_a(local_class)]


async def _filtered(info: Info, items: list[Therapy], spec: TherapyFilter) -> list[Therapy]:
    if spec.kind:
        wanted = {k.value for k in spec.kind}
        items = [t for t in items if wanted & {c.split(":", 1)[1] for c in t.classes}]
    if spec.target:
        target = to_iri(spec.target if ":" in spec.target else "tkg:" + spec.target)
        items = [t for t in items if target in t._node.tkg_refs("hasTarget")]
    if spec.text:
        needle = spec.text.lower()
        items = [t for t in items if any(needle in name.lower() for name in [t.label, *t.synonyms, *t.brand_names])]
    if spec.setting or spec.population:
        rows = await info.context.backend.select(_PREFIXED(_THERAPY_FACETS))
        settings, groups = {}, {}
        for r in rows:
            if "setting" in r:
                settings.setdefault(r["t"]["value"], set()).add(r["setting"]["value"])
            if "ageGroup" in r:
                groups.setdefault(r["t"]["value"], set()).add(r["ageGroup"]["value"])
        if spec.setting:
            items = [t for t in items if TKG + spec.setting.value in settings.get(t._node.iri, set())]
        if spec.population:
            items = [t for t in items if TKG + spec.population.value in groups.get(t._node.iri, set())]
    return items


INTERNAL_ERROR = "Unexpected error."  # what the client sees of a masked error


def _should_mask(error: GraphQLError) -> bool:
    """Show the client its own mistakes; hide internal failures. An error
    outside any field that graphql-core raised (a variable of the wrong type,
    a failed validation) is the client's; one raised in a resolver is internal
    unless it is a UserInputError."""
    original = error.original_error
    if original is None or isinstance(original, UserInputError):
        return False
    return error.path is not None or not isinstance(original, GraphQLError)


def build_schema(*, limits: Limits = Limits()) -> strawberry.Schema:
    from therapykg.api.graphql.types import common, monitoring, pharmacology, regimen, safety, statement
    from therapykg.api.graphql.types import indication as ind

    return strawberry.Schema(
        query=Query,
        types=[common.Concept, common.Source, ind.Disease, ind.DiseaseState, ind.Population, regimen.Regimen, regimen.Cycle,
               regimen.DoseStep, regimen.Premedication, monitoring.AdministrationRequirement, safety.SafetyStatement,
               pharmacology.PharmacologyClaim, statement.Statement],
        extensions=[
            request_limits(limits),  # also caches the parsing and validation of small queries
            lambda: MaskErrors(should_mask_error=_should_mask, error_message=INTERNAL_ERROR),
        ],
    )


schema = build_schema()
