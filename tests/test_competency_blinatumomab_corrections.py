"""Competency questions on the blinatumomab corrections and TOWER's
comparator arm (project reference page alternatives.md: section 6; the
TOWER rows of sections 4 and 5; conflicts C13, C14, C17; A.8 and A.9).

Each expected answer is the reference page's, named in the docstring; the
queries are the named ones in ``queries/named/``, asked along each query
path (in process in the fast tier)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from therapykg.domain import modification as m
from therapykg.domain.dosing import SETTINGS, Patient
from therapykg.namespaces import compact

ARTICLE = "tkgr:source-article"
NEJM = "tkgr:source-tower-nejm-2017"
EVIQ = "tkgr:source-eviq-3404"
BLOOD_ADV = "tkgr:source-tower-blood-adv-2018"
FDA_2015 = "tkgr:source-fda-approval-blinatumomab-2015"
HCP_ADJ = "tkgr:source-blincytohcp-adjustments"
HCP_ADMIN = "tkgr:source-blincytohcp-administration"
OLD_LABEL = "tkgr:source-pmc4994468"
CANADA = "tkgr:source-health-canada-blincyto-benzyl-alcohol"
MIMS_TH = "tkgr:source-mims-th-blincyto-precautions"
LABEL_TABLE = "tkgr:source-blincyto-label-later-pmc6368716"
SOC = "tkgr:standard-chemotherapy"


@pytest.fixture
def run(query_path):
    """A named query of the library, asked through each query path; cells as compact text."""
    def _run(name: str, **params) -> list[dict[str, str]]:
        return [{k: compact(v.value) for k, v in row.items()} for row in query_path.named(name, **params)]
    return _run


def D(text: str) -> Decimal:
    return Decimal(text)


def _tower(run, metric: str) -> set[tuple]:
    return {(r["outcome"], D(r["value"]), D(r["comparatorValue"]), r["unit"], r.get("comparatorTherapy"), r["source"])
            for r in run("trial-arm-comparison", trial="tkgr:trial-tower") if r["metric"] == metric}


def _conflict_claims(run, conflict: str) -> dict[str, set[str]]:
    claims: dict[str, set[str]] = {}
    for r in run("conflicts"):
        if r["conflict"] == conflict:
            claims.setdefault(r["claim"], set()).add(r["source"])
    return claims


# TOWER: blinatumomab against standard-of-care chemotherapy -----------------

def test_tower_complete_remission_against_chemotherapy(run):
    """What CR rate did TOWER report in each arm? 34% vs 16% (NEJM 2017
    abstract; confirmed in eviQ 3404)."""
    assert _tower(run, "tkg:CompleteRemissionRate") == {
        ("tkgr:tower-cr", D("34"), D("16"), "%", SOC, NEJM), ("tkgr:tower-cr", D("34"), D("16"), "%", SOC, EVIQ)}


def test_tower_broader_remission_endpoint_keeps_both_names(run):
    """What did TOWER report for CR with full, partial or incomplete
    hematologic recovery? 44% vs 25% (NEJM 2017); eviQ calls the same
    figures CR+CRi (C17): both kept and linked by a conflict."""
    assert _tower(run, "tkg:CRCRiRate") == {
        ("tkgr:tower-cr-crh-cri", D("44"), D("25"), "%", SOC, NEJM),
        ("tkgr:tower-cr-cri-eviq", D("44"), D("25"), "%", SOC, EVIQ)}
    assert _conflict_claims(run, "tkgr:conflict-tower-cr-crh-cri-name") == {
        "tkgr:tower-cr-crh-cri": {NEJM}, "tkgr:tower-cr-cri-eviq": {EVIQ}}


def test_tower_overall_survival_from_the_primary_report(run):
    """What median OS did TOWER report? 7.7 vs 4.0 months, HR 0.71, P = 0.01
    (NEJM 2017 abstract); the article's identical figures stay its own claim."""
    rows = {r["source"]: r for r in run("trial-arm-comparison", trial="tkgr:trial-tower")
            if r["metric"] == "tkg:MedianOverallSurvival"}
    assert set(rows) == {NEJM, ARTICLE}
    for row in rows.values():
        assert (D(row["value"]), D(row["comparatorValue"]), row["unit"]) == (D("7.7"), D("4.0"), "mo")
        assert (D(row["hazardRatio"]), D(row["pValue"])) == (D("0.71"), D("0.01"))


