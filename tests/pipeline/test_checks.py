"""Each quality check catches the fault it guards against: in the whole
build with HermiT (live), and on the curated inputs with the inferences the
rules of ``therapykg.rules`` draw, no Java (fast)."""

import pyoxigraph as ox
import pytest

from tests.conftest import PREFIXES
from therapykg.checks import run_checks
from therapykg.errors import ValidationFailed
from therapykg.loader import load_inputs
from therapykg.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY
from therapykg.rules import materialize
from therapykg.store.graph import KnowledgeGraph

# The build runs HermiT: the checks run on the reasoned graph.
build = pytest.mark.live

UNFLAGGED_CONFLICT = """
tkgr:neuro-second-opinion a tkg:AdverseReaction ; rdfs:label "another neurotoxicity figure" ;
    prov:wasDerivedFrom tkgr:source-reference-page ; tkg:settingNotStated true ; tkg:populationNotStated true ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:adverseEvent tkgr:neurological-toxicity ;
    tkg:anyGradeIncidence [ a tkg:Quantity ; tkg:numericValue 42 ; tkg:unit "%" ] .
"""
DURATION_IN_WEEKS = """
tkgr:c-weeks a tkg:Cycle ; rdfs:label "c" ; prov:wasDerivedFrom tkgr:source-article ; tkg:firstCycle 1 ; tkg:lastCycle 1 ;
    tkg:treatmentPeriod [ a tkg:Quantity ; tkg:numericValue 4 ; tkg:unit "wk" ] ; rdfs:comment "no dose stated" .
tkgr:r-weeks a tkg:DosingRegimen ; rdfs:label "r" ; prov:wasDerivedFrom tkgr:source-article ; tkg:regimenFor tkgr:blinatumomab ;
    tkg:settingNotStated true ; tkg:regimenPopulation tkgr:pop-adults ; tkg:hasCycle tkgr:c-weeks .
"""
TYPO = """
tkgr:typo-note a tkg:Statement ; rdfs:label "note" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:about tkgr:blinatumomabb .
"""
UNKNOWN_TERM = """
tkgr:odd-claim a tkg:Statement ; rdfs:label "odd" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:forTherapy tkgr:blinatumomab ; tkg:incidenceOfSomething "12" .
"""
SOURCED_FINDING = """
tkgr:lonely-finding a tkg:ClinicalFinding ; rdfs:label "lonely" ; prov:wasDerivedFrom tkgr:source-article .
"""
ORPHAN = 'tkgr:lonely-finding a tkg:ClinicalFinding ; rdfs:label "lonely" .\n'
UNLABELLED = """
tkgr:unlabelled a tkg:ClinicalFinding ; prov:wasDerivedFrom tkgr:source-article .
tkgr:note-on-unlabelled a tkg:Statement ; rdfs:label "note" ; prov:wasDerivedFrom tkgr:source-article ;
    tkg:about tkgr:unlabelled .
"""
NELARABINE_APPLICABLE = """
tkgr:wrong-alternative a tkg:AlternativeTherapyRelation ; rdfs:label "nelarabine applicable to B-ALL (wrong)" ;
    prov:wasDerivedFrom tkgr:source-article ;
    tkg:alternativeTo tkgr:blinatumomab ; tkg:alternativeTherapy tkgr:nelarabine ;
    tkg:applicability tkg:Applicable ; tkg:forDisease tkgr:ph-negative-b-all .
"""
# An ontology file of its own (with its prefixes), not data.
DEFINED_CLASS_AS_PARENT = """
@prefix tkg:  <https://w3id.org/therapykg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
tkg:CD19BispecificEngager a owl:Class ; rdfs:label "CD19 bispecific engager"@en ;
    skos:definition "A test class placed under a defined class by hand."@en ;
    rdfs:subClassOf tkg:CD19DirectedTherapy .
"""


def _failures(inputs) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    assert caught.value.stage == "quality checks", caught.value
    return caught.value.problems


