"""Any SPARQL 1.1 endpoint as the store, behind the same interface as the
local query pool. The graph lives in one named graph per version; a small
meta graph points at the current one, so a reload is switched atomically."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pyoxigraph as ox

from therapykg.namespaces import PREFIXES
from therapykg.queries import query_text
from therapykg.sparql_text import query_form
from therapykg.store.admission import ADHOC, SERVICE, Lanes, admitted
from therapykg.store.engine import EngineStatus
from therapykg.store.errors import EngineUnavailable, QuerySyntaxError, QueryTimeout, RemoteEngineFailed
from therapykg.store.label_index import LabelIndex
from therapykg.store.pool import MIN_RUN_SECONDS
from therapykg.store.portable import expand_construct_where, standard_json, standard_xml
from therapykg.store.results import Serializable, serialize
from therapykg.store.terms import as_solutions
from therapykg.store.versions import pointer_query
from therapykg.store.worker import DUMP_FORMATS, QueryJob, QueryOutcome, prepare

log = logging.getLogger("therapykg.remote")

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
# What to ask the engine for, by query form.
ACCEPT = {"SELECT": "application/sparql-results+xml", "ASK": "application/sparql-results+xml",
          "CONSTRUCT": "application/n-triples", "DESCRIBE": "application/n-triples"}


def _results(xml: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    return ox.parse_query_results(standard_xml(xml), format=ox.QueryResultsFormat.XML)


class RemoteEngine:
    """Queries go to ``endpoint`` over HTTP, against the current version graph."""

    # The engine confines its own processes; these are the service's.
    sandbox: list[str] = []
    memory_mib = None

    def __init__(self, endpoint: str, refresh_seconds: float = 5.0, *, slots: int = 4, queue_limits: dict[str, int] | None = None):
        self.endpoint, self.refresh_seconds = endpoint, refresh_seconds
        # Concurrent queries sent to the engine, in lanes as for the local pool.
        self.lanes = Lanes(slots, queue_limits or {SERVICE: 256, ADHOC: 16})
        self.version: str | None = None
        self.graph: str | None = None
        self._reachable = False
        self._client = httpx.AsyncClient(timeout=30)
        self._refresher: asyncio.Task[None] | None = None
        # The label index of one version graph; searches scan until it is built.
        self._index: tuple[str, LabelIndex] | None = None
        self._indexing: str | None = None  # the graph whose index was last asked for
        self._indexer: asyncio.Task[None] | None = None

    @property
    def label_index(self) -> LabelIndex | None:
        """The label index of the version now served, once it is built."""
        return self._index[1] if self._index and self._index[0] == self.graph else None

    @property
    def ready_workers(self) -> int:
        return 1 if self._reachable and self.graph else 0

    alive_workers = ready_workers

    def status(self) -> EngineStatus:
        index = self.label_index
        return EngineStatus(self.version, self.lanes.slots, self.ready_workers, self.ready_workers, self.lanes.queued,
                            self.sandbox, self.memory_mib, endpoint=self.endpoint,
                            label_index=len(index) if index is not None else None)

    def accepting(self) -> bool:
        return self.ready_workers > 0 and self.lanes.accepting(SERVICE)

    async def start(self) -> None:
        """Never fails: a backend that is down now is retried in the background."""
        await self._refresh()
        self._refresher = asyncio.create_task(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            await self._refresh()

    async def _refresh(self) -> None:
        try:
            response = await self._client.post(self.endpoint, data={"query": pointer_query()},
                                               headers={"Accept": "application/sparql-results+json"}, timeout=5)
            response.raise_for_status()
            rows = response.json()["results"]["bindings"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            if self._reachable:
                log.warning("SPARQL backend %s unreachable: %s", self.endpoint, exc)
            self._reachable = False
            return
        self._reachable = True
        if rows:
            self.graph, self.version = rows[0]["graph"]["value"], rows[0]["version"]["value"]
            if self._indexing != self.graph:
                self._indexing = self.graph
                self._indexer = asyncio.create_task(self._build_index(self.graph))
        else:
            log.warning("SPARQL backend %s holds no therapykg graph: run `therapykg load --into`", self.endpoint)

    async def _build_index(self, graph: str) -> None:
        """Read every name of ``graph`` into a label index (the names
        LabelIndex.of_store reads in a local store); kept only if the engine
        returned all of them (engines may cap result sizes)."""
        try:
            count = as_solutions(_results(await self._ask_backend(query_text("store/label-count"), graph)))
            expected = int(next(iter(count))["n"].value)
            names = await self._ask_backend(query_text("store/label-names"), graph)
            # Parsing a large answer would hold up the event loop.
            index = await asyncio.to_thread(lambda: LabelIndex.of_terms((r["resource"], r["name"]) for r in as_solutions(_results(names))))
        except httpx.HTTPError as exc:
            log.warning("label index of %s not built: %s", graph, exc)
            if self._indexing == graph:
                self._indexing = None  # try again at the next refresh
            return
        except (ValueError, SyntaxError, StopIteration) as exc:
            log.warning("label index of %s not built: unreadable answer from the backend: %s", graph, exc)
            return
        if len(index) != expected:
            log.warning("label index of %s not used: the backend returned %d of %d names (a result-size cap?)",
                        graph, len(index), expected)
            return
        self._index = (graph, index)
        log.info("label index of %s built: %d names", graph, expected)

    async def _ask_backend(self, query: str, graph: str) -> bytes:
        response = await self._client.post(self.endpoint, data={"query": query, "default-graph-uri": graph},
                                           headers={"Accept": ACCEPT["SELECT"]}, timeout=300)
        response.raise_for_status()
        return response.content

    async def execute(self, job: QueryJob, timeout: float, *, lane: str = SERVICE) -> QueryOutcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with admitted(self.lanes, lane, timeout):
            queued = loop.time() - (deadline - timeout)
            outcome = await self._execute(job, max(deadline - loop.time(), MIN_RUN_SECONDS))
        outcome.timings["queue"] = queued
        return outcome

    async def _execute(self, job: QueryJob, timeout: float) -> QueryOutcome:
        if self.graph is None:
            await self._refresh()
            if self.graph is None:
                raise EngineUnavailable(f"the SPARQL backend {self.endpoint} is unreachable or holds no therapykg graph")
        query = query_text("store/dump") if job.dump else expand_construct_where(job.query)
        query = prepare(query, job, self.label_index)
        started = time.monotonic()
        try:
            base = f"BASE {ox.NamedNode(job.base_iri)}\n" if job.base_iri else ""  # written by the engine: a valid IRI
            response = await self._client.post(self.endpoint, data={"query": base + PROLOGUE + query, "default-graph-uri": self.graph},
                                               headers={"Accept": ACCEPT[query_form(query)]}, timeout=timeout)
        except httpx.TimeoutException:
            raise QueryTimeout(f"query timed out after {timeout:g} s at the SPARQL backend {self.endpoint}") from None
        except httpx.TransportError as exc:
            self._reachable = False
            raise EngineUnavailable(f"the SPARQL backend {self.endpoint} is unreachable ({exc})") from None
        self._reachable = True
        if log.isEnabledFor(logging.DEBUG):
            log.debug("backend answered %s in %.1f ms: %s", response.status_code, (time.monotonic() - started) * 1000,
                      " ".join(query.split())[:300])
        if response.status_code == 400:
            raise QuerySyntaxError("(reported by the backend) " + response.content[:2000].decode("utf-8", "replace"))
        if response.status_code >= 500 and response.status_code not in (502, 503, 504):
            # The engine is up but failed on this query: not an outage.
            raise RemoteEngineFailed(f"the SPARQL backend {self.endpoint} failed on this query "
                                     f"(HTTP {response.status_code}): " + response.content[:2000].decode("utf-8", "replace"))
        if response.status_code != 200:
            raise EngineUnavailable(f"the SPARQL backend {self.endpoint} answered {response.status_code} after "
                                    f"{time.monotonic() - started:.1f} s: {response.text[:200]}")
        answered = time.monotonic()
        outcome = self._outcome(job, response)
        # The backend's evaluation and the round trip to it, then reading and writing its answer here.
        outcome.timings.update(exec=answered - started, serialize=time.monotonic() - answered)
        return outcome

    def _outcome(self, job: QueryJob, response: httpx.Response) -> QueryOutcome:
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/n-triples":
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
            if job.dump:
                fmt, media_type = DUMP_FORMATS[job.dump]
                body = (ox.serialize(triples, format=fmt) if fmt != ox.RdfFormat.TRIG
                        else ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=fmt))
                return QueryOutcome(media_type, body or b"", len(triples))  # (None only when writing to a file)
            results: Serializable = triples
        elif media == "application/sparql-results+xml":
            results = _results(response.content)
        else:
            results = ox.parse_query_results(standard_json(response.content), format=ox.QueryResultsFormat.JSON)
        out = serialize(results, job.result_format, job.graph_format, job.max_rows, job.max_bytes)
        return QueryOutcome(out.media_type, out.body, out.rows, out.truncated)

    # The remote dataset is one graph (the current version).
    single_graph = True

    async def close(self) -> None:
        for task in (self._refresher, self._indexer):
            if task:
                task.cancel()
        await self._client.aclose()