def test_tower_six_month_event_free_survival(run):
    """What was 6-month EFS in TOWER? 31% vs 12% (NEJM 2017 abstract)."""
    assert _tower(run, "tkg:SixMonthEventFreeSurvival") == {("tkgr:tower-efs-6-month", D("31"), D("12"), "%", SOC, NEJM)}


def test_tower_duration_of_complete_remission(run):
    """How long did complete remissions last in TOWER? 7.3 vs 4.4 months
    (eviQ 3404, single source)."""
    assert _tower(run, "tkg:MedianDurationOfCompleteRemission") == {
        ("tkgr:tower-duration-of-cr", D("7.3"), D("4.4"), "mo", SOC, EVIQ)}


def test_tower_median_cycles(run):
    """How many cycles did each TOWER arm receive? Median 2 (range 1-9) vs 1
    (range 1-4) (eviQ 3404; Blood Adv 2018)."""
    assert _tower(run, "tkg:MedianCyclesReceived") == {
        ("tkgr:tower-median-cycles", D("2"), D("1"), "{cycles}", SOC, EVIQ),
        ("tkgr:tower-median-cycles", D("2"), D("1"), "{cycles}", SOC, BLOOD_ADV)}


def test_tower_proceeding_to_allogeneic_transplant(run):
    """How many TOWER patients proceeded to allogeneic transplant? 24% in
    both groups (eviQ 3404, single source)."""
    assert _tower(run, "tkg:ProceededToAllogeneicHCTRate") == {
        ("tkgr:tower-allogeneic-hct", D("24"), D("24"), "%", SOC, EVIQ)}


def test_tower_design_and_unnamed_comparator_regimens(run):
    """How was TOWER randomized and what was its comparator? 2:1 to
    blinatumomab or standard-of-care chemotherapy, the investigator's choice
    of 1 of 4 defined regimens, whose names and doses are unconfirmed (NEJM
    2017; valuebasedcancer.com; reference page A.6)."""
    rows = run("trial-design-statements", trial="tkgr:trial-tower")
    ratio = {(r["object"], r["source"]) for r in rows if r.get("predicate") == "tkg:randomizationRatio"}
    assert ratio == {("2:1", NEJM), ("2:1", "tkgr:source-tower-valuebasedcancer")}
    on_arm = {(r["statement"], r["source"]) for r in rows if r["about"] == "tkgr:trial-tower-arm-chemotherapy"}
    assert on_arm == {("tkgr:trial-tower-comparator-choice", "tkgr:source-tower-valuebasedcancer")}
    assert {r["ratio"] for r in run("trial-arm-comparison", trial="tkgr:trial-tower")} == {"2:1"}


# Corrections kept as the source states them, flagged and linked -------------

def test_2014_approval_basis_corrects_the_article(run):
    """What did the R/R approval rest on? The article says TOWER (kept,
    flagged as misattributed); the FDA's approval summary: a single-arm trial
    with 185 evaluable adults, CR 32% (Clin Cancer Res 2015); single-group
    trials also per the NEJM 2017 abstract and valuebasedcancer.com."""
    rows = [r for r in run("approval-basis") if r["indication"] == "tkgr:blina-indication-rr"]
    assert {(r["indicationSource"], r["basisTrial"], r["issue"]) for r in rows} == {
        (ARTICLE, "tkgr:trial-tower", "tkg:MisattributedEvidence")}
    fda = {(r["statementSource"], r["metric"], D(r["value"]), r["unit"], r["denominator"]) for r in rows if r.get("outcome")}
    assert fda == {(FDA_2015, "tkg:CompleteRemissionRate", D("32"), "%", "185")}
    # Confirmed without figures by the TOWER report and a conference report.
    assert {r["statementSource"] for r in rows if r.get("statement") == "tkgr:blina-rr-approval-single-group-trials"} == {
        NEJM, "tkgr:source-tower-valuebasedcancer"}


