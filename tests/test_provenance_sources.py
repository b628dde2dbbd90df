"""Sources described as what they are: the pooled ELIANA/ENSIGN analysis, the
article's last-updated date, typed dates, and the article's reference numbers
where the article puts them."""

from __future__ import annotations

from therapykg.namespaces import compact

XSD = "http://www.w3.org/2001/XMLSchema#"
POOLED = "tkgr:source-eliana-jitc-2021"


def test_pooled_eliana_ensign_analysis_is_not_labelled_as_an_eliana_report(graph):
    """J Immunother Cancer 2021;9:e002287 pools the patients of ELIANA and
    ENSIGN (NCT02228096) in one safety analysis; it is not the ELIANA trial
    report. (other-sources.md, Trials; the article's own title page)"""
    rows = graph.select(f"""
        SELECT ?label ?title ?kind ?citation WHERE {{
          {POOLED} rdfs:label ?label ; dcterms:title ?title ; tkg:sourceKind ?kind ;
                   dcterms:bibliographicCitation ?citation }}""")
    assert len(rows) == 1
    (row,) = rows
    for text in (row["label"].value, row["title"].value):
        assert "pooled" in text.lower(), text
        assert "eliana trial report" not in text.lower() and not text.lower().startswith("eliana report")
    assert "ENSIGN" in row["label"].value
    assert row["kind"].value != "trial report"
    assert row["citation"].value == "J Immunother Cancer 2021;9:e002287"


def test_claims_citing_the_pooled_analysis_say_so(graph):
    """A result derived from the pooled analysis must not read as an
    ELIANA-only result: its label or comment says the patients are pooled."""
    rows = graph.select(f"""
        SELECT ?claim (GROUP_CONCAT(?text; separator=" ") AS ?texts) WHERE {{
          VALUES ?kind {{ tkg:EfficacyOutcome tkg:AdverseReaction }}
          ?claim a ?kind ; prov:wasDerivedFrom {POOLED} .
          {{ ?claim rdfs:label ?text }} UNION {{ ?claim rdfs:comment ?text }}
        }} GROUP BY ?claim""")
    for row in rows:
        assert "pooled" in row["texts"].value.lower(), compact(row["claim"].value)


def test_article_last_updated_date_is_its_modification_date(graph):
    """The article shows "Last updated: February 17, 2026" and no publication
    date: dcterms:modified 2026-02-17 as xsd:date, and no dcterms:issued."""
    rows = graph.select("SELECT ?p ?date WHERE { VALUES ?p { dcterms:issued dcterms:modified } tkgr:source-article ?p ?date }")
    assert [(compact(r["p"].value), r["date"].value, r["date"].datatype.value) for r in rows] == [
        ("dcterms:modified", "2026-02-17", XSD + "date")]


def test_dates_of_sources_are_typed(graph):
    """Every date on a source is a typed literal: xsd:date for a full date,
    xsd:gYearMonth for a month, xsd:gYear for a year."""
    rows = graph.select("""
        SELECT ?s ?p ?date WHERE {
          VALUES ?p { dcterms:issued dcterms:modified dcterms:date dcterms:created }
          ?s a tkg:Source ; ?p ?date }""")
    assert rows
    allowed = {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}
    for row in rows:
        assert row["date"].datatype.value in allowed, (compact(row["s"].value), row["date"])
    typed = {(compact(r["s"].value), r["date"].value, r["date"].datatype.value[len(XSD):]) for r in rows}
    assert ("tkgr:source-besponsa-label", "2024-03", "gYearMonth") in typed
    assert ("tkgr:source-tecartus-fda-news", "2021-10-01", "date") in typed
    assert ("tkgr:source-tower-nejm-2017", "2017", "gYear") in typed


def test_indication_bullets_cite_reference_1_and_the_heading_reference_2(graph):
    """In the article the heading sentence "three distinct FDA-approved
    indications ... 2" carries reference 2 and each indication bullet (with
    its approval date or basis trial) carries reference 1."""
    rows = graph.select("""
        SELECT ?indication ?n WHERE {
          ?indication a tkg:Indication ; tkg:indicationTherapy tkgr:blinatumomab ; prov:wasDerivedFrom tkgr:source-article ;
                      tkg:citedReference/tkg:referenceNumber ?n }""")
    cited: dict[str, set] = {}
    for r in rows:
        cited.setdefault(compact(r["indication"].value), set()).add(int(r["n"].value))
    assert cited == {
        "tkgr:blina-indication-rr": {1},
        "tkgr:blina-indication-mrd-positive": {1},
        "tkgr:blina-indication-consolidation": {1},
    }
    heading = graph.select("""
        SELECT ?statement ?about WHERE {
          ?statement a tkg:Statement ; tkg:sourceSection "FDA-Approved Indications" ; prov:wasDerivedFrom tkgr:source-article ;
                     tkg:citedReference tkgr:article-ref-2 ; tkg:about ?about }""")
    assert {compact(r["about"].value) for r in heading} == set(cited)


def test_approval_dates_are_typed_as_precisely_as_stated(graph):
    """Every approval date is also a typed literal (dcterms:date) of the precision its string has."""
    rows = list(graph.query("""SELECT ?i ?text ?typed WHERE { ?i tkg:approvalDate ?text . OPTIONAL { ?i dcterms:date ?typed } }"""))
    assert rows
    expected = {4: "gYear", 7: "gYearMonth", 10: "date"}
    for row in rows:
        text, typed = row["text"].value, row["typed"]
        assert typed is not None, f"{row['i']} has no typed approval date"
        assert (typed.value, typed.datatype.value) == (text, "http://www.w3.org/2001/XMLSchema#" + expected[len(text)])
