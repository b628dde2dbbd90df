"""A pool of query worker processes. A request is admitted to its lane
(therapykg.store.admission), then borrows an idle worker; a query that
outlives its timeout gets its worker killed (freeing the CPU) and a fresh one
started in its place, while the event loop keeps serving. A worker found dead
before a query is sent is replaced and the query goes to another one; a
worker that dies during a query is reported by cause (its memory ceiling, or
a crash). Large answers are read from the worker into a spool file, so the
worker is free at once and a slow client holds no more than a spool's
memory in this process."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import signal
import socket
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from therapykg.store import worker as worker_module
from therapykg.store.admission import SERVICE, Lanes, admitted
from therapykg.store.engine import EngineStatus
from therapykg.store.errors import EngineUnavailable, QueryMemoryExceeded, QueryTimeout
from therapykg.store.worker import HEADER, QueryJob, QueryOutcome, WorkerOptions, frame

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext

log = logging.getLogger("therapykg.engine")

# Answers larger than this go to a spool file rather than memory.
SPOOL_MEMORY_BYTES = 1 << 20
# Reads from a worker's socket ask for at least this much at once.
READ_BYTES = 1 << 16
# A query with less time left than this when a worker frees up is not sent.
MIN_RUN_SECONDS = 0.05


def _context() -> ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    # Workers fork from a server that already imported the engine, so a
    # replacement starts in a fraction of a second.
    ctx.set_forkserver_preload(["therapykg.store.worker"])
    return ctx


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    sock: socket.socket
    # Bytes read from the worker and not yet used (an answer often arrives in one piece).
    pending: bytearray = field(default_factory=bytearray)

    async def send(self, job: QueryJob) -> None:
        await asyncio.get_running_loop().sock_sendall(self.sock, frame(job))

    async def receive(self, spool_answer: bool) -> QueryOutcome:
        """The outcome and its body; a large body that may be spooled is left in ``outcome.spool``."""
        (size,) = HEADER.unpack(await self._read(HEADER.size))
        outcome: QueryOutcome = pickle.loads(await self._read(size))
        if not spool_answer or outcome.size <= SPOOL_MEMORY_BYTES:
            outcome.body = await self._read(outcome.size)
            return outcome
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 (closed by whoever streams it)
        remaining = outcome.size
        try:
            while remaining:
                chunk = await self._read(min(remaining, READ_BYTES), at_most=True)
                spool.write(chunk)
                remaining -= len(chunk)
        except BaseException:
            spool.close()  # the worker went away, or the wait was cancelled: nothing will read it
            raise
        spool.seek(0)
        outcome.spool = spool
        return outcome

    async def _read(self, size: int, *, at_most: bool = False) -> bytes:
        """``size`` bytes (or, ``at_most``, between 1 and ``size``), taken
        from what was read before, then from the socket in large reads."""
        loop = asyncio.get_running_loop()
        while len(self.pending) < size and not (at_most and self.pending):
            chunk = await loop.sock_recv(self.sock, max(size - len(self.pending), READ_BYTES))
            if not chunk:
                raise EOFError("query worker closed its socket")
            self.pending += chunk
        taken = bytes(self.pending[:size])
        del self.pending[:size]
        return taken

    def alive(self) -> bool:
        return self.process.is_alive()

    def still_there(self) -> bool:
        """For an idle worker: whether its end of the socket is still open
        (it closes when the process ends, whatever ends it). One system
        call, where asking the process is several."""
        try:
            waiting = self.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return True  # open, and nothing sent: as an idle worker should be
        except OSError:
            return False
        # Closed (b""), or bytes no job asked for (``waiting``): either way not fit for work.
        log.warning("an idle query worker %s", "sent bytes unasked" if waiting else "has gone")
        return False

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.sock.close()


class QueryPool:
    def __init__(self, size: int, store: str, *, options: WorkerOptions | None = None,
                 queue_limits: dict[str, int] | None = None):
        self.size, self.store, self.options = size, store, options or WorkerOptions()
        self.version: str | None = None
        self.sandbox: list[str] = []
        self.memory_mib: int | None = None
        self.lanes = Lanes(size, queue_limits or {SERVICE: 256, "adhoc": 16})
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._ctx = _context()
        self._closed = False
        self._replacing: set[asyncio.Task[None]] = set()

    @property
    def ready_workers(self) -> int:
        return self._idle.qsize()

    @property
    def alive_workers(self) -> int:
        return sum(w.alive() for w in self._all)

    # Each query process holds the whole dataset, graph by graph.
    single_graph = False

    def status(self) -> EngineStatus:
        return EngineStatus(self.version, self.lanes.slots, self.ready_workers, self.alive_workers, self.lanes.queued,
                            self.sandbox, self.memory_mib)

    def accepting(self) -> bool:
        """Ready to take work: a live worker and room in the service lane."""
        self.reap()
        return self.version is not None and self.alive_workers > 0 and self.lanes.accepting(SERVICE)

    def reap(self) -> None:
        """Replace idle workers that died while waiting for work."""
        idle = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
        for w in idle:
            if w.still_there():
                self._idle.put_nowait(w)
            else:
                self._discard(w)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*[loop.run_in_executor(None, self._spawn) for _ in range(self.size)])
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        parent, child = socket.socketpair()
        process = self._ctx.Process(target=worker_module.main, args=(child, self.store, self.options), daemon=True)
        process.start()
        child.close()
        message = worker_module.read_frame(parent)
        if message[0] != "ready":
            process.join()
            parent.close()
            raise EngineUnavailable(f"query worker could not start on the store {self.store!r}: {message[1]}")
        _, self.version, confinement = message
        self.sandbox, self.memory_mib = confinement["sandbox"], confinement["memory_mib"]
        parent.setblocking(False)
        w = _Worker(process, parent)
        self._all.add(w)
        return w

    async def _replace(self, dead: _Worker) -> None:
        self._all.discard(dead)
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        try:
            fresh = await loop.run_in_executor(None, self._spawn)
        except Exception:
            log.exception("could not start a replacement query worker")
            return
        self._idle.put_nowait(fresh)

    async def execute(self, job: QueryJob, timeout: float, *, lane: str = SERVICE) -> QueryOutcome:
        """Run ``job`` within ``timeout`` seconds, waiting included.

        :raises EngineBusy: the lane's queue is full.
        :raises QueryTimeout: no worker in time, or the query outlived the timeout.
        :raises QueryMemoryExceeded: the query went past the memory ceiling.
        :raises EngineUnavailable: the worker crashed.
        :raises EngineError: what the query itself met (a syntax error, no format for its result, an evaluation failure).
        """
        deadline = asyncio.get_running_loop().time() + timeout
        async with admitted(self.lanes, lane, timeout):
            return await self._run(job, deadline, timeout)

    async def _run(self, job: QueryJob, deadline: float, timeout: float) -> QueryOutcome:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            w = await self._take(deadline, timeout)
            queued = loop.time() - (deadline - timeout)  # admission and the wait for a free process
            try:
                await w.send(job)
            except OSError:
                # Died after the liveness check, before the query: nothing ran; once more on another.
                self._discard(w)
                if attempt == 2:
                    raise EngineUnavailable("the query worker stopped unexpectedly; it is being replaced") from None
                continue
            try:
                async with asyncio.timeout(max(deadline - loop.time(), 0.001)):
                    outcome = await w.receive(job.max_bytes is not None or bool(job.dump))
            except TimeoutError:
                self._discard(w)
                raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped") from None
            except (EOFError, OSError):
                cause = self._died(w)
                if attempt == 1 and w.process.exitcode in (-signal.SIGKILL, -signal.SIGTERM):
                    continue  # killed from outside (not by this query): once more on another worker
                raise cause from None
            except asyncio.CancelledError:
                # The client went away mid-query: the worker is still busy with it.
                self._discard(w)
                raise
            self._idle.put_nowait(w)
            if outcome.error is not None:
                raise outcome.error
            outcome.timings["queue"] = queued
            return outcome
        raise AssertionError("unreachable")

    async def _take(self, deadline: float, timeout: float) -> _Worker:
        """A live idle worker, if one frees up with time left to run a query."""
        loop = asyncio.get_running_loop()
        while True:
            if not self._idle.empty():
                w = self._idle.get_nowait()  # the usual case: admission left a worker free
            else:
                try:
                    async with asyncio.timeout(max(deadline - loop.time(), 0.001)):
                        w = await self._idle.get()
                except TimeoutError:
                    raise QueryTimeout(f"no query worker became free within {timeout:g} s") from None
            if not w.still_there():
                self._discard(w)
                continue
            if deadline - loop.time() < MIN_RUN_SECONDS:
                self._idle.put_nowait(w)
                raise QueryTimeout(f"no query worker became free within {timeout:g} s")
            return w

    def _died(self, w: _Worker) -> Exception:
        """Why a worker died during a query; it is replaced."""
        w.process.join(timeout=2)
        code = w.process.exitcode
        self._discard(w)
        if code == -signal.SIGABRT:
            return QueryMemoryExceeded(f"the query needed more than the {self.memory_mib} MiB a query process may use "
                                       "(THERAPYKG_QUERY_MEMORY_MIB) and was stopped")
        cause = f" (signal {-code})" if code is not None and code < 0 else ""
        return EngineUnavailable(f"the query worker stopped unexpectedly{cause}; it is being replaced")

    def _discard(self, w: _Worker) -> None:
        """Kill a worker (freeing its CPU at once) and start another in its place."""
        w.kill()
        task = asyncio.ensure_future(self._replace(w))
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def close(self) -> None:
        self._closed = True
        for w in list(self._all):
            w.kill()
        self._all.clear()