def test_flagged_claims_point_to_their_corrections(run):
    """Which claims are kept but flagged, and what corrects them? The
    article's TOWER approval basis (FDA approval summary) and its CR/CRi
    34%-44% vs 16%-25% (TOWER's two endpoints in NEJM 2017)."""
    rows = run("source-issue-corrections")
    basis = {(r["issue"], r["correction"], r["correctionSource"]) for r in rows if r["claim"] == "tkgr:blina-indication-rr"}
    assert basis == {("tkg:MisattributedEvidence", "tkgr:blina-rr-2014-approval-basis", FDA_2015),
                     ("tkg:MisattributedEvidence", "tkgr:blina-rr-approval-single-group-trials", NEJM),
                     ("tkg:MisattributedEvidence", "tkgr:blina-rr-approval-single-group-trials", "tkgr:source-tower-valuebasedcancer")}
    endpoints = {(r["issue"], r["correction"]) for r in rows if r["claim"] == "tkgr:article-rr-cr-cri"}
    assert endpoints == {("tkg:ConflatedEndpoints", "tkgr:tower-cr"), ("tkg:ConflatedEndpoints", "tkgr:tower-cr-crh-cri")}
    assert NEJM in {r["correctionSource"] for r in rows if r["claim"] == "tkgr:article-rr-cr-cri"}


# Adverse events by setting ------------------------------------------------

def test_crs_incidence_by_setting_with_onset_and_resolution(run):
    """How often does CRS occur in each setting, and how fast? 15% R/R, 7%
    MRD-positive, 16% consolidation; median onset 2 days, median resolution
    5 days (current label, MIMS Thailand copy)."""
    rows = run("event-incidence-by-setting", event="tkgr:cytokine-release-syndrome")
    by_setting = {(r.get("setting"), D(r["value"])) for r in rows if r.get("value")}
    assert by_setting == {("tkg:RelapsedRefractory", D("15")), ("tkg:MRDPositiveRemission", D("7")), ("tkg:Consolidation", D("16"))}
    mims = {(r["setting"], r["onsetDays"], r["resolutionDays"]) for r in rows if r["source"] == MIMS_TH}
    assert mims == {("tkg:MRDPositiveRemission", "2", "5"), ("tkg:Consolidation", "2", "5")}


def test_neurological_toxicity_about_65_percent(run):
    """How often do neurological toxicities occur in the label's trials?
    About 65%, first event within the first 2 weeks (current label, MIMS
    Thailand; amgentherapylocator)."""
    rows = [r for r in run("event-incidence-by-setting", event="tkgr:neurological-toxicity")
            if r["claim"] == "tkgr:blina-ar-neuro-label"]
    assert {(D(r["value"]), r["comparator"], r["unit"]) for r in rows} == {(D("65"), "~", "%")}
    assert MIMS_TH in {r["source"] for r in rows}
    assert all("2 weeks" in r["typicalOnset"] for r in rows)


# Label dosing and the MRD-positive course ----------------------------------

def test_label_dosing_table_both_weight_bands_and_settings(run):
    """What does the later label table give? R/R >= 45 kg: 9 ug/day days 1-7
    then 28 ug/day; < 45 kg: 5 ug/m2/day (max 9) then 15 ug/m2/day (max 28);
    cycles 6-9 with a 56-day treatment-free interval; MRD-positive cycles 1-4
    at 28 ug/day or 15 ug/m2/day (max 28), 14 days off (PMC6368716 Table 1)."""
    rows = [r for r in run("regimen-schedule") if r["source"] == LABEL_TABLE]
    got = {(r["regimen"], r["firstCycle"], r["lastCycle"], r["firstDay"], r["lastDay"], D(r["dose"]), r["unit"],
            D(r["cap"]) if r.get("cap") else None) for r in rows}
    assert {
        ("tkgr:blina-label-later-rr-45kg-plus", "1", "1", "1", "7", D("9"), "ug/d", None),
        ("tkgr:blina-label-later-rr-45kg-plus", "1", "1", "8", "28", D("28"), "ug/d", None),
        ("tkgr:blina-label-later-rr-under-45kg", "1", "1", "1", "7", D("5"), "ug/m2/d", D("9")),
        ("tkgr:blina-label-later-rr-under-45kg", "1", "1", "8", "28", D("15"), "ug/m2/d", D("28")),
        ("tkgr:blina-label-later-rr-under-45kg", "6", "9", "1", "28", D("15"), "ug/m2/d", D("28")),
        ("tkgr:blina-label-later-mrd", "1", "4", "1", "28", D("28"), "ug/d", None),
        ("tkgr:blina-label-later-mrd-under-45kg", "1", "4", "1", "28", D("15"), "ug/m2/d", D("28")),
    } <= got
    continued = {(r["freeInterval"], r["freeUnit"]) for r in rows if r["firstCycle"] == "6"}
    assert continued == {("56", "d")}
    mrd = {r["maximumCycles"] for r in rows if r["regimen"].startswith("tkgr:blina-label-later-mrd")}
    assert mrd == {"4"}


