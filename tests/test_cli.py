"""The command line through click's runner: exit codes and output."""

import json

import pytest
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


@pytest.mark.live  # SHACL and HermiT on the whole graph
def test_validate_reports_valid_graph():
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid:")


def test_compare_csv_has_source_markers():
    import csv
    import io

    result = run("compare", "blinatumomab", "inotuzumab-ozogamicin", "--aspect", "efficacy", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["aspect", "row", "tkgr:blinatumomab", "tkgr:inotuzumab-ozogamicin"]
    crcri = next(r for r in rows if r[1].startswith("CR/CRi rate"))
    # The article's joined range, flagged, beside the TOWER report's own endpoint.
    # eviQ 3404 gives TOWER's 44% vs 25% as CR+CRi (conflict C17): a second source, a second entry.
    assert crcri[2] == ("34-44 % vs 16-25 % (standard chemotherapy) (disputed) [1 ref 1]; "
                        "44 % vs 25 % (standard chemotherapy) [TOWER; phase III, randomized 2:1] (disputed) [2]; "
                        "44 % vs 25 % (standard chemotherapy) [TOWER; phase III, randomized 2:1] (disputed) [3]")
    # INO-VATE by analysis (conflict C2): the final report's rate for all 326, the primary analysis for the first 218.
    assert crcri[3] == ("73.8 % vs 30.9 % (standard chemotherapy) [INO-VATE ALL; randomized 1:1] (disputed) [4]; "
                        "80.7 % (95% CI 72.1-87.7) vs 29.4 % (95% CI 21-38.8) (standard chemotherapy) [INO-VATE ALL; randomized 1:1; 88/109] "
                        "(disputed) [5][6]")
    assert ["source", "[4] INO-VATE ALL trial report: inotuzumab ozogamicin versus standard chemotherapy in R/R B-ALL (PMC6618133) (tkgr:source-pmc6618133)"] in rows


def test_compare_json_and_markdown():
    result = run("compare", "blinatumomab", "nelarabine", "--aspect", "applicability", "--format", "json")
    data = json.loads(result.output)
    nelarabine = data["rows"][0]["cells"][1]
    assert nelarabine["therapy"] == "tkgr:nelarabine" and "not applicable" in nelarabine["values"][0]["text"]
    markdown = run("compare", "blinatumomab", "tisagenlecleucel", "--aspect", "safety", "--format", "markdown").output
    assert markdown.startswith("| aspect | row | blinatumomab | tisagenlecleucel |")
    assert "(not reported in the sources)" in markdown


def test_compare_rejects_unknown_ids_and_aspects():
    assert run("compare", "blinatumomab", "tkgr:trial-tower").exit_code == 2
    assert run("compare", "blinatumomab", "nelarabine", "--aspect", "taste").exit_code == 2


def test_dose_command():
    """The MRD-positive child of the defect report: the label's course and the article's unscoped schedule, each with its source."""
    import json

    result = run("dose", "--therapy", "blinatumomab", "--setting", "mrd-positive", "--weight", "30", "--height", "130",
                 "--cycle", "1", "--day", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    answers = {a["regimen"]: a for a in json.loads(result.output)}
    label = answers["tkgr:blina-label-later-mrd-under-45kg"]
    assert (label["status"], label["amount"], label["bodySurfaceAreaM2"]) == ("DOSE", {"value": 15.6, "unit": "ug/d"}, 1.04)
    article = answers["tkgr:blina-pediatric-bsa"]
    assert article["amount"] == {"value": 5.2, "unit": "ug/d"} and "no clinical setting" in article["caveats"][0]
    table = run("dose", "--therapy", "blinatumomab", "--setting", "relapsed-refractory", "--weight", "60", "--cycle", "1", "--day", "40")
    assert table.exit_code == 0 and "TREATMENT_FREE" in table.output
    bad = run("dose", "--therapy", "blinatumomab", "--setting", "relapsed-refractory", "--weight", "-3", "--cycle", "1", "--day", "1")
    assert bad.exit_code == 2 and "plausible body weight" in bad.output


@pytest.mark.live  # the whole build, HermiT included
def test_build_from_folders_outside_the_checkout(tmp_path):
    """Input folders anywhere, apart and renamed, build the same graph version."""
    import shutil

    from therapykg import paths
    from therapykg.loader import load_inputs

    ontology, data = tmp_path / "a" / "owl", tmp_path / "b" / "c" / "curated"
    shutil.copytree(paths.ONTOLOGY_DIR, ontology)
    shutil.copytree(paths.DATA_DIR, data)
    out = tmp_path / "release"
    result = run("build", "--ontology-dir", str(ontology), "--data-dir", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert load_inputs().version in result.output
    assert json.loads((out / "manifest.json").read_text())["version"] == load_inputs().version


def test_serve_hands_the_connection_limits_to_uvicorn(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setenv("THERAPYKG_STORE", "memory")  # serve exports its flags: undone after the test
    monkeypatch.setenv("THERAPYKG_MAX_HEADER_BYTES", "4096")
    assert run("serve", "--workers", "2").exit_code == 0
    options = calls[0]
    assert options["workers"] == 2 and options["limit_concurrency"] == 512 and options["timeout_keep_alive"] == 5
    assert options["http"].keywords == {"max_head_bytes": 4096, "head_timeout": 10}
    monkeypatch.setenv("THERAPYKG_HEADER_TIMEOUT", "0")
    refused = run("serve")
    assert refused.exit_code == 2 and "invalid setting" in refused.output and len(calls) == 1
