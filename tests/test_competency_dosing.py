"""Competency questions on indications, dosing, monitoring, adverse events,
dose modifications and administration, answered by the named queries in
``queries/named/`` over the graph with its committed inferences (which the live tier checks
against HermiT), along each query path (in process; live: through the
service on Oxigraph's server and on Virtuoso). Each expected answer is the source's own (the article or the reference page, named in the
docstring)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from therapykg.namespaces import compact


@pytest.fixture
def run(query_path):
    """A named query of the library, asked through each query path; cells as compact text."""
    def run(name: str, **params) -> list[dict[str, str]]:
        return [{k: compact(v.value) for k, v in row.items()} for row in query_path.named(name, **params)]
    return run


@pytest.fixture
def sparql(query_path):
    """An ad-hoc SELECT query, asked through each query path."""
    return query_path.select


def D(text: str) -> Decimal:
    return Decimal(text)


# Indications ---------------------------------------------------------------

def test_three_fda_approved_indications(run):
    """Which FDA-approved indications does blinatumomab have? (article, FDA-Approved Indications)"""
    rows = run("indications")
    assert {r["setting"] for r in rows} == {"tkg:RelapsedRefractory", "tkg:MRDPositiveRemission", "tkg:Consolidation"}
    assert len({r["indication"] for r in rows}) == 3


def test_approval_dates(run):
    """When were the MRD-positive and consolidation indications approved? (article: March 2018, June 2024)"""
    dates = {r["setting"]: r.get("approvalDate") for r in run("indications")}
    assert dates["tkg:MRDPositiveRemission"] == "2018-03"
    assert dates["tkg:Consolidation"] == "2024-06"


def test_basis_trials_of_indications(run):
    """Which trials support the R/R and consolidation approvals? (article: TOWER, E1910; registry ids from the reference page)"""
    trials = {r["setting"]: (r.get("trial"), r.get("registryId")) for r in run("indications")}
    assert trials["tkg:RelapsedRefractory"] == ("tkgr:trial-tower", "NCT02013167")
    assert trials["tkg:Consolidation"] == ("tkgr:trial-e1910", "NCT02003222")


def test_consolidation_population_from_one_month(sparql):
    """From what age is the consolidation indication approved? (article: >= 1 month)"""
    rows = sparql("""
        SELECT ?value ?unit ?cmp WHERE {
          ?i tkg:indicationTherapy tkgr:blinatumomab ; tkg:indicationDiseaseState/tkg:inSetting tkg:Consolidation ;
             tkg:indicationPopulation/tkg:minimumAge [ tkg:numericValue ?value ; tkg:unit ?unit ; tkg:comparator ?cmp ] }""")
    assert [(r["value"].value, r["unit"].value, r["cmp"].value) for r in rows] == [("1", "mo", ">=")]


def test_mrd_positive_state_definition(sparql):
    """What defines the MRD-positive indication? (article: first or second CR with MRD >= 0.1%)"""
    rows = sparql("""
        SELECT ?remission ?value ?unit ?cmp WHERE {
          tkgr:state-mrd-pos-ph-neg-b-all tkg:remissionNumber ?remission ;
              tkg:mrdThreshold [ tkg:numericValue ?value ; tkg:unit ?unit ; tkg:comparator ?cmp ] }
        ORDER BY ?remission""")
    assert [r["remission"].value for r in rows] == ["1", "2"]
    assert {(D(r["value"].value), r["unit"].value, r["cmp"].value) for r in rows} == {(D("0.1"), "%", ">=")}


# Dosing --------------------------------------------------------------------

@pytest.mark.parametrize(("cycle", "day", "dose"), [(1, 3, "9"), (1, 7, "9"), (1, 8, "28"), (1, 28, "28"), (3, 15, "28"), (5, 1, "28")])
def test_adult_rr_dose_on_day(run, cycle, day, dose):
    """What is the dose on cycle C, day D for a 60 kg adult with R/R disease? (article, Adult Dosing: 9 ug/day days 1-7 of cycle 1, then 28 ug/day)"""
    rows = run("dose-on-day", weightKg=60, cycle=cycle, day=day, setting="tkg:RelapsedRefractory")
    assert [(r["dose"], r["unit"], r["basis"]) for r in rows] == [(dose, "ug/d", "tkg:FlatDose")]


def test_no_sixth_cycle_in_the_article_but_in_the_later_label(run):
    """Is there a cycle 6 for R/R adults? (article: maximum 5 cycles; later label: continued therapy cycles 6-9 at 28 ug/day)"""
    assert run("dose-on-day", weightKg=60, cycle=6, day=1) == []
    later = run("dose-on-day", weightKg=60, cycle=6, day=1, source="tkgr:source-blincyto-label-later-pmc6368716")
    assert [(r["dose"], r["unit"]) for r in later] == [("28", "ug/d")]


def test_maximum_cycles_and_condition(sparql):
    """How many R/R cycles at most, and for whom? (article: maximum 5 cycles for patients not proceeding to allogeneic HCT)"""
    rows = sparql("SELECT ?max ?when WHERE { tkgr:blina-rr-adult tkg:maximumCycles ?max . OPTIONAL { tkgr:blina-rr-adult tkg:maximumCyclesCondition ?when } }")
    assert [r["max"].value for r in rows] == ["5"]
    assert "transplant" in rows[0]["when"].value.lower() or "hct" in rows[0]["when"].value.lower()


def test_treatment_free_intervals(run):
    """How long is the treatment-free interval after each R/R cycle? (article: 2 weeks; later label: 14 days, and 56 days after continued-therapy cycles)"""
    rows = run("regimen-schedule")
    article = {(r["freeInterval"], r["freeUnit"]) for r in rows if r["regimen"] == "tkgr:blina-rr-adult"}
    assert article == {("2", "wk")}
    later = {(r["firstCycle"], r["freeInterval"], r["freeUnit"]) for r in rows if r["regimen"] == "tkgr:blina-label-later-rr-45kg-plus"}
    assert ("6", "56", "d") in later and ("3", "14", "d") in later


def test_weight_band_selects_bsa_dosing(run):
    """What dose does a 30 kg patient get on cycle 1, day 3? (article, Pediatric Dosing <45 kg: 5 ug/m2/day, maximum 9 ug/day)"""
    rows = run("dose-on-day", weightKg=30, cycle=1, day=3, setting="tkg:RelapsedRefractory")
    assert [(r["dose"], r["unit"], r["basis"], r["cap"], r["capUnit"]) for r in rows] == [
        ("5", "ug/m2/d", "tkg:BodySurfaceAreaDose", "9", "ug/d")]


def test_weight_band_boundary_is_45_kg(run):
    """Which dosing applies at exactly 45 kg? (article: adult dosing is >= 45 kg)"""
    rows = run("dose-on-day", weightKg=45, cycle=1, day=3, setting="tkg:RelapsedRefractory")
    assert [(r["dose"], r["unit"]) for r in rows] == [("9", "ug/d")]


@pytest.mark.parametrize(("bsa", "cycle", "day", "dose", "capped"), [
    ("1.0", 1, 3, "5", "false"),     # 5 ug/m2/day x 1.0 m2
    ("2.0", 1, 3, "9", "true"),      # 10 ug/day capped at 9
    ("1.2", 1, 10, "18", "false"),   # 15 ug/m2/day x 1.2 m2
    ("2.0", 2, 10, "28", "true"),    # 30 ug/day capped at 28
])
def test_bsa_dose_with_cap(run, bsa, cycle, day, dose, capped):
    """What daily dose follows from a child's BSA, after the cap? (article, Pediatric Dosing: 5 then 15 ug/m2/day, maximum 9 and 28 ug/day)"""
    rows = run("pediatric-dose", bsa=bsa, cycle=cycle, day=day)
    assert len(rows) == 1
    assert D(rows[0]["dose"]) == D(dose)
    assert rows[0]["capped"] == capped