def test_mrd_positive_hospitalization_lexicomp(run):
    """Where are MRD-positive patients hospitalized? First 3 days of cycle 1
    and first 2 days of cycle 2 (Lexicomp copy of the monograph)."""
    rows = [r for r in run("hospitalization") if r["source"] == "tkgr:source-blinatumomab-lexicomp"]
    assert {(r["setting"], r["firstCycle"], r["firstDay"], r["lastDay"]) for r in rows} == {
        ("tkg:MRDPositiveRemission", "1", "1", "3"), ("tkg:MRDPositiveRemission", "2", "1", "2")}


# Dose modifications --------------------------------------------------------

def test_grade_3_neurotoxicity_label_versions_conflict(run):
    """When is blinatumomab stopped after grade 3 neurotoxicity? Older label
    (PMC4994468): if it recurs or takes more than 7 days to resolve; the
    current site's clause is cut off and not completed (C13)."""
    claims = _conflict_claims(run, "tkgr:conflict-blina-neuro-g3-discontinuation-label-versions")
    assert claims == {
        "tkgr:blina-rule-neuro-g3-over-7d-label": {OLD_LABEL},
        "tkgr:blina-rule-neuro-g3-recurs-older-label": {OLD_LABEL},
        "tkgr:blina-rule-neuro-g3-label": {HCP_ADJ, OLD_LABEL},
    }
    kinds = {r["kind"] for r in run("conflicts") if r["conflict"] == "tkgr:conflict-blina-neuro-g3-discontinuation-label-versions"}
    assert kinds == {"tkg:LabelVersionDifference"}
    current = [r for r in run("dose-modification-rules") if r["rule"] == "tkgr:blina-rule-neuro-g3-label"]
    assert "tkg:DiscontinuePermanently" not in {r["kind"] for r in current}


def test_grade_3_crs_under_45kg_rule(run):
    """What does the current site give for grade 3 CRS under 45 kg?
    Interrupt; dexamethasone 5 mg/m2 (max 8 mg); restart at 5 mcg/m2/day;
    escalate to 15 mcg/m2/day after 7 days (blincytohcp.com)."""
    rows = [r for r in run("dose-modification-rules") if r["rule"] == "tkgr:blina-rule-crs-g3-label-under-45kg"]
    assert {(r["maxWeight"], r["maxWeightComparator"]) for r in rows} == {("45", "<")}
    actions = sorted({(int(r["sequence"]), r["kind"], r.get("targetDose"), r.get("targetUnit"), r.get("drugDose"),
                       r.get("drugUnit"), r.get("drugCap"), r.get("afterDays")) for r in rows})
    assert actions == [
        (1, "tkg:Interrupt", None, None, None, None, None, None),
        (2, "tkg:GiveDrug", None, None, "5", "mg/m2", "8", None),
        (3, "tkg:Restart", "5", "ug/m2/d", None, None, None, None),
        (4, "tkg:Escalate", "15", "ug/m2/d", None, None, None, "7"),
    ]


