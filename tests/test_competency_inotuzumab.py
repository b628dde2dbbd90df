"""Competency questions on inotuzumab ozogamicin (BESPONSA), INO-VATE ALL
(its comparator arm included) and the pediatric study ITCC-059, answered by
the named queries in ``queries/named/`` (in process; live: through the
service) and by the dose engine and the rule evaluator. Every expected value
is the one ``/work/shared/reference/alternatives.md`` gives (section 1;
section 4 on INO-VATE's comparator and FLAG-IDA for ALL; section 5 on
INO-VATE HSCT; section 7 identifiers; conflicts C1, C2, C3, C15, C16, C18),
named in each docstring."""

from __future__ import annotations

from decimal import Decimal

import pytest

from therapykg.domain import dosing
from therapykg.domain import modification as m
from therapykg.namespaces import compact

INO = "tkgr:inotuzumab-ozogamicin"
SC = "tkgr:standard-chemotherapy"
INO_VATE = "tkgr:trial-ino-vate"
ITCC = "tkgr:trial-itcc-059"
R = "https://w3id.org/therapykg/resource/"


@pytest.fixture
def run(query_path):
    """A named query of the library through each query path; cells as compact text."""
    def _run(name: str, **params) -> list[dict[str, str]]:
        return [{k: compact(v.value) for k, v in row.items()} for row in query_path.named(name, **params)]
    return _run


@pytest.fixture
def sparql(query_path):
    """An ad-hoc SELECT query, asked through each query path."""
    return query_path.select


def D(text: str) -> Decimal:
    return Decimal(text)


def dec(row: dict[str, str], key: str) -> Decimal | None:
    return Decimal(row[key]) if key in row else None


# Indications ----------------------------------------------------------------

def test_indications_by_jurisdiction_and_date(run):
    """Where, since when and for whom is BESPONSA approved? US adults (BLA761040,
    ORIG-1, 20170817); US pediatric patients 1 year and older (FDA, 6 March 2024);
    EU adults only, monotherapy, Ph+ after failure of at least 1 TKI (SmPC 2022,
    4.1). (alternatives.md section 1; C18)"""
    rows = run("ino-indications-by-jurisdiction", therapy=INO)
    dated = {(r["jurisdiction"], r["approvalDate"], r["population"]) for r in rows if "approvalDate" in r}
    assert dated == {("US", "2017-08-17", "tkgr:pop-adults"), ("US", "2024-03-06", "tkgr:pop-pediatric-1-year-plus")}
    pediatric = [r for r in rows if r["indication"] == "tkgr:ino-indication-us-pediatric-2024"]
    assert {(dec(r, "minAge"), r["minAgeUnit"], r["target"]) for r in pediatric} == {(D("1"), "a", "tkg:CD22")}
    eu = [r for r in rows if r.get("jurisdiction") == "EU"]
    assert {(r["population"], r["source"], r["labelVersion"]) for r in eu} == {
        ("tkgr:pop-adults", "tkgr:source-besponsa-smpc-fr", "EU SmPC 2022")}
    assert "tyrosine kinase inhibitor" in eu[0]["condition"]


def test_scope_conflict_us_eu(run):
    """Is the US/EU difference in scope recorded? Yes, as a jurisdiction
    difference between the US pediatric extension and the EU adults-only
    indication. (alternatives.md, conflict C18)"""
    rows = [r for r in run("ino-conflicts-of-therapy", therapy=INO) if r["conflict"] == "tkgr:conflict-ino-scope-us-eu"]
    assert {r["kind"] for r in rows} == {"tkg:JurisdictionDifference"}
    assert {"tkgr:ino-indication-us-pediatric-2024", "tkgr:ino-indication-eu"} <= {r["claim"] for r in rows}


# Dosing ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def schedule(graph):
    return graph.bindings(dosing.schedule_query(INO))


