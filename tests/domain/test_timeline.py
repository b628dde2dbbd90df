"""Regimen timelines read from the graph: the values are those of the
Turtle files (graph_data/blinatumomab/dosing.ttl, administration.ttl,
graph_data/alternatives/*.ttl), never filled in."""

from __future__ import annotations

import asyncio

import pytest

from therapykg.domain.loaders import Loaders
from therapykg.domain.timeline import (
    HOSPITALIZATION,
    MONITORING,
    PREMEDICATION,
    DayRange,
    Timeline,
    regimen_timeline,
    therapy_timelines,
)
from therapykg.namespaces import TKGR
from therapykg.store.engine import GraphSelector


def timeline(graph, local: str) -> Timeline:
    found = asyncio.run(regimen_timeline(Loaders(GraphSelector(graph)), TKGR + local))
    assert found is not None, local
    return found


def steps(cycle) -> list[tuple[str, str]]:
    return [(s.days_text, s.dose_text) for s in cycle.steps]


def test_blinatumomab_rr_adult_cycle_1(graph):
    t = timeline(graph, "blina-rr-adult")
    assert t.id == "tkgr:blina-rr-adult"
    assert t.therapy.id == "tkgr:blinatumomab"
    assert [s.label for s in t.settings] == ["relapsed or refractory Ph-negative B-cell precursor ALL"]
    assert t.population is not None and t.population.label == "adults weighing 45 kg or more"
    assert [s.id for s in t.sources] == ["tkgr:source-article"]
    assert t.maximum_cycles == 5
    first = t.cycles[0]
    assert first.name == "Cycle 1" and first.length_days == 42 and first.length is not None and first.length.text == "42 d"
    assert steps(first) == [("days 1-7", "9 ug/d"), ("days 8-28", "28 ug/d")]
    assert [s.basis for s in first.steps] == ["flat", "flat"]
    assert first.free_days == (DayRange(29, 42),)
    assert first.treatment_free is not None and first.treatment_free.text == "2 wk"
    assert first.stated_free_days == DayRange(29, 42)


def test_blinatumomab_cycles_split_where_the_inpatient_days_differ(graph):
    # The graph has one node for cycles 2-5; cycle 2 has 2 inpatient days (administration.ttl), cycles 3-5 do not.
    t = timeline(graph, "blina-rr-adult")
    assert [c.name for c in t.cycles] == ["Cycle 1", "Cycle 2", "Cycles 3-5"]
    assert {c.id for c in t.cycles[1:]} == {"tkgr:blina-rr-adult-c2-5"}
    assert t.cycles[2].repeats == 3
    for cycle in t.cycles[1:]:
        assert steps(cycle) == [("days 1-28", "28 ug/d")]
    hospital = {c.name: [(w.first_day, w.last_day) for w in c.windows if w.kind == HOSPITALIZATION] for c in t.cycles}
    assert hospital == {"Cycle 1": [(1, 9)], "Cycle 2": [(1, 2)], "Cycles 3-5": [(1, None)]}
    monitoring = [(w.first_day, w.last_day) for w in t.cycles[0].windows if w.kind == MONITORING]
    assert monitoring == [(1, 9)]


def test_a_premedication_without_days_is_a_note_not_a_mark(graph):
    t = timeline(graph, "blina-rr-adult")
    notes = [n for n in t.notes if n.kind == PREMEDICATION]
    assert any("dexamethasone 20 mg" in n.detail for n in notes)
    # The children's dexamethasone (cycle 1 window) is for another age group than this adult regimen.
    assert not [w for c in t.cycles for w in c.windows if w.kind == PREMEDICATION]


def test_later_label_keeps_the_84_day_cycles(graph):
    t = timeline(graph, "blina-label-later-rr-45kg-plus")
    last = t.cycles[-1]
    assert (last.name, last.length_days, last.phase) == ("Cycles 6-9", 84, "continued therapy")
    assert last.free_days == (DayRange(29, 84),)
    assert t.last_cycle_listed == 9 and t.maximum_cycles is None


def test_a_cycle_without_dose_steps_is_shown_as_such(graph):
    t = timeline(graph, "blina-mrd-adult")
    later = [c for c in t.cycles if c.id == "tkgr:blina-mrd-adult-c2-5"]
    assert later and all(not c.steps and not c.free_days and c.span is None for c in later)


