"""Checking what a person asked for (therapykg.domain.inputs): ids in any
case, names, synonyms and brand names matched exactly, the closest ids for
an unknown one, aspects however they are spelt."""

from __future__ import annotations

import asyncio

import pytest

import therapykg
from therapykg.domain import inputs
from therapykg.domain.compare import Aspect
from therapykg.domain.ids import UserInputError
from therapykg.domain.inputs import Named, aspect_of, aspects_of, closest, known, matching, normalized, therapy_iri
from therapykg.domain.loaders import Loaders
from therapykg.namespaces import TKGR
from therapykg.store.engine import GraphSelector


@pytest.fixture(scope="module")
def kg() -> therapykg.KnowledgeGraph:
    return therapykg.load_graph()


def resolve(kg, identifier: str, classes: tuple[str, ...] = ("Therapy",), noun: str = "therapy") -> str:
    return asyncio.run(known(Loaders(GraphSelector(kg)), identifier, classes, noun))


@pytest.mark.parametrize(("identifier", "therapy"), [
    ("blinatumomab", "blinatumomab"),
    ("Blinatumomab", "blinatumomab"),
    ("tkgr:BLINATUMOMAB", "blinatumomab"),
    (TKGR + "Tisagenlecleucel", "tisagenlecleucel"),
    ("BLINCYTO", "blinatumomab"),  # brand names
    ("blincyto", "blinatumomab"),
    ("Kymriah", "tisagenlecleucel"),
    ("besponsa", "inotuzumab-ozogamicin"),
    ("TECARTUS", "brexucabtagene-autoleucel"),
    ("HiDAC", "high-dose-cytarabine"),  # synonyms
    ("allogeneic HCT", "allogeneic-hct"),
    ("Allogeneic HSCT", "allogeneic-hct"),
    ("paracetamol", "acetaminophen"),
    ("inotuzumab ozogamicin", "inotuzumab-ozogamicin"),  # labels
    ("high-dose cytarabine-based regimen", "high-dose-cytarabine"),
    ("flag ida", "flag-ida"),  # hyphens, underscores and spaces alike
    ("INOTUZUMAB_OZOGAMICIN", "inotuzumab-ozogamicin"),
])
def test_ids_names_synonyms_and_brand_names_in_any_case(kg, identifier, therapy):
    assert resolve(kg, identifier) == TKGR + therapy


@pytest.mark.parametrize(("identifier", "message"), [
    ("blinatumomob", "not a therapy: tkgr:blinatumomob (the closest is blinatumomab)"),
    ("tisagenleucel", "not a therapy: tkgr:tisagenleucel (the closest is tisagenlecleucel)"),
    ("kymria", "not a therapy: tkgr:kymria (the closest is tisagenlecleucel (KYMRIAH))"),
    # Names match exactly: a brand name's prefix is not the therapy, only a suggestion.
    ("BLINCYT", "not a therapy: tkgr:BLINCYT (the closest is blinatumomab (BLINCYTO))"),
    ("cytarabin", "not a therapy: tkgr:cytarabin (the closest are cytarabine, nelarabine and high-dose-cytarabine)"),
    ("allogeneic HCTX", "not a therapy: 'allogeneic HCTX' (the closest is allogeneic-hct)"),
    ("tkgr:trial-tower", "not a therapy: tkgr:trial-tower"),
    ("not an id", "'not an id' is not a valid id"),
])
def test_an_unknown_id_names_up_to_three_of_the_closest(kg, identifier, message):
    with pytest.raises(UserInputError) as caught:
        resolve(kg, identifier)
    assert str(caught.value) == message or (message.endswith("valid id") and str(caught.value).startswith(message))


def test_findings_by_id_label_or_synonym(kg):
    findings = ("ClinicalFinding", "TriggerCondition")
    assert resolve(kg, "CRS", findings, "finding") == resolve(kg, "Cytokine Release Syndrome", findings, "finding") \
        == TKGR + "cytokine-release-syndrome"
    with pytest.raises(UserInputError, match=r"^not a finding: tkgr:cytokine-release \(the closest is cytokine-release-syndrome\)$"):
        resolve(kg, "cytokine-release", findings, "finding")


def test_a_name_two_therapies_share_is_refused_not_guessed(kg, monkeypatch):
    twins = [Named(TKGR + "one", "one", brand_names=("TWIN",)), Named(TKGR + "two", "two", synonyms=("twin",))]
    assert [n.local for n in matching("Twin", twins)] == ["one", "two"]

    async def named(loaders, classes):
        return twins

    monkeypatch.setattr(inputs, "named", named)
    with pytest.raises(UserInputError, match=r"^'twin' names more than one therapy \(one, two\)"):
        resolve(kg, "twin")
    assert resolve(kg, "one") == TKGR + "one"


def test_matching_is_exact_and_closest_is_fuzzy():
    therapies = [Named(TKGR + "blinatumomab", "blinatumomab", brand_names=("BLINCYTO",)),
                 Named(TKGR + "tisagenlecleucel", "tisagenlecleucel", brand_names=("KYMRIAH",))]
    assert matching("blincyto", therapies) == therapies[:1]
    assert matching("blincyt", therapies) == [] and matching("", therapies) == []
    assert closest("blincyt", therapies) == ["blinatumomab (BLINCYTO)"]
    assert closest("zzzz", therapies) == []


def test_the_names_of_the_graph_s_therapies(kg):
    named = {n.local: n for n in asyncio.run(inputs.named(Loaders(GraphSelector(kg)), ("Therapy",)))}
    assert named["blinatumomab"].brand_names == ("BLINCYTO",)
    assert named["blinatumomab"].synonyms == ()  # BLINCYTO is its brand name, not repeated as a synonym
    assert [normalized(s) for s in named["high-dose-cytarabine"].synonyms] == ["hidac", "high dose cytarabine"]  # HIDAC = HiDAC
    assert "fludarabine" in named


def test_therapy_iri_is_known_for_therapies(kg):
    assert asyncio.run(therapy_iri(Loaders(GraphSelector(kg)), "Kymriah")) == TKGR + "tisagenlecleucel"


@pytest.mark.parametrize("spelling", ["adverse_events", "adverse-events", "adverse events", "ADVERSE_EVENTS", "Adverse Events",
                                      "  adverse   events ", "key adverse events"])
def test_aspects_however_they_are_spelt(spelling):
    assert aspect_of(spelling) is Aspect.ADVERSE_EVENTS
    assert aspects_of([spelling]) == [Aspect.ADVERSE_EVENTS]


def test_aspects_of_a_list():
    assert aspects_of(None) is None and aspects_of([]) is None
    assert aspects_of(["efficacy", Aspect.SAFETY, "EFFICACY"]) == [Aspect.EFFICACY, Aspect.SAFETY]  # each once, in order
    assert aspect_of("pivotal trials and outcomes") is Aspect.EFFICACY
    with pytest.raises(UserInputError, match=r"^unknown aspect 'taste'; aspects are mechanism, modality"):
        aspects_of(["taste"])
    with pytest.raises(UserInputError, match="unknown aspect 'adverse'"):
        aspects_of(["adverse"])  # no prefix guessing


def test_normalized():
    assert normalized("  Allogeneic_HCT-x  y ") == "allogeneic hct x y"
    assert normalized("Thérapie") == "therapie"
