"""Label versions: each label source says which version of which product's
label it reproduces, and what differs between two versions is answered by a
named query (label-differences), the Python API and GraphQL. The expected
differences are the reference pages' (other-sources.md, BLINCYTO label:
the current boxed warning names ICANS, older labels do not; the later label
adds continued-therapy cycles 6-9, dosing below 45 kg and the MRD-positive
course; alternatives.md, section 1: BESPONSA 3/2024, BLA761040)."""

from __future__ import annotations

import pytest

import therapykg
from tests.api.conftest import in_process
from therapykg.domain.label_versions import Change
from therapykg.namespaces import compact

OLDER, LATER, CURRENT = "tkgr:label-blincyto-us-older", "tkgr:label-blincyto-us-later", "tkgr:label-blincyto-us-current"


@pytest.fixture
def run(query_path):
    def run(name: str, **params) -> list[dict[str, str]]:
        return [{k: compact(v.value) for k, v in row.items()} for row in query_path.named(name, **params)]
    return run


def _differences(run, source: str, target: str) -> set[tuple[str, ...]]:
    rows = run("label-differences", product="tkgr:blinatumomab", **{"from": source, "to": target})
    return {(r["change"], r["kind"], r.get("fromClaim", ""), r.get("toClaim", ""), r.get("aspect", "")) for r in rows}


def test_older_to_current_label_adds_icans_to_the_boxed_warning(run):
    """What differs between the older and the current BLINCYTO label? (the boxed warning now names ICANS)"""
    assert _differences(run, OLDER, CURRENT) == {
        ("changed", "tkg:BoxedWarning", "tkgr:blina-boxed-warning-older", "tkgr:blina-boxed-warning-current",
         "events named in the boxed warning (ICANS)")}


def test_older_to_later_label_dosing(run):
    """What differs in the R/R dosing between the older and the later label? (more than 5 cycles: continued
    therapy cycles 6-9; the later label adds dosing below 45 kg and the MRD-positive course)"""
    assert _differences(run, OLDER, LATER) == {
        ("changed", "tkg:DosingRegimen", "tkgr:blina-label-older-rr", "tkgr:blina-label-later-rr-45kg-plus", "maximum number of cycles"),
        ("changed", "tkg:DosingRegimen", "tkgr:blina-label-older-rr", "tkgr:blina-label-later-rr-c6-9", "maximum number of cycles"),
        ("only in to", "tkg:DosingRegimen", "", "tkgr:blina-label-later-rr-under-45kg", ""),
        ("only in to", "tkg:DosingRegimen", "", "tkgr:blina-label-later-mrd", ""),
        ("only in to", "tkg:DosingRegimen", "", "tkgr:blina-label-later-mrd-under-45kg", ""),
    }


def test_the_direction_swaps_from_and_to(run):
    forward = _differences(run, OLDER, CURRENT)
    backward = _differences(run, CURRENT, OLDER)
    assert {(c, k, t, f, a) for c, k, f, t, a in forward} == backward


def test_versions_without_claims_of_a_common_kind_differ_in_nothing(run):
    """The later label's copy reproduces dosing only, the current one the boxed warning only: nothing to set side by side."""
    assert _differences(run, LATER, CURRENT) == set()


def test_python_api_gives_the_values_that_differ(graph):
    diff = therapykg.label_differences(graph, product="blinatumomab", from_version="label-blincyto-us-older",
                                       to_version="tkgr:label-blincyto-us-current")
    assert diff.product == "tkgr:blinatumomab"
    assert (diff.from_version.id, diff.to_version.id) == (OLDER, CURRENT)
    (boxed,) = diff.differences
    assert boxed.change is Change.CHANGED
    assert {(v.property, tuple(v.removed), tuple(v.added)) for v in boxed.values} == {
        ("tkg:adverseEvent", (), ("immune effector cell-associated neurotoxicity syndrome",)),
        ("tkg:concernsFinding", (), ("immune effector cell-associated neurotoxicity syndrome",))}
    dosing = therapykg.label_differences(graph, product="blinatumomab", from_version="label-blincyto-us-older",
                                         to_version="label-blincyto-us-later")
    plus = next(d for d in dosing.differences if d.to_claim == "tkgr:blina-label-later-rr-45kg-plus")
    assert {(v.property, tuple(v.removed), tuple(v.added)) for v in plus.values} == {
        ("tkg:maximumCycles", ("5",), ()), ("tkg:lastCycleListed", (), ("9",))}


