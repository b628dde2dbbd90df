"""The GraphQL API through a real GraphQL client (gql): on the service in
this process (fast tier), and against live servers on the embedded store and
on Oxigraph's server and Virtuoso as remote backends (live tier)."""

import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from therapykg.queries import library
from therapykg.testing import ENGINES

LIB = library()


class InProcessTransport(HTTPXTransport):
    """gql's HTTPX transport over a Starlette TestClient (the service in this process)."""

    def __init__(self, app_client):
        super().__init__(url=str(app_client.base_url.join("/graphql")))
        self.app_client = app_client

    def connect(self):
        self.client = self.app_client

    def close(self):
        self.client = None  # the TestClient belongs to its fixture


@pytest.fixture(scope="module", params=["in-process", *(pytest.param(name, marks=pytest.mark.live) for name in ("embedded", *ENGINES))])
def gq(request):
    """A gql session with the schema fetched by introspection: on the service in process, or on a live server."""
    if request.param == "in-process":
        transport = InProcessTransport(request.getfixturevalue("app_client"))
    else:
        url = request.getfixturevalue("server") if request.param == "embedded" else \
            request.getfixturevalue("engine_services").url(request.param)
        transport = HTTPXTransport(url=url + "/graphql", timeout=60)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        yield session


def run(gq, query: str, **variables):
    return gq.execute(gql(query), variable_values=variables or None)


def test_introspection_has_the_types_and_ontology_descriptions(gq):
    schema = gq.client.schema
    for name in ("Therapy", "Indication", "Population", "DiseaseState", "Regimen", "Cycle", "DoseStep", "MonitoringRequirement",
                 "AdverseReaction", "DoseModificationRule", "SafetyStatement", "Alternative", "ClinicalTrial", "EfficacyOutcome",
                 "PharmacologyClaim", "Source", "Citation", "Conflict", "Claim", "Comparison", "DoseCalculation"):
        assert name in schema.type_map, name
    assert schema.type_map["Indication"].description.startswith("An approved use: a therapy for a disease state")
    assert "Grades follow CTCAE" not in (schema.type_map["AdverseReaction"].description or "")


def test_therapy_by_id(gq):
    data = run(gq, """{ therapy(id: "tkgr:blinatumomab") { id label kind classes brandNames
        targets { id } externalIds { ncit rxnorm drugbank atc } sources { source { id } } } }""")["therapy"]
    assert data["id"] == "tkgr:blinatumomab" and data["kind"] == "BISPECIFIC_T_CELL_ENGAGER"
    assert {"tkg:CD19DirectedTherapy", "tkg:CD3EngagingTherapy"} <= set(data["classes"])  # inferred by HermiT
    assert {t["id"] for t in data["targets"]} == {"tkg:CD19", "tkg:CD3"}
    assert data["externalIds"] == {"ncit": ["C62528"], "rxnorm": ["1597258", "1597263"], "drugbank": ["DB09052"], "atc": ["L01FX07"]}
    assert data["brandNames"] == ["BLINCYTO"]
    assert run(gq, '{ therapy(id: "tkgr:no-such-thing") { id } }')["therapy"] is None


@pytest.mark.parametrize(("filter_", "expected"), [
    ({"kind": ["CAR_T_CELL_THERAPY"]}, {"tkgr:brexucabtagene-autoleucel", "tkgr:tisagenlecleucel"}),
    ({"target": "CD22"}, {"tkgr:inotuzumab-ozogamicin"}),
    ({"target": "tkg:CD19"}, {"tkgr:blinatumomab", "tkgr:brexucabtagene-autoleucel", "tkgr:tisagenlecleucel"}),
    ({"text": "blincyto"}, {"tkgr:blinatumomab"}),
    ({"setting": "MRD_POSITIVE"}, {"tkgr:blinatumomab", "tkgr:allogeneic-hct", "tkgr:clinical-trial-participation"}),
    ({"kind": ["CAR_T_CELL_THERAPY"], "population": "PEDIATRIC"}, {"tkgr:tisagenlecleucel"}),
])
def test_therapy_filters(gq, filter_, expected):
    data = run(gq, "query($f: TherapyFilter) { therapies(filter: $f, first: 100) { totalCount edges { node { id } } } }", f=filter_)
    assert {e["node"]["id"] for e in data["therapies"]["edges"]} == expected
    assert data["therapies"]["totalCount"] == len(expected)


