"""Statements of the article that other sources correct: kept as stated,
flagged with tkg:hasSourceIssue, and set beside the correct values, each with
its own source (alternatives.md, sections 4 and 6, conflict C17)."""

from __future__ import annotations

from decimal import Decimal

from therapykg.namespaces import compact

NEJM = "tkgr:source-tower-nejm-2017"
FDA = "tkgr:source-fda-approval-blinatumomab-2015"


def _flag(graph, claim: str) -> list[dict]:
    return graph.select(f"""
        SELECT ?issue ?comment WHERE {{ {claim} tkg:hasSourceIssue ?issue ; rdfs:comment ?comment . ?issue a tkg:SourceIssue }}""")


def _conflicts_linking(graph, *claims: str) -> list[str]:
    pattern = " , ".join(claims)
    rows = graph.select(f"SELECT ?c WHERE {{ ?c a tkg:Conflict ; tkg:conflictKind ?k ; rdfs:comment ?m ; tkg:conflictingClaim {pattern} }}")
    return [compact(r["c"].value) for r in rows]


def test_tower_remission_endpoints_as_the_primary_report_gives_them(graph):
    """TOWER (NEJM 2017;376:836-47): complete remission with full hematologic
    recovery 34% vs 16%; with full, partial or incomplete hematologic recovery
    44% vs 25% (both P<0.001), blinatumomab vs standard chemotherapy."""
    rows = graph.select(f"""
        SELECT ?claim ?metric ?value ?comparatorValue ?comparator WHERE {{
          ?claim a tkg:EfficacyOutcome ; tkg:inTrial tkgr:trial-tower ; tkg:forTherapy tkgr:blinatumomab ;
                 prov:wasDerivedFrom {NEJM} ; tkg:metric ?metric ; tkg:comparatorTherapy ?comparator ;
                 tkg:value [ tkg:numericValue ?value ; tkg:unit "%" ] ;
                 tkg:comparatorValue [ tkg:numericValue ?comparatorValue ; tkg:unit "%" ] .
          VALUES ?metric {{ tkg:CompleteRemissionRate tkg:CRCRiRate }} }}""")
    assert {(compact(r["metric"].value), Decimal(r["value"].value), Decimal(r["comparatorValue"].value),
             compact(r["comparator"].value)) for r in rows} == {
        ("tkg:CompleteRemissionRate", Decimal(34), Decimal(16), "tkgr:standard-chemotherapy"),
        ("tkg:CRCRiRate", Decimal(44), Decimal(25), "tkgr:standard-chemotherapy"),
    }
    url = graph.select(f"SELECT ?u WHERE {{ {NEJM} schema:url ?u ; dcterms:bibliographicCitation ?c }}")
    assert url and "1library.net" in url[0]["u"].value


def test_article_cr_cri_range_kept_flagged_and_linked(graph):
    """The article's "CR/CRi 34%-44% versus 16%-25%" joins the two TOWER
    endpoints: kept exactly as stated, flagged, and linked to both endpoints."""
    rows = graph.select("""
        SELECT ?low ?high ?clow ?chigh ?source WHERE {
          tkgr:article-rr-cr-cri tkg:metric tkg:CRCRiRate ; prov:wasDerivedFrom ?source ;
            tkg:value [ tkg:lowerValue ?low ; tkg:upperValue ?high ] ;
            tkg:comparatorValue [ tkg:lowerValue ?clow ; tkg:upperValue ?chigh ] }""")
    assert [(Decimal(r["low"].value), Decimal(r["high"].value), Decimal(r["clow"].value), Decimal(r["chigh"].value),
             compact(r["source"].value)) for r in rows] == [(34, 44, 16, 25, "tkgr:source-article")]
    assert _flag(graph, "tkgr:article-rr-cr-cri")
    assert _conflicts_linking(graph, "tkgr:article-rr-cr-cri", "tkgr:tower-cr", "tkgr:tower-cr-crh-cri")


def test_rr_approval_basis_kept_flagged_and_corrected(graph):
    """The article: R/R approval "based on phase III TOWER". The FDA approval
    summary (Clin Cancer Res 2015;21(18):4035-9): accelerated approval on a
    single-arm trial, 185 evaluable adults, CR 32% (95% CI 26%-40%), median
    duration of response 6.7 months, MRD response 31%."""
    basis = graph.select("SELECT ?trial WHERE { tkgr:blina-indication-rr tkg:basisTrial ?trial ; prov:wasDerivedFrom tkgr:source-article }")
    assert [compact(r["trial"].value) for r in basis] == ["tkgr:trial-tower"]
    assert _flag(graph, "tkgr:blina-indication-rr")

    source = graph.select(f"SELECT ?c ?u WHERE {{ {FDA} dcterms:bibliographicCitation ?c ; schema:url ?u }}")
    assert [(r["c"].value, r["u"].value) for r in source] == [
        ("Clin Cancer Res 2015;21(18):4035-9", "https://aacrjournals.org/clincancerres/article/21/18/4035/118026/")]

    cr = graph.select(f"""
        SELECT ?claim ?value ?n ?trial WHERE {{
          ?claim a tkg:EfficacyOutcome ; tkg:forTherapy tkgr:blinatumomab ; tkg:metric tkg:CompleteRemissionRate ;
                 prov:wasDerivedFrom {FDA} ; tkg:inSetting tkg:RelapsedRefractory ;
                 tkg:value [ tkg:numericValue ?value ; tkg:unit "%" ; tkg:denominator ?n ] .
          OPTIONAL {{ ?claim tkg:inTrial ?trial }} }}""")
    assert [(Decimal(r["value"].value), int(r["n"].value), "trial" in r) for r in cr] == [(Decimal(32), 185, False)]

    statements = graph.select(f"""
        SELECT ?statement ?summary WHERE {{ ?statement a tkg:Statement ; prov:wasDerivedFrom {FDA} ; tkg:summary ?summary }}""")
    assert len(statements) == 1
    summary = statements[0]["summary"].value
    for figure in ("185", "32%", "26%-40%", "6.7 months", "31%"):
        assert figure in summary, figure
    assert _conflicts_linking(graph, "tkgr:blina-indication-rr", compact(statements[0]["statement"].value))
