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


# One fault per check, by the check's name: the fault, the graph it goes in,
# the violation's subject, and what else its message must name.
FAULTS = {
    "unflagged-conflict": (UNFLAGGED_CONFLICT, GRAPH_DATA, "tkgr:blina-ar-neuro-article", ["tkgr:neuro-second-opinion"]),
    "duration-without-days": (DURATION_IN_WEEKS, GRAPH_DATA, "tkgr:c-weeks", []),
    "undefined-reference": (TYPO, GRAPH_DATA, "tkgr:blinatumomabb", []),
    "unknown-term": (UNKNOWN_TERM, GRAPH_DATA, "tkg:incidenceOfSomething", []),
    "orphan-node": (ORPHAN, GRAPH_DATA, "tkgr:lonely-finding", []),
    # SHACL does not require labels on findings; the check does.
    "missing-label": (UNLABELLED, GRAPH_DATA, "tkgr:unlabelled", ["rdfs:label"]),
    "indication-outside-applicability": (NELARABINE_APPLICABLE, GRAPH_DATA, "tkgr:wrong-alternative", []),
    # Queries find an instance's most specific class with one rdfs:subClassOf
    # step; that needs defined classes to stay out of the told hierarchy.
    "defined-class-as-parent": (DEFINED_CLASS_AS_PARENT, GRAPH_ONTOLOGY, "tkg:CD19BispecificEngager", []),
}


def checked_with_rules(turtle: str, graph: str = GRAPH_DATA) -> list[str]:
    """The quality checks' failures on the curated inputs plus ``turtle``
    (loaded into ``graph``), with the inferences ``therapykg.rules`` draws."""
    loaded = load_inputs()
    store = ox.Store()
    store.bulk_extend(loaded.quads)
    store.load(turtle if graph == GRAPH_ONTOLOGY else PREFIXES + turtle, format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(graph))
    store.bulk_extend(materialize(store))
    return [str(f) for f in run_checks(KnowledgeGraph(store, loaded.version))]


def checked_by_the_build(inputs, turtle: str, graph: str = GRAPH_DATA) -> list[str]:
    """The quality checks' failures in the whole build (HermiT) of a copy of
    the inputs with ``turtle`` added (an ontology file of its own for
    ``GRAPH_ONTOLOGY``); none if the build passes, and no other stage may fail."""
    if graph == GRAPH_ONTOLOGY:
        (inputs.ontology / "extension.ttl").write_text(turtle, encoding="utf-8")
    else:
        inputs.add("added.ttl", turtle)
    try:
        inputs.build()
    except ValidationFailed as failed:
        assert failed.stage == "quality checks", failed
        return failed.problems
    return []


@pytest.fixture(params=["rules", pytest.param("HermiT", marks=build)])
def checked(request):
    """The quality checks' failures with ``turtle`` added to the inputs: with
    the inferences of ``therapykg.rules``, no Java (fast), and in the whole
    build with HermiT (live)."""
    if request.param == "rules":
        return checked_with_rules
    inputs = request.getfixturevalue("inputs")
    return lambda turtle, graph=GRAPH_DATA: checked_by_the_build(inputs, turtle, graph)


@build
def test_the_curated_graph_passes_every_check(built):
    assert built.counts["claims"] > 0  # the session build raised nothing


def test_the_committed_graph_passes_every_check(graph):
    assert run_checks(graph) == []


@pytest.mark.parametrize(("check", "turtle", "graph", "subject", "also"),
                         [(check, *fault) for check, fault in FAULTS.items()], ids=list(FAULTS))
def test_each_check_catches_its_fault(checked, check, turtle, graph, subject, also):
    failures = checked(turtle, graph)
    assert any(f.startswith(f"{check}-violation: {subject}: ") and all(word in f for word in also) for f in failures), failures


def test_a_finding_with_a_source_is_no_orphan(checked):
    """prov:wasDerivedFrom links it to a source, so it is not an orphan (and
    the inputs pass every check); without it, nothing connects it (above)."""
    assert checked(SOURCED_FINDING) == []
