"""The dose engine over the graph's schedules: one table of patient cases,
each expected value taken from the source named beside it.

Sources (as in graph_data): ART = the source article (Dosing Regimens);
OLD = older US label section 2.1; LATER = later US label dosing table
(J Hematol Oncol 2019;12:15, PMC6368716 Table 1); BESP = BESPONSA Dosage
and Administration Table 1 (pfizermedicalinformation.com) with the stop rule
of the BESPONSA HCP dosing page (pfizerpro.com); KYM = KYMRIAH 2018 label
highlights (Dosage Forms and Strengths (3)); TEC = TECARTUS approval in ALL
(ASH Clinical News, FDA release, 1 October 2021). BSA by Mosteller rounded to
0.01 m2: 130 cm, 30 kg -> 1.04 m2; 175 cm, 70 kg -> 1.84 m2."""


import pytest

from therapykg.domain import dosing

RR, MRD, CONS = (dosing.SETTINGS[k] for k in ("relapsed-refractory", "mrd-positive", "consolidation"))
CR, NO_CR = dosing.RESPONSES["cr-cri"], dosing.RESPONSES["no-cr"]
ART = "tkgr:source-article"
OLD = "tkgr:source-blincyto-label-older-recallguide"
LATER = "tkgr:source-blincyto-label-later-pmc6368716"
BESP = "tkgr:source-besponsa-dosage-admin"
KYM = "tkgr:source-kymriah-label-2018-copy"
TEC = "tkgr:source-ash-clinical-news-tecartus-2021"
D, FREE, NC, OUT, MAX, NEED, FLAG = ("DOSE", "TREATMENT_FREE", "NOT_COVERED", "OUTSIDE_POPULATION", "BEYOND_MAXIMUM_CYCLES",
                                     "NEEDS_INPUT", "SOURCE_FLAGGED")

def labels(status: str, amount: str | None = None) -> dict:
    """The same answer from the article and both US labels (ART, OLD, LATER)."""
    return dict.fromkeys((ART, OLD, LATER), (status, amount))


def under_45(status: str, amount: str | None = None) -> dict:
    """Under 45 kg: the same answer from the article's BSA schedule and the
    later label; the older label's flat dose is for 45 kg and over."""
    return {f"{ART} blina-pediatric-bsa": (status, amount), OLD: (OUT, None), LATER: (status, amount)}


