"""Evidence context on comparison values: every outcome says its trial,
design, patients counted and data cut, and a row says why its values
cannot be compared directly."""

from __future__ import annotations

import pytest

import therapykg
from therapykg.domain.compare import Aspect, ValueContext, _not_comparable_because

THERAPIES = ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel"]
FIELDS = ("trial", "design", "population", "setting", "assessment", "data_cut", "combination")


@pytest.fixture(scope="module")
def efficacy(graph):
    return therapykg.compare(graph, THERAPIES, aspects=[Aspect.EFFICACY])


def test_values_of_one_context_are_comparable():
    same = ValueContext(trial="TOWER", design="phase III", data_cut="data cut-off 2016")
    assert _not_comparable_because([same, same]) == []
    assert _not_comparable_because([]) == []


@pytest.mark.parametrize(("field", "reason"), [("trial", "different trials"), ("design", "different designs"),
                                               ("population", "different populations"),
                                               ("data_cut", "different data cuts or follow-up")])
def test_each_difference_is_named(field, reason):
    base = ValueContext(trial="A", design="phase II", population="adults", data_cut="2020")
    other = ValueContext(**{**base.__dict__, field: "something else"})
    assert _not_comparable_because([base, other]) == [reason]


def test_several_differences_are_named_in_order():
    first = ValueContext(trial="A", design="phase II", data_cut="2020")
    second = ValueContext(trial="B", design="phase III", data_cut="2021")
    assert _not_comparable_because([first, second]) == ["different trials", "different designs", "different data cuts or follow-up"]


def test_a_row_is_comparable_exactly_when_its_contexts_agree(efficacy):
    assert efficacy.rows, "the four therapies have efficacy outcomes"
    for row in efficacy.rows:
        contexts = [v.context for cell in row.cells for v in cell.values]
        differing = [name for name in FIELDS if len({getattr(c, name) for c in contexts}) > 1]
        assert row.comparable is (not differing), row.label
        if differing:
            assert row.note is not None and row.note.startswith("not directly comparable: "), row.label


def test_counted_patients_are_the_quantity_s_own(efficacy):
    checked = 0
    for row in efficacy.rows:
        for cell in row.cells:
            for value in cell.values:
                q = value.quantity
                if q is not None and q.denominator is not None and q.numerator is not None:
                    assert value.context.counted == f"{q.numerator}/{q.denominator}"
                    checked += 1
                elif q is None or q.denominator is None:
                    assert value.context.counted is None
    assert checked > 0, "some outcome in the graph states n/N"


def test_a_trial_s_phase_is_in_the_design_of_its_outcomes(graph, efficacy):
    phases = {row["label"].value: row["phase"].value for row in graph.select(
        "SELECT ?label ?phase WHERE { ?t a tkg:ClinicalTrial ; rdfs:label ?label ; tkg:trialPhase ?phase }")}
    seen = 0
    for row in efficacy.rows:
        for cell in row.cells:
            for value in cell.values:
                phase = phases.get(value.context.trial or "")
                if phase is not None:
                    assert f"phase {phase}" in (value.context.design or ""), value.context
                    seen += 1
    assert seen > 0, "some outcome comes from a trial whose phase the graph states"
