"""Search by name (therapykg.domain.search): what the graph's labels,
synonyms, brand names and registry numbers find, in which order, and how
odd input is bounded."""

from __future__ import annotations

import asyncio
import time

import pytest

from therapykg.domain import search as searching
from therapykg.domain.loaders import Loaders
from therapykg.domain.search import MAX_QUERY, Hit, normalize, search, suggestions
from therapykg.store.engine import GraphSelector

BRANDS = """
PREFIX tkg: <https://w3id.org/therapykg/ontology/>
SELECT ?brand WHERE { <https://w3id.org/therapykg/resource/blinatumomab> tkg:brandName ?brand }
"""


@pytest.fixture(scope="module")
def find(graph):
    def run(text: str, **options) -> list[Hit]:
        return asyncio.run(search(Loaders(GraphSelector(graph)), text, **options))
    return run


def test_a_therapys_name_finds_it_first(find):
    hits = find("blinatumomab")
    assert hits[0].id == "tkgr:blinatumomab"
    assert (hits[0].kind, hits[0].rank, hits[0].href) == ("therapy", "exact", "/therapies/blinatumomab")


def test_a_brand_name_finds_the_therapy(graph, find):
    brands = [row["brand"]["value"] for row in graph.bindings(BRANDS)]
    assert "BLINCYTO" in brands
    first = find("Blincyto")[0]
    assert first.id == "tkgr:blinatumomab"
    assert first.matched == "BLINCYTO" and first.label == "blinatumomab"


def test_a_registry_number_finds_its_trial(find):
    first = find("NCT02013167")[0]
    assert (first.id, first.label, first.kind, first.field) == ("tkgr:trial-tower", "TOWER", "clinical trial", "registry number")


def test_a_prefix_finds_the_therapy_before_claims(find):
    hits = find("inotuzumab")
    assert hits[0].id == "tkgr:inotuzumab-ozogamicin" and hits[0].rank == "prefix"
    ranks = ["exact", "prefix", "word prefix", "substring", "fuzzy"]
    assert [ranks.index(h.rank) for h in hits] == sorted(ranks.index(h.rank) for h in hits)
    # Claims come after the therapy at the same rank.
    assert any(h.kind not in ("therapy", "source", "conflict", "label version") for h in hits[1:])


def test_a_typo_still_finds_the_therapy(find):
    first = find("blinatumomub")[0]
    assert (first.id, first.rank) == ("tkgr:blinatumomab", "fuzzy")


def test_case_and_accents_do_not_matter(find):
    assert find("BLÍNATUMOMAB")[0].id == "tkgr:blinatumomab"
    assert normalize("  Ànémie  Sévère ") == "anemie severe"


def test_a_synonym_is_shown_as_the_match(find):
    first = find("CRS")[0]
    assert first.id == "tkgr:cytokine-release-syndrome"
    assert (first.matched, first.field, first.label) == ("CRS", "synonym", "cytokine release syndrome")


def test_a_source_is_found_by_its_identifier(find):
    first = find("PMC6618133")[0]
    assert (first.id, first.kind, first.href) == ("tkgr:source-pmc6618133", "source", "/sources/source-pmc6618133")


def test_a_claim_carries_its_kind_and_a_regimen_its_page(find):
    regimen = find("Blinatumomab, relapsed/refractory disease, adults >= 45 kg (article)")[0]
    assert (regimen.id, regimen.kind, regimen.href) == ("tkgr:blina-rr-adult", "dosing regimen", "/regimens/blina-rr-adult")
    outcome = find("INO-VATE ALL: median OS 7.7 vs 6.2 months")[0]
    assert (outcome.id, outcome.kind, outcome.href) == ("tkgr:ino-vate-median-os", "efficacy outcome", "/resource/ino-vate-median-os")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_input_finds_nothing(find, text):
    assert find(text) == []


def test_a_long_query_is_capped(find, monkeypatch):
    seen: list[str] = []
    real = searching.normalize
    monkeypatch.setattr(searching, "normalize", lambda text: seen.append(text) or real(text))
    assert find("blinatumomab " * 800) == []  # 10,400 characters: only the first 200 are searched
    assert len(seen[0]) <= MAX_QUERY
    assert find("blinatumomab" + " " * 9_988)[0].id == "tkgr:blinatumomab"


def test_the_limit_is_kept(find):
    assert len(find("a", limit=7)) == 7
    assert find("blinatumomab", limit=0) == []


def test_suggestions_for_a_mistyped_address(graph):
    found = asyncio.run(suggestions(Loaders(GraphSelector(graph)), "inotuzumab-ozogamicn"))
    assert found and found[0].id == "tkgr:inotuzumab-ozogamicin"
    assert len(found) <= 5


def test_a_search_after_the_first_is_fast_and_runs_no_query(graph):
    asyncio.run(search(Loaders(GraphSelector(graph)), "tower"))
    backend = GraphSelector(graph)
    started = time.perf_counter()
    for text in ("blinatumomab", "NCT02013167", "blinatumomub", "cytokine release", "e"):
        asyncio.run(search(Loaders(backend), text))
    assert (time.perf_counter() - started) / 5 < 0.05
    assert backend.queries == 0
