"""GraphQL conventions (in process): every error has an ``extensions.code``;
one bad id nulls only its own root field; CORS preflights from GraphQL
clients; ETags on GET; the SDL over HTTP; persisted operations and the
allow-list-only mode."""

from __future__ import annotations

import json

import pytest
from graphql import build_schema, parse, validate

from therapykg import paths
from therapykg.api.graphql.persisted import PERSISTED_DIR, persisted, sha256
from therapykg.api.graphql.schema import schema

from .conftest import in_process


def _codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("request_", "status", "code", "message"), [
    ({"query": '{ monitoring(therapy: "blinatumomb") { id } }'}, 200, "BAD_USER_INPUT", "not a therapy"),
    ({"query": '{ therapies(first: 1000) { totalCount } }'}, 200, "BAD_USER_INPUT", "first must be between"),
    ({"query": "query($n: Int) { therapies(first: $n) { totalCount } }", "variables": {"n": "x"}}, 400, "BAD_USER_INPUT",
     "Variable '$n' has invalid value"),
    ({"query": "{ therapy(id: "}, 400, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
    ({"query": "{ nothingHere }"}, 400, "GRAPHQL_VALIDATION_FAILED", "Cannot query field 'nothingHere'"),
    ({"query": "{ " + "__typename " * 2500 + "}"}, 400, "QUERY_TOO_COMPLEX", "query has more than the limit of 2000 tokens"),
    ({"query": "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"}, 400, "QUERY_TOO_COMPLEX",
     "query has 31 aliases, more than the limit of 30"),
    ({"query": "{ __typename }", "variables": {"a": json.loads('{"b":' * 40 + "1" + "}" * 40)}}, 400, "QUERY_TOO_COMPLEX",
     "JSON nested more than the limit"),
    ({"query": "query A { __typename }", "operationName": "B"}, 400, "BAD_REQUEST", 'Unknown operation named "B"'),
    ({"id": "no-such-operation"}, 400, "PERSISTED_QUERY_NOT_FOUND", "No persisted operation 'no-such-operation'"),
    ({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}, 400, "PERSISTED_QUERY_NOT_FOUND",
     "PersistedQueryNotFound"),
])
def test_every_error_has_a_code(app_client, request_, status, code, message):
    response = app_client.post("/graphql", json=request_)
    assert response.status_code == status, response.text
    assert _codes(response) == [code]
    assert message in response.json()["errors"][0]["message"]


