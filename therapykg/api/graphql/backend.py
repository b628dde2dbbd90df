"""Where GraphQL resolvers get their data: SPARQL SELECTs run either on the
service's query pool or on an in-process graph (for the command line). Each
backend counts the queries it runs, so tests can check batching."""

from __future__ import annotations

import json
from typing import Protocol

import pyoxigraph as ox

from therapykg.graph import KnowledgeGraph

Row = dict[str, dict]  # SPARQL JSON binding: variable -> {"type", "value", ...}


class Backend(Protocol):
    queries: int

    async def select(self, sparql: str) -> list[Row]: ...


class PoolBackend:
    """SELECTs through the service's pool of query processes."""

    def __init__(self, pool, timeout: float):
        self.pool, self.timeout, self.queries = pool, timeout, 0

    async def select(self, sparql: str) -> list[Row]:
        from therapykg.api.worker import QueryJob

        self.queries += 1
        outcome = await self.pool.execute(QueryJob(query=sparql, format="json", max_rows=None), self.timeout)
        if outcome.status != 200:
            raise RuntimeError(outcome.body.decode("utf-8", "replace"))
        return json.loads(outcome.body)["results"]["bindings"]


class LocalBackend:
    """SELECTs on an in-process graph, in the same JSON shape."""

    def __init__(self, graph: KnowledgeGraph):
        self.graph, self.queries = graph, 0

    async def select(self, sparql: str) -> list[Row]:
        self.queries += 1
        solutions = self.graph.query(sparql)
        return json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]


def iri_term(iri: str) -> str:
    """An IRI written as a SPARQL term by the engine's own serializer, which
    rejects anything that is not a valid IRI: safe to place in VALUES."""
    return str(ox.NamedNode(iri))
