"""Shared types: quantities, concepts, sources with citations, conflicts and
the Claim interface that every sourced statement implements."""

from __future__ import annotations

from typing import TypedDict

import strawberry

from therapykg.api.graphql.context import GraphQLInfo
from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.fields import link, links, reverse
from therapykg.domain import evidence
from therapykg.domain.ids import to_id
from therapykg.domain.nodes import PROV_DERIVED, RDFS_COMMENT, Node, Struct
from therapykg.namespaces import TKG


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
    def from_domain(cls, quantity: evidence.Quantity | None) -> Quantity | None:
        if quantity is None:
            return None
        return cls(value=quantity.value, lower=quantity.lower, upper=quantity.upper, unit=quantity.unit,
                   comparator=quantity.comparator, plus_minus=quantity.plus_minus, numerator=quantity.numerator,
                   denominator=quantity.denominator, text=quantity.text)

    @classmethod
    def from_struct(cls, struct: Struct | None) -> Quantity | None:
        return cls.from_domain(evidence.Quantity.from_struct(struct))


@strawberry.type(description="A 95% confidence interval as its source gives it; the upper bound may be not estimable (NE).")
class ConfidenceInterval:
    lower: float | None
    upper: float | None
    upper_not_estimable: bool
    text: str = strawberry.field(description="The interval for display, for example '95% CI 2.6-NE'.")

    @classmethod
    def from_domain(cls, interval: evidence.ConfidenceInterval | None) -> ConfidenceInterval | None:
        if interval is None:
            return None
        return cls(lower=interval.lower, upper=interval.upper, upper_not_estimable=interval.upper_not_estimable,
                   text=interval.text)


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
    def from_domain(cls, source: evidence.Source) -> Source:
        return cls(id=strawberry.ID(source.id), label=source.label, title=source.title, urls=source.urls,
                   identifier=source.identifier, citation=source.citation, kind=source.kind,
                   label_version=source.label_version, article_reference=source.article_reference)

    @classmethod
    def from_node(cls, node: Node) -> Source:
        return cls.from_domain(evidence.Source.from_node(node))


@strawberry.type(description="Where a claim comes from: a source, the section of it, and the article's numbered references cited for the claim.")
class Citation:
    source: Source
    section: str | None
    article_references: list[int]

    @classmethod
    def from_domain(cls, citation: evidence.Citation) -> Citation:
        return cls(source=Source.from_domain(citation.source), section=citation.section,
                   article_references=citation.article_references)


async def citations(info: GraphQLInfo, node: Node) -> list[Citation]:
    loaders = info.context.loaders
    sources = await loaders.nodes(node.refs(PROV_DERIVED))
    references = await loaders.nodes(node.tkg_refs("citedReference"))
    return [Citation.from_domain(c) for c in evidence.cite(node, sources, references)]


@strawberry.type(description=definition("Conflict"))
class Conflict(Resource):
    aspect: str | None = strawberry.field(description=definition("conflictAspect"))
    explanation: str | None
    _node: strawberry.Private[Node]

    kind = link("conflictKind", to="Concept")
    claims = links("conflictingClaim", to="Claim", description="The claims on each side of the disagreement, each with its sources.")

    @classmethod
    def from_node(cls, node: Node) -> Conflict:
        return cls(id=strawberry.ID(to_id(node.iri)), label=node.label, aspect=node.tkg1("conflictAspect"),
                   explanation=node.first(RDFS_COMMENT), _node=node)


@strawberry.interface(description=definition("Claim"))
class Claim(Resource):
    summary: str | None = strawberry.field(description=definition("summary"))
    comment: str | None
    _node: strawberry.Private[Node]

    @strawberry.field(description="The sources of this claim, with section and the article's reference numbers.")
    async def sources(self, info: GraphQLInfo) -> list[Citation]:
        return await citations(info, self._node)

    conflicts = reverse("conflictingClaim", to="Conflict", description="Recorded disagreements this claim takes part in.")

    @strawberry.field(description="Whether another source disagrees with this claim (it takes part in a recorded conflict).")
    async def disputed(self, info: GraphQLInfo) -> bool:
        return bool(await info.context.loaders.referring(TKG + "conflictingClaim", self._node.iri))

    source_issues = links("hasSourceIssue", to="Concept",
                          description="Problems flagged in the source as stated (for example a probable unit error).")


class ClaimFields(TypedDict):
    """The Claim interface's stored fields, as keyword arguments."""

    id: strawberry.ID
    label: str
    summary: str | None
    comment: str | None
    _node: Node


def claim_fields(node: Node) -> ClaimFields:
    """The Claim interface's stored fields for ``node``."""
    return {"id": strawberry.ID(to_id(node.iri)), "label": node.label, "summary": node.tkg1("summary"),
            "comment": node.first(RDFS_COMMENT), "_node": node}
