"""Where GraphQL resolvers get their data: SPARQL SELECTs run either on the
service's query pool or on an in-process graph (for the command line). Each
backend counts the queries it runs, so tests can check batching."""

from __future__ import annotations

import asyncio
import json
from typing import Protocol

import pyoxigraph as ox

from therapykg.graph import KnowledgeGraph

Row = dict[str, dict]  # SPARQL JSON binding: variable -> {"type", "value", ...}


class Backend(Protocol):
    queries: int

    async def select(self, sparql: str) -> list[Row]: ...


class PoolBackend:
    """SELECTs through the service's pool of query processes. The pool belongs
    to the event loop that started it (``loop``); a resolver running on
    another loop, in another thread, hands its query over to that one."""

    def __init__(self, pool, timeout: float, *, loop: asyncio.AbstractEventLoop | None = None):
        self.pool, self.timeout, self.loop, self.queries = pool, timeout, loop, 0

    async def select(self, sparql: str) -> list[Row]:
        from therapykg.api.worker import QueryJob

        self.queries += 1
        outcome = await self._execute(QueryJob(query=sparql, format="json", max_rows=None))
        if outcome.status != 200:
            raise RuntimeError(outcome.body.decode("utf-8", "replace"))
        return json.loads(outcome.body)["results"]["bindings"]

    async def _execute(self, job):
        work = self.pool.execute(job, self.timeout)
        if self.loop is None or self.loop is asyncio.get_running_loop():
            return await work
        # Cancelled here (at the request's deadline), the query is cancelled on the pool's loop.
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))


class LocalBackend:
    """SELECTs on an in-process graph, in the same JSON shape."""

    def __init__(self, graph: KnowledgeGraph):
        self.graph, self.queries = graph, 0

    async def select(self, sparql: str) -> list[Row]:
        self.queries += 1
        return self.graph.bindings(sparql)


def iri_term(iri: str) -> str:
    """An IRI written as a SPARQL term by the engine's own serializer, which
    rejects anything that is not a valid IRI: safe to place in VALUES."""
    return str(ox.NamedNode(iri))