def test_pagination_is_stable_and_complete(gq):
    query = "query($after: String) { therapies(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id label } } } }"
    seen, after = [], None
    while True:
        page = run(gq, query, **({"after": after} if after else {}))["therapies"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = run(gq, "{ therapies(first: 100) { totalCount edges { node { id label } } } }")["therapies"]
    assert seen == [e["node"]["id"] for e in everything["edges"]]
    assert len(seen) == everything["totalCount"] == len(set(seen)) >= 16
    labels = [e["node"]["label"].lower() for e in everything["edges"]]
    assert labels == sorted(labels)


def test_root_lists(gq):
    data = run(gq, """{ trials { registryId } conflicts { id kind { id } claims { id } }
        indications(therapy: "blinatumomab") { approvalDate } adverseEvents(therapy: "blinatumomab") { id } }""")
    assert sorted(t["registryId"] for t in data["trials"]) == [
        "NCT01207388", "NCT01564784", "NCT02003222", "NCT02013167", "NCT02435849", "NCT02614066", "NCT02981628"]
    # 14 about blinatumomab and ELIANA's registry number; the alternatives' conflicts are counted in their own tests.
    assert len(data["conflicts"]) >= 14 and all(len(c["claims"]) >= 2 for c in data["conflicts"])
    assert sorted(i["approvalDate"] or "" for i in data["indications"]) == ["", "2018-03", "2024-06"]
    assert len(data["adverseEvents"]) == 12  # CRS in three settings from the label, once with no setting from the article


def test_monitoring_by_cycle(gq):
    data = run(gq, """{ monitoring(therapy: "blinatumomab", cycle: 2) {
        monitors { id } intensity windows { firstCycle lastCycle firstDay lastDay } } }""")
    neuro = [m for m in data["monitoring"] if m["intensity"] == "continuous"]
    assert [(w["firstCycle"], w["lastCycle"], w["firstDay"], w["lastDay"]) for w in neuro[0]["windows"]] == [(1, 1, 1, 9), (2, None, 1, 2)]


def test_dose_modification_answers_actions(gq):
    data = run(gq, """{ doseModificationRules(therapy: "blinatumomab", event: "cytokine-release-syndrome", grade: 4) {
        permanentDiscontinuation actions { kind { id } } sources { source { id } } } }""")["doseModificationRules"]
    assert data and all(r["permanentDiscontinuation"] for r in data)
    # The older label table (PMC4994468) confirms the current site's grade 4 rule.
    assert {s["source"]["id"] for r in data for s in r["sources"]} == {
        "tkgr:source-article", "tkgr:source-blincytohcp-adjustments", "tkgr:source-pmc4994468"}
    grade3 = run(gq, """{ doseModificationRules(therapy: "blinatumomab", event: "cytokine-release-syndrome", grade: 3) {
        sources { source { id } } actions { sequence kind { id } targetDose { value unit } after { value unit } } } }""")["doseModificationRules"]
    article = next(r for r in grade3 if r["sources"][0]["source"]["id"] == "tkgr:source-article")
    assert [(a["kind"]["id"], (a["targetDose"] or {}).get("value")) for a in article["actions"]] == [
        ("tkg:Interrupt", None), ("tkg:Restart", 9.0), ("tkg:Escalate", 28.0)]


def test_dose_and_rules_for_a_patient(gq):
    """The dose engine and the rule evaluator through the service: a 30 kg child in the MRD-positive setting, and grade 3 CRS."""
    doses = run(gq, """{ dose(therapy: "blinatumomab", setting: MRD_POSITIVE, patient: {weightKg: 30, heightCm: 130}, cycle: 1, day: 1) {
        status amount { value unit } caveats sources { id } } }""")["dose"]
    label = next(d for d in doses if d["sources"][0]["id"] == "tkgr:source-blincyto-label-later-pmc6368716")
    assert (label["status"], label["amount"], label["caveats"]) == ("DOSE", {"value": 15.6, "unit": "ug/d"}, [])
    rules = run(gq, """{ doseModification(therapy: "blinatumomab", setting: RELAPSED_REFRACTORY, patient: {weightKg: 30, heightCm: 130},
        event: "cytokine-release-syndrome", grade: 3, recurred: true) { rules actions { kind dose { value unit } } } }""")["doseModification"]
    small = next(r for r in rules if "tkgr:blina-rule-crs-g3-label-under-45kg" in r["rules"])
    # Recurred: no escalation; the restart is per m2 for this child.
    assert [(a["kind"], a["dose"]) for a in small["actions"]] == [
        ("tkg:Interrupt", None), ("tkg:GiveDrug", {"value": 5.2, "unit": "mg"}), ("tkg:Restart", {"value": 5.2, "unit": "ug/d"})]


def test_alternatives_with_applicability(gq):
    data = run(gq, """{ alternatives(to: "blinatumomab", setting: RELAPSED_REFRACTORY) {
        applicable reason therapy { id } } }""")["alternatives"]
    by_id = {a["therapy"]["id"]: a for a in data}
    assert len(by_id) == 6
    assert by_id["tkgr:nelarabine"]["applicable"] is False and "T-cell" in by_id["tkgr:nelarabine"]["reason"]
    assert by_id["tkgr:inotuzumab-ozogamicin"]["applicable"] is True


def test_node_resolves_any_resource(gq):
    query = "query($id: ID!) { node(id: $id) { __typename id label } }"
    cases = {"tkgr:blinatumomab": "Therapy", "tkgr:trial-tower": "ClinicalTrial", "tkgr:source-article": "Source",
             "tkgr:blina-rr-adult": "Regimen", "tkgr:conflict-blina-neuro-incidence": "Conflict",
             "tkg:CD19": "Concept", "tkgr:pop-under-45kg": "Population"}
    for identifier, typename in cases.items():
        assert run(gq, query, id=identifier)["node"]["__typename"] == typename, identifier
    assert run(gq, query, id="tkgr:nothing-here")["node"] is None


def test_claims_carry_sources_and_disputes(gq):
    data = run(gq, """{ adverseEvents(therapy: "blinatumomab") { id anyGrade { text } disputed
        sources { section articleReferences source { id title } } conflicts { kind { id } } } }""")["adverseEvents"]
    neuro = next(a for a in data if a["id"] == "tkgr:blina-ar-neuro-article")
    assert neuro["anyGrade"]["text"] == "50 %" and neuro["disputed"] is True
    assert neuro["sources"][0]["articleReferences"] == [1]
    assert neuro["conflicts"][0]["kind"]["id"] == "tkg:DifferentReportedValues"
    label = next(a for a in data if a["id"] == "tkgr:blina-ar-neuro-label")
    assert label["anyGrade"]["text"] == "~ 65 %"


COMPARE = """query($ids: [ID!]!, $aspects: [Aspect!]) { compareTherapies(ids: $ids, aspects: $aspects) {
  therapies { id } rows { aspect label comparable note cells { therapy status note
    values { text disputed quantity { value lower upper unit } hazardRatio pValue context { trial population combination }
             sources { source { id } articleReferences } } } } } }"""
FOUR = ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel"]


def _row(result, label):
    return next(r for r in result["rows"] if r["label"] == label)


def _values(row, therapy):
    cell = next(c for c in row["cells"] if c["therapy"] == therapy)
    return cell, cell["values"]


def test_compare_four_therapies_shows_the_sources_figures(gq):
    result = run(gq, COMPARE, ids=FOUR)["compareTherapies"]
    assert [t["id"] for t in result["therapies"]] == [f"tkgr:{t}" for t in FOUR]
    crcri = _row(result, "CR/CRi rate")
    assert crcri["comparable"] is False and "not directly comparable" in crcri["note"]
    _, blina = _values(crcri, "tkgr:blinatumomab")
    assert blina[0]["quantity"] == {"value": None, "lower": 34.0, "upper": 44.0, "unit": "%"}
    assert blina[0]["sources"] == [{"source": {"id": "tkgr:source-article"}, "articleReferences": [1]}]
    _, ino = _values(crcri, "tkgr:inotuzumab-ozogamicin")
    assert ino[0]["quantity"]["value"] == 73.8 and ino[0]["context"]["trial"] == "INO-VATE ALL"
    assert ino[0]["sources"][0]["source"]["id"] == "tkgr:source-pmc6618133"
    _, brexu = _values(crcri, "tkgr:brexucabtagene-autoleucel")
    assert 70.9 in {v["quantity"]["value"] for v in brexu}
    cell, _ = _values(crcri, "tkgr:tisagenlecleucel")
    assert cell["status"] == "NOT_REPORTED"
    assert cell["note"] == "not reported in the sources (reported under a related endpoint: overall remission rate)"
    _, tisa = _values(_row(result, "overall remission rate"), "tkgr:tisagenlecleucel")
    assert 81.0 in {v["quantity"]["value"] for v in tisa}
    _, os_ = _values(_row(result, "median overall survival"), "tkgr:blinatumomab")
    assert (os_[0]["quantity"]["value"], os_[0]["hazardRatio"], os_[0]["pValue"]) == (7.7, 0.71, 0.01)
    neuro = _row(result, "neurological toxicity")
    _, values = _values(neuro, "tkgr:blinatumomab")
    assert {(v["quantity"]["value"], v["disputed"]) for v in values} == {(50.0, True), (65.0, True)}
    _, pfs = _values(_row(result, "5-year progression-free survival"), "tkgr:inotuzumab-ozogamicin")
    assert pfs[0]["context"]["combination"] == "mini-hyper-CVD" and pfs[0]["quantity"]["value"] == 44.0


INTERVALS = """query($ids: [ID!]!) { compareTherapies(ids: $ids, aspects: [EFFICACY]) { rows { label cells { therapy
  values { text medianNotReached quantity { value } confidenceInterval { lower upper upperNotEstimable text }
           comparatorConfidenceInterval { lower upper } hazardRatioConfidenceInterval { lower upper } claim } } } } }"""


def test_compare_gives_confidence_intervals_and_medians_not_reached(gq):
    """The 95% CIs are numbers (INO-VATE's arms, TOWER's hazard ratio); ELIANA's median OS
    and ZUMA-3's median duration of CR were not reached (alternatives.md, sections 1-3)."""
    result = run(gq, INTERVALS, ids=FOUR)["compareTherapies"]
    by_claim = {v["claim"]: v for r in result["rows"] for c in r["cells"] for v in c["values"]}
    crcri = by_claim["tkgr:ino-vate-cr-cri-primary"]
    assert (crcri["confidenceInterval"], crcri["comparatorConfidenceInterval"]) == (
        {"lower": 72.1, "upper": 87.7, "upperNotEstimable": False, "text": "95% CI 72.1-87.7"}, {"lower": 21.0, "upper": 38.8})
    assert by_claim["tkgr:tower-os-nejm"]["hazardRatioConfidenceInterval"] == {"lower": 0.55, "upper": 0.93}
    assert by_claim["tkgr:itcc-059-duration-cr"]["confidenceInterval"] == {
        "lower": 2.6, "upper": None, "upperNotEstimable": True, "text": "95% CI 2.6-NE"}
    for claim in ("tkgr:eliana-median-os", "tkgr:zuma-3-docr-fda"):
        value = by_claim[claim]
        assert (value["medianNotReached"], value["quantity"], value["text"]) == (True, None, "not reached"), claim
    assert by_claim["tkgr:ino-vate-median-os"]["medianNotReached"] is False


def test_compare_shows_nelarabine_not_applicable(gq):
    result = run(gq, COMPARE, ids=["blinatumomab", "nelarabine"], aspects=["APPLICABILITY"])["compareTherapies"]
    _, values = _values(result["rows"][0], "tkgr:nelarabine")
    assert values[0]["text"].startswith("not applicable to Philadelphia chromosome-negative B-cell precursor ALL")
    assert "T-cell ALL" in values[0]["text"]


@pytest.mark.parametrize(("args", "dose", "unit", "capped"), [
    ({"regimen": "blina-rr-adult", "weightKg": 60, "cycle": 1, "day": 8}, 28, "ug/d", False),
    ({"regimen": "blina-rr-adult", "weightKg": 60, "cycle": 1, "day": 3}, 9, "ug/d", False),
    ({"regimen": "blina-pediatric-bsa", "weightKg": 30, "cycle": 1, "day": 3, "bodySurfaceAreaM2": 1.0}, 5, "ug/d", False),
    ({"regimen": "blina-pediatric-bsa", "weightKg": 40, "cycle": 1, "day": 3, "bodySurfaceAreaM2": 2.0}, 9, "ug/d", True),
    ({"regimen": "blina-pediatric-bsa", "weightKg": 40, "cycle": 2, "day": 20, "bodySurfaceAreaM2": 1.2}, 18, "ug/d", False),
])
def test_dose_calculation(gq, args, dose, unit, capped):
    query = """query($regimen: ID!, $weightKg: Float!, $cycle: Int!, $day: Int!, $bodySurfaceAreaM2: Float, $heightCm: Float) {
      doseCalculation(regimen: $regimen, weightKg: $weightKg, cycle: $cycle, day: $day, bodySurfaceAreaM2: $bodySurfaceAreaM2, heightCm: $heightCm) {
        dose unit capped rule sources { source { id } } } }"""
    result = run(gq, query, **args)["doseCalculation"]
    assert (result["dose"], result["unit"], result["capped"]) == (dose, unit, capped)
    assert result["sources"][0]["source"]["id"] == "tkgr:source-article"


def test_dose_from_height_uses_mosteller(gq):
    result = run(gq, """{ doseCalculation(regimen: "blina-pediatric-bsa", weightKg: 36, heightCm: 100, cycle: 1, day: 3) {
        dose bodySurfaceAreaM2 bsaFormula } }""")["doseCalculation"]
    assert result["bodySurfaceAreaM2"] == 1.0 and result["dose"] == 5 and "Mosteller" in result["bsaFormula"]


@pytest.mark.parametrize(("args", "message"), [
    ('regimen: "blina-rr-adult", weightKg: 60, cycle: 1, day: 35', "day 35 is outside cycle 1"),
    ('regimen: "blina-pediatric-bsa", weightKg: 30, cycle: 1, day: 3', "give bodySurfaceAreaM2, or heightCm"),
    ('regimen: "blina-rr-adult", weightKg: 30, cycle: 1, day: 3', "outside this regimen's population"),
    ('regimen: "blina-rr-adult", weightKg: -5, cycle: 1, day: 3', "not a plausible body weight"),
    ('regimen: "blina-rr-adult", weightKg: 60, cycle: 9, day: 3', "cycle 9 is not part of"),
    ('regimen: "blina-pediatric-phase12-mg", weightKg: 30, cycle: 1, day: 3, bodySurfaceAreaM2: 1', "probably wrong in its source"),
    ('regimen: "blinatumomab", weightKg: 60, cycle: 1, day: 3', "is not a dosing regimen"),
])
def test_dose_calculation_errors(gq, args, message):
    with pytest.raises(TransportQueryError) as caught:
        run(gq, f"{{ doseCalculation({args}) {{ dose }} }}")
    assert message in caught.value.errors[0]["message"]


@pytest.mark.parametrize(("query", "message"), [
    ('{ doseModificationRules(therapy: "blinatumomab", event: "cytokine-release-syndrome", grade: 7) { id } }', "CTCAE grade"),
    ('{ doseModification(therapy: "blinatumomab", setting: RELAPSED_REFRACTORY, patient: {weightKg: 70}, '
     'event: "cytokine-release-syndrome", grade: 7) { rules } }', "grade must be"),
    ('{ dose(therapy: "blinatumomab", setting: RELAPSED_REFRACTORY, patient: {weightKg: 0}, cycle: 1, day: 1) { status } }',
     "plausible body weight"),
    ('{ compareTherapies(ids: ["blinatumomab", "tkgr:trial-tower"]) { rows { label } } }', "not a therapy"),
    ('{ compareTherapies(ids: ["blinatumomab"]) { rows { label } } }', "at least two"),
    ('{ therapies(first: 1000) { totalCount } }', "first must be between"),
    ('{ therapies(after: "bogus") { totalCount } }', "not a cursor"),
    ('{ therapy(id: "tkgr:has space") { id } }', "not a valid id"),
])
def test_bad_arguments_get_clear_errors(gq, query, message):
    with pytest.raises(TransportQueryError) as caught:
        run(gq, query)
    assert message in caught.value.errors[0]["message"]


def test_query_limits(client):
    deep = "{ therapy(id: \"blinatumomab\") " + "{ indications { therapy " * 6 + "{ id }" + " } }" * 6 + " }"
    response = client.post("/graphql", json={"query": deep})
    assert "exceeds maximum operation depth" in response.json()["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: therapy(id: \"blinatumomab\") {{ id }}" for i in range(40)) + " }"
    response = client.post("/graphql", json={"query": aliases})
    assert "aliases" in response.json()["errors"][0]["message"]
    tokens = "{ " + " ".join("__typename" for _ in range(2500)) + " }"
    response = client.post("/graphql", json={"query": tokens})
    assert "token" in response.json()["errors"][0]["message"].lower()


def test_graphql_answers_equal_sparql_answers(gq, graph):
    """Competency questions with a GraphQL form give the same answer both ways."""
    def sparql(name, **params):
        q = LIB[name]
        return graph.select(q.text, substitutions=q.substitutions({k: str(v) for k, v in params.items()}))

    cd19 = run(gq, '{ therapies(filter: {target: "CD19"}, first: 100) { edges { node { id } } } }')["therapies"]["edges"]
    assert {e["node"]["id"].split(":")[1] for e in cd19} == {r["therapy"].value.rsplit("/", 1)[1] for r in sparql("therapies-of-class")}
    dates = {i["approvalDate"] for i in run(gq, '{ indications(therapy: "blinatumomab") { approvalDate } }')["indications"]}
    assert dates == {r["approvalDate"].value if "approvalDate" in r else None for r in sparql("indications")}
    alternatives = run(gq, '{ alternatives(to: "blinatumomab", setting: RELAPSED_REFRACTORY) { applicable therapy { id } } }')["alternatives"]
    assert {(a["therapy"]["id"].split(":")[1], a["applicable"]) for a in alternatives} == {
        (r["alternative"].value.rsplit("/", 1)[1], r["applicability"].value.endswith("/Applicable")) for r in sparql("alternatives")}
    for weight, cycle, day in [(60, 1, 3), (60, 1, 8), (60, 4, 20), (45, 2, 1)]:
        g = run(gq, f'{{ doseCalculation(regimen: "blina-rr-adult", weightKg: {weight}, cycle: {cycle}, day: {day}) {{ dose unit }} }}')["doseCalculation"]
        s = sparql("dose-on-day", weightKg=weight, cycle=cycle, day=day)
        assert [(float(r["dose"].value), r["unit"].value) for r in s] == [(g["dose"], g["unit"])]
    trials = {t["registryId"] for t in run(gq, "{ trials { registryId } }")["trials"]}
    assert trials == {r["registryId"].value for r in sparql("trials") if "registryId" in r}


SCOPED = """query($population: String, $setting: String) { compareTherapies(ids: ["blinatumomab", "inotuzumab-ozogamicin"],
  aspects: [INDICATIONS], population: $population, setting: $setting) { rows { cells { therapy values { claim } } } } }"""


def test_compare_scoped_by_population_and_setting(gq):
    """Pediatric leaves out the adults-only BESPONSA indications (US 2017 and EU SmPC) and keeps ITCC-059's;
    consolidation leaves out blinatumomab's relapsed/refractory and MRD-positive indications."""
    def claims(**scope):
        result = run(gq, SCOPED, **scope)["compareTherapies"]
        return {v["claim"] for r in result["rows"] for c in r["cells"] for v in c["values"]}
    everything, children = claims(), claims(population="pediatric")
    assert everything - children == {"tkgr:ino-indication-us-adult-2017", "tkgr:ino-indication-eu"}
    assert "tkgr:ino-indication-us-pediatric-2024" in children
    assert claims(setting="consolidation") == {"tkgr:blina-indication-consolidation"}
    with pytest.raises(TransportQueryError, match="population 'elderly' is not one of adult, pediatric"):
        run(gq, SCOPED, population="elderly")