def test_mrd_positive_regimen(sparql):
    """How is MRD-positive disease dosed? (article: one 4-week cycle of 28 ug/day, 2-week break, up to 4 more cycles if MRD persists)"""
    rows = sparql("""
        SELECT ?first ?last ?dose ?condition WHERE {
          tkgr:blina-mrd-adult tkg:hasCycle ?c ; tkg:additionalCyclesCondition ?condition .
          ?c tkg:firstCycle ?first ; tkg:lastCycle ?last .
          OPTIONAL { ?c tkg:hasDoseStep/tkg:dose/tkg:numericValue ?dose } }
        ORDER BY ?first""")
    assert [(r["first"].value, r["last"].value) for r in rows] == [("1", "1"), ("2", "5")]
    assert rows[0]["dose"].value == "28"
    assert "mrd" in rows[0]["condition"].value.lower()


def test_consolidation_four_cycles(run):
    """How many consolidation cycles, at what dose? (article: four cycles of 28 ug/day for 4 weeks, E1910 protocol)"""
    rows = [r for r in run("regimen-schedule") if r["regimen"] == "tkgr:blina-consolidation-adult"]
    assert [(r["firstCycle"], r["lastCycle"], r["dose"], r["unit"]) for r in rows] == [("1", "4", "28", "ug/d")]


