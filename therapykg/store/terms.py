"""Type names for RDF terms as pyoxigraph gives them, and for SPARQL JSON
result rows (pyoxigraph's stubs spell the unions out at each use)."""

from __future__ import annotations

import pyoxigraph as ox

# Any RDF term: what a solution binds, what a triple's object is.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
# A triple's subject as the stubs type it (pyoxigraph 0.5, like RDF 1.2, puts no triple term there at run time).
Subject = ox.NamedNode | ox.BlankNode | ox.Triple
# What Store.query answers, by query form: SELECT, ASK, CONSTRUCT and DESCRIBE.
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
# A SPARQL JSON binding: variable -> {"type": ..., "value": ..., and "datatype" or "xml:lang"}.
Row = dict[str, dict[str, str]]


def as_solutions(result: QueryResult) -> ox.QuerySolutions:
    """``result`` as the solutions of a SELECT.

    :raises TypeError: the query was not a SELECT (it answered a boolean or triples).
    """
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT query was expected; this one answered {type(result).__name__}")
    return result


def as_triples(result: QueryResult) -> ox.QueryTriples:
    """``result`` as the triples of a CONSTRUCT or DESCRIBE.

    :raises TypeError: the query was a SELECT or an ASK.
    """
    if not isinstance(result, ox.QueryTriples):
        raise TypeError(f"a CONSTRUCT or DESCRIBE query was expected; this one answered {type(result).__name__}")
    return result
