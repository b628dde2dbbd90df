"""The coverage matrix as GraphQL types, wrapping the domain's
(:mod:`therapykg.domain.coverage`)."""

from __future__ import annotations

import strawberry

from therapykg.domain import coverage

CoverageAspect = coverage.CoverageAspect
strawberry.enum(CoverageAspect, name="CoverageAspect",
                description="A column of the coverage matrix: the comparison's aspects that claims back, and three more.")


@strawberry.type(description="How many claims about one therapy in one aspect, and how many distinct sources they come from.")
class CoverageCell:
    aspect: CoverageAspect
    claims: int
    sources: int

    @classmethod
    def from_domain(cls, cell: coverage.CoverageCell) -> CoverageCell:
        return cls(aspect=cell.aspect, claims=cell.claims, sources=cell.sources)


@strawberry.type(description="One line of the coverage matrix: a therapy, a cell per aspect, and its totals.")
class TherapyCoverage:
    therapy: strawberry.ID
    label: str
    kind: str | None
    cells: list[CoverageCell]
    claims: int = strawberry.field(description="Distinct claims about the therapy.")
    sources: int = strawberry.field(description="Distinct sources of those claims.")

    @classmethod
    def from_domain(cls, line: coverage.TherapyCoverage) -> TherapyCoverage:
        return cls(therapy=strawberry.ID(line.therapy), label=line.label, kind=line.kind,
                   cells=[CoverageCell.from_domain(c) for c in line.cells], claims=line.claims, sources=line.sources)


@strawberry.type(description="How many claims and sources back each aspect of each therapy: where the graph is thin.")
class Coverage:
    aspects: list[CoverageAspect]
    therapies: list[TherapyCoverage]

    @classmethod
    def from_domain(cls, matrix: coverage.Coverage) -> Coverage:
        return cls(aspects=list(matrix.aspects), therapies=[TherapyCoverage.from_domain(t) for t in matrix.therapies])