@pytest.mark.parametrize(("cycle", "day", "response", "status", "amount"), [
    (1, 1, None, "DOSE", "1.47 mg"),       # 0.8 mg/m2 x 1.84 m2, cycle 1 day 1
    (1, 15, None, "DOSE", "0.92 mg"),      # 0.5 mg/m2, cycle 1 day 15
    (2, 1, "cr-cri", "DOSE", "0.92 mg"),   # later cycles in CR/CRi: 0.5 mg/m2 on day 1
    (2, 1, "no-cr", "DOSE", "1.47 mg"),    # later cycles not in CR/CRi: 0.8 mg/m2 on day 1
    (2, 8, "no-cr", "DOSE", "0.92 mg"),
    (4, 1, "no-cr", "BEYOND_MAXIMUM_CYCLES", None),   # no CR/CRi within 3 cycles: stop
    (7, 1, "cr-cri", "BEYOND_MAXIMUM_CYCLES", None),  # up to 6 cycles
])
def test_dose_engine_by_response(schedule, cycle, day, response, status, amount):
    """What dose does a 70 kg, 175 cm adult (BSA 1.84 m2 by Mosteller) get?
    Cycle 1: 0.8/0.5/0.5 mg/m2 days 1/8/15; later cycles 0.5 mg/m2 x3 in
    CR/CRi, 0.8/0.5/0.5 otherwise; stop without CR/CRi within 3 cycles; at
    most 6 cycles. (alternatives.md section 1, Table 1 and treatment duration)"""
    question = dosing.DoseQuestion(dosing.SETTINGS["relapsed-refractory"], dosing.Patient(70, 175, None), cycle, day,
                                   dosing.RESPONSES[response] if response else None)
    answers = [a for a in dosing.answer(schedule, question) if a.regimen.endswith("ino-rr-adult")]
    assert answers, "the adult regimen answers"
    assert {(a.status.name, a.amount.text if a.amount else None) for a in answers} == {(status, amount)}


def test_course_statements(run):
    """What does the course allow beyond the table? Cycle 1 may be extended
    to 28 days; dose days +/- 2 days with at least 6 days between doses;
    1-hour IV infusion; cytoreduction to <= 10,000/mm3; 2 cycles before HSCT;
    a third cycle whose wording is unconfirmed (two third-party wordings, C16).
    (alternatives.md section 1)"""
    rows = {r["claim"]: r for r in run("ino-administration-requirements", therapy=INO)}
    assert (dec(rows["tkgr:ino-c1-extension"], "durationDays"), rows["tkgr:ino-c1-extension"]["durationUnit"]) == (D("28"), "d")
    window = rows["tkgr:ino-dose-day-window"]
    assert (dec(window, "durationValue"), dec(window, "threshold"), window["thresholdComparator"]) == (D("2"), D("6"), ">=")
    assert (dec(rows["tkgr:ino-infusion-1-hour"], "durationValue"), rows["tkgr:ino-infusion-1-hour"]["durationUnit"]) == (D("1"), "h")
    cyto = rows["tkgr:ino-cytoreduction"]
    assert (dec(cyto, "threshold"), cyto["thresholdUnit"], cyto["thresholdComparator"]) == (D("10000"), "/mm3", "<=")
    assert "tkgr:ino-pre-hsct-two-cycles" in rows
    third = {c for c, r in rows.items() if "additionalCycles" in r}
    assert third == {"tkgr:ino-third-cycle-rx4u", "tkgr:ino-third-cycle-haiouhealth"}
    conflicts = {r["conflict"] for r in run("ino-conflicts-of-therapy", therapy=INO) if r["claim"] in third}
    assert conflicts == {"tkgr:conflict-ino-third-cycle"}


