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


def _rows_of(table: str) -> list[list[str]]:
    """The rows of a printed comparison table, each a list of cell texts (lines joined by newlines)."""
    rows: list[list[str]] = []
    current: list[list[str]] = []
    for line in table.splitlines():
        if line.startswith(("├", "└")) and current:
            rows.append(["\n".join(x for x in column if x) for column in zip(*current, strict=True)])
            current = []
        elif line.startswith("│"):
            current.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def test_compare_csv_is_one_tidy_table_and_sources_go_to_their_own_file(tmp_path):
    import csv
    import io

    from therapykg.compare_output import SOURCE_COLUMNS, TIDY_COLUMNS

    sources_file = tmp_path / "sources.csv"
    result = run("compare", "blinatumomab", "inotuzumab-ozogamicin", "--aspect", "efficacy", "--format", "csv",
                 "--sources", str(sources_file))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == TIDY_COLUMNS
    assert all(len(row) == len(TIDY_COLUMNS) and None not in row.values() for row in rows)  # one shape, no footnote rows
    # One row per value: the article's joined range and TOWER's rate as two sources report it (conflict C17).
    crcri = [r for r in rows if r["row"] == "CR/CRi rate" and r["therapy"] == "tkgr:blinatumomab"]
    assert [(r["value"], r["trial"], r["sources"]) for r in crcri] == [
        ("34-44 % vs 16-25 % (standard chemotherapy)", "", "tkgr:source-article"),
        ("44 % vs 25 % (standard chemotherapy)", "TOWER", "tkgr:source-tower-nejm-2017"),
        ("44 % vs 25 % (standard chemotherapy)", "TOWER", "tkgr:source-eviq-3404")]
    sources = list(csv.DictReader(io.StringIO(sources_file.read_text(encoding="utf-8"))))
    assert list(sources[0]) == SOURCE_COLUMNS
    assert [s["number"] for s in sources] == [str(n) for n in range(1, len(sources) + 1)]
    by_id = {s["id"]: s for s in sources}
    assert by_id["tkgr:source-pmc6618133"]["title"].startswith("INO-VATE ALL trial report")
    assert by_id["tkgr:source-pmc6618133"]["urls"] == "https://pmc.ncbi.nlm.nih.gov/articles/PMC6618133"
    assert {sid for r in rows for sid in r["sources"].split()} == set(by_id)


def test_compare_markdown_shows_a_value_several_sources_give_once():
    import re

    markdown = run("compare", "blinatumomab", "inotuzumab-ozogamicin", "--aspect", "efficacy", "--format", "markdown").output
    crcri = next(line for line in markdown.splitlines() if line.startswith("| pivotal trials and outcomes | CR/CRi rate"))
    blinatumomab, inotuzumab = re.split(r"(?<!\\)\|", crcri)[3:5]
    # TOWER's 44 % vs 25 %, from the NEJM report [2] and eviQ 3404 [3]: once, with both markers.
    assert blinatumomab.strip() == ("34-44 % vs 16-25 % (standard chemotherapy) (disputed) [1 ref 1]; "
                                    "44 % vs 25 % (standard chemotherapy) [TOWER; phase III, randomized 2:1] (disputed) [2][3]")
    # INO-VATE by analysis (conflict C2): different values stay apart.
    assert inotuzumab.strip() == ("73.8 % vs 30.9 % (standard chemotherapy) [INO-VATE ALL; randomized 1:1] (disputed) [4]; "
                                  "80.7 % (95% CI 72.1-87.7) vs 29.4 % (95% CI 21.0-38.8) (standard chemotherapy) "
                                  "[INO-VATE ALL; randomized 1:1; 88/109] (disputed) [5][6]")
    assert "- [4] INO-VATE ALL trial report: inotuzumab ozogamicin versus standard chemotherapy in R/R B-ALL (PMC6618133) (tkgr:source-pmc6618133)" in markdown