def test_unit_error_is_kept_and_excluded_from_dose_calculation(run):
    """Is the article's '5 mg/m2/day' kept as stated but not used to dose? (article, Pediatric Dosing)"""
    flagged = run("flagged-claims")
    assert "tkgr:blina-pediatric-phase12-mg-d1-7" in {r["claim"] for r in flagged}
    schedule = run("regimen-schedule")
    assert {r["unit"] for r in schedule if r["regimen"] == "tkgr:blina-pediatric-phase12-mg"} == {"mg/m2/d"}
    assert all(r["unit"] != "mg/m2/d" for r in run("dose-on-day", weightKg=20, cycle=1, day=3))


def test_adult_premedication(run):
    """What premedication do adults get? (reference page: dexamethasone 20 mg IV 1 hour before the first dose of each cycle, before a step dose and on restart)"""
    rows = [r for r in run("premedication") if r.get("population") == "tkgr:pop-adults"]
    assert {(r["drug"], r["dose"], r["unit"]) for r in rows} == {("tkgr:dexamethasone", "20", "mg")}
    assert len({r["timing"] for r in rows}) == 3


def test_pediatric_premedication_cap(run):
    """What premedication do children get? (reference page: dexamethasone 5 mg/m2, max 20 mg)"""
    rows = [r for r in run("premedication") if r.get("population") == "tkgr:pop-children-under-18"]
    assert {(r["dose"], r["unit"], r["cap"], r["capUnit"]) for r in rows} == {("5", "mg/m2", "20", "mg")}


def test_infusion_bags(run):
    """Which infusion bag durations and pump rates exist? (reference page: 24 h at 10 mL/h, 48 h at 5 mL/h, up to 7 days at 0.6 mL/h;
    alternatives page section 6, current US site: also 72 h and 96 h at 1.8 mL/h)"""
    rows = run("infusion-bags")
    assert {(r["duration"], r["durationUnit"], D(r["rate"]), r["rateUnit"]) for r in rows} == {
        ("24", "h", D("10"), "mL/h"), ("48", "h", D("5"), "mL/h"), ("72", "h", D("1.8"), "mL/h"), ("96", "h", D("1.8"), "mL/h"),
        ("7", "d", D("0.6"), "mL/h")}


# Monitoring ----------------------------------------------------------------

def test_continuous_neuro_monitoring_windows(run):
    """When must neurological toxicity be monitored continuously? (article: first 9 days of cycle 1 and first 2 days of later cycles)"""
    rows = run("monitoring-windows")
    assert [(r.get("firstCycle"), r.get("lastCycle"), r["firstDay"], r["lastDay"]) for r in rows] == [
        ("1", "1", "1", "9"), ("2", None, "1", "2")]


def test_neuro_findings_to_assess(run):
    """What should be assessed for neurological toxicity? (article: tremor, encephalopathy, peripheral neuropathy, depression, seizures)"""
    assert {r["finding"] for r in run("monitoring-assessments")} == {
        "tkgr:tremor", "tkgr:encephalopathy", "tkgr:peripheral-neuropathy", "tkgr:depression", "tkgr:seizure"}


def test_crs_signs(run):
    """Which signs show CRS? (article: pyrexia, headache, nausea, asthenia, hypotension, elevated transaminases, elevated bilirubin)"""
    rows = [r for r in run("adverse-event-signs") if r["relation"] == "tkg:hasSign"]
    assert {r["finding"] for r in rows} == {
        "tkgr:pyrexia", "tkgr:headache", "tkgr:nausea", "tkgr:asthenia", "tkgr:hypotension",
        "tkgr:elevated-transaminases", "tkgr:elevated-bilirubin"}