def test_premedication(run):
    """What premedication is given? A corticosteroid, antipyretic and
    antihistamine before each dose; in the pediatric study methylprednisolone
    1 mg/kg (maximum of 50 mg). (alternatives.md section 1)"""
    rows = run("premedication", therapy=INO)
    assert {r["drug"] for r in rows if r["premedication"] == "tkgr:ino-premedication"} == {
        "tkgr:corticosteroid-unspecified", "tkgr:antipyretic-unspecified", "tkgr:antihistamine-unspecified"}
    (child,) = [r for r in rows if r["premedication"] == "tkgr:ino-premedication-pediatric-study" and r["source"].endswith("2024")]
    assert (child["drug"], dec(child, "dose"), child["unit"], dec(child, "cap"), child["capUnit"]) == (
        "tkgr:methylprednisolone", D("1"), "mg/kg", D("50"), "mg")


# Safety ---------------------------------------------------------------------

def test_vod_incidence_with_denominators(run):
    """How often did VOD occur, in whom, out of how many? INO-VATE inotuzumab
    23/164 (14%), after HSCT 18/79 (23%, median 15 days after HSCT), without an
    intervening HSCT 5/164 (3%); comparator 3/143 (2.1%); ITCC-059 8/53 (15%)
    and 5/26 (19%) after HSCT. (alternatives.md section 1, VOD rows)"""
    rows = [r for r in run("ino-event-incidence-by-population", event="tkgr:sinusoidal-obstruction-syndrome")
            if r.get("trial") in (INO_VATE, ITCC)]
    got = {(r["therapy"], r["trial"], dec(r, "numerator"), dec(r, "denominator"), dec(r, "percent")) for r in rows}
    assert got == {
        (INO, INO_VATE, D("23"), D("164"), D("14")),
        (INO, INO_VATE, D("18"), D("79"), D("23")),
        (INO, INO_VATE, D("5"), D("164"), D("3")),
        (SC, INO_VATE, D("3"), D("143"), D("2.1")),
        (INO, ITCC, D("8"), D("53"), D("15")),
        (INO, ITCC, D("5"), D("26"), D("19")),
    }
    assert {dec(r, "medianOnsetDays") for r in rows if r["claim"] == "tkgr:ino-ar-vod-post-hsct"} == {D("15")}


def test_adverse_reactions_in_ino_vate(run):
    """Which adverse reactions occurred in at least 10% of the 164 inotuzumab
    patients? 24, from thrombocytopenia 51% down to infusion related reactions
    10%. (alternatives.md section 1, pfizerpro.ie safety table)"""
    rows = [r for r in run("ino-trial-adverse-reactions", therapy=INO, trial=INO_VATE)
            if r["source"] == "tkgr:source-besponsa-ie-safety"]
    assert len(rows) == 24
    assert {dec(r, "denominator") for r in rows} == {D("164")}
    pct = {r["event"]: dec(r, "percent") for r in rows}
    assert (pct["tkgr:thrombocytopenia"], pct["tkgr:neutropenia"], pct["tkgr:infection"], pct["tkgr:febrile-neutropenia"],
            pct["tkgr:elevated-bilirubin"], pct["tkgr:infusion-related-reaction"]) == (
        D("51"), D("49"), D("48"), D("26"), D("21"), D("10"))
    assert rows[0]["event"] == "tkgr:thrombocytopenia"
    assert {r["labelVersion"] for r in rows} == {"EU SmPC"}


def test_serious_adverse_reactions(run):
    """Which serious adverse reactions does the label list? Infection 23%,
    febrile neutropenia 11%, hemorrhage 5%, abdominal pain 3%, pyrexia 3%,
    VOD 2%, fatigue 2%. (alternatives.md section 1, pfizerpro.com Safety)"""
    rows = run("ino-serious-adverse-reactions", therapy=INO)
    assert {(r["event"], dec(r, "percent")) for r in rows} == {
        ("tkgr:infection", D("23")), ("tkgr:febrile-neutropenia", D("11")), ("tkgr:hemorrhage", D("5")),
        ("tkgr:abdominal-pain", D("3")), ("tkgr:pyrexia", D("3")), ("tkgr:sinusoidal-obstruction-syndrome", D("2")),
        ("tkgr:fatigue", D("2"))}


