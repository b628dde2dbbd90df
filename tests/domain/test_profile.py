"""The therapy profile (therapykg.domain.profile): what a therapy is, its
indications, adverse reactions, warnings by label version, rules in words,
alternatives and trials, each value with its citations and disputes, read
from the graph."""

from __future__ import annotations

import asyncio

import pytest

from therapykg.domain.ids import UserInputError
from therapykg.domain.loaders import Loaders
from therapykg.domain.profile import TherapyProfile, therapy_profile
from therapykg.namespaces import TKGR
from therapykg.store.engine import GraphSelector


def _profile(graph, local: str) -> TherapyProfile:
    return asyncio.run(therapy_profile(Loaders(GraphSelector(graph)), TKGR + local))


@pytest.fixture(scope="module")
def blina(graph) -> TherapyProfile:
    return _profile(graph, "blinatumomab")


@pytest.fixture(scope="module")
def ino(graph) -> TherapyProfile:
    return _profile(graph, "inotuzumab-ozogamicin")


@pytest.fixture(scope="module")
def tisa(graph) -> TherapyProfile:
    return _profile(graph, "tisagenlecleucel")


def _reaction(profile: TherapyProfile, event: str, claim: str):
    (found,) = [a for a in profile.adverse_reactions if a.event == event and a.value.claim == claim]
    return found


def test_what_blinatumomab_is(blina):
    assert blina.id == "tkgr:blinatumomab" and blina.local_id == "blinatumomab"
    assert set(blina.targets) == {"CD3", "CD19"}
    assert blina.brand_names == ("BLINCYTO",)
    assert blina.mechanisms == ("T-cell redirection",)
    assert blina.kind == "bispecific T-cell engager"
    assert blina.initial_approval_year == 2014
    targets = next(f for f in blina.facts if f.label == "Targets")
    assert targets.values[0].text == "CD3, CD19"
    assert "tkgr:source-article" in {c.source.id for c in targets.values[0].citations}


def test_identifiers_link_out_and_say_which_are_unverified(blina, tisa):
    ids = {i.curie: i for i in blina.identifiers}
    assert ids["NCIT:C62528"].match == "exact" and ids["NCIT:C62528"].unverified  # no source seen shows it (A.7)
    assert not ids["ATC:L01FX07"].unverified
    assert ids["NCIT:C62528"].url is not None and ids["NCIT:C62528"].url.endswith("C62528")
    assert ids["RXNORM:1597258"].unverified and ids["RXNORM:1597263"].unverified
    assert ids["RXNORM:1597263"].match == "close"
    assert ids["DRUGBANK:DB09052"].url == "https://go.drugbank.com/drugs/DB09052"
    tisa_ids = {i.curie: i for i in tisa.identifiers}
    assert set(tisa_ids) == {"NCIT:C102758", "ATC:L01XL04", "NDC:0078-0846"}
    # The NCIt code's own statement names the source that prints it.
    assert [c.source.id for c in tisa_ids["NCIT:C102758"].citations] == ["tkgr:source-cytotargetdb-tisagenlecleucel"]
    assert tisa_ids["NDC:0078-0846"].match == "product" and tisa_ids["NDC:0078-0846"].url is None
    assert {c for c, i in tisa_ids.items() if i.unverified} == {"ATC:L01XL04"}


def test_an_adverse_reaction_incidence_with_its_citation(blina):
    neuro = _reaction(blina, "neurological toxicity", "tkgr:blina-ar-neuro-article")
    assert neuro.any_grade is not None and neuro.any_grade.text == "50 %"
    assert neuro.grade3_plus is not None and neuro.grade3_plus.text == "15 %"
    assert neuro.serious is None
    (citation,) = neuro.value.citations
    assert citation.source.id == "tkgr:source-article" and citation.article_references == [1]
    assert citation.section == "Critical Monitoring Requirements > Neurological Toxicity Surveillance"