def test_label_sources_record_their_version(graph):
    versions = {v.id: v for v in therapykg.label_versions(graph, product="blinatumomab")}
    assert {OLDER, LATER, CURRENT} <= versions.keys()
    assert all(v.product == "tkgr:blinatumomab" and v.jurisdiction == "US" for v in versions.values())
    assert versions[OLDER].sources == ["tkgr:source-blincyto-label-older-120ty", "tkgr:source-blincyto-label-older-recallguide",
                                       "tkgr:source-pmc4994468"]
    assert versions[LATER].sources == ["tkgr:source-blincyto-label-later-pmc6368716"]
    assert {"tkgr:source-blincyto-label-current-boxed", "tkgr:source-mims-th-blincyto-precautions"} <= set(versions[CURRENT].sources)
    assert all(v.set_id is None and v.version_date is None for v in (versions[OLDER], versions[LATER], versions[CURRENT]))
    besponsa = {v.id: v for v in therapykg.label_versions(graph, product="inotuzumab-ozogamicin")}["tkgr:label-besponsa-us-2024-03"]
    assert (besponsa.jurisdiction, besponsa.version_date, besponsa.application_number) == ("US", "2024-03", "BLA761040")
    assert "tkgr:source-besponsa-label" in besponsa.sources


def test_a_version_of_another_product_is_refused(graph):
    with pytest.raises(ValueError, match="not a label version of tkgr:inotuzumab-ozogamicin"):
        therapykg.label_differences(graph, product="inotuzumab-ozogamicin", from_version="label-blincyto-us-older",
                                    to_version="label-besponsa-us-2024-03")
    with pytest.raises(ValueError, match="not a label version"):
        therapykg.label_differences(graph, product="blinatumomab", from_version="source-article", to_version=CURRENT)


def test_graphql_label_differences(graph):
    query = """{ labelDifferences(product: "blinatumomab", from: "label-blincyto-us-older", to: "label-blincyto-us-current") {
      product fromVersion { id jurisdiction sources } toVersion { id }
      differences { change kind fromClaim toClaim conflict aspect values { property removed added } } } }"""
    with in_process(graph) as client:
        data = client.post("/graphql", json={"query": query}).json()
        refused = client.post("/graphql", json={"query": query.replace("label-blincyto-us-current", "label-besponsa-us-2024-03")}).json()
    result = data["data"]["labelDifferences"]
    assert result["product"] == "tkgr:blinatumomab" and result["toVersion"]["id"] == CURRENT
    assert result["fromVersion"]["jurisdiction"] == "US"
    (boxed,) = result["differences"]
    assert boxed["change"] == "CHANGED" and boxed["kind"] == "tkg:BoxedWarning"
    assert boxed["conflict"] == "tkgr:conflict-blina-boxed-warning-icans"
    assert {v["property"]: v["added"] for v in boxed["values"]} == {
        "tkg:adverseEvent": ["immune effector cell-associated neurotoxicity syndrome"],
        "tkg:concernsFinding": ["immune effector cell-associated neurotoxicity syndrome"]}
    assert "not a label version of tkgr:blinatumomab" in refused["errors"][0]["message"]


def test_car_t_label_changes(graph):
    """The CAR T label changes the reference page lists (alternatives.md, C11 and C4): the current TECARTUS
    boxed warning adds secondary hematological malignancies; KYMRIAH's REMS was removed in 6/2025."""
    tecartus = therapykg.label_differences(graph, product="brexucabtagene-autoleucel", from_version="label-tecartus-us-2021",
                                           to_version="label-tecartus-us-current")
    boxed = [d for d in tecartus.differences if d.change is Change.CHANGED and d.kind == "tkg:BoxedWarning"]
    assert [(v.property, v.removed, v.added) for d in boxed for v in d.values] == [
        ("tkg:concernsFinding", [], ["secondary hematological malignancy"])]
    kymriah = therapykg.label_differences(graph, product="tisagenlecleucel", from_version="label-kymriah-us-2018",
                                          to_version="label-kymriah-us-2025-06")
    assert ("tkg:AdministrationRequirement", "REMS") in {(d.kind, d.aspect) for d in kymriah.differences if d.change is Change.CHANGED}
    assert {v.version_date for v in (kymriah.from_version, kymriah.to_version)} == {"2018", "2025-06"}