def test_boxed_warnings_with_label_version(run):
    """What does the boxed warning name, in which label version?
    Hepatotoxicity including VOD, and post-HSCT non-relapse mortality, in the
    US label revised 3/2024. (alternatives.md section 1, Boxed warning)"""
    rows = [r for r in run("boxed-warnings", therapy=INO) if r["source"] == "tkgr:source-besponsa-label"]
    assert {r["finding"] for r in rows} == {
        "tkgr:hepatotoxicity", "tkgr:sinusoidal-obstruction-syndrome", "tkgr:post-hsct-non-relapse-mortality"}
    assert {r["labelVersion"] for r in rows} == {"3/2024"}


@pytest.fixture(scope="module")
def rules(graph):
    return graph.bindings(m.rules_query(INO))


@pytest.mark.parametrize(("event", "kwargs", "expected"), [
    # Table 2: ANC falls from >= 1 x 10^9/L: interrupt the next cycle; > 28 days: discontinue.
    ("neutropenia", {"condition": R + "ino-baseline-anc-1e9-plus"}, {"ino-rule-anc": ["Interrupt"]}),
    ("neutropenia", {"duration_days": 30}, {"ino-rule-anc-persisting": ["DiscontinuePermanently"]}),
    ("thrombocytopenia", {"duration_days": 29}, {"ino-rule-platelets-persisting": ["DiscontinuePermanently"]}),
    # VOD: permanently discontinue (US boxed warning).
    ("sinusoidal-obstruction-syndrome", {}, {"ino-rule-vod": ["DiscontinuePermanently"]}),
    # EU HCP: liver, interrupt then discontinue if no recovery; infusion reaction, interrupt.
    ("hepatotoxicity", {"condition": R + "ino-bilirubin-1-5-and-ast-alt-2-5-uln"},
     {"ino-rule-liver-eu": ["Interrupt", "DiscontinuePermanently"]}),
    ("infusion-related-reaction", {}, {"ino-rule-infusion-reaction-eu": ["Interrupt"]}),
])
def test_dose_modification_rules(rules, event, kwargs, expected):
    """What does the label (Table 2; boxed warning) or the EU HCP site say
    to do for this event? (alternatives.md section 1, dose modification rows)"""
    report = m.EventReport(dosing.SETTINGS["relapsed-refractory"], dosing.Patient(70, 175), R + event, **kwargs)
    applied = {}
    for answer in m.evaluate(rules, report):
        for rule, _ in answer.rules:
            applied[rule.rsplit("/", 1)[-1]] = [a.kind.rsplit("/", 1)[-1] for a in answer.actions if a.rule == rule]
    for rule, kinds in expected.items():
        assert applied.get(rule) == kinds, applied


# INO-VATE ALL ---------------------------------------------------------------

def test_remission_by_analysis(run):
    """What CR/CRi rate did INO-VATE report? Primary analysis (first 218):
    80.7% (88/109) vs 29.4% (32/109); final (all 326): 73.8% vs 30.9%; the
    two linked as a conflict of populations. (alternatives.md section 1; C2)"""
    rows = [r for r in run("ino-trial-outcomes-by-analysis", trial=INO_VATE) if r["metric"] == "tkg:CRCRiRate"]
    got = {(r["population"], dec(r, "value"), dec(r, "numerator"), dec(r, "denominator"),
            dec(r, "comparatorValue"), dec(r, "comparatorNumerator"), dec(r, "comparatorDenominator")) for r in rows}
    assert got == {
        ("tkgr:pop-ino-vate-first-218", D("80.7"), D("88"), D("109"), D("29.4"), D("32"), D("109")),
        ("tkgr:pop-ino-vate-itt", D("73.8"), None, None, D("30.9"), None, None)}
    assert {r.get("conflict") for r in rows} == {"tkgr:conflict-ino-vate-cr-cri"}