def test_a_disputed_value_names_its_conflict_and_the_other_side(blina):
    neuro = _reaction(blina, "neurological toxicity", "tkgr:blina-ar-neuro-article")
    assert neuro.value.disputed
    assert neuro.value.conflict_ids == ("tkgr:conflict-blina-neuro-incidence",)
    (conflict,) = neuro.value.conflicts
    assert [o.claim for o in conflict.others] == ["tkgr:blina-ar-neuro-label"]
    assert {c.source.id for c in conflict.others[0].citations} >= {"tkgr:source-blincyto-label-incidence"}
    depression = _reaction(blina, "depression", "tkgr:blina-ar-depression")
    assert not depression.value.disputed and depression.value.conflicts == ()


def test_serious_incidences_and_counts(ino):
    serious = _reaction(ino, "infection", "tkgr:ino-serious-ar-infection")
    assert serious.serious is not None and serious.serious.text == "23 %"
    vod = _reaction(ino, "sinusoidal obstruction syndrome", "tkgr:ino-ar-vod-label")
    assert vod.counted == "23/164" and vod.population is not None and "INO-VATE" in vod.population


def test_boxed_warnings_by_label_version(ino, blina):
    boxed = {s.value.claim: s for s in ino.boxed_warnings}
    assert set(boxed) == {"tkgr:ino-boxed-hepatotoxicity", "tkgr:ino-boxed-post-hsct-nrm"}
    for warning in boxed.values():
        assert [(v.id, v.version_date, v.jurisdiction) for v in warning.label_versions] == [
            ("tkgr:label-besponsa-us-2024-03", "2024-03", "US")]
    blina_boxed = {s.value.claim: s for s in blina.boxed_warnings}
    assert [v.id for v in blina_boxed["tkgr:blina-boxed-warning-current"].label_versions] == ["tkgr:label-blincyto-us-current"]
    assert [v.id for v in blina_boxed["tkgr:blina-boxed-warning-older"].label_versions] == ["tkgr:label-blincyto-us-older"]
    assert blina_boxed["tkgr:blina-boxed-warning-older"].value.conflict_ids == ("tkgr:conflict-blina-boxed-warning-icans",)


def test_dose_modification_rules_in_words(blina):
    rules = {r.id: r for r in blina.rules}
    g4 = rules["tkgr:blina-rule-neuro-g4-article"]
    assert g4.trigger == "grade 4 neurological toxicity"
    assert g4.actions == ("discontinue permanently",) and g4.discontinues
    g3 = rules["tkgr:blina-rule-neuro-g3-article"]
    assert g3.actions == ("interrupt until grade 1 or lower", "restart at 9 ug/day",
                          "escalate to 28 ug/day if the toxicity resolved within 7 days")
    assert not g3.discontinues and "the source states no setting" in g3.scope
    assert g3.value.conflict_ids == ("tkgr:conflict-blina-neuro-g3-rule",)


def test_indications_regimens_alternatives_and_trials(blina, ino, tisa):
    dates = {i.approval_date for i in blina.indications}
    assert {"2018-03", "2024-06"} <= dates
    assert "blina-rr-adult" in {r.id for r in blina.regimens}
    alternatives = {a.therapy: a for a in blina.alternatives}
    assert alternatives["tisagenlecleucel"].applicable and alternatives["tisagenlecleucel"].direction == "alternative to this therapy"
    assert not alternatives["nelarabine"].applicable
    assert [(a.therapy, a.direction) for a in tisa.alternatives] == [("blinatumomab", "this therapy is an alternative to it")]
    tower = next(t for t in blina.trials if t.id == "trial-tower")
    assert tower.registry_id == "NCT02013167" and tower.registry_url == "https://clinicaltrials.gov/study/NCT02013167"
    assert {(i.jurisdiction, i.approval_date) for i in ino.indications} >= {("US", "2017-08-17"), ("EU", None)}
    os = [o for o in blina.outcomes if o.value.claim == "tkgr:tower-os-nejm"]
    assert os and os[0].trial == "TOWER" and "HR 0.71" in os[0].value.text


def test_an_unknown_therapy_is_refused(graph):
    with pytest.raises(UserInputError, match="not a therapy"):
        _profile(graph, "trial-tower")
