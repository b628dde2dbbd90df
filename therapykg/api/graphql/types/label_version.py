"""Label versions and their differences as GraphQL types, wrapping the
domain's (:mod:`therapykg.domain.label_versions`)."""

from __future__ import annotations

import strawberry

from therapykg.domain import label_versions

LabelChange = label_versions.Change
strawberry.enum(LabelChange, name="LabelChange", description="How a claim differs between two label versions.")


@strawberry.type(description="One version of a product's label in one jurisdiction, with the sources that reproduce it.")
class LabelVersion:
    id: strawberry.ID
    label: str
    product: strawberry.ID | None
    jurisdiction: str | None
    version_date: str | None = strawberry.field(description="As precise as a source gives it (YYYY, YYYY-MM or YYYY-MM-DD).")
    set_id: str | None
    application_number: str | None
    sources: list[strawberry.ID]

    @classmethod
    def from_domain(cls, version: label_versions.LabelVersion) -> LabelVersion:
        return cls(id=strawberry.ID(version.id), label=version.label,
                   product=strawberry.ID(version.product) if version.product else None, jurisdiction=version.jurisdiction,
                   version_date=version.version_date, set_id=version.set_id, application_number=version.application_number,
                   sources=[strawberry.ID(s) for s in version.sources])


@strawberry.type(description="The values of one property that one claim of a changed pair has and the other has not.")
class ValueDifference:
    property: strawberry.ID
    removed: list[str] = strawberry.field(description="Values of the `from` claim only.")
    added: list[str] = strawberry.field(description="Values of the `to` claim only.")

    @classmethod
    def from_domain(cls, difference: label_versions.ValueDifference) -> ValueDifference:
        return cls(property=strawberry.ID(difference.property), removed=list(difference.removed), added=list(difference.added))


@strawberry.type(description="One difference between two label versions: a claim of one only, or a pair a conflict sets against each other.")
class LabelDifference:
    change: LabelChange
    kind: strawberry.ID = strawberry.field(description="The kind of claim (its class).")
    from_claim: strawberry.ID | None
    from_label: str | None
    to_claim: strawberry.ID | None
    to_label: str | None
    conflict: strawberry.ID | None
    aspect: str | None = strawberry.field(description="What the conflict says differs.")
    values: list[ValueDifference]

    @classmethod
    def from_domain(cls, d: label_versions.LabelDifference) -> LabelDifference:
        def ident(value: str | None) -> strawberry.ID | None:
            return strawberry.ID(value) if value else None

        return cls(change=d.change, kind=strawberry.ID(d.kind), from_claim=ident(d.from_claim), from_label=d.from_label,
                   to_claim=ident(d.to_claim), to_label=d.to_label, conflict=ident(d.conflict), aspect=d.aspect,
                   values=[ValueDifference.from_domain(v) for v in d.values])


@strawberry.type(description="What differs between two versions of a product's label.")
class LabelComparison:
    product: strawberry.ID
    from_version: LabelVersion
    to_version: LabelVersion
    differences: list[LabelDifference]

    @classmethod
    def from_domain(cls, comparison: label_versions.LabelComparison) -> LabelComparison:
        return cls(product=strawberry.ID(comparison.product), from_version=LabelVersion.from_domain(comparison.from_version),
                   to_version=LabelVersion.from_domain(comparison.to_version),
                   differences=[LabelDifference.from_domain(d) for d in comparison.differences])
