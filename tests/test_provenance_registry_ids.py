"""Trial registry numbers and their provenance.

The source article names TOWER and E1910 but prints no registry number, so no
NCT number may be credited to it. Each number is a reified claim
(rdf:Statement about ``?trial tkg:registryId "NCT..."``) derived from the
sources that print it; each trial node names only such a source, so the
SSSOM table (which credits a mapping to a source of its subject) names one
that shows the number. Sources: alternatives.md section 7 and conflict C7,
other-sources.md, Trials."""

from __future__ import annotations

from pathlib import Path

import pytest

from therapykg import paths
from therapykg.namespaces import compact

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_1872a9e293fccff5.txt"

_REGISTRY_CLAIMS = """
SELECT ?claim ?trial ?id ?source ?issue WHERE {
  ?claim a rdf:Statement ; rdf:subject ?trial ; rdf:predicate tkg:registryId ; rdf:object ?id ;
         prov:wasDerivedFrom ?source .
  OPTIONAL { ?claim tkg:hasSourceIssue ?issue }
}"""


def _registry_claims(graph) -> dict[tuple[str, str], dict]:
    """(trial, NCT number) -> {"claim", "sources", "flagged"}."""
    found: dict[tuple[str, str], dict] = {}
    for row in graph.select(_REGISTRY_CLAIMS):
        entry = found.setdefault((compact(row["trial"].value), row["id"].value),
                                 {"claim": compact(row["claim"].value), "sources": set(), "flagged": False})
        entry["sources"].add(compact(row["source"].value))
        entry["flagged"] |= "issue" in row
    return found


def _nct_mappings(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]
    return [row for row in rows if row["object_id"].startswith("NCT:")]


def test_committed_nct_mappings_credit_a_source_that_prints_the_number(graph):
    """Each NCT mapping in ontology/mappings.sssom.tsv names a source that shows
    that number (TOWER: Blood Adv 2018;2(13):1522; E1910: OncLive; INO-VATE:
    the BESPONSA label's clinical studies; ELIANA: JCO update; ZUMA-3:
    PMC11613962; BLAST: Blood 131:1522), never the source article."""
    shown = _registry_claims(graph)
    mappings = _nct_mappings(paths.MAPPINGS_FILE.read_text(encoding="utf-8"))
    assert {row["object_id"] for row in mappings} == {
        "NCT:NCT02013167", "NCT:NCT02003222", "NCT:NCT01207388",
        "NCT:NCT01564784", "NCT:NCT02435849", "NCT:NCT02614066", "NCT:NCT02981628"}
    for row in mappings:
        key = (row["subject_id"], row["object_id"].removeprefix("NCT:"))
        assert row["source"] != "tkgr:source-article", row
        assert key in shown and not shown[key]["flagged"], f"no sourced registry claim for {key}"
        assert row["source"] in shown[key]["sources"], (row, shown[key]["sources"])
    credited = {row["subject_id"]: row["source"] for row in mappings}
    assert credited["tkgr:trial-tower"] == "tkgr:source-tower-blood-adv-2018"
    assert credited["tkgr:trial-eliana"] == "tkgr:source-eliana-jco-update"
    assert credited["tkgr:trial-e1910"] == "tkgr:source-e1910-onclive"
    assert credited["tkgr:trial-ino-vate"] == "tkgr:source-besponsa-clinical-studies"


def test_every_registry_number_has_its_own_provenance(graph):
    """Every tkg:registryId on a trial is backed by a reified claim with its own
    sources, none of them the article; every source named on the trial node
    itself prints the number."""
    shown = _registry_claims(graph)
    rows = graph.select("""
        SELECT ?trial ?id ?source WHERE { ?trial a tkg:ClinicalTrial ; tkg:registryId ?id ; prov:wasDerivedFrom ?source }""")
    assert len({r["trial"].value for r in rows}) == 7
    for row in rows:
        key = (compact(row["trial"].value), row["id"].value)
        assert key in shown, f"{key} has no reified registry claim"
        assert "tkgr:source-article" not in shown[key]["sources"]
        assert compact(row["source"].value) in shown[key]["sources"], (key, compact(row["source"].value))


def test_article_prints_no_registry_number(graph):
    """The source article has no NCT number (seed text), and no registry claim
    is derived from it."""
    if SEED.exists():
        assert "NCT" not in SEED.read_text(encoding="utf-8")
    assert not any("tkgr:source-article" in entry["sources"] for entry in _registry_claims(graph).values())


def test_eliana_registry_numbers_kept_with_their_own_sources(graph):
    """ELIANA: NCT02435849 (JCO update; ASH 2018 abstract; pooled ELIANA/ENSIGN
    analysis) and NCT02228096 (hcp.novartis.com KYMRIAH ALL efficacy page),
    conflict C7. Both kept, each with its own source; the second is flagged,
    not asserted on the trial and not mapped."""
    shown = _registry_claims(graph)
    right = shown[("tkgr:trial-eliana", "NCT02435849")]
    wrong = shown[("tkgr:trial-eliana", "NCT02228096")]
    assert right["sources"] == {"tkgr:source-eliana-jco-update", "tkgr:source-eliana-ash-2018", "tkgr:source-eliana-jitc-2021"}
    assert wrong["sources"] == {"tkgr:source-kymriah-hcp-all-efficacy"}
    assert wrong["flagged"] and not right["flagged"]
    urls = graph.select("SELECT ?url WHERE { tkgr:source-kymriah-hcp-all-efficacy schema:url ?url }")
    assert {r["url"].value for r in urls} == {
        "https://www.hcp.novartis.com/products/kymriah/acute-lymphoblastic-leukemia-children/efficacy/"}
    ids = graph.select("SELECT ?id WHERE { tkgr:trial-eliana tkg:registryId ?id }")
    assert {r["id"].value for r in ids} == {"NCT02435849"}
    conflicts = graph.select(f"""
        SELECT ?conflict WHERE {{ ?conflict a tkg:Conflict ; rdfs:comment ?comment ;
            tkg:conflictingClaim {right["claim"]} , {wrong["claim"]} }}""")
    assert conflicts
    assert "NCT:NCT02228096" not in paths.MAPPINGS_FILE.read_text(encoding="utf-8")


def test_tower_phase_is_the_articles_claim(graph):
    """The phase III of TOWER comes from the article (FDA-Approved Indications,
    reference 1): it is a claim of its own, and the trial node does not name
    the article as a source of its registry number."""
    rows = graph.select("""
        SELECT ?claim ?source ?ref WHERE {
          ?claim rdf:subject tkgr:trial-tower ; rdf:predicate tkg:trialPhase ; rdf:object "III" ;
                 prov:wasDerivedFrom ?source ; tkg:citedReference/tkg:referenceNumber ?ref }""")
    assert {(compact(r["source"].value), int(r["ref"].value)) for r in rows} == {("tkgr:source-article", 1)}
    sources = graph.select("SELECT ?s WHERE { tkgr:trial-tower prov:wasDerivedFrom ?s }")
    assert {compact(r["s"].value) for r in sources} == {"tkgr:source-tower-blood-adv-2018"}


@pytest.mark.parametrize("trial", ["tower", "e1910"])
def test_trials_named_by_the_article_are_not_derived_from_it(graph, trial):
    sources = graph.select(f"SELECT ?s WHERE {{ tkgr:trial-{trial} prov:wasDerivedFrom ?s }}")
    assert sources and "tkgr:source-article" not in {compact(r["s"].value) for r in sources}
