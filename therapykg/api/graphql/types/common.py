"""Shared types: quantities, concepts, sources with citations, conflicts and
the Claim interface that every sourced statement implements."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from therapykg.api.graphql.ontology_text import definition
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import DCT, PROV_DERIVED, RDFS_COMMENT, SCHEMA_URL, SKOS, Node, Ref, Struct
from therapykg.namespaces import TKG


def _num(value) -> float | None:
    return float(value) if isinstance(value, (int, Decimal)) else None


def _fmt(value) -> str:
    # Keep the source's digits: 4.0 stays 4.0.
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@strawberry.type(description=definition("Quantity"))
class Quantity:
    value: float | None
    lower: float | None
    upper: float | None
    unit: str
    comparator: str | None = strawberry.field(description=definition("comparator"))
    plus_minus: float | None = strawberry.field(description=definition("plusMinus"))
    numerator: int | None
    denominator: int | None
    text: str = strawberry.field(description="The quantity as the source gives it, for display (for example '3-14 %', '~ 65 %', '1.25 ± 0.63 h').")

    @classmethod
    def from_struct(cls, struct: Struct | None) -> Quantity | None:
        if not isinstance(struct, Struct) or struct.get_tkg("unit") is None:
            return None
        value, lower, upper = struct.get_tkg("numericValue"), struct.get_tkg("lowerValue"), struct.get_tkg("upperValue")
        unit, comparator, spread = str(struct.get_tkg("unit")), struct.get_tkg("comparator"), struct.get_tkg("plusMinus")
        number = f"{_fmt(lower)}-{_fmt(upper)}" if value is None else _fmt(value)
        text = " ".join(p for p in [comparator or "", number + (f" ± {_fmt(spread)}" if spread is not None else ""), unit] if p)
        return cls(value=_num(value), lower=_num(lower), upper=_num(upper), unit=unit, comparator=comparator,
                   plus_minus=_num(spread), numerator=struct.get_tkg("numerator"), denominator=struct.get_tkg("denominator"),
                   text=text)


def quantity(node: Node, name: str) -> Quantity | None:
    return Quantity.from_struct(node.tkg1(name))


@strawberry.interface(description="A resource of the graph, by its compact IRI.")
class Resource:
    id: strawberry.ID
    label: str


@strawberry.type(description="A named concept of the graph: a target, mechanism, finding, setting, value-set member or other labelled resource.")
class Concept(Resource):
    definition: str | None

    @classmethod
    def from_node(cls, node: Node) -> Concept:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label,
                   definition=node.first("http://www.w3.org/2004/02/skos/core#definition"))


async def concepts(info: Info, iris: list[str]) -> list[Concept]:
    return [Concept.from_node(n) for n in await info.context.loaders.nodes(iris)]


async def first_concept(info: Info, iris: list[str]) -> Concept | None:
    """The concept linked first, or None when there is none."""
    found = await concepts(info, iris)
    return found[0] if found else None


@strawberry.type(description=definition("Source"))
class Source(Resource):
    title: str
    urls: list[str]
    identifier: str | None
    citation: str | None = strawberry.field(description="A bibliographic citation, where the source is a journal article.")
    kind: str | None = strawberry.field(description=definition("sourceKind"))
    label_version: str | None = strawberry.field(description=definition("labelVersion"))
    article_reference: int | None = strawberry.field(description=definition("referenceNumber"))

    @classmethod
    def from_node(cls, node: Node) -> Source:
        return cls(id=strawberry.ID(to_id(node.iri)), title=str(node.first(DCT + "title") or node.label), label=node.label,
                   urls=node.texts(SCHEMA_URL), identifier=node.first(DCT + "identifier"),
                   citation=node.first(DCT + "bibliographicCitation"), kind=node.tkg1("sourceKind"),
                   label_version=node.tkg1("labelVersion"), article_reference=node.tkg1("referenceNumber"))


@strawberry.type(description="Where a claim comes from: a source, the section of it, and the article's numbered references cited for the claim.")
class Citation:
    source: Source
    section: str | None
    article_references: list[int]


async def citations(info: Info, node: Node) -> list[Citation]:
    loaders = info.context.loaders
    sources = await loaders.nodes(node.refs(PROV_DERIVED))
    references = await loaders.nodes(node.tkg_refs("citedReference"))
    numbers = sorted(r.tkg1("referenceNumber") for r in references if r.tkg1("referenceNumber") is not None)
    section = node.tkg1("sourceSection")
    return [Citation(source=Source.from_node(s), section=section,
                     article_references=numbers if s.iri.endswith("/source-article") else []) for s in sources]


@strawberry.type(description=definition("Conflict"))
class Conflict(Resource):
    aspect: str | None = strawberry.field(description=definition("conflictAspect"))
    explanation: str | None
    _node: strawberry.Private[Node]

    @strawberry.field(description=definition("conflictKind"))
    async def kind(self, info: Info) -> Concept | None:
        return await first_concept(info, self._node.tkg_refs("conflictKind"))

    @strawberry.field(description="The claims on each side of the disagreement, each with its sources.")
    async def claims(self, info: Info) -> list[Claim]:
        from therapykg.api.graphql.types.registry import as_claim

        return [as_claim(n) for n in await info.context.loaders.nodes(self._node.tkg_refs("conflictingClaim"))]

    @classmethod
    def from_node(cls, node: Node) -> Conflict:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, aspect=node.tkg1("conflictAspect"),
                   explanation=node.first(RDFS_COMMENT), _node=node)

    @classmethod
    async def load(cls, info: Info, iris: list[str]) -> list[Conflict]:
        return [cls.from_node(n) for n in await info.context.loaders.nodes(iris)]


@strawberry.interface(description=definition("Claim"))
class Claim(Resource):
    summary: str | None = strawberry.field(description=definition("summary"))
    comment: str | None
    _node: strawberry.Private[Node]

    @strawberry.field(description="The sources of this claim, with section and the article's reference numbers.")
    async def sources(self, info: Info) -> list[Citation]:
        return await citations(info, self._node)

    @strawberry.field(description="Recorded disagreements this claim takes part in.")
    async def conflicts(self, info: Info) -> list[Conflict]:
        iris = await info.context.loaders.referring(TKG + "conflictingClaim", self._node.iri)
        return await Conflict.load(info, iris)

    @strawberry.field(description="Whether another source disagrees with this claim (it takes part in a recorded conflict).")
    async def disputed(self, info: Info) -> bool:
        return bool(await info.context.loaders.referring(TKG + "conflictingClaim", self._node.iri))

    @strawberry.field(description="Problems flagged in the source as stated (for example a probable unit error).")
    async def source_issues(self, info: Info) -> list[Concept]:
        return await concepts(info, self._node.tkg_refs("hasSourceIssue"))


def claim_fields(node: Node) -> dict:
    """The Claim interface's stored fields for ``node``."""
    return {"id": strawberry.ID(to_id(node.iri)), "label": node.label, "summary": node.tkg1("summary"),
            "comment": node.first(RDFS_COMMENT), "_node": node}


def ref_list(values: list) -> list[str]:
    return [v.iri for v in values if isinstance(v, Ref)]


SKOS_ALT = SKOS + "altLabel"