# (case, therapy, setting, weight kg, height cm, BSA m2, cycle, day, response,
#  {source: (status, amount or None)} for the source's answer by its regimen id;
#  where a source has several regimens in scope, the key is "source regimen").
CASES = [
    # Blinatumomab R/R >= 45 kg: ART/OLD/LATER cycle 1 days 1-7 9 ug/day, days 8-28 28 ug/day, 2 weeks (14 days) off.
    ("rr 70 kg c1 d1", "blinatumomab", RR, 70, None, None, 1, 1, None, labels(D, "9 ug/d")),
    ("rr 70 kg c1 d7 (last day of step 1)", "blinatumomab", RR, 70, None, None, 1, 7, None, labels(D, "9 ug/d")),
    ("rr 70 kg c1 d8 (step-up)", "blinatumomab", RR, 70, None, None, 1, 8, None, labels(D, "28 ug/d")),
    ("rr 70 kg c1 d28", "blinatumomab", RR, 70, None, None, 1, 28, None, labels(D, "28 ug/d")),
    ("rr 70 kg c1 d29 (treatment-free)", "blinatumomab", RR, 70, None, None, 1, 29, None, labels(FREE)),
    ("rr 70 kg c1 d42 (last day off)", "blinatumomab", RR, 70, None, None, 1, 42, None, labels(FREE)),
    ("rr 70 kg c1 d43 (past the cycle)", "blinatumomab", RR, 70, None, None, 1, 43, None, labels(NC)),
    ("rr 70 kg c2 d1: no step-up after cycle 1", "blinatumomab", RR, 70, None, None, 2, 1, None, labels(D, "28 ug/d")),
    ("rr 70 kg c5 d28", "blinatumomab", RR, 70, None, None, 5, 28, None, labels(D, "28 ug/d")),
    # ART and OLD: at most 5 cycles; LATER lists continued therapy cycles 6-9 (days 29-84 off) and no more.
    ("rr 70 kg c6 d1", "blinatumomab", RR, 70, None, None, 6, 1, None,
     {ART: (MAX, None), OLD: (MAX, None), LATER: (D, "28 ug/d")}),
    ("rr 70 kg c6 d60 (56-day interval)", "blinatumomab", RR, 70, None, None, 6, 60, None,
     {ART: (MAX, None), OLD: (MAX, None), LATER: (FREE, None)}),
    ("rr 70 kg c9 d84", "blinatumomab", RR, 70, None, None, 9, 84, None,
     {ART: (MAX, None), OLD: (MAX, None), LATER: (FREE, None)}),
    ("rr 70 kg c10 d1", "blinatumomab", RR, 70, None, None, 10, 1, None, {ART: (MAX, None), OLD: (MAX, None), LATER: (NC, None)}),
    # Band boundary: 45 kg is in the >= 45 kg band, 44.9 kg is not.
    ("rr 45 kg c1 d1 (boundary, flat)", "blinatumomab", RR, 45, None, None, 1, 1, None, labels(D, "9 ug/d")),
    ("rr 44.9 kg c1 d1 (BSA given 1.5)", "blinatumomab", RR, 44.9, None, 1.5, 1, 1, None, under_45(D, "7.5 ug/d")),
    # < 45 kg: 5 ug/m2/day (max 9) days 1-7, 15 ug/m2/day (max 28) days 8-28 (ART; LATER).
    ("rr 30 kg 130 cm c1 d1", "blinatumomab", RR, 30, 130, None, 1, 1, None, under_45(D, "5.2 ug/d")),
    ("rr 30 kg 130 cm c1 d8", "blinatumomab", RR, 30, 130, None, 1, 8, None, under_45(D, "15.6 ug/d")),
    ("rr 40 kg BSA 2.0 c1 d3: capped at 9", "blinatumomab", RR, 40, None, 2.0, 1, 3, None, under_45(D, "9 ug/d")),
    ("rr 40 kg BSA 2.0 c1 d10: capped at 28", "blinatumomab", RR, 40, None, 2.0, 1, 10, None, under_45(D, "28 ug/d")),
    ("rr 40 kg BSA 1.8 c1 d10: 27 under the cap", "blinatumomab", RR, 40, None, 1.8, 1, 10, None, under_45(D, "27 ug/d")),
    ("rr 30 kg no height: BSA needed", "blinatumomab", RR, 30, None, None, 1, 1, None, under_45(NEED)),
    ("rr 30 kg c2 d1 (later cycles, LATER table)", "blinatumomab", RR, 30, None, 1.0, 2, 1, None, under_45(D, "15 ug/d")),
    ("rr 30 kg c7 d1 (continued therapy)", "blinatumomab", RR, 30, None, 1.0, 7, 1, None, under_45(D, "15 ug/d")),
    ("rr 30 kg c7 d50 (56-day interval)", "blinatumomab", RR, 30, None, 1.0, 7, 50, None,
     {f"{ART} blina-pediatric-bsa": (NC, None), OLD: (OUT, None), LATER: (FREE, None)}),
    ("rr 30 kg c10 d1 (past the listed cycles)", "blinatumomab", RR, 30, None, 1.0, 10, 1, None,
     {f"{ART} blina-pediatric-bsa": (D, "15 ug/d"), OLD: (OUT, None), LATER: (NC, None)}),
    ("rr 30 kg c1 d35: ART gives no interval", "blinatumomab", RR, 30, None, 1.0, 1, 35, None,
     {f"{ART} blina-pediatric-bsa": (NC, None), OLD: (OUT, None), LATER: (FREE, None)}),
    # The article's pediatric trial dose in mg/m2/day is flagged (probable unit error).
    ("rr 30 kg c1 d1: flagged trial dose", "blinatumomab", RR, 30, 130, None, 1, 1, None,
     {f"{ART} blina-pediatric-phase12-mg": (FLAG, None)}),
    # MRD-positive: ART one 4-week cycle at 28 ug/day then 2 weeks off, up to 4 more (no dose given for them);
    # LATER cycles 1-4, days 1-28 28 ug/day (>= 45) or 15 ug/m2/day max 28 (< 45), no step-up, days 29-42 off.
    ("mrd 70 kg c1 d1: no step-up", "blinatumomab", MRD, 70, None, None, 1, 1, None,
     {f"{ART} blina-mrd-adult": (D, "28 ug/d"), LATER: (D, "28 ug/d")}),
    ("mrd 70 kg c1 d30", "blinatumomab", MRD, 70, None, None, 1, 30, None,
     {f"{ART} blina-mrd-adult": (FREE, None), LATER: (FREE, None)}),
    ("mrd 70 kg c2 d1: ART states no dose", "blinatumomab", MRD, 70, None, None, 2, 1, None,
     {f"{ART} blina-mrd-adult": (NC, None), LATER: (D, "28 ug/d")}),
    ("mrd 70 kg c4 d28", "blinatumomab", MRD, 70, None, None, 4, 28, None,
     {f"{ART} blina-mrd-adult": (NC, None), LATER: (D, "28 ug/d")}),
    ("mrd 70 kg c5 d1: LATER has 4 cycles in all", "blinatumomab", MRD, 70, None, None, 5, 1, None,
     {f"{ART} blina-mrd-adult": (NC, None), LATER: (MAX, None)}),
    ("mrd 30 kg 130 cm c1 d1: the defect case", "blinatumomab", MRD, 30, 130, None, 1, 1, None,
     {f"{ART} blina-pediatric-bsa": (D, "5.2 ug/d"), LATER: (D, "15.6 ug/d")}),
    ("mrd 40 kg BSA 2.0 c2 d5: capped", "blinatumomab", MRD, 40, None, 2.0, 2, 5, None,
     {f"{ART} blina-pediatric-bsa": (D, "28 ug/d"), LATER: (D, "28 ug/d")}),
    # Consolidation (ART, E1910): four 4-week cycles at 28 ug/day; no interval stated.
    ("consolidation 70 kg c1 d1", "blinatumomab", CONS, 70, None, None, 1, 1, None,
     {f"{ART} blina-consolidation-adult": (D, "28 ug/d")}),
    ("consolidation 70 kg c4 d28", "blinatumomab", CONS, 70, None, None, 4, 28, None,
     {f"{ART} blina-consolidation-adult": (D, "28 ug/d")}),
    ("consolidation 70 kg c4 d29", "blinatumomab", CONS, 70, None, None, 4, 29, None,
     {f"{ART} blina-consolidation-adult": (NC, None)}),
    ("consolidation 70 kg c5 d1", "blinatumomab", CONS, 70, None, None, 5, 1, None,
     {f"{ART} blina-consolidation-adult": (NC, None)}),
    # Inotuzumab (BESP): cycle 1 0.8 mg/m2 day 1, 0.5 mg/m2 days 8 and 15, 21 days; later 28-day cycles
    # 0.5/0.5/0.5 (CR/CRi) or 0.8/0.5/0.5 (not CR/CRi); stop without CR/CRi within 3 cycles; at most 6 cycles.
    ("ino c1 d1", "inotuzumab-ozogamicin", RR, 70, 175, None, 1, 1, None, {BESP: (D, "1.47 mg")}),
    ("ino c1 d8", "inotuzumab-ozogamicin", RR, 70, 175, None, 1, 8, None, {BESP: (D, "0.92 mg")}),
    ("ino c1 d3 (between doses)", "inotuzumab-ozogamicin", RR, 70, 175, None, 1, 3, None, {BESP: (FREE, None)}),
    ("ino c1 d21 (last day)", "inotuzumab-ozogamicin", RR, 70, 175, None, 1, 21, None, {BESP: (FREE, None)}),
    ("ino c1 d22 (past 21 days)", "inotuzumab-ozogamicin", RR, 70, 175, None, 1, 22, None, {BESP: (NC, None)}),
    ("ino c2 d1 without response", "inotuzumab-ozogamicin", RR, 70, 175, None, 2, 1, None, {BESP: (NEED, None)}),
    ("ino c2 d1 in CR/CRi", "inotuzumab-ozogamicin", RR, 70, 175, None, 2, 1, CR, {BESP: (D, "0.92 mg")}),
    ("ino c2 d1 not in CR/CRi", "inotuzumab-ozogamicin", RR, 70, 175, None, 2, 1, NO_CR, {BESP: (D, "1.47 mg")}),
    ("ino c3 d15 not in CR/CRi", "inotuzumab-ozogamicin", RR, 70, 175, None, 3, 15, NO_CR, {BESP: (D, "0.92 mg")}),
    ("ino c2 d25 (7 days off from day 21)", "inotuzumab-ozogamicin", RR, 70, 175, None, 2, 25, CR, {BESP: (FREE, None)}),
    ("ino c4 d1 not in CR/CRi: stop rule", "inotuzumab-ozogamicin", RR, 70, 175, None, 4, 1, NO_CR, {BESP: (MAX, None)}),
    ("ino c6 d1 in CR/CRi", "inotuzumab-ozogamicin", RR, 70, 175, None, 6, 1, CR, {BESP: (D, "0.92 mg")}),
    ("ino c7 d1 in CR/CRi: at most 6", "inotuzumab-ozogamicin", RR, 70, 175, None, 7, 1, CR, {BESP: (MAX, None)}),
    ("ino c1 d1 BSA given 1.5", "inotuzumab-ozogamicin", RR, 60, None, 1.5, 1, 1, None, {BESP: (D, "1.2 mg")}),
    # Tisagenlecleucel (KYM: 2018 label (3)): <= 50 kg 0.2-5.0 x 10^6 cells/kg; > 50 kg 0.1-2.5 x 10^8 cells in total; one infusion (day 0).
    # Both weight bands are the ALL dose, for patients up to 25 years (1.1): without an age the engine asks for it; the doses
    # for a patient of a given age are in tests/test_competency_car_t.py.
    ("tisa 30 kg: per kg range, age needed", "tisagenlecleucel", RR, 30, None, None, 1, 0, None, {KYM: (NEED, None)}),
    ("tisa 90 kg: a total, age needed", "tisagenlecleucel", RR, 90, None, None, 1, 0, None, {KYM: (NEED, None)}),
    ("tisa in MRD-positive disease: no regimen", "tisagenlecleucel", MRD, 30, None, None, 1, 0, None, {}),
    # Brexucabtagene (TEC: FDA approval, 2021): 1 x 10^6 cells/kg, at most 1 x 10^8 cells.
    ("brexu 70 kg", "brexucabtagene-autoleucel", RR, 70, None, None, 1, 0, None, {TEC: (D, "70 x 10^6 cells")}),
    ("brexu 100 kg: at the maximum", "brexucabtagene-autoleucel", RR, 100, None, None, 1, 0, None,
     {TEC: (D, "100 x 10^6 cells")}),
    ("brexu 120 kg: capped", "brexucabtagene-autoleucel", RR, 120, None, None, 1, 0, None, {TEC: (D, "1 x 10^8 cells")}),
]