def checked_with_rules(turtle: str, graph: str = GRAPH_DATA) -> list[str]:
    """The quality checks' failures on the curated inputs plus ``turtle``
    (loaded into ``graph``), with the inferences ``therapykg.rules`` draws."""
    loaded = load_inputs()
    store = ox.Store()
    store.bulk_extend(loaded.quads)
    store.load(turtle, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    store.bulk_extend(materialize(store))
    return [str(f) for f in run_checks(KnowledgeGraph(store, loaded.version))]


@build
def test_the_curated_graph_passes_every_check(built):
    assert built.counts["claims"] > 0  # the session build raised nothing


def test_the_committed_graph_passes_every_check(graph):
    assert run_checks(graph) == []


@pytest.mark.parametrize(("turtle", "graph", "check", "entity"), [
    (PREFIXES + UNFLAGGED_CONFLICT, GRAPH_DATA, "unflagged-conflict-violation", "tkgr:neuro-second-opinion"),
    (PREFIXES + DURATION_IN_WEEKS, GRAPH_DATA, "duration-without-days-violation", "tkgr:c-weeks"),
    (PREFIXES + TYPO, GRAPH_DATA, "undefined-reference-violation", "tkgr:blinatumomabb"),
    (PREFIXES + UNKNOWN_TERM, GRAPH_DATA, "unknown-term-violation", "tkg:incidenceOfSomething"),
    (PREFIXES + ORPHAN, GRAPH_DATA, "orphan-node-violation", "tkgr:lonely-finding"),
    (PREFIXES + UNLABELLED, GRAPH_DATA, "missing-label-violation", "tkgr:unlabelled"),
    (PREFIXES + NELARABINE_APPLICABLE, GRAPH_DATA, "indication-outside-applicability-violation", "tkgr:wrong-alternative"),
    (DEFINED_CLASS_AS_PARENT, GRAPH_ONTOLOGY, "defined-class-as-parent-violation", "tkg:CD19BispecificEngager"),
], ids=["unflagged-conflict", "duration-in-weeks", "undefined-reference", "unknown-term", "orphan", "missing-label",
        "applicable-to-a-disjoint-disease", "defined-class-as-parent"])
def test_each_check_catches_its_fault_without_the_reasoner(turtle, graph, check, entity):
    failures = checked_with_rules(turtle, graph)
    assert any(f.startswith(f"{check}: ") and entity in f for f in failures), failures


def test_a_finding_with_a_source_is_no_orphan_without_the_reasoner():
    assert not [f for f in checked_with_rules(PREFIXES + SOURCED_FINDING) if "tkgr:lonely-finding" in f]


@build
def test_unflagged_conflict(inputs):
    inputs.add("second-opinion.ttl", UNFLAGGED_CONFLICT)
    failures = _failures(inputs)
    assert any(f.startswith("unflagged-conflict-violation:") and "tkgr:neuro-second-opinion" in f for f in failures), failures


@build
def test_duration_without_days(inputs):
    inputs.add("weeks.ttl", DURATION_IN_WEEKS)
    failures = _failures(inputs)
    assert any(f.startswith("duration-without-days-violation: tkgr:c-weeks") for f in failures), failures


@build
def test_reference_to_undefined_resource(inputs):
    inputs.add("typo.ttl", TYPO)
    failures = _failures(inputs)
    assert any(f.startswith("undefined-reference-violation: tkgr:blinatumomabb") for f in failures), failures


@build
def test_term_not_in_ontology(inputs):
    inputs.add("unknown-term.ttl", UNKNOWN_TERM)
    failures = _failures(inputs)
    assert any(f.startswith("unknown-term-violation: tkg:incidenceOfSomething") for f in failures), failures


@build
def test_orphan_node(inputs):
    inputs.add("orphan.ttl", SOURCED_FINDING)
    # prov:wasDerivedFrom links it to a source, so it is not an orphan ...
    inputs.build()
    inputs.add("orphan.ttl", ORPHAN)
    # ... without it, nothing connects it.
    failures = _failures(inputs)
    assert any(f.startswith("orphan-node-violation: tkgr:lonely-finding") for f in failures), failures


@build
def test_missing_label(inputs):
    inputs.add("unlabelled.ttl", UNLABELLED)
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    # SHACL does not require labels on findings; the check does.
    assert any("tkgr:unlabelled" in p and "rdfs:label" in p for p in caught.value.problems), caught.value


@build
def test_alternative_marked_applicable_to_a_disjoint_disease(inputs):
    inputs.add("nelarabine-applicable.ttl", NELARABINE_APPLICABLE)
    failures = _failures(inputs)
    assert any(f.startswith("indication-outside-applicability-violation: tkgr:wrong-alternative") for f in failures), failures


@build
def test_defined_class_used_as_a_told_parent(inputs):
    """Queries find an instance's most specific class with one rdfs:subClassOf
    step; that needs defined classes to stay out of the told hierarchy."""
    (inputs.ontology / "extension.ttl").write_text(DEFINED_CLASS_AS_PARENT, encoding="utf-8")
    failures = _failures(inputs)
    assert any(f.startswith("defined-class-as-parent-violation: tkg:CD19BispecificEngager") for f in failures), failures
