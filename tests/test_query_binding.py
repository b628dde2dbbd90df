"""Parameters bound by VALUES clauses (the one binding every query path
uses) give the same answers as the engine's own substitutions, and reach
into subqueries, where a page is cut."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from therapykg.queries import bind_values, library, page, parse_query_file, restrict

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


def test_parameters_reach_into_a_paged_subquery(graph):
    """claims-citing-reference cuts its page inside a subquery. A VALUES
    clause in the outer query alone does not reach it (SPARQL evaluates a
    subquery first): the subquery would pick its first claims among all
    references and the page would lose claims citing reference 3. Bound in
    both, the page is the answer's head."""
    query = LIB["claims-citing-reference"]
    bound = query.substitutions({"number": "3"})
    whole = _rows(graph.query(bind_values(query.text, bound)))
    assert len(whole) >= 4 and query.page_in_subquery
    paged = page(query.text, 3, 0, in_subquery=True)
    assert bind_values(paged, bound).count("VALUES") == 2
    assert _rows(graph.query(bind_values(paged, bound))) == whole[:3]
    outer_only = paged.replace("WHERE {", "WHERE {\n  VALUES ?number { 3 }", 1)
    assert _rows(graph.query(outer_only)) != whole[:3]


def test_page_end_is_combined_with_the_subquerys_own_limit():
    text = "SELECT ?s ?t WHERE {\n  { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 100 }\n  ?s a ?t\n} ORDER BY ?s ?t LIMIT 100\n"
    paged = page(text, 10, 95, in_subquery=True)
    assert "ORDER BY ?s\nLIMIT 100 }" in paged  # min(100, 95 + 10)
    assert paged.rstrip().endswith("LIMIT 5\nOFFSET 95")
    assert "LIMIT 20 }" in page(text, 10, 10, in_subquery=True)


def test_restriction_goes_into_the_first_subquery(graph):
    query = LIB["search"]
    blina = ox.NamedNode("https://w3id.org/therapykg/resource/blinatumomab")
    text = bind_values(restrict(query.text, "resource", [blina]), query.substitutions({"text": "b"}))
    assert text.index("VALUES ?resource") > text.index("SELECT DISTINCT")
    assert {r["resource"] for r in graph.select(text)} == {blina}
    nothing = bind_values(restrict(query.text, "resource", []), query.substitutions({"text": "b"}))
    assert graph.select(nothing) == []


def _rows(result):
    return [tuple(str(s[v]) for v in result.variables) for s in result]


@pytest.mark.parametrize(("header", "body", "message"), [
    ("# paging: everywhere", "SELECT ?s WHERE { ?s ?p ?o }", "unknown paging 'everywhere'"),
    ("# paging: subquery", "SELECT ?s WHERE { ?s ?p ?o }", "paged in its subquery but has none"),
    ("# paging: subquery", "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o }", "subquery is not closed"),
    ("# label-index: resource text", "SELECT ?s WHERE { ?s ?p ?o }", "label-index must name ?resource ?text"),
    ("# label-index: ?s ?text", "SELECT ?s WHERE { ?s ?p ?o }", "?text is not one of the query's parameters"),
])
def test_bad_query_headers_name_the_file_and_the_fault(tmp_path, header, body, message):
    path = tmp_path / "broken.rq"
    path.write_text(f"# title: broken\n{header}\n{body}\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        parse_query_file(path)
    assert str(path) in str(caught.value) and message in str(caught.value)