@pytest.fixture(scope="module")
def rows(graph):
    """A therapy's schedule rows from the graph (by its local name), read once per therapy."""
    cache = {}

    def schedules(therapy: str) -> list:
        if therapy not in cache:
            cache[therapy] = graph.bindings(dosing.schedule_query(f"tkgr:{therapy}"))
        return cache[therapy]
    return schedules


def _key(answer: dosing.DoseAnswer, expected: dict) -> str:
    for iri, _ in answer.sources:
        source = "tkgr:" + iri.rsplit("/", 1)[-1]
        regimen = answer.regimen.rsplit("/", 1)[-1]
        if f"{source} {regimen}" in expected:
            return f"{source} {regimen}"
        if source in expected:
            return source
    return f"{answer.sources[0][0]} {answer.regimen}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_dose_engine_case(rows, case):
    _, therapy, setting, weight, height, bsa, cycle, day, response, expected = case
    question = dosing.DoseQuestion(setting, dosing.Patient(weight, height, bsa), cycle, day, response)
    answers = dosing.answer(rows(therapy), question)
    found = {}
    for a in answers:
        found[_key(a, expected)] = (a.status.name, a.amount.text if a.amount else None)
    for key, want in expected.items():
        assert found.get(key) == want, f"{key}: {found.get(key)} != {want}; all answers: {found}"
    if not expected:
        assert answers == [], "no source gives a regimen in this setting"
    for a in answers:
        assert a.reason and a.sources, "every answer says why and from what"


