"""The values every sourced answer carries: quantities as the sources give
them, the sources themselves and citations of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from therapykg.domain.ids import to_id
from therapykg.domain.nodes import DCT, SCHEMA_URL, Node, Struct

ARTICLE_SOURCE_SUFFIX = "/source-article"  # the review article, the one source with numbered references


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, Decimal)) else None


def as_stated(value: object, places: object) -> object:
    """``value`` with at least ``places`` decimal places, as its source writes
    it: stores keep decimals in canonical form (4.0 comes back as 4), and
    tkg:decimalPlaces records what the source wrote. Never rounds."""
    if isinstance(value, Decimal) and isinstance(places, int) and not isinstance(places, bool) and places > 0:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent < places:
            return value.quantize(Decimal(1).scaleb(-places))
    return value


def _digits(value: object) -> str:
    # Every digit the value has (no exponent, no float rounding).
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@dataclass(frozen=True)
class Quantity:
    """A value, or a range from ``lower`` to ``upper``, in a UCUM unit, with ``text`` for display."""

    value: float | None
    lower: float | None
    upper: float | None
    unit: str
    comparator: str | None
    plus_minus: float | None
    numerator: int | None
    denominator: int | None
    text: str

    @classmethod
    def from_struct(cls, struct: Struct | None) -> Quantity | None:
        """The quantity a blank node of the graph holds (None when it holds none)."""
        if not isinstance(struct, Struct) or struct.get_tkg("unit") is None:
            return None
        places = struct.get_tkg("decimalPlaces")
        value, lower, upper, spread = (as_stated(struct.get_tkg(name), places) for name in ("numericValue", "lowerValue", "upperValue", "plusMinus"))
        unit, comparator = str(struct.get_tkg("unit")), struct.get_tkg("comparator")
        number = f"{_digits(lower)}-{_digits(upper)}" if value is None else _digits(value)
        text = " ".join(p for p in [comparator or "", number + (f" ± {_digits(spread)}" if spread is not None else ""), unit] if p)
        return cls(value=_number(value), lower=_number(lower), upper=_number(upper), unit=unit, comparator=comparator,
                   plus_minus=_number(spread), numerator=struct.get_tkg("numerator"), denominator=struct.get_tkg("denominator"),
                   text=text)

    @classmethod
    def computed(cls, *, value: float | None, unit: str, text: str, lower: float | None = None, upper: float | None = None) -> Quantity:
        """A computed quantity (a dose for a patient, a count of days): no comparator, spread or ratio."""
        return cls(value=value, lower=lower, upper=upper, unit=unit, comparator=None, plus_minus=None, numerator=None,
                   denominator=None, text=text)


@dataclass(frozen=True)
class ConfidenceInterval:
    """A 95% confidence interval as its source gives it; the upper bound may be not estimable (NE)."""

    lower: float | None
    upper: float | None
    upper_not_estimable: bool
    text: str

    @classmethod
    def of(cls, lower: object, upper: object, upper_not_estimable: object = None, places: object = None) -> ConfidenceInterval | None:
        """The interval of the given bounds (None when the source gives neither),
        written with at least ``places`` decimal places when given."""
        not_estimable = upper_not_estimable is True
        if lower is None and upper is None:
            return None
        lower, upper = as_stated(lower, places), as_stated(upper, places)
        high = "NE" if not_estimable else ("?" if upper is None else _digits(upper))
        low = "?" if lower is None else _digits(lower)
        return cls(lower=_number(lower), upper=None if not_estimable else _number(upper),
                   upper_not_estimable=not_estimable, text=f"95% CI {low}-{high}")


@dataclass(frozen=True)
class OutcomeIntervals:
    """The 95% confidence intervals an outcome's source gives: of its value, its comparator's value and its hazard ratio."""

    value: ConfidenceInterval | None
    comparator: ConfidenceInterval | None
    hazard_ratio: ConfidenceInterval | None

    @classmethod
    def of(cls, outcome: Node) -> OutcomeIntervals:
        return cls(value=ConfidenceInterval.of(outcome.tkg1("confidenceIntervalLower"), outcome.tkg1("confidenceIntervalUpper"),
                                               outcome.tkg1("confidenceIntervalUpperNotEstimable"),
                                               outcome.tkg1("confidenceIntervalDecimalPlaces")),
                   comparator=ConfidenceInterval.of(outcome.tkg1("comparatorConfidenceIntervalLower"),
                                                    outcome.tkg1("comparatorConfidenceIntervalUpper"),
                                                    places=outcome.tkg1("comparatorConfidenceIntervalDecimalPlaces")),
                   hazard_ratio=ConfidenceInterval.of(outcome.tkg1("hazardRatioConfidenceIntervalLower"),
                                                      outcome.tkg1("hazardRatioConfidenceIntervalUpper"),
                                                      places=outcome.tkg1("hazardRatioConfidenceIntervalDecimalPlaces")))


@dataclass(frozen=True)
class Source:
    """A document the graph's claims come from: a label, an article, a trial report."""

    id: str
    label: str
    title: str
    urls: list[str] = field(default_factory=list)
    identifier: str | None = None
    citation: str | None = None
    kind: str | None = None
    label_version: str | None = None
    article_reference: int | None = None

    @classmethod
    def from_node(cls, node: Node) -> Source:
        return cls(id=to_id(node.iri), label=node.label, title=str(node.first(DCT + "title") or node.label),
                   urls=node.texts(SCHEMA_URL), identifier=node.first(DCT + "identifier"),
                   citation=node.first(DCT + "bibliographicCitation"), kind=node.tkg1("sourceKind"),
                   label_version=node.tkg1("labelVersion"), article_reference=node.tkg1("referenceNumber"))


@dataclass(frozen=True)
class Citation:
    """Where a claim comes from: a source, its section, and the article's numbered references cited for it."""

    source: Source
    section: str | None
    article_references: list[int] = field(default_factory=list)


def cite(claim: Node, sources: list[Node], references: list[Node]) -> list[Citation]:
    """The citations of ``claim``, given its loaded source and cited reference nodes
    (the reference numbers belong to the article, so only its citation lists them)."""
    numbers = sorted(r.tkg1("referenceNumber") for r in references if r.tkg1("referenceNumber") is not None)
    section = claim.tkg1("sourceSection")
    return [Citation(source=Source.from_node(s), section=section,
                     article_references=numbers if s.iri.endswith(ARTICLE_SOURCE_SUFFIX) else []) for s in sources]