def test_overall_survival_final_and_comparator_cuts(run):
    """What median OS did INO-VATE report? Final: 7.7 vs 6.2 months, HR 0.75,
    1-sided P = .0105; 2-year OS 22.8% vs 10.0%; the comparator arm's 6.7
    months (n=162, primary) conflicts with 6.2 (final). (alternatives.md
    section 1 and section 4; C1)"""
    rows = run("ino-trial-outcomes-by-analysis", trial=INO_VATE)
    final = {(dec(r, "value"), dec(r, "comparatorValue"), dec(r, "hazardRatio"), dec(r, "pValue"))
             for r in rows if r["outcome"] == "tkgr:ino-vate-median-os"}
    assert final == {(D("7.7"), D("6.2"), D("0.75"), D("0.0105"))}
    two_year = {(dec(r, "value"), dec(r, "comparatorValue")) for r in rows if r["metric"] == "tkg:TwoYearOverallSurvival"}
    assert two_year == {(D("22.8"), D("10.0"))}
    sc = {(dec(r, "value"), dec(r, "denominator"), r["conflict"]) for r in rows
          if r["therapy"] == SC and r["metric"] == "tkg:MedianOverallSurvival"}
    assert sc == {(D("6.2"), None, "tkgr:conflict-ino-vate-sc-median-os"), (D("6.7"), D("162"), "tkgr:conflict-ino-vate-sc-median-os")}


def test_hsct_rates_three_definitions(run):
    """How many went on to HSCT? First 218: 41% (45/109) vs 11% (12/109);
    overall: 48% (79/164) vs 22.0% (35/162); directly after CR/CRi: 39.6% vs
    10.5%; one conflict links the three. (alternatives.md section 5; C3)"""
    rows = [r for r in run("ino-trial-outcomes-by-analysis", trial=INO_VATE) if r["metric"] == "tkg:ProceededToAllogeneicHCTRate"]
    got = {(dec(r, "value"), dec(r, "numerator"), dec(r, "denominator"), dec(r, "comparatorValue"),
            dec(r, "comparatorNumerator"), dec(r, "comparatorDenominator")) for r in rows}
    assert got == {
        (D("41"), D("45"), D("109"), D("11"), D("12"), D("109")),
        (D("48"), D("79"), D("164"), D("22.0"), D("35"), D("162")),
        (D("39.6"), None, None, D("10.5"), None, None)}
    assert {r["conflict"] for r in rows} == {"tkgr:conflict-ino-vate-hsct-rate"}


def test_mrd_and_exposure(run):
    """Among responders, how many were MRD-negative, and how much treatment was
    given? MRD-negative 78.4% (69/88) vs 28.1% (9/32); median 3 cycles vs 1.
    (alternatives.md section 1)"""
    rows = run("ino-trial-outcomes-by-analysis", trial=INO_VATE)
    mrd = {(dec(r, "value"), dec(r, "numerator"), dec(r, "denominator"), dec(r, "comparatorValue"),
            dec(r, "comparatorNumerator"), dec(r, "comparatorDenominator")) for r in rows if r["metric"] == "tkg:MRDNegativityRate"}
    assert mrd == {(D("78.4"), D("69"), D("88"), D("28.1"), D("9"), D("32"))}
    cycles = {(dec(r, "value"), dec(r, "comparatorValue")) for r in rows if r["metric"] == "tkg:MedianCyclesReceived"}
    assert cycles == {(D("3"), D("1"))}


def test_pediatric_itcc_059(run):
    """What did the pediatric study show? CR 22/53 (42%); median duration of CR
    8.2 months; MRD-negative among CR 21/22 (95.5%) by flow and 19/22 (86.4%)
    by RQ-PCR. (alternatives.md section 1, Pediatric efficacy)"""
    rows = run("ino-trial-outcomes-by-analysis", trial=ITCC)
    got = {(r["metric"], dec(r, "value"), dec(r, "numerator"), dec(r, "denominator")) for r in rows}
    assert got == {
        ("tkg:CompleteRemissionRate", D("42"), D("22"), D("53")),
        ("tkg:MedianDurationOfCompleteRemission", D("8.2"), None, None),
        ("tkg:MRDNegativityRate", D("95.5"), D("21"), D("22")),
        ("tkg:MRDNegativityRate", D("86.4"), D("19"), D("22"))}