def test_age_groups_are_checked_when_the_age_is_given(rows):
    """The ontology defines adults as 18 and older. BESPONSA's adult dosing (BESP) does not dose a 10-year-old (its
    pediatric dose was not seen); a 16-year-old of 60 kg is outside the article's adult regimen (ART: adults >= 45 kg)
    and its < 45 kg schedule, while the label's >= 45 kg band (OLD, LATER) names no age group."""
    child = dosing.Patient(30, 130, age_years=10)
    (ino,) = dosing.answer(rows("inotuzumab-ozogamicin"), dosing.DoseQuestion(RR, child, 1, 1))
    assert ino.status is dosing.Status.OUTSIDE_POPULATION and "adults (18 years and older)" in ino.reason
    teen = dosing.Patient(60, age_years=16)
    answers = dosing.answer(rows("blinatumomab"), dosing.DoseQuestion(RR, teen, 1, 8))
    by_source = {a.sources[0][0].rsplit("/", 1)[-1]: a.status.name for a in answers}
    assert by_source["source-article"] == "OUTSIDE_POPULATION"
    assert by_source["source-blincyto-label-older-recallguide"] == by_source["source-blincyto-label-later-pmc6368716"] == "DOSE"
    adult = dosing.answer(rows("inotuzumab-ozogamicin"), dosing.DoseQuestion(RR, dosing.Patient(70, 175, age_years=40), 1, 1))
    assert [a.status.name for a in adult] == ["DOSE"]
    # The label's < 45 kg column is a weight band at any age; the article's < 45 kg schedule is pediatric.
    light_adult = dosing.answer(rows("blinatumomab"), dosing.DoseQuestion(RR, dosing.Patient(40, bsa_m2=1.3, age_years=30), 1, 8))
    by_source = {a.sources[0][0].rsplit("/", 1)[-1]: (a.status.name, a.amount.text if a.amount else None) for a in light_adult}
    assert by_source["source-blincyto-label-later-pmc6368716"] == ("DOSE", "19.5 ug/d")
    assert by_source["source-article"][0] == "OUTSIDE_POPULATION"


