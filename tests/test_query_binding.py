"""Parameters bound by a VALUES clause (the path for the HTTP service and
remote engines) give the same answers as the engine's own substitutions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from therapykg.queries import bind_values, library

LIB = library()
# Values for the parameters that have no default.
REQUIRED = {"event": "tkgr:cytokine-release-syndrome", "grade": "3", "weightKg": "60", "cycle": "1", "day": "8",
            "bsa": "1.2", "text": "CD19"}


def _answers(result):
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return sorted(tuple(sorted((v.value, str(s[v])) for v in result.variables if s[v] is not None)) for s in result)


@pytest.mark.parametrize("name", sorted(n for n, q in LIB.items() if q.parameters))
def test_values_binding_equals_substitution(graph, name):
    query = LIB[name]
    bound = query.substitutions({p.name: p.default or REQUIRED[p.name] for p in query.parameters})
    substituted = _answers(graph.query(query.text, substitutions=bound))
    assert _answers(graph.query(bind_values(query.text, bound))) == substituted


@pytest.mark.parametrize(("therapy", "disease", "expected"), [
    ("tkgr:nelarabine", "tkgr:b-cell-precursor-all", False),
    ("tkgr:blinatumomab", "tkgr:ph-negative-b-all", True),
])
def test_ask_without_where_keyword_is_bound(graph, therapy, disease, expected):
    """`ASK { ... }` has no WHERE keyword; its parameters must still be bound."""
    query = LIB["indicated-for-disease"]
    text = bind_values(query.text, query.substitutions({"therapy": therapy, "disease": disease}))
    assert "VALUES" in text
    assert bool(graph.query(text)) is expected


def test_select_without_where_keyword_is_bound(graph):
    text = bind_values("# a { brace } in a comment\nSELECT ?t { ?t rdfs:label ?l }",
                       {ox.Variable("t"): ox.NamedNode("https://w3id.org/therapykg/resource/blinatumomab")})
    assert text.index("VALUES") > text.index("SELECT")
    assert [r["t"].value for r in graph.select(text)] == ["https://w3id.org/therapykg/resource/blinatumomab"]


def test_nowhere_to_bind_is_an_error():
    with pytest.raises(ValueError, match="no WHERE group"):
        bind_values("CONSTRUCT { ?s ?p ?o }", {ox.Variable("s"): ox.NamedNode("https://example.org/x")})