def test_open_ended_step_keeps_no_end(graph):
    t = timeline(graph, "blina-pediatric-phase12-mg")
    (cycle,) = t.cycles
    assert cycle.first is None
    assert steps(cycle) == [("days 1-7", "5 mg/m2/d"), ("from day 8 (no last day stated)", "15 mg/m2/d")]
    assert t.source_issues == ("probable unit error",)


def test_inotuzumab_cycle_1_doses_on_days_1_8_15(graph):
    t = timeline(graph, "ino-rr-adult")
    first = t.cycles[0]
    assert first.length_days == 21
    assert steps(first) == [("day 1", "0.8 mg/m2"), ("day 8", "0.5 mg/m2"), ("day 15", "0.5 mg/m2")]
    assert [s.basis for s in first.steps] == ["per m2"] * 3
    assert first.free_days == (DayRange(2, 7), DayRange(9, 14), DayRange(16, 21))
    later = {c.response: steps(c) for c in t.cycles[1:]}
    assert later == {"CR or CRi": [("day 1", "0.5 mg/m2"), ("day 8", "0.5 mg/m2"), ("day 15", "0.5 mg/m2")],
                     "not in CR or CRi": [("day 1", "0.8 mg/m2"), ("day 8", "0.5 mg/m2"), ("day 15", "0.5 mg/m2")]}
    assert all(c.length_days == 28 and c.stated_free_days == DayRange(22, 28) for c in t.cycles[1:])
    assert t.cycles_without_response == 3 and t.maximum_cycles == 6


def test_tisagenlecleucel_single_infusion_after_lymphodepletion(graph):
    t = timeline(graph, "tisa-dose-50kg-or-less")
    (cycle,) = t.cycles
    (infusion,) = cycle.steps
    assert (infusion.first_day, infusion.last_day, infusion.basis) == (0, 0, "per kg")
    assert infusion.dose is not None and infusion.dose.unit == "10*6{cells}/kg"
    assert (infusion.dose.lower, infusion.dose.upper) == (0.2, 5.0)
    (before,) = t.preceded_by
    assert before.id == "tkgr:tisa-lymphodepletion-all" and not before.counts_back  # its own days 1-4, gap not fixed
    drugs = sorted((s.drug.label if s.drug else "", s.days_text, s.dose_text) for _, s in before.steps)
    assert drugs == [("cyclophosphamide", "days 1-2", "500 mg/m2"), ("fludarabine", "days 1-4", "30 mg/m2")]


def test_brexucabtagene_lymphodepletion_counts_back_from_day_0(graph):
    t = timeline(graph, "brexu-dose-all")
    (before,) = t.preceded_by
    assert before.counts_back
    assert sorted((s.first_day, s.last_day, s.dose_text) for _, s in before.steps) == [(-4, -2, "25 mg/m2"), (-2, -2, "900 mg/m2")]
    assert steps(t.cycles[0]) == [("day 0", "1 10*6{cells}/kg, max 1 10*8{cells}")]


def test_unknown_or_other_resources_are_no_regimen(graph):
    loaders = Loaders(GraphSelector(graph))
    assert asyncio.run(regimen_timeline(loaders, TKGR + "no-such-regimen")) is None
    assert asyncio.run(regimen_timeline(loaders, TKGR + "blinatumomab")) is None  # a therapy, not a regimen


@pytest.mark.parametrize(("therapy", "expected"), [
    ("inotuzumab-ozogamicin", ["ino-rr-adult"]),
    ("brexucabtagene-autoleucel", ["brexu-dose-all"]),  # the lymphodepletion is drawn inside it
])
def test_therapy_timelines(graph, therapy, expected):
    found = asyncio.run(therapy_timelines(Loaders(GraphSelector(graph)), TKGR + therapy))
    assert [t.local for t in found] == expected


def test_therapy_timelines_of_blinatumomab(graph):
    found = asyncio.run(therapy_timelines(Loaders(GraphSelector(graph)), TKGR + "blinatumomab"))
    assert {"blina-rr-adult", "blina-mrd-adult", "blina-label-later-rr-45kg-plus"} <= {t.local for t in found}
    assert len(found) == 10
