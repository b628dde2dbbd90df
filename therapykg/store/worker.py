"""The query worker: a separate process that holds the graph and runs one
query at a time, so that a runaway query can be stopped by killing it. It
confines itself (no network, a memory ceiling: therapykg.store.sandbox) before
it runs any query, and runs each query on a thread with a deep stack."""

from __future__ import annotations

import pickle
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

import pyoxigraph as ox

from therapykg.namespaces import PREFIXES
from therapykg.queries import bind_values, restrict
from therapykg.store.errors import EngineError, QueryFailed, QueryMemoryExceeded, QuerySyntaxError
from therapykg.store.label_index import INDEX_FILE, LabelIndex
from therapykg.store.results import serialize
from therapykg.store.sandbox import confine_network, limit_memory, private_memory_mib

XSD = "http://www.w3.org/2001/XMLSchema#"
# A term as a job carries it (picklable, and cheaper than pickling a pyoxigraph term):
# ("iri", value) or ("literal", value, datatype IRI or "", language or "").
EncodedTerm = tuple[Literal["iri"], str] | tuple[Literal["literal"], str, str, str]
# Messages between the pool and a worker: an 8-byte length, then a pickle;
# an answer's body follows its outcome as ``outcome.size`` raw bytes.
HEADER = struct.Struct("!Q")
# Oxigraph's parser and evaluator recurse; 8x the usual main-thread stack
# keeps the query guard's nesting limits far from an overflow.
QUERY_STACK_BYTES = 64 << 20
# The default memory ceiling: this much beyond the store and the stack, plus
# the store's own size again for the working sets of queries over it.
MEMORY_HEADROOM_MIB = 512
# An answer up to this size is sent in the same write as its outcome.
SMALL_ANSWER_BYTES = 1 << 16


def frame(message: object) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def read_frame(sock: socket.socket) -> Any:
    """One message from a blocking socket; EOFError when it is closed."""
    (size,) = HEADER.unpack(_read(sock, HEADER.size))
    return pickle.loads(_read(sock, size))


def _read(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = sock.recv(min(size - len(buffer), 1 << 20))
        if not chunk:
            raise EOFError
        buffer += chunk
    return bytes(buffer)


@dataclass
class QueryJob:
    """One query and how to write its answer. The output formats are chosen
    before the job reaches the engine, one per kind of result (the engine
    learns the kind only when it runs the query): None for a kind means no
    format of that kind will do, and such a result is refused."""

    query: str
    # For SELECT and ASK: json, xml, csv or tsv (therapykg.store.formats.RESULT_FORMATS).
    result_format: str | None = "json"
    # For CONSTRUCT and DESCRIBE: turtle, ntriples, jsonld or rdfxml (GRAPH_FORMATS).
    graph_format: str | None = "turtle"
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    # variable name -> its value (see EncodedTerm)
    substitutions: dict[str, EncodedTerm] = field(default_factory=dict)
    # None: no limit, for the service's own queries (written by the engine's fast serializer).
    max_rows: int | None = 10_000
    # Instead of a query: dump the whole store in this format (ttl, nt, jsonld, nq, trig).
    dump: str | None = None
    # (variable, text): narrow the variable with the label index to resources named with the text.
    narrow: tuple[str, str] | None = None
    # Serialized result bytes at most (whole rows or triples); None: no limit.
    max_bytes: int | None = None
    # The IRI that relative IRIs in the query resolve against (None: relative IRIs are an error).
    base_iri: str | None = None


@dataclass
class QueryOutcome:
    """The answer to a job: its bytes and what they are, or the engine's
    error (raised by the pool on the serving side)."""

    media_type: str
    body: bytes = b""
    rows: int = 0
    # Why the result was cut, as reported to the client ("limit=1000", "byte-limit=1048576"); empty if whole.
    truncated: str = ""
    size: int = 0
    # A large body, in the serving process: a file to stream from instead of ``body``.
    spool: IO[bytes] | None = None
    error: EngineError | None = None
    # Seconds spent, by step, where the engine could tell: "queue" (waiting for
    # a slot and a query process), "exec" (evaluating), "serialize" (writing the answer).
    timings: dict[str, float] = field(default_factory=dict)

    def read_body(self) -> bytes:
        """The whole body, wherever it is."""
        if self.spool is None:
            return self.body
        self.spool.seek(0)
        return self.spool.read()


@dataclass(frozen=True)
class WorkerOptions:
    sandbox: str = "auto"  # auto, required or off (therapykg.store.sandbox.confine_network)
    memory_mib: int = 0  # the process's memory ceiling; 0: scaled to the store


def memory_ceiling_mib(store_mib: int) -> int:
    """The default ceiling for a process holding a store of ``store_mib``."""
    return MEMORY_HEADROOM_MIB + 2 * store_mib + (QUERY_STACK_BYTES >> 20)


def encode_term(term: ox.NamedNode | ox.Literal) -> EncodedTerm:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    return ("literal", term.value, "" if term.language else term.datatype.value, term.language or "")


def decode_term(encoded: EncodedTerm) -> ox.NamedNode | ox.Literal:
    if encoded[0] == "iri":
        return ox.NamedNode(encoded[1])
    _, value, datatype, language = encoded
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype or XSD + "string"))


