"""Numbers keep the digits their source writes. The engine stores decimals
in canonical form (4.0 comes back as 4), so a figure written with trailing
zeros records how many decimal places it had (tkg:decimalPlaces on a
quantity, tkg:confidenceIntervalDecimalPlaces on an outcome), and every
display puts them back.

The curated Turtle is read with rdflib, which keeps each literal's lexical
form: that is where the source's digits are."""

from __future__ import annotations

from decimal import Decimal

import pytest
import rdflib
from rdflib.namespace import XSD

import therapykg
from therapykg.domain.evidence import ConfidenceInterval, Quantity, as_stated
from therapykg.domain.nodes import Struct
from therapykg.paths import DATA_DIR

TKG = rdflib.Namespace("https://w3id.org/therapykg/ontology/")
QUANTITY_NUMBERS = (TKG.numericValue, TKG.lowerValue, TKG.upperValue, TKG.plusMinus)
INTERVALS = {  # the bounds of each interval an outcome gives, and where their decimal places are recorded
    TKG.confidenceIntervalDecimalPlaces: (TKG.confidenceIntervalLower, TKG.confidenceIntervalUpper),
    TKG.comparatorConfidenceIntervalDecimalPlaces: (TKG.comparatorConfidenceIntervalLower, TKG.comparatorConfidenceIntervalUpper),
    TKG.hazardRatioConfidenceIntervalDecimalPlaces: (TKG.hazardRatioConfidenceIntervalLower, TKG.hazardRatioConfidenceIntervalUpper),
}


def _places(literal: rdflib.Literal) -> int:
    text = str(literal)
    return len(text.split(".", 1)[1]) if "." in text else 0


def _padded(literal: rdflib.Literal) -> bool:
    """Written with a trailing zero after the decimal point (4.0, 0.50)."""
    return literal.datatype == XSD.decimal and "." in str(literal) and str(literal).endswith("0")


@pytest.fixture(scope="module")
def curated() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(DATA_DIR.rglob("*.ttl")):
        if path.name != "inferred.ttl":
            graph.parse(path, format="turtle")
    return graph


def test_every_padded_figure_records_its_places(curated):
    padded = []
    for places_property, predicates in ((TKG.decimalPlaces, QUANTITY_NUMBERS), *INTERVALS.items()):
        for predicate in predicates:
            for subject, literal in curated.subject_objects(predicate):
                if isinstance(literal, rdflib.Literal) and _padded(literal):
                    padded.append(literal)
                    stated = curated.value(subject, places_property)
                    assert stated is not None and int(stated) >= _places(literal), (subject, predicate, str(literal))
    assert len(padded) >= 8  # TOWER 4.0 (twice), INO-VATE 6.0, 21.0, 10.0 and 22.0, ZUMA-3 26.0, KYMRIAH 5.0
    # A padded figure under any other property would have nowhere to record its places.
    everywhere = [o for o in curated.objects() if isinstance(o, rdflib.Literal) and _padded(o)]
    assert len(everywhere) == len(padded), sorted({str(p) for p, o in curated.predicate_objects() if o in everywhere})


def test_the_places_are_put_back_and_never_round():
    assert str(as_stated(Decimal("4"), 1)) == "4.0"
    assert str(as_stated(Decimal("0.55"), 1)) == "0.55"  # more digits than asked: kept
    assert as_stated(Decimal("4"), None) == Decimal("4") and str(as_stated(Decimal("4"), None)) == "4"
    assert as_stated(7, 1) == 7  # integers are whole numbers as written
    interval = ConfidenceInterval.of(Decimal("6"), Decimal("9.2"), places=1)
    assert interval is not None and interval.text == "95% CI 6.0-9.2"


def test_the_comparison_shows_the_source_s_digits(graph):
    comparison = therapykg.compare(graph, ["blinatumomab", "inotuzumab-ozogamicin"], aspects=["efficacy"])
    texts = {v.text for row in comparison.rows for cell in row.cells for v in cell.values}
    assert "7.7 mo vs 4.0 mo (standard chemotherapy); HR 0.71; p 0.01" in texts  # TOWER, as the NEJM report writes it
    assert any(t.startswith("7.7 mo (95% CI 6.0-9.2) vs 6.2 mo") for t in texts)  # INO-VATE final analysis
    assert "22.8 % vs 10.0 % (standard chemotherapy)" in texts
    assert any("vs 29.4 % (95% CI 21.0-38.8)" in t for t in texts)  # INO-VATE CR/CRi, first 218


def test_a_quantity_keeps_its_padded_bound():
    struct = Struct({str(TKG.lowerValue): [Decimal("0.2")], str(TKG.upperValue): [Decimal("5")],
                     str(TKG.decimalPlaces): [1], str(TKG.unit): ["10*6{cells}/kg"]})
    quantity = Quantity.from_struct(struct)
    assert quantity is not None and quantity.text == "0.2-5.0 10*6{cells}/kg" and quantity.upper == 5.0
