"""Each quality check catches the fault it guards against."""

import pytest

from therapykg.errors import ValidationFailed


def _failures(inputs) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    assert caught.value.stage == "quality checks", caught.value
    return caught.value.problems


def test_the_curated_graph_passes_every_check(built):
    assert built.counts["claims"] > 0  # the session build raised nothing


def test_unflagged_conflict(inputs):
    inputs.add("second-opinion.ttl", """
tkgr:neuro-second-opinion a tkg:AdverseReaction ; rdfs:label "another neurotoxicity figure" ;
    prov:wasDerivedFrom tkgr:source-reference-page ; tkg:settingNotStated true ; tkg:populationNotStated true ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:adverseEvent tkgr:neurological-toxicity ;
    tkg:anyGradeIncidence [ a tkg:Quantity ; tkg:numericValue 42 ; tkg:unit "%" ] .
""")
    failures = _failures(inputs)
    assert any(f.startswith("unflagged-conflict-violation:") and "tkgr:neuro-second-opinion" in f for f in failures), failures


def test_duration_without_days(inputs):
    inputs.add("weeks.ttl", """
tkgr:c-weeks a tkg:Cycle ; rdfs:label "c" ; prov:wasDerivedFrom tkgr:source-article ; tkg:firstCycle 1 ; tkg:lastCycle 1 ;
    tkg:treatmentPeriod [ a tkg:Quantity ; tkg:numericValue 4 ; tkg:unit "wk" ] ; rdfs:comment "no dose stated" .
tkgr:r-weeks a tkg:DosingRegimen ; rdfs:label "r" ; prov:wasDerivedFrom tkgr:source-article ; tkg:regimenFor tkgr:blinatumomab ;
    tkg:settingNotStated true ; tkg:regimenPopulation tkgr:pop-adults ; tkg:hasCycle tkgr:c-weeks .
""")
    failures = _failures(inputs)
    assert any(f.startswith("duration-without-days-violation: tkgr:c-weeks") for f in failures), failures


def test_reference_to_undefined_resource(inputs):
    inputs.add("typo.ttl", """
tkgr:typo-note a tkg:Statement ; rdfs:label "note" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:about tkgr:blinatumomabb .
""")
    failures = _failures(inputs)
    assert any(f.startswith("undefined-reference-violation: tkgr:blinatumomabb") for f in failures), failures


def test_term_not_in_ontology(inputs):
    inputs.add("unknown-term.ttl", """
tkgr:odd-claim a tkg:Statement ; rdfs:label "odd" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:incidenceOfSomething "12" .
""")
    failures = _failures(inputs)
    assert any(f.startswith("unknown-term-violation: tkg:incidenceOfSomething") for f in failures), failures


def test_orphan_node(inputs):
    inputs.add("orphan.ttl", """
tkgr:lonely-finding a tkg:ClinicalFinding ; rdfs:label "lonely" ; prov:wasDerivedFrom tkgr:source-article .
""")
    # prov:wasDerivedFrom links it to a source, so it is not an orphan ...
    inputs.build()
    inputs.add("orphan.ttl", 'tkgr:lonely-finding a tkg:ClinicalFinding ; rdfs:label "lonely" .\n')
    # ... without it, nothing connects it.
    failures = _failures(inputs)
    assert any(f.startswith("orphan-node-violation: tkgr:lonely-finding") for f in failures), failures


def test_missing_label(inputs):
    inputs.add("unlabelled.ttl", """
tkgr:unlabelled a tkg:ClinicalFinding ; prov:wasDerivedFrom tkgr:source-article .
tkgr:note-on-unlabelled a tkg:Statement ; rdfs:label "note" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:about tkgr:unlabelled .
""")
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    # SHACL does not require labels on findings; the check does.
    assert any("tkgr:unlabelled" in p and "rdfs:label" in p for p in caught.value.problems), caught.value


def test_alternative_marked_applicable_to_a_disjoint_disease(inputs):
    inputs.add("nelarabine-applicable.ttl", """
tkgr:wrong-alternative a tkg:AlternativeTherapyRelation ; rdfs:label "nelarabine applicable to B-ALL (wrong)" ;
    prov:wasDerivedFrom tkgr:source-article ;
    tkg:alternativeTo tkgr:blinatumomab ; tkg:alternativeTherapy tkgr:nelarabine ;
    tkg:applicability tkg:Applicable ; tkg:forDisease tkgr:ph-negative-b-all .
""")
    failures = _failures(inputs)
    assert any(f.startswith("indication-outside-applicability-violation: tkgr:wrong-alternative") for f in failures), failures


def test_defined_class_used_as_a_told_parent(inputs):
    """Queries find an instance's most specific class with one rdfs:subClassOf
    step; that needs defined classes to stay out of the told hierarchy."""
    (inputs.ontology / "extension.ttl").write_text("""
@prefix tkg:  <https://w3id.org/therapykg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
tkg:CD19BispecificEngager a owl:Class ; rdfs:label "CD19 bispecific engager"@en ;
    skos:definition "A test class placed under a defined class by hand."@en ;
    rdfs:subClassOf tkg:CD19DirectedTherapy .
""", encoding="utf-8")
    failures = _failures(inputs)
    assert any(f.startswith("defined-class-as-parent-violation: tkg:CD19BispecificEngager") for f in failures), failures
