"""The SPARQL translation of the shapes reports what pyshacl reports: on
broken inputs (a few files of the data and the broken one), and on the
whole curated data."""

import pyoxigraph as ox
import pytest

from therapykg.loader import load_inputs
from therapykg.shacl_sparql import compile_shapes, validate_in_store
from therapykg.validation import validate

BROKEN = {
    "no source": 'tkgr:x1 a tkg:Precaution ; rdfs:label "x" ; tkg:forTherapy tkgr:blinatumomab .',
    "step outside cycle": """
tkgr:r1 a tkg:DosingRegimen ; rdfs:label "r" ; prov:wasDerivedFrom tkgr:source-article ; tkg:regimenFor tkgr:blinatumomab ; tkg:hasCycle tkgr:c1 .
tkgr:c1 a tkg:Cycle ; rdfs:label "c" ; prov:wasDerivedFrom tkgr:source-article ; tkg:firstCycle 1 ; tkg:lastCycle 1 ;
    tkg:cycleLength [ a tkg:Quantity ; tkg:numericValue 28 ; tkg:unit "d" ] ; tkg:hasDoseStep tkgr:s1 .
tkgr:s1 a tkg:DoseStep ; rdfs:label "s" ; prov:wasDerivedFrom tkgr:source-article ; tkg:firstDay 8 ; tkg:lastDay 30 ;
    tkg:doseBasis tkg:FlatDose ; tkg:dose [ a tkg:Quantity ; tkg:numericValue 28 ; tkg:unit "ug/d" ] .""",
    "unscoped regimen": """
tkgr:r9 a tkg:DosingRegimen ; rdfs:label "r" ; prov:wasDerivedFrom tkgr:source-article ; tkg:regimenFor tkgr:blinatumomab ;
    tkg:hasCycle tkgr:blina-rr-adult-c1 .""",
    "unscoped rule and incidence": """
tkgr:r10 a tkg:DoseModificationRule ; rdfs:label "r" ; prov:wasDerivedFrom tkgr:source-article ; tkg:forTherapy tkgr:blinatumomab ;
    tkg:settingNotStated true ; tkg:hasTrigger [ a tkg:Trigger ; tkg:minimumGrade 3 ] .
tkgr:x6 a tkg:AdverseReaction ; rdfs:label "x" ; prov:wasDerivedFrom tkgr:source-article ; tkg:forTherapy tkgr:blinatumomab ;
    tkg:adverseEvent tkgr:neutropenia .""",
    "bad numbers": """
tkgr:x2 a tkg:AdverseReaction ; rdfs:label "x" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:adverseEvent tkgr:neutropenia ;
    tkg:anyGradeIncidence [ a tkg:Quantity ; tkg:numericValue 120 ; tkg:unit "%" ] ;
    tkg:grade3PlusIncidence [ a tkg:Quantity ; tkg:lowerValue 9 ; tkg:upperValue 4 ; tkg:unit "%" ] ;
    tkg:medianOnset [ a tkg:Quantity ; tkg:numericValue 3 ] .""",
    "thin indication": 'tkgr:x3 a tkg:Indication ; rdfs:label "x" ; prov:wasDerivedFrom tkgr:source-article ; tkg:indicationTherapy tkgr:blinatumomab ; tkg:approvalDate "March 2018" .',
    "bad trial and rule": """
tkgr:x4 a tkg:ClinicalTrial ; rdfs:label "t" ; prov:wasDerivedFrom tkgr:source-article ; tkg:registryId "NCT123" .
tkgr:x5 a tkg:DoseModificationRule ; rdfs:label "r" ; prov:wasDerivedFrom tkgr:source-article ; tkg:forTherapy tkgr:blinatumomab ;
    tkg:hasTrigger [ a tkg:Trigger ; tkg:minimumGrade 6 ] .""",
}


def _both(inputs, turtle):
    inputs.add("broken.ttl", turtle)
    loaded = load_inputs(inputs.ontology, inputs.data)
    store = ox.Store()
    store.bulk_extend(loaded.quads)
    shapes = inputs.ontology / "shapes.ttl"
    reference = {(v.subject, v.message) for v in validate(loaded, shapes)}
    ours = {(v.subject, v.message) for v in validate_in_store(store, shapes, loaded)}
    return reference, ours


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_same_violations_as_pyshacl(small_inputs, case):
    reference, ours = _both(small_inputs, BROKEN[case])
    assert reference, "the case must break a shape"
    assert ours == reference


def test_a_regimen_without_setting_or_population_is_named(small_inputs):
    reference, _ = _both(small_inputs, BROKEN["unscoped regimen"])
    messages = {message for subject, message in reference if subject.endswith("r9")}
    assert any("no setting" in m for m in messages) and any("no population" in m for m in messages), messages


def test_the_curated_graph_conforms_both_ways(inputs):
    reference, ours = _both(inputs, "")
    assert reference == ours == set()


def test_every_shape_constraint_is_translated():
    assert len(compile_shapes(__import__("therapykg").paths.SHAPES_FILE)) >= 100