def test_compare_table_names_the_trial_and_shows_a_repeated_value_once():
    result = CliRunner().invoke(main, ["compare", "blinatumomab", "inotuzumab-ozogamicin", "--aspect", "efficacy"],
                                env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    rows = [[" ".join(cell.split()) for cell in row] for row in _rows_of(result.output)]

    def cells(label: str) -> list[str]:
        return next(row[1:] for row in rows if row[0].startswith(label))

    blinatumomab, inotuzumab = cells("CR/CRi rate *")
    assert blinatumomab.count("44 % vs 25 %") == 1
    assert "44 % vs 25 % (standard chemotherapy) (disputed) [2] [3] trial: TOWER; phase III, randomized 2:1" in blinatumomab
    assert "73.8 % vs 30.9 % (standard chemotherapy) (disputed) [4] trial: INO-VATE ALL; randomized 1:1" in inotuzumab
    median_os = cells("median overall survival *")
    assert "trial: TOWER" in median_os[0] and "trial: INO-VATE ALL" in median_os[1]
    # Nine copies of the same schedule (four sources, several claims each) are one value with their markers.
    schedule = run("compare", "blinatumomab", "inotuzumab-ozogamicin", "--aspect", "administration", "--format", "markdown").output
    assert schedule.count("28 days of continuous infusion in cycle 1") == 1


def test_compare_table_fits_80_columns_without_cutting_a_word():
    ids = ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel", "nelarabine"]
    result = CliRunner().invoke(main, ["compare", *ids], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "…" not in result.output
    assert max(len(line) for line in lines) <= 80
    assert sum("part " in line and " of 3" in line for line in lines) == 3  # five therapies, in three tables
    heads = " ".join(line for line in lines if line.startswith("┃"))
    assert all(word in heads for word in ("blinatumomab", "inotuzumab", "tisagenlecleucel", "brexucabtagene", "nelarabine"))
    assert any(line.startswith("[1] ") for line in lines)  # the footnotes, after the tables
    wide = CliRunner().invoke(main, ["compare", *ids], env={"COLUMNS": "200"})
    assert "…" not in wide.output and " of 3" not in wide.output and max(len(line) for line in wide.output.splitlines()) <= 200


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


@pytest.mark.parametrize("ids", [("BLINCYTO", "kymriah"), ("Blinatumomab", "KYMRIAH"), ("tkgr:BLINATUMOMAB", "tisagenlecleucel")])
def test_compare_takes_ids_in_any_case_and_brand_names(ids):
    result = run("compare", *ids, "--aspect", "modality", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [t["id"] for t in json.loads(result.output)["therapies"]] == ["tkgr:blinatumomab", "tkgr:tisagenlecleucel"]


def test_compare_takes_synonyms():
    result = run("compare", "HiDAC", "allogeneic HCT", "besponsa", "--aspect", "applicability", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [t["id"] for t in json.loads(result.output)["therapies"]] == [
        "tkgr:high-dose-cytarabine", "tkgr:allogeneic-hct", "tkgr:inotuzumab-ozogamicin"]


@pytest.mark.parametrize(("ids", "message"), [
    (("blinatumomob", "nelarabine"), "THERAPIES: tkgr:blinatumomob is not a therapy (did you mean blinatumomab?)"),
    (("cytarabin", "nelarabine"), "THERAPIES: tkgr:cytarabin is not a therapy (did you mean cytarabine, nelarabine or high-dose-cytarabine?)"),
    (("kymria", "nelarabine"), "(did you mean tisagenlecleucel (KYMRIAH)?)"),
    (("BLINCYT", "nelarabine"), "THERAPIES: tkgr:BLINCYT is not a therapy (did you mean blinatumomab (BLINCYTO)?)"),  # names match exactly
    (("blinatumomab", "tkgr:trial-tower"), "THERAPIES: tkgr:trial-tower is not a therapy"),
    (("BLINCYTO", "blinatumomab"), "THERAPIES: name at least two different therapies"),
])
def test_compare_suggests_the_closest_ids(ids, message):
    result = run("compare", *ids)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("spelling", ["adverse-events", "adverse_events", "adverse events", "ADVERSE_EVENTS", "Key adverse events"])
def test_compare_takes_aspects_as_people_spell_them(spelling):
    result = run("compare", "blinatumomab", "nelarabine", "--aspect", spelling, "--format", "json")
    assert result.exit_code == 0, result.output
    assert {row["aspect"] for row in json.loads(result.output)["rows"]} == {"key adverse events"}


@pytest.mark.parametrize(("args", "message"), [
    (("compare", "blinatumomab", "nelarabine", "--aspect", "taste"), "--aspect 'taste' is not one of mechanism, modality, administration, indications, applicability, efficacy, adverse-events"),
    (("compare", "blinatumomab", "nelarabine", "--setting", "elsewhere"), "'--setting': 'elsewhere' is not one of"),
    (("compare", "blinatumomab", "nelarabine", "--population", "elderly"), "'--population': 'elderly' is not one of"),
    (("dose", "--therapy", "blinatumomob", "--setting", "relapsed-refractory", "--weight", "70", "--cycle", "1", "--day", "1"),
     "--therapy tkgr:blinatumomob is not a therapy (did you mean blinatumomab?)"),
    (("dose", "--therapy", "blinatumomab", "--setting", "relapsed-refractory", "--weight", "-3", "--height", "10", "--cycle", "0", "--day", "1"),
     "--weight -3 kg is not a plausible body weight (0-400 kg); --height 10 cm is not a plausible height (20-250 cm); "
     "--cycle: cycles are counted from 1"),
])
def test_errors_name_the_command_s_own_options(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "aspects are" not in result.output and "weight_kg" not in result.output


def test_compare_setting_in_any_case():
    result = run("compare", "blinatumomab", "inotuzumab-ozogamicin", "--aspect", "indications", "--setting", "MRD-Positive",
                 "--format", "json")
    assert result.exit_code == 0, result.output


def test_therapies_lists_ids_kinds_and_names():
    listed = {t["local"]: t for t in json.loads(run("therapies", "--format", "json").output)}
    assert {"blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel", "nelarabine"} <= set(listed)
    assert "fludarabine" not in listed  # named only as a part of FLAG-IDA: no claims of its own
    assert (listed["blinatumomab"]["kind"], listed["blinatumomab"]["brand_names"]) == ("bispecific T-cell engager", ["BLINCYTO"])
    assert (listed["tisagenlecleucel"]["kind"], listed["tisagenlecleucel"]["brand_names"]) == ("CAR T-cell therapy", ["KYMRIAH"])
    assert {"allogeneic HCT", "allogeneic HSCT"} <= set(listed["allogeneic-hct"]["synonyms"])
    assert list(listed)[:2] == ["blinatumomab", "inotuzumab-ozogamicin"]  # the options' order: by kind
    everything = {t["local"]: t for t in json.loads(run("therapies", "--all", "--format", "json").output)}
    assert set(listed) < set(everything) and everything["fludarabine"]["claims"] == 0
    assert everything["fludarabine"]["kind"] == "nucleoside analog"


def test_therapies_table_fits_80_columns_and_other_formats():
    import csv
    import io

    result = CliRunner().invoke(main, ["therapies"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output and max(len(line) for line in result.output.splitlines()) <= 80
    for text in ("clinical-trial-participation", "brexucabtagene-autoleucel", "brand: BLINCYTO", "brand: KYMRIAH",
                 "CAR T-cell therapy"):
        assert text in result.output
    assert "fludarabine" not in result.output and "fludarabine" in run("therapies", "--all").output
    rows = list(csv.reader(io.StringIO(run("therapies", "--format", "csv").output)))
    assert rows[0] == ["id", "label", "kind", "brand_names", "synonyms", "claims", "sources"]
    assert rows[1][:5] == ["blinatumomab", "blinatumomab", "bispecific T-cell engager", "BLINCYTO", ""]
    markdown = run("therapies", "--format", "markdown").output
    assert markdown.startswith("| id | kind | label | brand names | synonyms | claims |")
    assert "| tisagenlecleucel | CAR T-cell therapy | tisagenlecleucel | KYMRIAH |  |" in markdown


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


def test_merging_keeps_each_distinct_trial_with_its_markers():
    from rich.console import Console

    from therapykg import compare_output
    from therapykg.domain.compare import (
        Aspect,
        CellStatus,
        ComparedTherapy,
        Comparison,
        ComparisonCell,
        ComparisonRow,
        ComparisonValue,
        ValueContext,
    )
    from therapykg.domain.evidence import Citation, Source

    def value(trial, source, disputed=False):
        return ComparisonValue(text="81 %", context=ValueContext(trial=trial), disputed=disputed,
                               sources=[Citation(Source(id=f"tkgr:{source}", label=source, title=source.upper()), None)])

    cell = ComparisonCell("tkgr:a", CellStatus.REPORTED, [value("ELIANA", "s1"), value(None, "s2"), value("ELIANA", "s3", True),
                                                          value("ELIANA", "s1")])
    empty = ComparisonCell("tkgr:b", CellStatus.NOT_REPORTED, [], note="not reported in the sources")
    comparison = Comparison([ComparedTherapy("tkgr:a", "a", None), ComparedTherapy("tkgr:b", "b", None)],
                            [ComparisonRow(Aspect.EFFICACY, "overall remission rate", [cell, empty], comparable=True)])
    markdown = compare_output.as_markdown(comparison)
    assert "| 81 % [ELIANA] (disputed) [1][2] and [3] | (not reported in the sources) |" in markdown
    assert "- [2] S3 (tkgr:s3)" in markdown
    console = Console(width=80, record=True)
    tables, notes = compare_output.as_tables(comparison, width=80)
    for table in tables:
        console.print(table)
    text = console.export_text()
    assert [" ".join(c.split()) for c in _rows_of(text)[-1]] == [
        "overall remission rate", "81 % trial: ELIANA (disputed) [1] [2] no trial stated [3]", "(not reported in the sources)"]
    assert notes == ["[1] S1 (tkgr:s1)", "[2] S3 (tkgr:s3)", "[3] S2 (tkgr:s2)"]
