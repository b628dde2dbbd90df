"""The engine interface every surface and the domain model run queries
through, and its in-process implementation.

Three engines implement :class:`Engine`: the pool of killable query
processes (:mod:`therapykg.store.pool`, what the service runs), any SPARQL
1.1 endpoint (:mod:`therapykg.store.remote`), and :class:`InProcessEngine`
(the graph in this process: for tests, notebooks and the command line). An
engine takes a query and output formats already chosen, and answers bytes
or raises one of :mod:`therapykg.store.errors`; it never sees an HTTP
request."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import orjson
import pyoxigraph as ox

from therapykg.store.admission import ADHOC, SERVICE, Lanes, admitted
from therapykg.store.graph import KnowledgeGraph
from therapykg.store.label_index import LabelIndex
from therapykg.store.terms import Row
from therapykg.store.worker import QueryJob, QueryOutcome, execute


@dataclass(frozen=True)
class EngineStatus:
    """What an engine can say about itself (for readiness checks)."""

    version: str | None
    slots: int
    idle: int
    alive: int
    queued: dict[str, int]  # waiting requests per lane
    sandbox: list[str] = field(default_factory=list)
    memory_mib: int | None = None
    # A remote engine's endpoint and the names in its label index (None while it is read).
    endpoint: str | None = None
    label_index: int | None = None


@runtime_checkable
class Engine(Protocol):
    """Runs SPARQL over one version of the graph."""

    # The graph version answered from (None until known).
    version: str | None
    # True when the whole dataset is one graph (a remote engine holds a version as one named graph).
    single_graph: bool

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def accepting(self) -> bool:
        """Ready to take work now."""
        ...

    def status(self) -> EngineStatus: ...

    async def execute(self, job: QueryJob, timeout: float, *, lane: str = SERVICE) -> QueryOutcome:
        """Run ``job`` within ``timeout`` seconds, waiting included.

        :raises therapykg.store.errors.EngineError: the query could not be answered, and why.
        """
        ...


class InProcessEngine:
    """The graph in this process, behind the engine interface. Queries run
    on the caller's thread, so a query cannot be stopped at its timeout:
    use it where the queries are trusted (tests, notebooks, the command
    line), never to serve the public."""

    single_graph = False

    def __init__(self, graph: KnowledgeGraph, *, slots: int = 4, queue_limits: dict[str, int] | None = None):
        self.graph = graph
        self.version: str | None = graph.version
        self.label_index = LabelIndex.of_store(graph.store)
        self.lanes = Lanes(slots, queue_limits or {SERVICE: 256, ADHOC: 16})

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def accepting(self) -> bool:
        return self.lanes.accepting(SERVICE)

    def status(self) -> EngineStatus:
        return EngineStatus(self.version, self.lanes.slots, self.lanes.slots, self.lanes.slots, self.lanes.queued)

    async def execute(self, job: QueryJob, timeout: float, *, lane: str = SERVICE) -> QueryOutcome:
        started = time.perf_counter()
        async with admitted(self.lanes, lane, timeout):
            queued = time.perf_counter() - started
            outcome = execute(self.graph.store, job, self.label_index)
        if outcome.error is not None:
            raise outcome.error
        outcome.size = len(outcome.body)
        outcome.timings["queue"] = queued
        return outcome


class Backend(Protocol):
    """Where the domain model's SELECTs go: an engine (:class:`Selector`) or a graph (:class:`GraphSelector`)."""

    queries: int

    async def select(self, sparql: str) -> list[Row]: ...


class Selector:
    """SELECTs for the domain model, answered as SPARQL JSON bindings by an
    engine; counts the queries it runs (so tests can check batching). An
    engine belongs to the event loop that started it (``loop``); a caller on
    another loop, in another thread, hands its query over to that one."""

    def __init__(self, engine: Engine, timeout: float, *, loop: asyncio.AbstractEventLoop | None = None):
        self.engine, self.timeout, self.loop, self.queries = engine, timeout, loop, 0

    async def select(self, sparql: str) -> list[Row]:
        self.queries += 1
        outcome = await self._execute(QueryJob(query=sparql, result_format="json", max_rows=None))
        # orjson: several times faster, and the interpreter lock is held for all of a parse.
        rows: list[Row] = orjson.loads(outcome.body)["results"]["bindings"]
        return rows

    async def _execute(self, job: QueryJob) -> QueryOutcome:
        work = self.engine.execute(job, self.timeout)
        if self.loop is None or self.loop is asyncio.get_running_loop():
            return await work
        # Cancelled here (at the request's deadline), the query is cancelled on the engine's loop.
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))


class GraphSelector:
    """SELECTs straight on a graph in this process, in the same JSON shape
    (no engine, no event loop hand-off: the fastest path for the command line)."""

    def __init__(self, graph: KnowledgeGraph):
        self.graph, self.queries = graph, 0

    async def select(self, sparql: str) -> list[Row]:
        self.queries += 1
        return self.graph.bindings(sparql)


def iri_term(iri: str) -> str:
    """An IRI written as a SPARQL term by the engine's own serializer, which
    rejects anything that is not a valid IRI: safe to place in VALUES."""
    return str(ox.NamedNode(iri))