def test_unreadable_bodies_have_a_code(app_client):
    response = app_client.post("/graphql", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400 and _codes(response) == ["BAD_REQUEST"]
    response = app_client.post("/graphql", content=b"x", headers={"content-type": "text/plain"})
    assert response.status_code == 400 and _codes(response) == ["BAD_REQUEST"]


def test_internal_errors_are_masked_with_a_code(app_client, monkeypatch):
    from therapykg.domain import catalog

    async def broken(*args, **kwargs):
        raise RuntimeError("engine detail: /srv/secret")

    monkeypatch.setattr(catalog, "alternatives", broken)
    response = app_client.post("/graphql", json={"query": '{ alternatives(to: "nelarabine") { reason } trials { id } }'})
    body = response.json()
    assert response.status_code == 200 and body["data"]["alternatives"] is None and body["data"]["trials"]
    assert body["errors"] == [{"message": "Unexpected error.", "locations": [{"line": 1, "column": 3}], "path": ["alternatives"],
                               "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    assert "secret" not in response.text


def test_engine_busy_and_timeouts_in_resolvers_are_coded_for_retry():
    from graphql import located_error

    from therapykg.api.graphql.errors import ErrorCodes
    from therapykg.store.errors import EngineBusy, QueryTimeout

    codes = ErrorCodes()
    assert codes.anonymise_error(located_error(EngineBusy("busy"), None, ["trials"])).extensions == {"code": "SERVICE_UNAVAILABLE"}
    assert codes.anonymise_error(located_error(QueryTimeout("slow"), None, ["trials"])).extensions == {"code": "TIMEOUT"}


def test_one_bad_id_does_not_null_its_siblings(app_client):
    query = """{ good: therapy(id: "blinatumomab") { id }
                 bad: monitoring(therapy: "blinatumomb") { id }
                 dose(therapy: "tisagenlecleucl", setting: RELAPSED_REFRACTORY, patient: {weightKg: 60}, cycle: 1, day: 1) { status }
                 alternatives(to: "blinatumomab", setting: RELAPSED_REFRACTORY) { applicable } }"""
    response = app_client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["good"] == {"id": "tkgr:blinatumomab"}
    assert body["data"]["bad"] is None and body["data"]["dose"] is None
    assert len(body["data"]["alternatives"]) == 6
    errors = {tuple(e["path"]): e for e in body["errors"]}
    assert set(errors) == {("bad",), ("dose",)}
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors.values())
    # The unknown id says so, naming the closest known one.
    assert "not a therapy" in errors[("bad",)]["message"] and "blinatumomab" in errors[("bad",)]["message"]
    assert "not a therapy" in errors[("dose",)]["message"] and "tisagenlecleucel" in errors[("dose",)]["message"]


@pytest.mark.parametrize(("field", "closest"), [
    ('compareTherapies(ids: ["blinatumomab", "inotuzumab-ozogamicn"]) { therapies { id } }', "inotuzumab-ozogamicin"),
    ('indications(therapy: "nelarabin") { id }', "nelarabine"),
    ('doseModificationRules(therapy: "blinatumomab", event: "cytokine-release-syndrom", grade: 3) { id }', "cytokine-release-syndrome"),
    ('doseCalculation(regimen: "blina-rr-adlt", weightKg: 60, cycle: 1, day: 1) { dose }', "blina-rr-adult"),
])
def test_unknown_ids_name_the_closest(app_client, field, closest):
    response = app_client.post("/graphql", json={"query": f"{{ trials {{ registryId }} x: {field} }}"})
    body = response.json()
    assert response.status_code == 200 and body["data"]["x"] is None and len(body["data"]["trials"]) == 7
    (error,) = body["errors"]
    assert error["path"] == ["x"] and error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a" in error["message"] and closest in error["message"], error["message"]


def test_cors_preflight_accepts_graphql_clients_headers(app_client):
    headers = "content-type, accept, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, " \
              "apollographql-client-version, x-request-id"
    response = app_client.options("/graphql", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": headers})
    assert response.status_code == 200, response.text
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in headers.split(",")} <= allowed
    answer = app_client.get("/graphql", params={"query": "{ __typename }"}, headers={"Origin": "https://app.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "etag" in answer.headers["access-control-expose-headers"].lower()  # scripts may read the ETag


def test_get_has_etag_and_cache_control_and_answers_304(app_client):
    params = {"query": 'query($id: ID!) { therapy(id: $id) { label } }', "variables": json.dumps({"id": "blinatumomab"})}
    first = app_client.get("/graphql", params=params, headers={"accept": "application/json"})
    assert first.status_code == 200 and first.json()["data"]["therapy"]["label"]
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = app_client.get("/graphql", params=params, headers={"accept": "application/json", "if-none-match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    other = app_client.get("/graphql", params={**params, "variables": json.dumps({"id": "nelarabine"})},
                           headers={"accept": "application/json", "if-none-match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    # A refusal is not cached; POST answers carry no ETag.
    refused = app_client.get("/graphql", params={"query": "{ nope }"}, headers={"accept": "application/json"})
    assert refused.status_code == 400 and "etag" not in refused.headers
    assert "etag" not in app_client.post("/graphql", json={"query": "{ __typename }"}).headers
    # Without an operation a browser still gets GraphiQL.
    assert "GraphiQL" in app_client.get("/graphql", headers={"accept": "text/html"}).text


def test_sdl_is_served_as_committed(app_client):
    response = app_client.get("/graphql/schema.graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == (paths.ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert response.text.endswith(schema.as_str() + "\n")
    assert app_client.get("/graphql/schema.graphql", headers={"accept": "application/graphql"}) \
        .headers["content-type"].startswith("application/graphql")
    etag = response.headers["etag"]
    assert app_client.get("/graphql/schema.graphql", headers={"if-none-match": etag}).status_code == 304


def test_persisted_documents_are_valid_against_the_schema():
    documents = persisted().by_id
    assert {"compare-four", "therapy-page", "dose"} <= set(documents)
    sdl = build_schema(schema.as_str())
    for name, text in documents.items():
        assert validate(sdl, parse(text)) == [], name
    assert sorted(p.stem for p in PERSISTED_DIR.glob("*.graphql")) == sorted(documents)


def test_persisted_operation_by_id_with_variables(app_client):
    variables = {"therapy": "blinatumomab", "setting": "MRD_POSITIVE", "weightKg": 30, "heightCm": 130, "cycle": 1, "day": 1}
    params = {"id": "dose", "variables": json.dumps(variables)}
    response = app_client.get("/graphql", params=params)  # Accept */*: the operation, not GraphiQL
    assert response.status_code == 200, response.text
    doses = response.json()["data"]["dose"]
    label = next(d for d in doses if d["sources"][0]["id"] == "tkgr:source-blincyto-label-later-pmc6368716")
    assert (label["status"], label["amount"]["value"], label["amount"]["unit"]) == ("DOSE", 15.6, "ug/d")
    assert response.headers["cache-control"].startswith("public") and response.headers["etag"]
    assert app_client.get("/graphql", params=params, headers={"if-none-match": response.headers["etag"]}).status_code == 304
    # The same by documentId, in a POST body, and by Apollo's hash.
    by_body = app_client.post("/graphql", json={"documentId": "dose", "variables": variables})
    assert by_body.json() == response.json()
    digest = sha256(persisted().by_id["dose"])
    apq = app_client.get("/graphql", params={"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}}),
                                             "variables": json.dumps(variables)})
    assert apq.json() == response.json()
    compared = app_client.get("/graphql", params={"id": "compare-four", "variables": json.dumps({"aspects": ["EFFICACY"]})})
    assert [t["id"] for t in compared.json()["data"]["compareTherapies"]["therapies"]] == [
        "tkgr:blinatumomab", "tkgr:inotuzumab-ozogamicin", "tkgr:tisagenlecleucel", "tkgr:brexucabtagene-autoleucel"]
    page = app_client.get("/graphql", params={"id": "therapy-page", "variables": json.dumps({"id": "blinatumomab", "cycle": 2})})
    assert "errors" not in page.json() and page.json()["data"]["therapy"]["brandNames"] == ["BLINCYTO"]


def test_unknown_persisted_operation(app_client):
    response = app_client.get("/graphql", params={"id": "compare-five"})
    assert response.status_code == 400 and _codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "compare-four" in response.json()["errors"][0]["message"]  # lists the ones there are
    both = app_client.post("/graphql", json={"id": "dose", "query": "{ __typename }"})
    assert both.status_code == 400 and _codes(both) == ["BAD_REQUEST"]
    mismatch = app_client.post("/graphql", json={"query": "{ __typename }", "extensions": {"persistedQuery": {"sha256Hash": "ab"}}})
    assert mismatch.status_code == 400 and "does not match" in mismatch.json()["errors"][0]["message"]


def test_allow_list_only_mode(graph):
    with in_process(graph, graphql_persisted_only=True) as client:
        refused = client.post("/graphql", json={"query": "{ trials { id } }"})
        assert refused.status_code == 400 and _codes(refused) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert "runs only its persisted operations" in refused.json()["errors"][0]["message"]
        assert client.get("/graphql", params={"query": "{ trials { id } }"}).status_code == 400
        ran = client.get("/graphql", params={"id": "compare-four", "variables": json.dumps({"aspects": ["MECHANISM"]})})
        assert ran.status_code == 200 and ran.json()["data"]["compareTherapies"]["rows"]
        # The document itself is allowed, sent in full; and the SDL stays available for code generators.
        text = persisted().by_id["compare-four"]
        assert client.post("/graphql", json={"query": text, "variables": {"aspects": ["MECHANISM"]}}).status_code == 200
        assert client.get("/graphql/schema.graphql").status_code == 200
