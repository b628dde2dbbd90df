"""Side-by-side comparisons as GraphQL types, wrapping the domain's
(:mod:`therapykg.domain.compare`)."""

from __future__ import annotations

import strawberry

from therapykg.api.graphql.types.common import Citation, ConfidenceInterval, Quantity
from therapykg.domain import compare

# The domain's enums as GraphQL enums: strawberry.enum marks the class itself,
# so the names are plain aliases of the domain's classes (types, to mypy).
Aspect = compare.Aspect
CellStatus = compare.CellStatus
strawberry.enum(Aspect, name="Aspect", description="What a comparison covers.")
strawberry.enum(CellStatus, name="CellStatus", description="Whether a cell has data.")


@strawberry.type(description="The context a value belongs to; values with different contexts are not directly comparable.")
class ValueContext:
    trial: str | None
    population: str | None
    setting: str | None
    endpoint: str | None
    comparator: str | None
    assessment: str | None
    combination: str | None
    design: str | None = strawberry.field(description="The trial's phase, design and randomization, as the graph states them.")
    counted: str | None = strawberry.field(description="The patients counted for the value (n/N), where the source gives them.")
    data_cut: str | None = strawberry.field(description="The data cut-off and median follow-up of the value, where the source gives them.")

    @classmethod
    def from_domain(cls, context: compare.ValueContext) -> ValueContext:
        return cls(trial=context.trial, population=context.population, setting=context.setting, endpoint=context.endpoint,
                   comparator=context.comparator, assessment=context.assessment, combination=context.combination,
                   design=context.design, counted=context.counted, data_cut=context.data_cut)


@strawberry.type(description="One sourced value in a comparison cell.")
class ComparisonValue:
    text: str
    quantity: Quantity | None
    comparator_quantity: Quantity | None
    hazard_ratio: float | None
    p_value: float | None
    confidence_interval: ConfidenceInterval | None = strawberry.field(description="The value's 95% confidence interval, as its source gives it.")
    comparator_confidence_interval: ConfidenceInterval | None = strawberry.field(
        description="The comparator arm's 95% confidence interval, as its source gives it.")
    hazard_ratio_confidence_interval: ConfidenceInterval | None = strawberry.field(
        description="The hazard ratio's 95% confidence interval, as its source gives it.")
    median_not_reached: bool = strawberry.field(description="The source says the median had not been reached, so there is no quantity.")
    context: ValueContext
    sources: list[Citation]
    disputed: bool = strawberry.field(description="Another source disagrees with this value.")
    conflicts: list[strawberry.ID] = strawberry.field(description="The recorded conflicts the value is part of.")
    claim: strawberry.ID | None

    @classmethod
    def from_domain(cls, value: compare.ComparisonValue) -> ComparisonValue:
        return cls(text=value.text, quantity=Quantity.from_domain(value.quantity),
                   comparator_quantity=Quantity.from_domain(value.comparator_quantity), hazard_ratio=value.hazard_ratio,
                   p_value=value.p_value, confidence_interval=ConfidenceInterval.from_domain(value.confidence_interval),
                   comparator_confidence_interval=ConfidenceInterval.from_domain(value.comparator_confidence_interval),
                   hazard_ratio_confidence_interval=ConfidenceInterval.from_domain(value.hazard_ratio_confidence_interval),
                   median_not_reached=value.median_not_reached, context=ValueContext.from_domain(value.context),
                   sources=[Citation.from_domain(c) for c in value.sources], disputed=value.disputed, conflicts=[strawberry.ID(c) for c in value.conflicts],
                   claim=strawberry.ID(value.claim) if value.claim else None)


@strawberry.type(description="What the sources say about one therapy for one row; says so explicitly when nothing is reported.")
class ComparisonCell:
    therapy: strawberry.ID
    status: CellStatus
    values: list[ComparisonValue]
    note: str | None

    @classmethod
    def from_domain(cls, cell: compare.ComparisonCell) -> ComparisonCell:
        return cls(therapy=strawberry.ID(cell.therapy), status=cell.status,
                   values=[ComparisonValue.from_domain(v) for v in cell.values], note=cell.note)


@strawberry.type(description="One line of the comparison, with a cell per therapy in the order asked.")
class ComparisonRow:
    aspect: Aspect
    label: str
    cells: list[ComparisonCell]
    comparable: bool = strawberry.field(description="False when the values come from different trials, populations or endpoints.")
    note: str | None

    @classmethod
    def from_domain(cls, row: compare.ComparisonRow) -> ComparisonRow:
        return cls(aspect=row.aspect, label=row.label, cells=[ComparisonCell.from_domain(c) for c in row.cells],
                   comparable=row.comparable, note=row.note)


@strawberry.type(description="A therapy in a comparison.")
class ComparedTherapy:
    id: strawberry.ID
    label: str
    kind: str | None

    @classmethod
    def from_domain(cls, therapy: compare.ComparedTherapy) -> ComparedTherapy:
        return cls(id=strawberry.ID(therapy.id), label=therapy.label, kind=therapy.kind)


@strawberry.type(description="A side-by-side comparison of therapies.")
class Comparison:
    therapies: list[ComparedTherapy]
    rows: list[ComparisonRow]

    @classmethod
    def from_domain(cls, comparison: compare.Comparison) -> Comparison:
        return cls(therapies=[ComparedTherapy.from_domain(t) for t in comparison.therapies],
                   rows=[ComparisonRow.from_domain(r) for r in comparison.rows])