def test_at_least_forty_cases():
    assert len(CASES) >= 40


def test_no_regimen_applies_to_a_setting_its_source_does_not_state(rows):
    # The defect: the article's unscoped pediatric schedule applied as if stated for MRD-positive disease.
    question = dosing.DoseQuestion(MRD, dosing.Patient(30, 130), 1, 1)
    for a in dosing.answer(rows("blinatumomab"), question):
        stated = a.regimen.endswith(("mrd-under-45kg", "mrd-adult"))
        assert stated or a.caveats, f"{a.regimen_label} answers for MRD-positive disease without saying its source states no setting"
    rr_only = [a for a in dosing.answer(rows("blinatumomab"), question) if "rr" in a.regimen.rsplit("/", 1)[-1].split("-")]
    assert rr_only == []


def test_every_regimen_has_a_stated_or_explicitly_missing_setting(graph):
    missing = graph.query("""SELECT ?r WHERE { ?r a tkg:DosingRegimen .
        FILTER NOT EXISTS { ?r tkg:regimenSetting ?s } FILTER NOT EXISTS { ?r tkg:settingNotStated true } }""")
    assert [str(s["r"]) for s in missing] == []


def test_implausible_patients_are_refused(rows):
    with pytest.raises(ValueError, match="weight"):
        dosing.answer(rows("blinatumomab"), dosing.DoseQuestion(RR, dosing.Patient(0), 1, 1))
    with pytest.raises(ValueError, match="counted from 1"):
        dosing.answer(rows("blinatumomab"), dosing.DoseQuestion(RR, dosing.Patient(70), 0, 1))


def test_graphql_dose_field(graph):
    import asyncio

    from therapykg.api.graphql.schema import schema
    from therapykg.api.graphql.view import Context
    from therapykg.store.engine import GraphSelector

    query = """{ dose(therapy: "inotuzumab-ozogamicin", setting: RELAPSED_REFRACTORY, patient: {weightKg: 70, heightCm: 175},
                     cycle: 2, day: 1, response: NO_CR_CRI) { status amount { value unit } stated { text } bodySurfaceAreaM2 reason sources { id } } }"""
    result = asyncio.run(schema.execute(query, context_value=Context(backend=GraphSelector(graph))))
    assert result.errors is None
    (answer,) = result.data["dose"]
    assert (answer["status"], answer["amount"], answer["stated"]["text"], answer["bodySurfaceAreaM2"]) == (
        "DOSE", {"value": 1.47, "unit": "mg"}, "0.8 mg/m2", 1.84)
    assert "tkgr:source-besponsa-dosage-admin" in {s["id"] for s in answer["sources"]}
    bad = asyncio.run(schema.execute(query.replace("weightKg: 70", "weightKg: 0"), context_value=Context(backend=GraphSelector(graph))))
    assert bad.errors and "plausible body weight" in bad.errors[0].message


def test_lymphodepletion_before_a_cell_infusion(rows):
    """TECARTUS (ZUMA-3 design): fludarabine 25 mg/m2 on days -4, -3, -2 and cyclophosphamide 900 mg/m2 on day -2;
    the cells on day 0. 175 cm, 70 kg -> 1.84 m2."""
    def doses(day):
        answers = dosing.answer(rows("brexucabtagene-autoleucel"), dosing.DoseQuestion(RR, dosing.Patient(70, 175), 1, day))
        return sorted((a.drug, a.amount.text) for a in answers if a.status is dosing.Status.DOSE)
    assert doses(-4) == [("fludarabine", "46 mg")]
    assert doses(-2) == [("cyclophosphamide", "1656 mg"), ("fludarabine", "46 mg")]
    assert doses(-1) == []
    assert doses(0) == [(None, "70 x 10^6 cells")]
