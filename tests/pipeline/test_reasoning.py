"""HermiT: consistency, classification, materialized inferences. The
inferences are checked as committed (fast tier) and as HermiT computes them
in this run (live); so are the rules used for large graphs."""

import pytest
from pyoxigraph import Variable

from therapykg import paths
from therapykg.errors import JavaMissing, ValidationFailed
from therapykg.loader import load_inputs
from therapykg.reasoning import reason
from therapykg.store.graph import read_inferred

NELARABINE_FOR_B_ALL = """
tkgr:wrong-indication a tkg:Indication ; rdfs:label "nelarabine for B-ALL (wrong)" ;
    prov:wasDerivedFrom tkgr:source-article ;
    tkg:indicationTherapy tkgr:nelarabine ;
    tkg:indicationDiseaseState tkgr:state-rr-ph-neg-b-all ;
    tkg:indicationPopulation tkgr:pop-adults .
"""
CONTRAINDICATION_AND_PRECAUTION = """
tkgr:both-kinds a tkg:Contraindication , tkg:Precaution ; rdfs:label "both" ;
    prov:wasDerivedFrom tkgr:source-article ; tkg:forTherapy tkgr:blinatumomab .
"""


def test_inferred_types_are_materialized(reasoned_graph):
    rows = reasoned_graph.select("""
        SELECT ?therapy WHERE { GRAPH <https://w3id.org/therapykg/graph/inferred> { ?therapy a tkg:CD19DirectedTherapy } }
        ORDER BY ?therapy""")
    assert [r["therapy"].value.rsplit("/", 1)[1] for r in rows] == [
        "blinatumomab", "brexucabtagene-autoleucel", "tisagenlecleucel"]


def test_permanent_discontinuation_rules_are_classified(reasoned_graph):
    rows = reasoned_graph.select("SELECT ?rule WHERE { ?rule a tkg:PermanentDiscontinuationRule }")
    assert rows, "no rule was classified as a permanent discontinuation rule"
    for row in rows:
        ask = "ASK { ?rule tkg:hasAction/tkg:actionKind tkg:DiscontinuePermanently }"
        assert reasoned_graph.query(ask, substitutions={Variable("rule"): row["rule"]})


@pytest.mark.live  # HermiT (Java)
def test_committed_inferences_match_a_fresh_reasoning_run():
    loaded = load_inputs()
    version, committed = read_inferred(paths.INFERRED_FILE)
    assert version == loaded.version, "graph_data/inferred.ttl is stale: run `therapykg build`"
    fresh = reason(loaded.quads).quads()
    assert set(fresh) == set(committed)


@pytest.mark.live  # HermiT (Java)
def test_nelarabine_indicated_for_b_all_is_inconsistent(inputs):
    inputs.add("nelarabine-b-all.ttl", NELARABINE_FOR_B_ALL)
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    assert caught.value.stage == "reasoner"
    assert caught.value.problems == [
        "the ontology and data are inconsistent: tkgr:wrong-indication indicates tkgr:nelarabine for "
        "tkgr:ph-negative-b-all, but that therapy is only indicated for tkg:TCellALL"]


@pytest.mark.live  # HermiT (Java)
def test_contraindication_that_is_also_a_precaution_is_inconsistent(inputs):
    inputs.add("both.ttl", CONTRAINDICATION_AND_PRECAUTION)
    with pytest.raises(ValidationFailed) as caught:
        inputs.build()
    assert caught.value.problems == [
        "the ontology and data are inconsistent: tkgr:both-kinds is typed with disjoint classes "
        "tkg:Contraindication and tkg:Precaution"]


@pytest.mark.live  # the whole build on the whole data, twice
def test_missing_java_is_reported_clearly(inputs, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(JavaMissing) as caught:
        inputs.build(require_reasoner=True)
    assert "Java was not found" in str(caught.value)
    # Serving does not need Java: the committed inferences are used.
    result = inputs.build()
    assert result.reasoned is False
    assert result.counts["claims"] > 0


@pytest.mark.live  # HermiT (Java)
def test_rules_materialize_exactly_what_hermit_infers():
    """therapykg.rules, used for large graphs, matches HermiT on the real graph."""
    import pyoxigraph as ox

    from therapykg.rules import materialize

    loaded = load_inputs()
    store = ox.Store()
    store.bulk_extend(loaded.quads)
    assert set(materialize(store)) == set(reason(loaded.quads).quads())


def test_rules_materialize_exactly_the_committed_inferences():
    """The same comparison without Java: the committed inferences are
    HermiT's (test_committed_inferences_match_a_fresh_reasoning_run)."""
    import pyoxigraph as ox

    from therapykg.rules import materialize

    loaded = load_inputs()
    version, committed = read_inferred(paths.INFERRED_FILE)
    assert version == loaded.version, "graph_data/inferred.ttl is stale: run `therapykg build`"
    store = ox.Store()
    store.bulk_extend(loaded.quads)
    assert set(materialize(store)) == set(committed)


@pytest.mark.live  # the scalable build runs HermiT on the ontology
def test_scalable_build_catches_nelarabine_for_b_all(inputs):
    inputs.add("nelarabine-b-all.ttl", NELARABINE_FOR_B_ALL)
    with pytest.raises(ValidationFailed) as caught:
        inputs.build(scalable=True)
    assert caught.value.stage == "quality checks"
    assert any(p.startswith("restricted-value-violation: tkgr:nelarabine") for p in caught.value.problems), caught.value


@pytest.mark.live  # the scalable build runs HermiT on the ontology
def test_scalable_build_catches_disjoint_kinds(inputs):
    inputs.add("both.ttl", CONTRAINDICATION_AND_PRECAUTION)
    with pytest.raises(ValidationFailed) as caught:
        inputs.build(scalable=True)
    assert any(p.startswith("disjoint-classes-violation: tkgr:both-kinds") for p in caught.value.problems), caught.value
