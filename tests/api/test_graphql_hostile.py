"""Hostile GraphQL requests: each is refused quickly with a client error in
the GraphQL shape (in process, and on a live server), and a live server keeps
answering everyone else meanwhile."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from therapykg.testing import HEAVY_GRAPHQL as HEAVY
from therapykg.testing import start_server, stop_server, wait_until

# 24 fragments, each spreading the previous one twice: 2^23 copies of F1's two fields.
FRAGMENT_BOMB = "query { ...F24 } fragment F1 on Query { therapies { totalCount } } " + " ".join(
    f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(2, 25))
# Within the token limit, the most work for graphql-core's overlapping-fields rule
# (pairwise comparisons of the same composite field).
OVERLAP_BOMB = "{ " + "therapies { totalCount } " * 499 + "}"


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[math.ceil(0.99 * len(ordered)) - 1]


def _healthz_while(server: str, attack: Callable[[httpx.Client, int], httpx.Response], *, samples: int = 100,
                   budget: float = 12.0) -> tuple[list[float], list[tuple[int | None, float, str]]]:
    """/healthz latencies while ``attack`` runs again and again in a thread,
    and the attack's answers (status, seconds, body)."""
    stop, answers = threading.Event(), []

    def attacker():
        with httpx.Client(base_url=server, timeout=8) as c:
            attempt = 0
            while not stop.is_set():
                attempt += 1
                start = time.perf_counter()
                try:
                    response = attack(c, attempt)
                    answers.append((response.status_code, time.perf_counter() - start, response.text[:300]))
                except httpx.TimeoutException:
                    answers.append((None, time.perf_counter() - start, "timed out"))

    thread = threading.Thread(target=attacker, daemon=True)
    thread.start()
    latencies: list[float] = []
    end = time.monotonic() + budget
    with httpx.Client(base_url=server, timeout=2) as c:
        time.sleep(0.05)
        while len(latencies) < samples and time.monotonic() < end:
            start = time.perf_counter()
            try:
                c.get("/healthz").raise_for_status()
                latencies.append(time.perf_counter() - start)
            except httpx.TimeoutException:
                latencies.append(math.inf)
            time.sleep(0.01)
    stop.set()
    thread.join(10)
    return latencies, answers


def _post(c: httpx.Client, query: str, attempt: int) -> httpx.Response:
    # A comment makes each document new to the parser and validation caches.
    return c.post("/graphql", json={"query": f"{query}\n# {attempt}"})


@pytest.mark.live  # /healthz latency on a real server while the attack runs
def test_a_fragment_bomb_is_refused_quickly_while_health_answers(server):
    latencies, answers = _healthz_while(server, lambda c, attempt: _post(c, FRAGMENT_BOMB, attempt))
    assert answers and all(status == 400 and seconds < 1 for status, seconds, _ in answers), answers[:3]
    assert "query has 16777216 fields after expanding fragments, more than the limit of 2000" in answers[0][2]
    assert len(latencies) == 100 and _p99(latencies) < 0.1, sorted(latencies)[-5:]


@pytest.mark.live  # /healthz latency on a real server while the attack runs
def test_long_executions_run_off_the_event_loop(server):
    latencies, answers = _healthz_while(server, lambda c, attempt: _post(c, HEAVY, attempt))
    assert answers and all(status == 200 for status, _, _ in answers), answers[:1]
    assert len(latencies) == 100 and _p99(latencies) < 0.1, sorted(latencies)[-5:]


@pytest.mark.parametrize(("query", "message"), [
    (FRAGMENT_BOMB, "query has 16777216 fields after expanding fragments, more than the limit of 2000"),
    ("query { ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }", "Cannot spread fragment 'A' within itself"),
    ("{" * 5000 + "}" * 5000, "query nests brackets more than the limit of 32 deep"),
    ("{ therapy(id: " + "[" * 5000 + "]" * 5000 + ") { id } }", "query nests brackets more than the limit of 32 deep"),
    ("{ " + "__typename " * 2500 + "}", "query has more than the limit of 2000 tokens"),
    ("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }", "query has 31 aliases, more than the limit of 30"),
    ('{ therapy(id: "blinatumomab") ' + "{ indications { therapy " * 5 + "{ id }" + " } }" * 5 + " }",
     "query nests selections 11 deep: exceeds maximum operation depth of 10"),
    (OVERLAP_BOMB, "comparing the query's overlapping fields takes more than the limit of 5000 steps"),
])
def test_limits_are_checked_before_the_work_they_bound(client, query, message):
    start = time.perf_counter()
    response = client.post("/graphql", json={"query": query})
    assert time.perf_counter() - start < 1
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["errors"][0]["message"]


