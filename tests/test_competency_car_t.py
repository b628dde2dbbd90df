"""Competency questions on the CAR T-cell products tisagenlecleucel (KYMRIAH)
and brexucabtagene autoleucel (TECARTUS) and their trials ELIANA and ZUMA-3:
indications, doses the engine computes, lymphodepletion and premedication,
boxed warnings, REMS and post-infusion periods by label version, adverse
reactions, trial results by data cut and population, identifiers, and the
conflicts C4-C12 of the reference page.

Each expected value is taken from /work/shared/reference/alternatives.md
(sections 2, 3, 5 and 7, conflicts C4-C12, notes for modelling); the
docstring of each test names the row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from therapykg.domain import dosing
from therapykg.namespaces import compact

TISA = "tkgr:tisagenlecleucel"
BREXU = "tkgr:brexucabtagene-autoleucel"
ELIANA = "tkgr:trial-eliana"
ZUMA3 = "tkgr:trial-zuma-3"
RR = dosing.SETTINGS["relapsed-refractory"]


def D(text: str) -> Decimal:
    return Decimal(text)


class Row(dict):
    """A result row whose unbound variables read as None."""

    def __missing__(self, key: str) -> None:
        return None


@pytest.fixture
def run(query_path):
    """A named query of the library, asked through each query path; cells as compact text (None when unbound)."""
    def _run(name: str, **params) -> list[Row]:
        return [Row({k: compact(v.value) for k, v in row.items()}) for row in query_path.named(name, **params)]
    return _run


def num(row: dict, key: str) -> Decimal | None:
    value = row.get(key)
    return None if value is None else Decimal(value)


# Doses ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def schedules(graph):
    cache: dict[str, list] = {}

    def rows(therapy: str) -> list:
        if therapy not in cache:
            cache[therapy] = graph.bindings(dosing.schedule_query(therapy))
        return cache[therapy]
    return rows


def _answers(rows, weight: float, age: float | None, day: int = 0, cycle: int = 1, height: float | None = None):
    question = dosing.DoseQuestion(RR, dosing.Patient(weight, height, None, age), cycle, day)
    return {a.regimen.rsplit("/", 1)[-1]: (a.status.name, a.amount.text if a.amount else None) for a in dosing.answer(rows, question)}


@pytest.mark.parametrize(("weight", "dose"), [
    (40, ("DOSE", "8-200 x 10^6 cells")),   # 0.2 to 5.0 x 10^6 cells per kg, 50 kg or less
    (50, ("DOSE", "10-250 x 10^6 cells")),  # the boundary is in the per-kg band ("50 kg or less")
])
def test_kymriah_dose_per_kg_up_to_50_kg(schedules, weight, dose):
    """What cell dose does a 20-year-old of 40 or 50 kg get? 0.2 to 5.0 x 10^6
    CAR-positive viable T cells per kg (section 2, "Dose, <= 50 kg", 2018 label (3))."""
    answers = _answers(schedules(TISA), weight, 20)
    assert answers["tisa-dose-50kg-or-less"] == dose


def test_kymriah_dose_over_50_kg_is_a_total_and_the_per_kg_copy_is_flagged(schedules):
    """What does a 60 kg 20-year-old get? A total of 0.1 to 2.5 x 10^8 cells,
    not per kg (section 2, "Dose, > 50 kg"); the "/kg" of medtigo is kept but
    no dose is computed from it (conflict C8)."""
    answers = _answers(schedules(TISA), 60, 20)
    assert answers["tisa-dose-over-50kg"] == ("DOSE", "0.1-2.5 x 10^8 cells")
    assert answers["tisa-dose-over-50kg-medtigo"] == ("SOURCE_FLAGGED", None)
    assert "tisa-dose-50kg-or-less" not in answers


def test_kymriah_dose_needs_an_age_up_to_25(schedules):
    """Is a 30-year-old dosed? No: the ALL indication is for patients up to 25
    years (section 2, "ALL indication"); without an age the engine asks for it."""
    assert {status for status, _ in _answers(schedules(TISA), 60, 30).values()} == {"OUTSIDE_POPULATION"}
    assert _answers(schedules(TISA), 60, None)["tisa-dose-over-50kg"] == ("NEEDS_INPUT", None)


@pytest.mark.parametrize(("weight", "dose"), [(70, "70 x 10^6 cells"), (120, "1 x 10^8 cells")])
def test_tecartus_dose_per_kg_with_maximum(schedules, weight, dose):
    """What does an adult get? 1 x 10^6 CAR-positive viable T cells per kg,
    with a maximum of 1 x 10^8 (section 3, "Dose (ALL)")."""
    assert _answers(schedules(BREXU), weight, 40)["brexu-dose-all"] == ("DOSE", dose)


def test_lymphodepletion_regimens(run):
    """Which chemotherapy precedes each infusion? KYMRIAH: fludarabine 30
    mg/m2 daily for 4 days and cyclophosphamide 500 mg/m2 daily for 2 days,
    2-14 days before the infusion; TECARTUS: fludarabine 25 mg/m2 on the
    fourth, third and second day and cyclophosphamide 900 mg/m2 on the second
    day before it (sections 2 and 3, "Lymphodepletion (ALL)")."""
    kym = {(r["drug"], r["dose"], r["unit"], r["firstDay"], r["lastDay"]) for r in run("car-t-lymphodepletion", therapy=TISA)}
    assert kym == {("tkgr:fludarabine", "30", "mg/m2", "1", "4"), ("tkgr:cyclophosphamide", "500", "mg/m2", "1", "2")}
    tec = {(r["drug"], r["dose"], r["unit"], r["firstDay"], r["lastDay"]) for r in run("car-t-lymphodepletion", therapy=BREXU)}
    assert tec == {("tkgr:fludarabine", "25", "mg/m2", "-4", "-2"), ("tkgr:cyclophosphamide", "900", "mg/m2", "-2", "-2")}


def test_premedication(run):
    """What premedication precedes each infusion? Acetaminophen and
    diphenhydramine (or another H1-antihistamine) about 30-60 minutes before;
    no prophylactic corticosteroids (sections 2 and 3, "Premedication")."""
    for therapy, source in ((TISA, "tkgr:source-kymriah-clinicaladvisor"), (BREXU, "tkgr:source-tecartus-mpr-copy")):
        rows = run("premedication", therapy=therapy)
        assert {r["drug"] for r in rows} == {"tkgr:acetaminophen", "tkgr:diphenhydramine"}
        assert source in {r["source"] for r in rows}
        assert all("30 to 60 minutes" in r["timing"] for r in rows)


# Indications and identifiers ------------------------------------------------

def test_first_approvals(sparql_free_run):
    """When were the products first approved in the US? KYMRIAH 2017 ("Initial
    U.S. Approval: 2017"); TECARTUS 24 July 2020 in mantle cell lymphoma, then
    for adult R/R B-ALL on 1 October 2021 (sections 2 and 3)."""
    assert sparql_free_run("SELECT ?y WHERE { tkgr:tisagenlecleucel tkg:initialApprovalYear ?y }") == [("2017",)]
    assert sparql_free_run("SELECT ?d WHERE { tkgr:brexu-first-approval-mcl dcterms:date ?d }") == [("2020-07-24",)]
    assert sparql_free_run("SELECT ?d WHERE { tkgr:brexu-indication-rr-b-all-adults tkg:approvalDate ?d }") == [("2021-10-01",)]


@pytest.fixture
def sparql_free_run(query_path):
    def _select(text: str) -> list[tuple]:
        return [tuple(compact(v.value) for v in row.values()) for row in query_path.select(text)]
    return _select


def test_identifiers_as_the_sources_show_them(run):
    """Which identifiers do the sources show? TECARTUS: NDC 71287-219 with
    product-level RxCUIs 2387347, 2387352, 2572002, 2572005; KYMRIAH: NDC
    0078-0846 (no RxCUI) and NCIt C102758 (section 7)."""
    brexu = run("car-t-identifiers", therapy=BREXU)
    assert {r["productRxcui"] for r in brexu if r["productRxcui"]} == {"2387347", "2387352", "2572002", "2572005"}
    assert {r["ndc"] for r in brexu if r["ndc"]} == {"71287-219"}
    assert {r["source"] for r in brexu} == {"tkgr:source-openfda-ndc-tecartus"}
    tisa = run("car-t-identifiers", therapy=TISA)
    assert {r["ndc"] for r in tisa if r["ndc"]} == {"0078-0846"}
    assert not any(r["productRxcui"] for r in tisa)
    assert ("NCIT:C102758", "tkgr:source-cytotargetdb-tisagenlecleucel") in {(r["notation"], r["source"]) for r in tisa}


# Boxed warnings, REMS and monitoring by label version ------------------------

def test_tecartus_boxed_warning_by_label_version(run):
    """What does the TECARTUS boxed warning name? CRS and neurologic toxicities
    at the 2021 approval; the current label adds secondary hematological
    malignancies (conflict C11)."""
    rows = [r for r in run("boxed-warnings", therapy=BREXU) if r["warning"] in ("tkgr:brexu-boxed-2021", "tkgr:brexu-boxed-current")]
    findings: dict[str, set] = {}
    for r in rows:
        findings.setdefault(r["warning"], set()).add(r["finding"])
    assert findings == {
        "tkgr:brexu-boxed-2021": {"tkgr:cytokine-release-syndrome", "tkgr:neurological-toxicity"},
        "tkgr:brexu-boxed-current": {"tkgr:cytokine-release-syndrome", "tkgr:neurological-toxicity",
                                     "tkgr:secondary-hematological-malignancy"},
    }
    assert {(r["conflict"], r["conflictKind"]) for r in rows} == {("tkgr:conflict-tecartus-boxed-warning", "tkg:LabelVersionDifference")}


def test_kymriah_boxed_warning_and_t_cell_malignancy(run):
    """Which boxed warnings are recorded for KYMRIAH? CRS and neurological
    toxicities (2018 label) and the class-wide T-cell malignancy warning of
    January 2024 (section 2, "Boxed warning")."""
    rows = run("boxed-warnings", therapy=TISA)
    by_warning: dict[str, set] = {}
    for r in rows:
        by_warning.setdefault(r["warning"], set()).add(r["finding"])
    assert by_warning["tkgr:tisa-boxed-2018-label"] == {"tkgr:cytokine-release-syndrome", "tkgr:neurological-toxicity"}
    assert by_warning["tkgr:car-t-boxed-t-cell-malignancy-2024"] == {"tkgr:t-cell-malignancy"}
    assert BREXU in {r["therapy"] for r in run("boxed-warnings", therapy=BREXU) if r["warning"] == "tkgr:car-t-boxed-t-cell-malignancy-2024"}


def test_kymriah_rems_by_label_version(run):
    """Does KYMRIAH need a REMS? Yes in the 2018 label; "REMS (5.3) Removed
    6/2025" in openFDA's label (conflict C4)."""
    rows = run("car-t-rems", therapy=TISA)
    versions = {(r["claim"], r["labelVersion"], r["versionDate"]) for r in rows if r["labelVersion"]}
    assert versions == {("tkgr:tisa-rems-2018", "tkgr:label-kymriah-us-2018", "2018"),
                        ("tkgr:tisa-rems-removed-2025", "tkgr:label-kymriah-us-2025-06", "2025-06")}
    assert {(r["conflict"], r["conflictKind"]) for r in rows} == {("tkgr:conflict-kymriah-rems", "tkg:LabelVersionDifference")}


def test_kymriah_post_infusion_periods_by_label_version(run):
    """How long are KYMRIAH patients monitored, kept near the centre and kept
    from driving? Before June 2025: at least 4 weeks, 4 weeks, 8 weeks; after
    the June 2025 class change: at least 2 weeks (daily for 1 week), 2 weeks,
    2 weeks (notes for modelling; conflict C4)."""
    rows = run("car-t-post-infusion-periods", therapy=TISA)
    periods = {(r["claim"], r["period"], r["unit"], r["days"]) for r in rows}
    assert periods == {
        ("tkgr:tisa-monitoring-pre-2025", "4", "wk", "28"), ("tkgr:tisa-proximity-pre-2025", "4", "wk", "28"),
        ("tkgr:tisa-driving-pre-2025", "8", "wk", "56"),
        ("tkgr:tisa-monitoring-2025-class", "2", "wk", "14"), ("tkgr:tisa-proximity-2025-class", "2", "wk", "14"),
        ("tkgr:tisa-driving-2025-class", "2", "wk", "14"),
    }
    assert {r["conflict"] for r in rows} == {"tkgr:conflict-kymriah-monitoring"}
    (intensity,) = {r["intensity"] for r in rows if r["claim"] == "tkgr:tisa-monitoring-2025-class"}
    assert "daily" in intensity and "first week" in intensity


def test_tecartus_monitoring_by_label_version(run):
    """How is a TECARTUS patient monitored? 2021 label: daily for at least 14
    days at the Authorized Treatment Center, for 4 weeks in all; June 2025
    class change: at least 2 weeks, and 2 weeks each near the centre and
    before driving (conflicts C12 and C4, class-wide)."""
    rows = run("car-t-post-infusion-periods", therapy=BREXU)
    assert {(r["claim"], r["period"], r["unit"]) for r in rows} == {
        ("tkgr:brexu-monitoring-2021", "4", "wk"), ("tkgr:brexu-monitoring-2025-class", "2", "wk"),
        ("tkgr:brexu-proximity-2025-class", "2", "wk"), ("tkgr:brexu-driving-2025-class", "2", "wk")}
    (intensity,) = {r["intensity"] for r in rows if r["claim"] == "tkgr:brexu-monitoring-2021"}
    assert "daily" in intensity and "14 days" in intensity
    assert ("tkgr:brexu-monitoring-2021", "tkgr:label-tecartus-us-2021") in {(r["claim"], r["labelVersion"]) for r in rows}
    # No TECARTUS proximity or driving period from before June 2025 was seen, so only monitoring is in conflict.
    assert {(r["claim"], r["conflict"]) for r in rows if r["conflict"]} == {
        ("tkgr:brexu-monitoring-2021", "tkgr:conflict-tecartus-monitoring"),
        ("tkgr:brexu-monitoring-2025-class", "tkgr:conflict-tecartus-monitoring")}


# Adverse reactions -------------------------------------------------------------

def test_tecartus_crs_and_neurotoxicity(run):
    """How often do CRS and neurologic toxicities occur with TECARTUS in ALL?
    CRS 92% (grade >= 3 26%), neurologic toxicities 87% (grade >= 3 35%), in
    78 patients at the approved dose (section 3)."""
    rows = run("car-t-adverse-reactions", therapy=BREXU)
    assert {(r["event"], num(r, "anyGrade"), num(r, "grade3Plus"), num(r, "denominator"), r["trial"]) for r in rows} == {
        ("tkgr:cytokine-release-syndrome", D("92"), D("26"), D("78"), ZUMA3),
        ("tkgr:neurological-toxicity", D("87"), D("35"), D("78"), ZUMA3),
    }


def test_kymriah_adverse_reactions_in_all(run):
    """Which incidences are recorded for KYMRIAH in ALL? CRS 79% (ELIANA, 68
    patients; 2018 label) and 79% with 27% grade >= 3 (label summary) against
    77% (payer summary, C5); neurological toxicities 39% (13% grade >= 3);
    hypogammaglobulinemia 43%; infections (pathogen unspecified) 41%; viral
    infections 26%; prolonged cytopenias 32-49% across indications; CRS onset
    3 days, resolution 8 days (section 2)."""
    rows = run("car-t-adverse-reactions", therapy=TISA)
    incidences = {(r["event"], num(r, "anyGrade"), num(r, "anyLow"), num(r, "anyHigh"), num(r, "grade3Plus"), num(r, "denominator"))
                  for r in rows if r["anyGrade"] or r["anyLow"]}
    assert incidences == {
        ("tkgr:cytokine-release-syndrome", D("79"), None, None, None, D("68")),
        ("tkgr:cytokine-release-syndrome", D("79"), None, None, D("27"), None),
        ("tkgr:cytokine-release-syndrome", D("77"), None, None, None, None),
        ("tkgr:neurological-toxicity", D("39"), None, None, D("13"), None),
        ("tkgr:hypogammaglobulinemia", D("43"), None, None, None, None),
        ("tkgr:infection", D("41"), None, None, None, None),
        ("tkgr:viral-infection", D("26"), None, None, None, None),
        ("tkgr:prolonged-cytopenia", None, D("32"), D("49"), None, None),
    }
    timing = {(num(r, "onsetDays"), num(r, "resolutionDays")) for r in rows if r["claim"] == "tkgr:tisa-ar-crs-timing"}
    assert timing == {(D("3"), D("8"))}
    crs_conflicts = {r["conflict"] for r in rows if r["event"] == "tkgr:cytokine-release-syndrome" and r["anyGrade"]}
    assert crs_conflicts == {"tkgr:conflict-kymriah-crs-incidence"}


# Trials ------------------------------------------------------------------------

def test_eliana_design_and_registry_numbers(run):
    """How is ELIANA designed and under which registry numbers? Open-label,
    multicenter, single-arm, global phase II; NCT02435849 (JCO update, ASH
    2018) and NCT02228096 (Novartis efficacy page, flagged as a probable
    identifier error: C7)."""
    rows = run("car-t-trial-design", trial=ELIANA)
    assert {(r["phase"], r["design"]) for r in rows} == {("II", "open-label, multicenter, single-arm, global")}
    ids = {(r["registryId"], r["source"], r["issue"]) for r in rows}
    assert ("NCT02435849", "tkgr:source-eliana-jco-update", None) in ids
    assert ("NCT02435849", "tkgr:source-eliana-ash-2018", None) in ids
    assert ("NCT02228096", "tkgr:source-kymriah-hcp-all-efficacy", "tkg:ProbableIdentifierError") in ids


def test_eliana_overall_remission_by_data_cut(run):
    """What overall remission rate did ELIANA report? 81% (primary analysis),
    83% (52/63; 95% CI 71-91) at an earlier cut, 82% (n=79) at the 3-year
    update with a median follow-up of 38.8 months (C6), and 81% in the payer
    summary, all linked by one conflict."""
    rows = [r for r in run("car-t-trial-results", trial=ELIANA) if r["metric"] == "tkg:OverallRemissionRate"]
    got = {(r["outcome"], num(r, "value"), num(r, "numerator"), num(r, "denominator"), num(r, "ciLower"), num(r, "ciUpper"),
            num(r, "followUp")) for r in rows}
    assert got == {
        ("tkgr:eliana-orr-primary", D("81"), None, None, None, None, None),
        ("tkgr:eliana-orr-earlier-cut", D("83"), D("52"), D("63"), D("71"), D("91"), None),
        ("tkgr:eliana-orr-3y-update", D("82"), None, D("79"), None, None, D("38.8")),
        ("tkgr:eliana-overall-remission", D("81"), None, None, None, None, None),
    }
    assert {(r["conflict"], r["conflictKind"]) for r in rows} == {("tkgr:conflict-eliana-overall-remission", "tkg:DifferentDataCut")}


def test_eliana_survival_and_transplant(run):
    """What survival did ELIANA report, and how many went on to transplant?
    OS 89% at 6 and 79% at 12 months (earlier cut); 70% at 18 months (95% CI
    58-79); 63% at 3 years (95% CI 51-73); median EFS 24 months, 3-year EFS
    44% (31-57); MRD-negative 64 of 65 responders (98%); 8 patients in
    remission had SCT (sections 2 and 5)."""
    rows = run("car-t-trial-results", trial=ELIANA)
    got = {(r["metric"], num(r, "value"), r["unit"], num(r, "ciLower"), num(r, "ciUpper")) for r in rows}
    assert {
        ("tkg:SixMonthOverallSurvival", D("89"), "%", None, None),
        ("tkg:TwelveMonthOverallSurvival", D("79"), "%", None, None),
        ("tkg:EighteenMonthOverallSurvival", D("70"), "%", D("58"), D("79")),
        ("tkg:ThreeYearOverallSurvival", D("63"), "%", D("51"), D("73")),
        ("tkg:MedianEventFreeSurvival", D("24"), "mo", None, None),
        ("tkg:ThreeYearEventFreeSurvival", D("44"), "%", D("31"), D("57")),
        ("tkg:MRDNegativityAmongResponders", D("98"), "%", None, None),
        ("tkg:PatientsProceedingToTransplant", D("8"), "{patients}", None, None),
    } <= got
    (mrd,) = [r for r in rows if r["metric"] == "tkg:MRDNegativityAmongResponders"]
    assert (num(mrd, "numerator"), num(mrd, "denominator")) == (D("64"), D("65"))


def test_medians_not_reached(run):
    """Which CAR T medians had not been reached? ELIANA's overall survival at the
    3-year update (median follow-up 38.8 months; section 2, "ELIANA 3-year
    update") and ZUMA-3's duration of CR at approval (median follow-up of
    responders 7.1 months; section 3, "FDA efficacy")."""
    rows = [r for trial in (ELIANA, ZUMA3) for r in run("car-t-trial-results", trial=trial) if r["notReached"] == "true"]
    assert {(r["outcome"], r["metric"], r["value"], num(r, "followUp"), r["followUpUnit"]) for r in rows} == {
        ("tkgr:eliana-median-os", "tkg:MedianOverallSurvival", None, D("38.8"), "mo"),
        ("tkgr:zuma-3-docr-fda", "tkg:MedianDurationOfCompleteRemission", None, D("7.1"), "mo")}


def test_ino_vate_confidence_intervals(run):
    """What are the 95% CIs of INO-VATE's results, both arms? CR/CRi 72.1-87.7
    vs 21.0-38.8 (first 218); median OS 6.0-9.2 vs 4.7-8.3 months; overall
    HSCT 40.3-56.1 vs 15.5-28.7; directly to HSCT 32.1-47.6 vs 6.2-16.3
    (alternatives.md, section 1)."""
    rows = run("efficacy-outcomes", therapy="tkgr:inotuzumab-ozogamicin")
    got = {r["outcome"]: (num(r, "ciLower"), num(r, "ciUpper"), num(r, "comparatorCiLower"), num(r, "comparatorCiUpper"))
           for r in rows if r["comparatorCiLower"] is not None}
    assert got == {
        "tkgr:ino-vate-cr-cri-primary": (D("72.1"), D("87.7"), D("21.0"), D("38.8")),
        "tkgr:ino-vate-median-os": (D("6.0"), D("9.2"), D("4.7"), D("8.3")),
        "tkgr:ino-vate-hsct-overall": (D("40.3"), D("56.1"), D("15.5"), D("28.7")),
        "tkgr:ino-vate-hsct-direct": (D("32.1"), D("47.6"), D("6.2"), D("16.3")),
    }
    (tower,) = [r for r in run("efficacy-outcomes", therapy="tkgr:blinatumomab") if r["hazardRatioCiLower"] is not None]
    assert (tower["outcome"], num(tower, "hazardRatio"), num(tower, "hazardRatioCiLower"), num(tower, "hazardRatioCiUpper")) == (
        "tkgr:tower-os-nejm", D("0.71"), D("0.55"), D("0.93"))


def test_zuma3_remission_by_population_and_follow_up(run):
    """What remission did ZUMA-3 report? CR 52% (28/54; 38-66) and CR+CRi 65%
    (35/54; 51-77) in the efficacy population at the 9 September 2020 cut-off;
    CR/CRi 70.9% (39/55) of all treated at 16.4 months (Lancet); 71% (CR 56%)
    at 26.8 months; CR 41% (29-53) of 71 leukapheresed (C9)."""
    rows = [r for r in run("car-t-trial-results", trial=ZUMA3) if r["metric"] in ("tkg:CompleteRemissionRate", "tkg:CRCRiRate")]
    got = {(r["metric"], num(r, "value"), num(r, "numerator"), num(r, "denominator"), num(r, "ciLower"), num(r, "ciUpper"),
            r["population"], r["dataCutoff"], num(r, "followUp")) for r in rows}
    mitt, treated = "tkgr:pop-zuma3-efficacy-evaluable", "tkgr:pop-zuma3-treated"
    assert got == {
        ("tkg:CompleteRemissionRate", D("52"), D("28"), D("54"), D("38"), D("66"), mitt, "2020-09-09", None),
        ("tkg:CRCRiRate", D("65"), D("35"), D("54"), D("51"), D("77"), mitt, "2020-09-09", None),
        ("tkg:CRCRiRate", D("70.9"), D("39"), D("55"), D("57"), D("82"), treated, None, D("16.4")),
        ("tkg:CRCRiRate", D("71"), None, D("55"), None, None, treated, None, D("26.8")),
        ("tkg:CompleteRemissionRate", D("56"), None, D("55"), None, None, treated, None, D("26.8")),
        ("tkg:CompleteRemissionRate", D("41"), None, D("71"), D("29"), D("53"), "tkgr:pop-zuma3-leukapheresed", None, None),
    }
    assert {r["conflict"] for r in rows} == {"tkgr:conflict-zuma3-remission"}


def test_zuma3_overall_survival(run):
    """What overall survival did ZUMA-3 report? Median 18.2 months, 95% CI
    14.2-NE (Kite) or 15.9-NE (J Hematol Oncol 2022: C10); 25.4 months at two
    years; 26.0 months (16.2-38.9) and 46% alive at 3 years (n=54; 32-59),
    an analysis including 9 patients who later had allo-SCT (sections 3, 5)."""
    rows = run("car-t-trial-results", trial=ZUMA3)
    median = {(r["source"], num(r, "value"), num(r, "ciLower"), num(r, "ciUpper"), r["ciUpperNotEstimable"])
              for r in rows if r["metric"] == "tkg:MedianOverallSurvival"}
    assert median == {
        ("tkgr:source-tecartushcp-all-additional-efficacy", D("18.2"), D("14.2"), None, "true"),
        ("tkgr:source-zuma3-jho-2022", D("18.2"), D("15.9"), None, "true"),
        ("tkgr:source-zuma3-jho-2022", D("25.4"), None, None, None),
        ("tkgr:source-tecartushcp-all-additional-efficacy", D("26.0"), D("16.2"), D("38.9"), None),
    }
    ci = {r["outcome"] for r in rows if r["conflict"] == "tkgr:conflict-zuma3-median-os-ci"}
    assert ci == {"tkgr:zuma-3-median-os-primary-kite", "tkgr:zuma-3-median-os-primary-jho"}
    (three,) = [r for r in rows if r["metric"] == "tkg:ThreeYearOverallSurvival"]
    assert (num(three, "value"), num(three, "denominator"), num(three, "ciLower"), num(three, "ciUpper")) == (D("46"), D("54"), D("32"), D("59"))
    (hct,) = [r for r in rows if r["metric"] == "tkg:PatientsProceedingToTransplant"]
    assert (num(hct, "value"), hct["unit"]) == (D("9"), "{patients}")


# Conflicts -------------------------------------------------------------------

CONFLICTS = {
    # id on the reference page: (conflict, kind, claims it must link)
    "C4 KYMRIAH REMS": ("tkgr:conflict-kymriah-rems", "tkg:LabelVersionDifference", {"tkgr:tisa-rems-2018", "tkgr:tisa-rems-removed-2025"}),
    "C4 KYMRIAH monitoring": ("tkgr:conflict-kymriah-monitoring", "tkg:LabelVersionDifference",
                              {"tkgr:tisa-monitoring-pre-2025", "tkgr:tisa-monitoring-2025-class", "tkgr:tisa-driving-pre-2025",
                               "tkgr:tisa-driving-2025-class"}),
    "C4 TECARTUS REMS": ("tkgr:conflict-tecartus-rems", "tkg:LabelVersionDifference", {"tkgr:brexu-rems-2021", "tkgr:brexu-rems-removed-2025"}),
    "C5": ("tkgr:conflict-kymriah-crs-incidence", "tkg:DifferentReportedValues", {"tkgr:tisa-ar-crs-label-2018", "tkgr:tisa-ar-crs-eliana"}),
    "C6": ("tkgr:conflict-eliana-overall-remission", "tkg:DifferentDataCut",
           {"tkgr:eliana-orr-primary", "tkgr:eliana-orr-earlier-cut", "tkgr:eliana-orr-3y-update"}),
    "C7": ("tkgr:conflict-eliana-registry-id", "tkg:DifferentReportedValues",
           {"tkgr:trial-eliana-registry-id", "tkgr:trial-eliana-registry-id-novartis-page"}),
    "C8": ("tkgr:conflict-kymriah-dose-over-50kg-unit", "tkg:DifferentReportedValues",
           {"tkgr:tisa-dose-over-50kg-d1", "tkgr:tisa-dose-over-50kg-medtigo-d0", "tkgr:tisa-dose-over-50kg-blood-adv-2023"}),
    "C9": ("tkgr:conflict-zuma3-remission", "tkg:DifferentDataCut", {"tkgr:zuma-3-cr-uspi", "tkgr:zuma-3-cr-cri-uspi", "tkgr:zuma-3-cr-cri"}),
    "C10": ("tkgr:conflict-zuma3-median-os-ci", "tkg:DifferentReportedValues",
            {"tkgr:zuma-3-median-os-primary-kite", "tkgr:zuma-3-median-os-primary-jho"}),
    "C11": ("tkgr:conflict-tecartus-boxed-warning", "tkg:LabelVersionDifference", {"tkgr:brexu-boxed-2021", "tkgr:brexu-boxed-current"}),
    "C12": ("tkgr:conflict-tecartus-monitoring", "tkg:LabelVersionDifference", {"tkgr:brexu-monitoring-2021", "tkgr:brexu-monitoring-2025-class"}),
}


@pytest.mark.parametrize("conflict_id", sorted(CONFLICTS))
def test_reference_page_conflicts_are_linked(run, conflict_id):
    """Is each conflict of the reference page (C4-C12) recorded, of the right
    kind, with the claims on each side and a different source on each side?"""
    conflict, kind, claims = CONFLICTS[conflict_id]
    rows = [r for r in run("conflicts") if r["conflict"] == conflict]
    assert rows, f"{conflict_id}: {conflict} not found"
    assert {r["kind"] for r in rows} == {kind}
    assert claims <= {r["claim"] for r in rows}
    sources_by_claim: dict[str, set] = {}
    for r in rows:
        sources_by_claim.setdefault(r["claim"], set()).add(r["source"])
    assert len(set().union(*sources_by_claim.values())) >= 2


def test_label_versions_differ(run):
    """What changed between the 2018 and the 6/2025 KYMRIAH labels? The REMS
    (required, then removed) and the boxed warning (notes for modelling, C4)."""
    rows = run("label-differences", product=TISA, **{"from": "tkgr:label-kymriah-us-2018", "to": "tkgr:label-kymriah-us-2025-06"})
    changed = {(r["fromClaim"], r["toClaim"]) for r in rows if r["change"] == "changed"}
    assert ("tkgr:tisa-rems-2018", "tkgr:tisa-rems-removed-2025") in changed
    assert ("tkgr:tisa-boxed-2018-label", "tkgr:tisa-boxed-revised-2025-06") in changed


def test_kymriah_indication_scope(run):
    """For whom and by whom is KYMRIAH indicated in ALL? Patients up to 25
    years with B-cell precursor ALL that is refractory or in second or later
    relapse, in the US label (FDA) (section 2, "ALL indication")."""
    rows = run("indication-details", therapy=TISA)
    assert {(r["agency"], num(r, "maxAge"), r["maxAgeComparator"], r["maxAgeUnit"]) for r in rows} == {("FDA", D("25"), "<=", "a")}
    assert {r["source"] for r in rows} == {"tkgr:source-kymriah-hcp", "tkgr:source-kymriah-label-2018-copy"}


def test_kymriah_crs_tocilizumab_by_weight(run):
    """How is CRS treated under the 2018 KYMRIAH label? Tocilizumab 12 mg/kg
    below 30 kg; 8 mg/kg (maximum 800 mg) from 30 kg (section 2, "CRS
    treatment (older label)")."""
    rows = run("dose-modification-rules", therapy=TISA)
    assert {(r["drug"], num(r, "drugDose"), r["drugUnit"], num(r, "drugCap"), r["drugCapUnit"], num(r, "maxWeight"), num(r, "minWeight"))
            for r in rows} == {
        ("tkgr:tocilizumab", D("12"), "mg/kg", None, None, D("30"), None),
        ("tkgr:tocilizumab", D("8"), "mg/kg", D("800"), "mg", None, D("30")),
    }
    assert {r["source"] for r in rows} == {"tkgr:source-kymriah-label-2018-copy"}
