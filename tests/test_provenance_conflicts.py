"""Disagreements between the article and the label, recorded as conflicts
between existing claims, each side with its own source."""

from __future__ import annotations

import pytest

from therapykg.namespaces import compact

CASES = {
    # The article: one cycle, then up to 4 more while MRD persists; the label:
    # up to 4 cycles in all (Lexicomp copy; PMC6368716 Table 1, cycles 1-4).
    "MRD-positive course length": ("tkgr:blina-mrd-adult", "tkgr:blina-label-later-mrd"),
    # The article (CRS section): dexamethasone prophylaxis for high disease
    # burden; the label: premedication for every patient.
    "dexamethasone premedication": ("tkgr:blina-premed-dexamethasone-high-burden", "tkgr:blina-premed-dexamethasone-adults"),
    # Grade 3 CRS: the article's rule has no dexamethasone; the label's gives
    # 8 mg every 8 hours (blincytohcp.com dose adjustments).
    "grade 3 CRS rule": ("tkgr:blina-rule-crs-g3-article", "tkgr:blina-rule-crs-g3-label"),
}


def _sources(graph, claim: str) -> set[str]:
    return {compact(r["s"].value) for r in graph.select(f"SELECT ?s WHERE {{ {claim} prov:wasDerivedFrom ?s }}")}


@pytest.mark.parametrize("aspect", sorted(CASES))
def test_conflict_recorded_with_a_source_on_each_side(graph, aspect):
    article_claim, label_claim = CASES[aspect]
    rows = graph.select(f"""
        SELECT ?conflict ?kind WHERE {{
          ?conflict a tkg:Conflict ; tkg:conflictKind ?kind ; rdfs:comment ?comment ; rdfs:label ?label ;
                    tkg:conflictingClaim {article_claim} , {label_claim} }}""")
    assert len(rows) == 1, f"no single conflict links {article_claim} and {label_claim}"
    article_sources, label_sources = _sources(graph, article_claim), _sources(graph, label_claim)
    assert article_sources == {"tkgr:source-article"}
    assert label_sources and not label_sources & article_sources


def test_crs_grade_3_conflict_covers_both_label_weight_bands(graph):
    """blincytohcp.com: dexamethasone 8 mg every 8 hours (>= 45 kg) and 5 mg/m2,
    at most 8 mg (< 45 kg); the article's rule gives none. All three rules
    take part in the one conflict."""
    rows = graph.select("""
        SELECT ?rule ?dose ?unit WHERE {
          ?conflict a tkg:Conflict ; tkg:conflictingClaim tkgr:blina-rule-crs-g3-article , ?rule .
          OPTIONAL { ?rule tkg:hasAction ?a . ?a tkg:givenDrug tkgr:dexamethasone ; tkg:dose [ tkg:numericValue ?dose ; tkg:unit ?unit ] } }""")
    doses = {compact(r["rule"].value): ((r["dose"].value, r["unit"].value) if "dose" in r else None) for r in rows}
    assert doses == {"tkgr:blina-rule-crs-g3-article": None,
                     "tkgr:blina-rule-crs-g3-label": ("8", "mg"),
                     "tkgr:blina-rule-crs-g3-label-under-45kg": ("5", "mg/m2")}


def test_mrd_course_sides_differ_on_cycle_count(graph):
    """The article allows one cycle plus up to 4 more (cycles 2-5); the label at most 4."""
    article = graph.select("SELECT (MAX(?last) AS ?n) WHERE { tkgr:blina-mrd-adult tkg:hasCycle/tkg:lastCycle ?last }")
    label = graph.select("SELECT ?n WHERE { tkgr:blina-label-later-mrd tkg:maximumCycles ?n }")
    assert int(article[0]["n"].value) == 5 and int(label[0]["n"].value) == 4