def test_monitored_events_and_references(run):
    """What else is monitored, on which reference? (article, Additional Monitoring: infections 2, TLS 1, hepatic 2, neutropenia 3; depression 3; ICANS 2)"""
    refs = {(r["monitors"], r.get("reference")) for r in run("monitoring") if r["source"] == "tkgr:source-article"}
    for expected in [("tkgr:infection", "2"), ("tkgr:tumor-lysis-syndrome", "1"), ("tkgr:elevated-liver-enzymes", "2"),
                     ("tkgr:neutropenia", "3"), ("tkgr:depression", "3"), ("tkgr:icans", "2")]:
        assert expected in refs, expected


def test_tls_risk_factor_is_high_marrow_blasts(sparql):
    """What raises the risk of tumor lysis syndrome? (article: high tumor burden, >= 50% bone marrow blasts)"""
    rows = sparql("""
        SELECT ?value ?cmp WHERE {
          ?claim tkg:forTherapy tkgr:blinatumomab ; tkg:adverseEvent|tkg:monitors tkgr:tumor-lysis-syndrome ;
                 tkg:riskFactor|tkg:concernsFinding|tkg:assesses ?finding .
          ?finding tkg:threshold [ tkg:numericValue ?value ; tkg:comparator ?cmp ; tkg:unit "%" ] }""")
    assert {(r["value"].value, r["cmp"].value) for r in rows} == {("50", ">=")}


def test_hospitalization_windows(run):
    """How long are patients hospitalized? (reference page: R/R first 9 days of cycle 1 and first 2 of cycle 2; MRD-positive and consolidation first 3 and 2)"""
    rows = run("hospitalization")
    windows = {}
    for r in rows:
        if r.get("setting") and r.get("firstDay"):
            windows.setdefault(r["setting"], set()).add((r["firstCycle"], r["firstDay"], r["lastDay"]))
    assert windows["tkg:RelapsedRefractory"] == {("1", "1", "9"), ("2", "1", "2")}
    assert windows["tkg:MRDPositiveRemission"] == {("1", "1", "3"), ("2", "1", "2")}
    assert windows["tkg:Consolidation"] == {("1", "1", "3"), ("2", "1", "2")}


# Adverse events ------------------------------------------------------------

def test_neurological_toxicity_figures(run):
    """How often, how severe and how early is neurological toxicity? (article: 50%, grade >= 3 in 15%, median onset 7 days)"""
    rows = [r for r in run("adverse-events") if r["reaction"] == "tkgr:blina-ar-neuro-article"]
    assert [(r["anyGrade"], r["grade3"], r["onset"], r["onsetUnit"]) for r in rows] == [("50", "15", "7", "d")]


def test_severe_neuro_manifestations(run):
    """Which grade >= 3 neurological events does the article name? (article: encephalopathy, convulsions, disorientation)"""
    rows = [r for r in run("adverse-event-signs", event="tkgr:neurological-toxicity") if r["relation"] == "tkg:severeManifestation"]
    assert {r["finding"] for r in rows} == {"tkgr:encephalopathy", "tkgr:seizure", "tkgr:disorientation"}


def test_crs_figures_from_both_sources(run):
    """How common is CRS? (article: 3-14% any grade, 2-6% grade >= 3; label: 15% in R/R, median onset 2 days)"""
    rows = {r["source"]: r for r in run("adverse-events") if r["event"] == "tkgr:cytokine-release-syndrome"}
    article = rows["tkgr:source-article"]
    assert (article["anyGradeLow"], article["anyGradeHigh"], article["grade3Low"], article["grade3High"]) == ("3", "14", "2", "6")
    label = rows["tkgr:source-blincyto-label-incidence"]
    assert (label["anyGrade"], label["onset"], label["onsetUnit"]) == ("15", "2", "d")
    assert article["inConflict"] == label["inConflict"] == "true"


def test_claims_disagreeing_about_neurotoxicity(run):
    """Which claims disagree about neurological toxicity? (article 50% vs label about 65%; the label figure also in
    the MIMS Thailand copy of the current label, alternatives page section 6)"""
    rows = run("conflicts-about-event")
    assert {(r["source"], r.get("value"), r.get("comparator")) for r in rows} == {
        ("tkgr:source-article", "50", None), ("tkgr:source-blincyto-label-incidence", "65", "~"),
        ("tkgr:source-mims-th-blincyto-precautions", "65", "~")}


# Dose modifications --------------------------------------------------------