def open_store(store: str) -> tuple[ox.Store, str, LabelIndex]:
    """The graph to serve, its version and its label index: ``memory`` loads
    the built graph from the package's files; a ``.nq`` release dump is
    loaded into memory; anything else is the path of an on-disk store opened
    read-only, whose label index is read from beside it."""
    if store == "memory":
        from therapykg.store.graph import load_graph

        graph = load_graph()
        return graph.store, graph.version, LabelIndex.of_store(graph.store)
    if store.endswith(".nq"):
        from therapykg.store.graph import load_dump

        graph = load_dump(store)
        return graph.store, graph.version, LabelIndex.of_store(graph.store)
    from therapykg.store.graph import read_store_version

    disk, version = ox.Store.read_only(store), read_store_version(store)
    saved = Path(store) / INDEX_FILE
    return disk, version, LabelIndex.read(saved) if saved.exists() else LabelIndex.of_store(disk)


DUMP_FORMATS = {
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}


def dump(store: ox.Store, name: str) -> QueryOutcome:
    fmt, media = DUMP_FORMATS[name]
    quads = list(store.quads_for_pattern(None, None, None, None))
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE) else None
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        body = ox.serialize(quads, format=fmt, prefixes=prefixes)
    else:
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    return QueryOutcome(media, body or b"", len(quads))


def prepare(query: str, job: QueryJob, index: LabelIndex | None) -> str:
    """The query to send: narrowed by the label index if the job asks and the
    index can, and with the job's parameters bound."""
    if job.narrow and index is not None:
        variable, text = job.narrow
        resources = index.resources_containing(text)
        if resources is not None:
            query = restrict(query, variable, resources)
    if job.substitutions:
        # A VALUES clause written by the engine's serializer: as safe as
        # substitutions, and Oxigraph plans it better (measured in BENCHMARKS.md).
        query = bind_values(query, {ox.Variable(k): decode_term(v) for k, v in job.substitutions.items()})
    return query


class _Drawn:
    """A query's solutions, timed as they are drawn from the engine:
    Oxigraph evaluates lazily, so most of a SELECT's evaluation happens
    while its rows are written, and only the drawing is evaluation."""

    def __init__(self, solutions: ox.QuerySolutions):
        self.variables = solutions.variables
        self._solutions = solutions
        self.seconds = 0.0

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        clock, solutions = time.perf_counter, iter(self._solutions)
        while True:
            started = clock()
            row = next(solutions, None)
            self.seconds += clock() - started
            if row is None:
                return
            yield row