def test_the_introspection_query_is_within_the_limits(client):
    from graphql import get_introspection_query

    query = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True,
                                    schema_description=True, input_value_deprecation=True, one_of=True)
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200 and "errors" not in response.json()


@pytest.mark.parametrize(("body", "message"), [
    (b"[" * 5000 + b"]" * 5000, "JSON nested more than the limit of 32 deep"),
    (b'{"query": "query($f: TherapyFilter) { therapies(filter: $f) { totalCount } }", "variables": {"f": '
     + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}}", "JSON nested more than the limit of 32 deep"),
    (b'{"query": "{ __typename }", "variables": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}",
     "JSON nested more than the limit of 32 deep"),
    (json.dumps({"query": "{a" * 5000 + "}" * 5000}).encode(), "query nests brackets more than the limit of 32 deep"),
    (b'{"query": "{ __typename \xff }"}', "Unable to parse request body as JSON"),
    (b"1", "The request body must be a JSON object."),
    (b"null", "The request body must be a JSON object."),
    (json.dumps({"query": "{ __typename }", "operationName": ["x"]}).encode(), "`operationName` must be a string or null"),
])
def test_unreadable_bodies_get_400_in_the_graphql_shape(client, body, message):
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["errors"][0]["message"]


def test_deep_variables_in_a_get_request_get_400(client):
    response = client.get("/graphql", params={"query": "{ __typename }", "variables": "[" * 1000 + "]" * 1000},
                          headers={"accept": "application/json"})
    assert response.status_code == 400
    assert "JSON nested more than the limit of 32 deep" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("query", "variables", "message"), [
    ("query($n: Int) { therapies(first: $n) { totalCount } }", {"n": "x"},
     "Variable '$n' has invalid value: Int cannot represent non-integer value: 'x'"),
    ('query($s: Setting) { alternatives(to: "blinatumomab", setting: $s) { applicable } }', {"s": 3},
     "Variable '$s' has invalid value: Enum 'Setting' cannot represent non-string value: 3."),
    ("query($i: ID!) { therapy(id: $i) { id } }", {"i": {"a": 1}}, "Variable '$i' has invalid value: ID cannot represent value"),
    ("query($i: ID!) { therapy(id: $i) { id } }", {}, "Variable '$i' has invalid value: Expected a value of non-null type 'ID!'"),
])
def test_variables_of_the_wrong_type_say_what_is_wrong(client, query, variables, message):
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


def test_errors_inside_resolvers_stay_masked():
    from graphql import GraphQLError, located_error

    from therapykg.api.graphql.schema import _should_mask
    from therapykg.domain.ids import UserInputError

    assert _should_mask(located_error(RuntimeError("engine detail"), None, ["therapy"]))
    assert _should_mask(GraphQLError("extension detail", original_error=KeyError("x")))
    assert not _should_mask(located_error(UserInputError("grade must be 1-5"), None, ["doseModification"]))
    assert not _should_mask(GraphQLError("Variable '$n' has invalid value", original_error=GraphQLError("Int cannot represent")))


def test_a_repeated_query_is_answered_from_the_cache(client):
    query = HEAVY + "\n# cache"
    start = time.perf_counter()
    first = client.post("/graphql", json={"query": query})
    uncached = time.perf_counter() - start
    start = time.perf_counter()
    second = client.post("/graphql", json={"query": query})
    cached = time.perf_counter() - start
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and b'"errors"' not in first.content
    assert cached < uncached / 3, (uncached, cached)


@pytest.fixture(scope="module")
def impatient_server():
    """A server whose query timeout a valid but long query outlives."""
    process, url = start_server("--timeout", "0.1", "--query-workers", "2")
    yield url
    stop_server(process)


@pytest.mark.live
def test_a_request_past_the_deadline_gets_503_and_the_service_recovers(impatient_server):
    response = httpx.post(impatient_server + "/graphql", json={"query": HEAVY}, timeout=10)
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/json"
    assert "did not finish within the limit of 0.1 s" in response.json()["errors"][0]["message"]
    light = '{ therapy(id: "blinatumomab") { label } }'

    def answered():
        answer = httpx.post(impatient_server + "/graphql", json={"query": light}, timeout=10)
        return answer.status_code == 200 and answer.json()["data"]["therapy"]["label"]

    assert wait_until(answered, timeout=10)