def test_grade_4_events_require_permanent_discontinuation(run):
    """Which grade-4 events require permanent discontinuation? (article: grade 4 neurological events and grade 4 CRS)"""
    assert {r["event"] for r in run("discontinuation-events", grade=4)} == {
        "tkgr:neurological-toxicity", "tkgr:cytokine-release-syndrome"}


def test_grade_3_events_do_not_discontinue_outright(run):
    """Does any grade-3 event by itself end treatment? (article: grade 3 events are interrupted, not discontinued, unless > 7 days)"""
    assert run("discontinuation-events", grade=3) == []


def test_grade_3_crs_actions(run):
    """What to do for grade 3 CRS? (article: interrupt until resolved, restart at 9 ug/day, escalate to 28 ug/day after 7 days)"""
    rows = [r for r in run("dose-modification", event="tkgr:cytokine-release-syndrome", grade=3) if r["source"] == "tkgr:source-article"]
    steps = [(r["action"], r.get("targetDose"), r.get("after")) for r in rows]
    assert steps == [("tkg:Interrupt", None, None), ("tkg:Restart", "9", None), ("tkg:Escalate", "28", "7")]
    assert rows[0].get("untilResolved") == "true"


def test_grade_3_neuro_actions(run):
    """What to do for grade 3 neurological toxicity? (article: interrupt until <= grade 1, restart at 9 ug/day, escalate to 28 ug/day if resolved within 7 days)"""
    rows = [r for r in run("dose-modification", event="tkgr:neurological-toxicity", grade=3)
            if r["source"] == "tkgr:source-article" and "condition" not in r and "minimumDuration" not in r]
    assert [(r["action"], r.get("untilGrade"), r.get("targetDose")) for r in rows] == [
        ("tkg:Interrupt", "1", None), ("tkg:Restart", None, "9"), ("tkg:Escalate", None, "28")]


def test_grade_3_neuro_over_7_days_discontinues(run):
    """What if grade 3 neurological toxicity lasts more than 7 days? (article: permanently discontinue)"""
    rows = [r for r in run("dose-modification", event="tkgr:neurological-toxicity", grade=3)
            if r["source"] == "tkgr:source-article" and r.get("minimumDuration") == "7"]
    assert {r["action"] for r in rows} == {"tkg:DiscontinuePermanently"}


def test_seizure_rules_disagree(run):
    """What do the sources say about seizures? (article: seizures -> discontinue; label: more than one seizure -> discontinue)"""
    rows = run("rules-for-condition")
    by_source = {(r["source"], r["action"], r.get("minimumOccurrences")) for r in rows}
    assert ("tkgr:source-article", "tkg:DiscontinuePermanently", None) in by_source
    assert ("tkgr:source-blincytohcp-adjustments", "tkg:DiscontinuePermanently", "2") in by_source
    conflicts = {r["claim"] for r in run("conflicts") if r["conflict"] == "tkgr:conflict-blina-seizure-rule"}
    assert conflicts == {r["rule"] for r in rows}


def test_liver_enzyme_interruption_thresholds(run):
    """When are liver enzymes a reason to interrupt? (reference page, label 5.7: transaminases > 5x ULN or bilirubin > 3x ULN)"""
    rows = run("rule-thresholds")
    assert {(r["condition"], r["comparator"], r["threshold"], r["unit"], r["action"]) for r in rows} == {
        ("tkgr:transaminases-over-5x-uln", ">", "5", "{ULN}", "tkg:Interrupt"),
        ("tkgr:bilirubin-over-3x-uln", ">", "3", "{ULN}", "tkg:Interrupt")}


def test_label_crs_rule_gives_dexamethasone(sparql):
    """What does the label add to grade 3 CRS management? (reference page: dexamethasone 8 mg every 8 hours for up to 3 days)"""
    rows = sparql("""
        SELECT ?dose ?unit ?days WHERE {
          tkgr:blina-rule-crs-g3-label tkg:hasAction ?a .
          ?a tkg:actionKind tkg:GiveDrug ; tkg:givenDrug tkgr:dexamethasone ;
             tkg:dose [ tkg:numericValue ?dose ; tkg:unit ?unit ] ; tkg:duration [ tkg:numericValue ?days ] }""")
    assert [(r["dose"].value, r["unit"].value, r["days"].value) for r in rows] == [("8", "mg", "3")]