def test_grade_3_crs_rule_evaluates_for_a_30_kg_child(graph):
    """Evaluated for a 30 kg patient 130 cm tall (1.04 m2, Mosteller) with
    grade 3 CRS in R/R disease: dexamethasone 5.2 mg, restart 5.2 ug/day,
    escalate to 15.6 ug/day; the >= 45 kg rule does not apply."""
    rows = graph.bindings(m.rules_query("tkgr:blinatumomab"))
    report = m.EventReport(SETTINGS["relapsed-refractory"], Patient(30, 130),
                           "https://w3id.org/therapykg/resource/cytokine-release-syndrome", 3)
    applied = {}
    for answer in m.evaluate(rows, report):
        for rule, _ in answer.rules:
            applied[rule.rsplit("/", 1)[-1]] = [(a.kind.rsplit("/", 1)[-1], a.dose.text if a.dose else None)
                                                for a in answer.actions if a.rule == rule]
    assert applied["blina-rule-crs-g3-label-under-45kg"] == [
        ("Interrupt", None), ("GiveDrug", "5.2 mg"), ("Restart", "5.2 ug/d"), ("Escalate", "15.6 ug/d")]
    assert "blina-rule-crs-g3-label" not in applied


def test_crs_rules_confirmed_by_the_older_label(run):
    """Which sources state the grade 3 CRS (>= 45 kg) and grade 4 CRS rules?
    The current site and, confirming them, PMC4994468 Table 1 (restart at
    9 mcg/d; grade 4 discontinue): one claim each, two sources."""
    rows = run("dose-modification-rules")
    sources = {}
    for r in rows:
        if r["rule"] in ("tkgr:blina-rule-crs-g3-label", "tkgr:blina-rule-crs-g4-label"):
            sources.setdefault(r["rule"], set()).add(r["source"])
    assert sources == {"tkgr:blina-rule-crs-g3-label": {HCP_ADJ, OLD_LABEL}, "tkgr:blina-rule-crs-g4-label": {HCP_ADJ, OLD_LABEL}}
    restart = {(r["targetDose"], r["targetUnit"]) for r in rows if r["rule"] == "tkgr:blina-rule-crs-g3-label" and r["kind"] == "tkg:Restart"}
    assert restart == {("9", "ug/d")}
    g4 = {r["kind"] for r in rows if r["rule"] == "tkgr:blina-rule-crs-g4-label"}
    assert g4 == {"tkg:DiscontinuePermanently"}


# Administration: bags and the Canadian weight limit ------------------------

def test_bag_durations_and_rates_current_site(run):
    """Which bags does the current US site list? 24 h at 10 mL/h, 48 h at
    5 mL/h, 72 h and 96 h at 1.8 mL/h, 7 days at 0.6 mL/h (blincytohcp.com)."""
    rows = [r for r in run("infusion-bags") if r["source"] == HCP_ADMIN]
    assert {(r["duration"], r["durationUnit"], D(r["rate"])) for r in rows} == {
        ("24", "h", D("10")), ("48", "h", D("5")), ("72", "h", D("1.8")), ("96", "h", D("1.8")), ("7", "d", D("0.6"))}


def test_seven_day_bag_weight_limit_is_canadian_only(run):
    """Who may receive the 7-day bag? 22 kg or more, not under 22 kg, with
    preservative-free saline below 22 kg: Health Canada only; the US site
    lists the bag without the limit (C14)."""
    rows = run("weight-limited-administration")
    assert {(r["requirement"], r.get("minWeight"), r.get("minComparator"), r.get("maxWeight"), r.get("maxComparator"), r["source"])
            for r in rows} == {
        ("tkgr:blina-bag-7d-canada-22kg", "22", ">=", None, None, CANADA),
        ("tkgr:blina-preservative-free-under-22kg", None, None, "22", "<", CANADA)}
    claims = _conflict_claims(run, "tkgr:conflict-blina-7-day-bag-weight")
    assert claims == {"tkgr:blina-bag-7d": {"tkgr:source-blincyto-label-infusion", HCP_ADMIN},
                      "tkgr:blina-bag-7d-canada-22kg": {CANADA}}


def test_rxnorm_codes_stay_unverified(run):
    """Are blinatumomab's RxNorm codes 1597258 and 1597263 confirmed? Neither
    confirmed nor refuted (reference page A.8): both kept, marked unverified."""
    rows = run("unverified-identifiers")
    assert {r["identifier"] for r in rows if r["entity"] == "tkgr:blinatumomab"} >= {"RXNORM:1597258", "RXNORM:1597263"}
