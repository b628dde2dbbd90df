"""Third-party GraphQL tools against a live server: schemathesis generates
queries from the introspected schema for about a minute (no server errors,
every error with an ``extensions.code``), and graphql-codegen generates
TypeScript types from the SDL the service serves."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from therapykg import paths

pytestmark = pytest.mark.live

FUZZ_SECONDS = 60
ROUND_EXAMPLES = 8  # cases per operation and mode in each round; rounds go on until the time is up


def test_schemathesis_finds_no_server_errors_and_every_error_has_a_code(server):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    schema = schemathesis.graphql.from_url(server + "/graphql", timeout=30)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    counts = {"cases": 0, "errors": 0, "statuses": {}}

    def check(case) -> None:
        response = case.call(timeout=30)
        counts["cases"] += 1
        counts["statuses"][response.status_code] = counts["statuses"].get(response.status_code, 0) + 1
        label = f"{case.operation.label}: {json.dumps(case.body)[:400]}"
        if response.status_code >= 500:
            failures.append(f"{response.status_code} for {label}: {response.text[:300]}")
            return
        body = response.json()
        for error in body.get("errors") or []:
            counts["errors"] += 1
            if not isinstance(error.get("extensions"), dict) or not isinstance(error["extensions"].get("code"), str):
                failures.append(f"error without extensions.code for {label}: {error}")
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as failed:  # noqa: BLE001 (schemathesis reports its checks' failures as exceptions)
            failures.append(f"{type(failed).__name__} for {label}: {failed}"[:800])

    start = time.monotonic()
    end = start + FUZZ_SECONDS
    round_ = 0
    while time.monotonic() < end:
        round_ += 1
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if time.monotonic() >= end:
                    break

                @seed(round_)
                @settings(max_examples=ROUND_EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
                @given(case=operation.as_strategy(generation_mode=mode))
                def fuzz(case):
                    if time.monotonic() < end:
                        check(case)

                try:
                    fuzz()
                except Exception as unsatisfiable:  # noqa: BLE001 (a mode that cannot generate for this field)
                    if "Unsatisfiable" not in type(unsatisfiable).__name__:
                        raise
    elapsed = time.monotonic() - start
    print(f"schemathesis: {counts['cases']} cases over {len(operations)} root fields in {elapsed:.0f} s, "
          f"{counts['errors']} errors, statuses {counts['statuses']}")
    assert counts["cases"] >= 200, counts
    assert not failures, "\n".join(failures[:20])


@pytest.fixture(scope="module")
def codegen():
    binary = paths.ROOT / "frontend" / "node_modules" / ".bin" / "graphql-codegen"
    if not binary.exists() or shutil.which("node") is None:
        pytest.skip("run `npm install` in frontend/ (it installs @graphql-codegen/cli and @graphql-codegen/typescript)")
    return binary


@pytest.mark.parametrize("source", ["/graphql/schema.graphql", "/graphql"])
def test_graphql_codegen_generates_typescript_types(server, codegen, tmp_path, source):
    """From the SDL the service serves, and by introspection of the endpoint."""
    output = tmp_path / "types.ts"
    config = tmp_path / "codegen.json"
    config.write_text(json.dumps({"overwrite": True, "schema": server + source,
                                  "generates": {str(output): {"plugins": ["typescript"]}}}))
    done = subprocess.run([str(codegen), "--config", str(config)], cwd=paths.ROOT / "frontend", capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    types = output.read_text(encoding="utf-8")
    for name in ("export type Therapy = Resource & {", "export type Comparison = {", "export type DoseAnswer = {", "export type Query = {"):
        assert name in types, name
    assert "compareTherapies?: Maybe<Comparison>;" in types  # nullable: one bad id nulls only its own field