# Identifiers and conflicts --------------------------------------------------

def test_identifiers_with_their_sources(run):
    """Which identifiers does a source print? ATC L01FB01 (reference page) and
    L01XC26 (sanomedica.com), BLA761040 (openFDA), NCT01564784 (label section
    14), NCT02981628 (oncdata.com). (alternatives.md section 7; C15)"""
    rows = run("ino-identifier-claims", therapy=INO)
    got = {(r["value"], r["source"]) for r in rows}
    assert got == {
        ("ATC:L01FB01", "tkgr:source-reference-page"),
        ("ATC:L01XC26", "tkgr:source-sanomedica-inotuzumab"),
        ("BLA761040", "tkgr:source-openfda-drugsfda-bla761040"),
        ("NCT01564784", "tkgr:source-besponsa-clinical-studies"),
        ("NCT02981628", "tkgr:source-oncdata-itcc059")}


def test_every_page_conflict_is_recorded(run):
    """Are the page's conflicts on inotuzumab recorded, each linking at least
    two claims with their own sources? C1, C2, C3, C15, C16, C18."""
    sides: dict[str, set[str]] = {}
    kinds: dict[str, set[str]] = {}
    for r in run("ino-conflicts-of-therapy", therapy=INO):
        sides.setdefault(r["conflict"], set()).add(r["claim"])
        kinds.setdefault(r["conflict"], set()).add(r["kind"])
    # C1 (primary vs final cut-off) and C2 (first 218 vs all 326): neither value is wrong.
    assert kinds["tkgr:conflict-ino-vate-sc-median-os"] == kinds["tkgr:conflict-ino-vate-cr-cri"] == {"tkg:DifferentDataCut"}
    for conflict in ("tkgr:conflict-ino-vate-sc-median-os", "tkgr:conflict-ino-vate-cr-cri", "tkgr:conflict-ino-vate-hsct-rate",
                     "tkgr:conflict-ino-atc", "tkgr:conflict-ino-third-cycle", "tkgr:conflict-ino-scope-us-eu"):
        assert len(sides.get(conflict, ())) >= 2, conflict


def test_comparator_regimens_and_flag_ida_schedule(sparql):
    """What did the INO-VATE comparator arm give, and what is known of FLAG-IDA
    for ALL? FLAG, MXN/Ara-C or HIDAC (names only); FLAG-IDA for ALL:
    fludarabine days 1-5, cytarabine days 1-5, idarubicin days 1-3, no doses.
    (alternatives.md section 4)"""
    rows = sparql("""
        PREFIX tkg: <https://w3id.org/therapykg/ontology/>
        PREFIX tkgr: <https://w3id.org/therapykg/resource/>
        SELECT ?regimen WHERE { tkgr:ino-vate-comparator-regimens tkg:about ?regimen . ?regimen a tkg:ChemotherapyRegimen }""")
    assert {compact(r["regimen"].value) for r in rows} == {"tkgr:flag", "tkgr:mxn-ara-c", "tkgr:high-dose-cytarabine"}
    rows = sparql("""
        PREFIX tkg: <https://w3id.org/therapykg/ontology/>
        PREFIX tkgr: <https://w3id.org/therapykg/resource/>
        SELECT ?drug ?first ?last ?dose WHERE {
          ?s tkg:about tkgr:flag-ida , ?drug ; tkg:hasWindow ?w . ?drug a tkg:Drug .
          OPTIONAL { ?w tkg:firstDay ?first } OPTIONAL { ?w tkg:lastDay ?last } OPTIONAL { ?s tkg:dose ?dose } }""")
    assert {(compact(r["drug"].value), int(r["first"].value), int(r["last"].value), "dose" in r) for r in rows} == {
        ("tkgr:fludarabine", 1, 5, False), ("tkgr:cytarabine", 1, 5, False), ("tkgr:idarubicin", 1, 3, False)}