def _evaluate(store: ox.Store, job: QueryJob, index: LabelIndex | None, options: dict[str, Any]) -> QueryOutcome:
    """Run the query and write its answer, timing each: evaluation (the
    query's start and the drawing of its solutions or triples) and writing."""
    started = time.perf_counter()
    results: Any = store.query(prepare(job.query, job, index), **options)
    evaluated = time.perf_counter() - started
    drawn = None
    if isinstance(results, ox.QueryTriples):
        # What serialize would read itself: one triple past the row limit.
        results = list(islice(results, (10**12 if job.max_rows is None else job.max_rows) + 1))
        evaluated = time.perf_counter() - started
    elif isinstance(results, ox.QuerySolutions) and (job.max_rows is not None or job.max_bytes is not None):
        drawn = results = _Drawn(results)
    out = serialize(results, job.result_format, job.graph_format, job.max_rows, job.max_bytes)
    total = time.perf_counter() - started
    if drawn is not None:
        evaluated += drawn.seconds
    return QueryOutcome(out.media_type, out.body, out.rows, out.truncated,
                        timings={"exec": evaluated, "serialize": max(total - evaluated, 0.0)})


def execute(store: ox.Store, job: QueryJob, index: LabelIndex | None = None) -> QueryOutcome:
    if job.dump:
        started = time.perf_counter()
        outcome = dump(store, job.dump)
        outcome.timings = {"exec": 0.0, "serialize": time.perf_counter() - started}
        return outcome
    options: dict[str, Any] = {"prefixes": PREFIXES}
    if job.base_iri:
        options["base_iri"] = job.base_iri
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        return _evaluate(store, job, index, options)
    except MemoryError:
        return _failed(QueryMemoryExceeded("it needed more memory than a query process may use"))
    except SyntaxError as error:
        return _failed(QuerySyntaxError(str(error)))
    except EngineError as error:
        return _failed(error)
    except (OSError, RuntimeError, ValueError) as error:
        return _failed(QueryFailed(str(error)))


def _failed(error: EngineError) -> QueryOutcome:
    # Without its traceback: the frames it holds would keep the query's
    # results alive until a collection on any thread (Oxigraph's may only be
    # dropped on their own), and no traceback crosses the pipe from a process anyway.
    return QueryOutcome("", error=error.with_traceback(None))


def main(sock: socket.socket, store_location: str, options: WorkerOptions = WorkerOptions()) -> None:
    """Process entry point: confine the process, load the graph, say ready
    (with the confinement in force), then answer jobs until the pool closes
    the socket. Jobs are read and run on one thread with a deep stack (the
    whole loop there: no hand-off per query)."""
    try:
        # Before the store opens, so that every thread the engine starts is confined too.
        sandbox = confine_network(options.sandbox)
        store, version, index = open_store(store_location)
        memory_mib = options.memory_mib or memory_ceiling_mib(private_memory_mib())
        threading.stack_size(QUERY_STACK_BYTES)
        ready = threading.Event()
        # The thread and its stack exist before the ceiling applies.
        runner = threading.Thread(target=_serve, args=(sock, store, index, ready), name="query", daemon=True)
        runner.start()
        limit_memory(memory_mib)
    except Exception as error:  # reported to the parent, which refuses to start
        sock.sendall(frame(("failed", f"{type(error).__name__}: {error}")))
        return
    sock.sendall(frame(("ready", version, {"sandbox": sandbox, "memory_mib": memory_mib})))
    ready.set()
    runner.join()


def _serve(sock: socket.socket, store: ox.Store, index: LabelIndex, ready: threading.Event) -> None:
    """Answer jobs until the pool closes the socket: an outcome frame, then its body."""
    ready.wait()
    while True:
        try:
            job = read_frame(sock)
        except (EOFError, OSError):
            return
        outcome = execute(store, job, index)
        body, outcome.body = outcome.body, b""
        outcome.size = len(body)
        head = frame(outcome)
        if len(body) <= SMALL_ANSWER_BYTES:
            sock.sendall(head + body)  # one write: the pool reads both at once
        else:
            sock.sendall(head)
            sock.sendall(body)
