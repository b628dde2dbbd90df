"""The coverage matrix (therapykg.coverage, `therapykg coverage`, GraphQL
coverage): its counts are those a plain SPARQL aggregate computes, every
therapy of the graph is a line, and every output format parses."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rich.console import Console

import therapykg
from tests.api.conftest import in_process
from therapykg.cli import main
from therapykg.coverage_output import as_tables
from therapykg.domain.coverage import CoverageAspect
from therapykg.namespaces import compact

# The test's own statement of which column each kind of claim belongs to.
COLUMNS = {
    "Indication": "indications", "AlternativeTherapyRelation": "applicability",
    "DosingRegimen": "administration", "Cycle": "administration", "DoseStep": "administration",
    "Premedication": "administration", "InfusionBagOption": "administration",
    "AdministrationRequirement": "administration", "HospitalizationRequirement": "administration",
    "DoseModificationRule": "dose_modification", "EfficacyOutcome": "efficacy", "AdverseReaction": "adverse_events",
    "MonitoringRequirement": "monitoring", "SafetyStatement": "safety", "Contraindication": "safety",
    "Precaution": "safety", "Pitfall": "safety", "BoxedWarning": "boxed_warnings",
    "PharmacokineticProperty": "pharmacology", "Immunogenicity": "pharmacology", "DrugInteraction": "pharmacology",
}

_MAPPING = " ".join(f'(tkg:{kind} "{column}")' for kind, column in COLUMNS.items())
COUNTS = """
PREFIX tkg: <https://w3id.org/therapykg/ontology/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?therapy ?column (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?source) AS ?sources) WHERE {
  ?claim tkg:forTherapy|tkg:indicationTherapy|tkg:regimenFor|tkg:alternativeTherapy ?therapy ; a ?kind .
  ?therapy a tkg:Therapy .
  ?kind rdfs:subClassOf+ tkg:Claim .
  FILTER NOT EXISTS { ?claim a ?sub . ?sub rdfs:subClassOf ?kind . FILTER(?sub != ?kind) }
  OPTIONAL { VALUES (?kind ?mapped) { MAPPING } }
  BIND(COALESCE(?mapped, "other") AS ?column)
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
}
GROUP BY ?therapy ?column
""".replace("MAPPING", _MAPPING)


@pytest.fixture(scope="module")
def matrix(graph):
    return therapykg.coverage(graph)


def _counts(graph) -> dict[tuple[str, str], tuple[int, int]]:
    return {(compact(r["therapy"]["value"]), r["column"]["value"]): (int(r["claims"]["value"]), int(r["sources"]["value"]))
            for r in graph.bindings(COUNTS)}


def test_every_cell_counts_what_sparql_counts(graph, matrix):
    expected = _counts(graph)
    found = {(line.therapy, cell.aspect.name.lower()): (cell.claims, cell.sources)
             for line in matrix.therapies for cell in line.cells}
    assert {k: v for k, v in found.items() if v != (0, 0)} == expected


def test_totals_count_distinct_claims_and_sources(graph, matrix):
    rows = graph.bindings("""
        PREFIX tkg: <https://w3id.org/therapykg/ontology/> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?therapy (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?source) AS ?sources) WHERE {
          ?claim tkg:forTherapy|tkg:indicationTherapy|tkg:regimenFor|tkg:alternativeTherapy ?therapy ; a/rdfs:subClassOf* tkg:Claim .
          ?therapy a tkg:Therapy .
          OPTIONAL { ?claim prov:wasDerivedFrom ?source } } GROUP BY ?therapy""")
    expected = {compact(r["therapy"]["value"]): (int(r["claims"]["value"]), int(r["sources"]["value"])) for r in rows}
    assert {line.therapy: (line.claims, line.sources) for line in matrix.therapies if line.claims} == expected


def test_every_therapy_is_a_line(graph, matrix):
    therapies = {compact(r["t"]["value"]) for r in graph.bindings(
        "PREFIX tkg: <https://w3id.org/therapykg/ontology/> SELECT ?t WHERE { ?t a tkg:Therapy }")}
    assert [line.therapy for line in matrix.therapies].count("tkgr:blinatumomab") == 1
    assert {line.therapy for line in matrix.therapies} == therapies
    assert all([c.aspect for c in line.cells] == list(CoverageAspect) for line in matrix.therapies)
    blina = matrix.therapy("tkgr:blinatumomab")
    assert blina.cell(CoverageAspect.BOXED_WARNINGS).claims >= 2  # the older and the current label's


def _run(*args):
    result = CliRunner().invoke(main, ["coverage", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_formats_parse(matrix):
    rows = list(csv.DictReader(io.StringIO(_run("--all", "--format", "csv"))))
    assert [r["therapy"] for r in rows] == [line.therapy for line in matrix.therapies]
    blina = next(r for r in rows if r["therapy"] == "tkgr:blinatumomab")
    line = matrix.therapy("tkgr:blinatumomab")
    assert int(blina["boxed_warnings_claims"]) == line.cell(CoverageAspect.BOXED_WARNINGS).claims
    assert int(blina["claims"]) == line.claims and int(blina["sources"]) == line.sources
    data = json.loads(_run("--all", "--format", "json"))
    assert data["aspects"] == [a.name.lower() for a in CoverageAspect]
    assert {t["therapy"] for t in data["therapies"]} == {line.therapy for line in matrix.therapies}
    markdown = _run("--all", "--format", "markdown").splitlines()
    assert markdown[0].startswith("| therapy | indications |") and markdown[0].endswith("| all |")
    assert len([m for m in markdown if m.startswith("| ")]) == len(matrix.therapies) + 1
    assert "therapykg coverage (claims/sources)" in _run()


def test_cli_lists_only_therapies_with_claims_unless_asked(matrix):
    """Drugs named only as parts of regimens (fludarabine, tocilizumab) have no claims of their own."""
    listed = {r["therapy"] for r in csv.DictReader(io.StringIO(_run("--format", "csv")))}
    assert listed == {line.therapy for line in matrix.therapies if line.claims}
    assert "tkgr:fludarabine" not in listed and "tkgr:inotuzumab-ozogamicin" in listed
    assert matrix.therapy("tkgr:fludarabine").claims == 0


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_the_terminal_table_fits_its_width_without_cutting(matrix, width):
    """At any width the table is split into parts that fit, with every count and name whole."""
    console = Console(width=width, record=True, color_system=None)
    for table in as_tables(matrix.with_claims(), width=width):
        console.print(table)
    text = console.export_text()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    assert "…" not in text
    for line in matrix.with_claims().therapies:
        assert text.count(line.therapy.split(":", 1)[1] + " ") >= 1
        assert f"{line.claims}/{line.sources}" in text


def test_graphql_coverage(graph, matrix):
    with in_process(graph) as client:
        response = client.post("/graphql", json={"query": "{ coverage { aspects therapies { therapy claims sources "
                                                          "cells { aspect claims sources } } } }"})
    data = response.json()["data"]["coverage"]
    assert data["aspects"][0] == "INDICATIONS" and len(data["aspects"]) == len(CoverageAspect)
    lines = {t["therapy"]: t for t in data["therapies"]}
    assert lines.keys() == {line.therapy for line in matrix.therapies}
    blina = matrix.therapy("tkgr:blinatumomab")
    assert lines["tkgr:blinatumomab"]["claims"] == blina.claims
    assert [c["claims"] for c in lines["tkgr:blinatumomab"]["cells"]] == [c.claims for c in blina.cells]
