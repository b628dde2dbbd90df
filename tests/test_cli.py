"""The command line through click's runner: exit codes and output."""

import json

from click.testing import CliRunner

from therapykg.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_query_library_by_name_with_parameters():
    result = run("query", "dose-on-day", "--format", "json",
                 "-p", "weightKg=60", "-p", "cycle=1", "-p", "day=8", "-p", "setting=tkg:RelapsedRefractory")
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.output)["results"]["bindings"]
    assert {(b["dose"]["value"], b["unit"]["value"]) for b in bindings} == {("28", "ug/d")}


def test_query_from_stdin_as_csv():
    result = run("query", "-", "--format", "csv",
                 input="SELECT ?id WHERE { tkgr:trial-tower tkg:registryId ?id }")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["id", "NCT02013167"]


def test_malformed_query_exits_2_with_position():
    result = run("query", "-", input="SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 2
    assert "malformed SPARQL query" in result.output and "1:" in result.output


def test_bad_parameter_exits_2():
    result = run("query", "dose-on-day", "-p", "weightKg=heavy")
    assert result.exit_code == 2
    assert "'weightKg'" in result.output and "not a number" in result.output


def test_queries_lists_the_library():
    result = run("queries")
    assert result.exit_code == 0
    assert "dose-on-day" in result.output


def test_validate_reports_valid_graph():
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid:")
