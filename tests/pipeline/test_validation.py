"""Broken inputs fail SHACL validation with a message naming file and
subject (on a few files of the data: the build stops at SHACL, before the
reasoner)."""

import pytest

from therapykg.errors import ValidationFailed


def _problems(inputs) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    assert caught.value.stage == "SHACL validation"
    return caught.value.problems


def test_claim_without_source(small_inputs):
    small_inputs.add("unsourced.ttl", """
tkgr:unsourced-claim a tkg:Precaution ; rdfs:label "a precaution with no source" ;
    tkg:forTherapy tkgr:blinatumomab .
""")
    problems = _problems(small_inputs)
    assert any("unsourced.ttl: tkgr:unsourced-claim" in p and "has no source" in p for p in problems), problems


def test_dose_step_outside_its_cycle(small_inputs):
    small_inputs.add("long-step.ttl", """
tkgr:bad-regimen a tkg:DosingRegimen ; rdfs:label "bad regimen" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:regimenFor tkgr:blinatumomab ; tkg:hasCycle tkgr:bad-cycle .
tkgr:bad-cycle a tkg:Cycle ; rdfs:label "bad cycle" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:firstCycle 1 ; tkg:lastCycle 1 ;
    tkg:cycleLength [ a tkg:Quantity ; tkg:numericValue 28 ; tkg:unit "d" ] ;
    tkg:hasDoseStep tkgr:bad-step .
tkgr:bad-step a tkg:DoseStep ; rdfs:label "bad step" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:firstDay 8 ; tkg:lastDay 30 ; tkg:doseBasis tkg:FlatDose ;
    tkg:dose [ a tkg:Quantity ; tkg:numericValue 28 ; tkg:unit "ug/d" ] .
""")
    problems = _problems(small_inputs)
    assert any("tkgr:bad-step" in p and "days 8-30 lie outside its cycle of 28 days" in p for p in problems), problems


def test_percentage_over_100_and_inverted_range(small_inputs):
    small_inputs.add("bad-numbers.ttl", """
tkgr:bad-incidence a tkg:AdverseReaction ; rdfs:label "bad incidence" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:adverseEvent tkgr:neutropenia ;
    tkg:anyGradeIncidence [ a tkg:Quantity ; tkg:numericValue 120 ; tkg:unit "%" ] ;
    tkg:grade3PlusIncidence [ a tkg:Quantity ; tkg:lowerValue 9 ; tkg:upperValue 4 ; tkg:unit "%" ] .
""")
    problems = [p for p in _problems(small_inputs) if "tkgr:bad-incidence" in p]
    assert any("percentage 120 lies outside 0-100" in p for p in problems), problems
    assert any("not above the upper bound" in p for p in problems), problems


def test_quantity_without_unit(small_inputs):
    small_inputs.add("no-unit.ttl", """
tkgr:no-unit a tkg:AdverseReaction ; rdfs:label "no unit" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:adverseEvent tkgr:neutropenia ;
    tkg:anyGradeIncidence [ tkg:numericValue 12 ] .
""")
    problems = _problems(small_inputs)
    assert any("tkgr:no-unit > quantity" in p and "UCUM" in p for p in problems), problems


def test_indication_without_disease_state_or_population(small_inputs):
    small_inputs.add("thin-indication.ttl", """
tkgr:thin-indication a tkg:Indication ; rdfs:label "thin" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:indicationTherapy tkgr:blinatumomab .
""")
    problems = [p for p in _problems(small_inputs) if "tkgr:thin-indication" in p]
    assert any("no disease state" in p for p in problems), problems
    assert any("no population" in p for p in problems), problems


@pytest.mark.parametrize(("name", "body"), [
    ("both", 'tkg:value [ a tkg:Quantity ; tkg:numericValue 9 ; tkg:unit "mo" ] ; tkg:medianNotReached true'),
    ("neither", 'tkg:assessmentWindow "at 1 year"'),
])
def test_outcome_has_a_value_or_a_median_not_reached(small_inputs, name, body):
    small_inputs.add(f"{name}.ttl", f"""
tkgr:outcome-{name} a tkg:EfficacyOutcome ; rdfs:label "an outcome" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:metric tkg:MedianOverallSurvival ; {body} .
""")
    problems = [p for p in _problems(small_inputs) if f"tkgr:outcome-{name}" in p]
    assert any("exactly one of a value or tkg:medianNotReached true" in p for p in problems), problems
