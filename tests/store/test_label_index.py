"""The label index that narrows text searches: its answers are exactly the
resources a SPARQL scan of every label finds, or it declines to narrow."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from therapykg.queries import bind_values
from therapykg.store.label_index import LabelIndex

SCAN = """SELECT DISTINCT ?resource WHERE {
  ?resource rdfs:label|skos:altLabel ?name . FILTER (CONTAINS(LCASE(STR(?name)), LCASE(STR(?text))))
}"""


@pytest.fixture(scope="module")
def index(graph):
    """The label index of the graph's store."""
    return LabelIndex.of_store(graph.store)


def _scan(graph, text):
    return sorted(r["resource"].value for r in graph.select(bind_values(SCAN, {ox.Variable("text"): ox.Literal(text)})))


@pytest.mark.parametrize("text", ["BLINCYTO", "cd19", "Inotuzumab", "cytokine release", "FLAG-IDA", "no such name at all"])
def test_narrowed_resources_are_the_scans(graph, index, text):
    found = index.resources_containing(text)
    assert found is not None
    assert [r.value for r in found] == _scan(graph, text)


def test_finds_by_alternative_label(graph, index):
    assert "https://w3id.org/therapykg/resource/blinatumomab" in {r.value for r in index.resources_containing("blincyto")}


def test_declines_when_a_blank_node_matches(graph, index):
    """Time windows are blank nodes with labels; a query cannot name them in VALUES."""
    text = "cycle 1, days"
    assert bool(graph.query(f"ASK {{ ?w rdfs:label ?l FILTER (isBlank(?w) && CONTAINS(LCASE(?l), '{text}')) }}"))
    assert index.resources_containing(text) is None


def test_declines_when_the_text_is_too_common(index):
    assert index.resources_containing("a") is None
    assert index.resources_containing("") is None


def test_one_resource_per_name_and_case_folded():
    a, b = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b")
    names = [(a, ox.Literal("CD19 engager")), (a, ox.Literal("cd19-directed", language="en")), (b, ox.Literal("other"))]
    names += [(ox.NamedNode(f"https://example.org/x{i}"), ox.Literal(f"filler {i}")) for i in range(40)]
    names.append((b, ox.NamedNode("https://example.org/not-a-literal")))
    index = LabelIndex.of_terms(names)
    assert len(index) == 43
    assert index.resources_containing("Cd19") == [a]
    assert index.resources_containing("engager\x00cd19") is None  # never across two names
    assert index.resources_containing("r cd") == []


def test_written_and_read_back_unchanged(tmp_path):
    """The file form keeps blank nodes, and names with tabs or line breaks
    (which the index keeps apart from others and leaves to the engine)."""
    a, blank = ox.NamedNode("https://example.org/a"), ox.BlankNode()
    names = [(a, ox.Literal("Two\tparts\nof a name")), (blank, ox.Literal("a window")), (a, ox.Literal("  spaced  "))]
    names += [(ox.NamedNode(f"https://example.org/x{i}"), ox.Literal(f"filler {i}")) for i in range(40)]
    index = LabelIndex.of_terms(names)
    index.write(tmp_path / "index.tsv")
    again = LabelIndex.read(tmp_path / "index.tsv")
    assert len(again) == len(index) == 43
    for text in ("two", "parts", "of a", "window", "  spaced  ", "filler 1", "two\tparts"):
        assert again.resources_containing(text) == index.resources_containing(text)
    assert index.resources_containing("parts") == [a]
    assert index.resources_containing("window") is None  # a blank node's name
    assert index.resources_containing("two\tparts") is None  # left to the engine
