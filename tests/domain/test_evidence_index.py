"""The evidence lists (therapykg.domain.evidence_index): every conflict with
its sides, and every source with what is drawn from it, checked against
plain SPARQL over the graph."""

from __future__ import annotations

import asyncio

import pytest

from therapykg.domain import evidence_index
from therapykg.domain.loaders import Loaders
from therapykg.namespaces import compact
from therapykg.store.engine import GraphSelector

PREFIXES = """
PREFIX tkg: <https://w3id.org/therapykg/ontology/>
PREFIX tkgr: <https://w3id.org/therapykg/resource/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
CONFLICT_COUNT = PREFIXES + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a tkg:Conflict }"
CONFLICT_CLAIMS = PREFIXES + "SELECT ?c ?claim WHERE { ?c a tkg:Conflict ; tkg:conflictingClaim ?claim }"
SOURCE_COUNT = PREFIXES + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a tkg:Source }"
DERIVED = PREFIXES + "SELECT ?thing WHERE { ?thing prov:wasDerivedFrom tkgr:source-pmc6618133 }"


@pytest.fixture(scope="module")
def conflicts(graph):
    return asyncio.run(evidence_index.conflicts(Loaders(GraphSelector(graph))))


@pytest.fixture(scope="module")
def sources(graph):
    return asyncio.run(evidence_index.sources(Loaders(GraphSelector(graph))))


def test_every_conflict_is_listed(graph, conflicts):
    expected = int(graph.bindings(CONFLICT_COUNT)[0]["n"]["value"])
    assert expected > 0
    assert len(conflicts) == expected
    assert len({c.id for c in conflicts}) == expected


def test_every_conflict_has_all_its_claims(graph, conflicts):
    expected: dict[str, set[str]] = {}
    for row in graph.bindings(CONFLICT_CLAIMS):
        expected.setdefault(compact(row["c"]["value"]), set()).add(compact(row["claim"]["value"]))
    assert {c.id: {s.id for s in c.sides} for c in conflicts} == expected


def test_a_known_conflict_with_its_three_claims(conflicts):
    conflict = next(c for c in conflicts if c.id == "tkgr:conflict-ino-vate-sc-median-os")
    assert (conflict.kind, conflict.kind_id) == ("different data cut or analysis population", "tkg:DifferentDataCut")
    assert conflict.aspect == "median overall survival of the comparator arm (data cut)"
    assert conflict.local == "conflict-ino-vate-sc-median-os" and conflict.comment
    sides = {s.id: s for s in conflict.sides}
    assert set(sides) == {"tkgr:ino-vate-median-os", "tkgr:ino-vate-sc-median-os-final", "tkgr:ino-vate-sc-median-os-primary"}
    primary, final = sides["tkgr:ino-vate-sc-median-os-primary"], sides["tkgr:ino-vate-sc-median-os-final"]
    assert primary.value == "6.7 mo" and final.value == "6.2 mo; 95% CI 4.7-8.3"
    assert primary.kind == "efficacy outcome"
    assert primary.therapy is not None and primary.therapy.id == "tkgr:standard-chemotherapy"
    assert [(c.source.id, c.section) for c in primary.citations] == [("tkgr:source-besponsa-ie-efficacy", "Efficacy")]
    assert {c.source.id for c in final.citations} == {"tkgr:source-pmc6618133", "tkgr:source-ash-clinical-news-besponsa-ad"}
    assert {t.local for t in conflict.therapies} == {"standard-chemotherapy", "inotuzumab-ozogamicin"}


def test_conflicts_by_therapy(conflicts):
    about = evidence_index.involving(conflicts, "tisagenlecleucel")
    assert about and all(any(t.local == "tisagenlecleucel" for t in c.therapies) for c in about)
    assert "tkgr:conflict-kymriah-crs-incidence" in {c.id for c in about}
    assert "tkgr:conflict-ino-atc" not in {c.id for c in about}
    assert evidence_index.involving(conflicts, "tkgr:tisagenlecleucel") == about
    assert evidence_index.involving(conflicts, "nelarabine") == []


def test_an_identifier_claim_shows_the_identifier(conflicts):
    conflict = next(c for c in conflicts if c.id == "tkgr:conflict-ino-atc")
    assert sorted(s.value or "" for s in conflict.sides) == ["ATC:L01FB01", "ATC:L01XC26"]


def test_every_source_is_listed(graph, sources):
    assert len(sources) == int(graph.bindings(SOURCE_COUNT)[0]["n"]["value"])


def test_a_known_source_lists_what_is_drawn_from_it(graph, sources):
    source = next(s for s in sources if s.local == "source-pmc6618133")
    expected = {compact(r["thing"]["value"]) for r in graph.bindings(DERIVED)}
    assert {c.id for c in source.claims} == expected
    assert "tkgr:ino-vate-sc-median-os-final" in expected
    assert (source.kind, source.identifiers, source.issued) == ("trial report", ["PMC6618133"], "2019")
    assert source.urls == ["https://pmc.ncbi.nlm.nih.gov/articles/PMC6618133"]
    groups = {g.kind: g.count for g in source.groups}
    assert sum(groups.values()) == len(expected)
    assert groups["efficacy outcome"] == sum(1 for c in source.claims if c.kind == "efficacy outcome") > 0
    described = {c.id: (c.kind, c.href) for c in source.claims}
    assert described["tkgr:pop-ino-vate-itt"] == ("population", "/resource/pop-ino-vate-itt")
    assert described["tkgr:standard-chemotherapy"] == ("therapy", "/therapies/standard-chemotherapy")


def test_a_label_copy_names_its_label_version(sources):
    source = next(s for s in sources if s.local == "source-blincyto-label-older-120ty")
    assert source.label_version is not None
    assert (source.label_version.id, source.label_version.label) == ("tkgr:label-blincyto-us-older", "BLINCYTO US label, older version")


def test_an_article_reference_is_part_of_the_article_and_cited(sources):
    reference = next(s for s in sources if s.local == "article-ref-2")
    assert reference.part_of is not None and reference.part_of.id == "tkgr:source-article"
    assert reference.claims == [] and len(reference.cited_by) > 0


def test_one_source_by_its_local_name(graph):
    found = asyncio.run(evidence_index.source(Loaders(GraphSelector(graph)), "source-article"))
    assert found is not None and found.id == "tkgr:source-article" and found.modified == "2026-02-17"
    assert asyncio.run(evidence_index.source(Loaders(GraphSelector(graph)), "source-nothing-like-it")) is None
