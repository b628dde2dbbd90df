"""A pool of query worker processes. Each request borrows an idle worker;
a query that outlives its timeout gets its worker killed (freeing the CPU)
and a fresh one started in its place, while the event loop keeps serving."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import socket
from dataclasses import dataclass

from therapykg.api import worker as worker_module
from therapykg.api.worker import HEADER, QueryJob, QueryOutcome, frame

log = logging.getLogger("therapykg.engine")


class QueryTimeout(Exception):
    pass


class EngineUnavailable(Exception):
    pass


def _context():
    ctx = multiprocessing.get_context("forkserver")
    # Workers fork from a server that already imported the engine, so a
    # replacement starts in a fraction of a second.
    ctx.set_forkserver_preload(["therapykg.api.worker"])
    return ctx


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    sock: socket.socket

    async def ask(self, job: QueryJob) -> QueryOutcome:
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(self.sock, frame(job))
        header = await _read_exactly(loop, self.sock, HEADER.size)
        (size,) = HEADER.unpack(header)
        return pickle.loads(await _read_exactly(loop, self.sock, size))

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.sock.close()


async def _read_exactly(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = await loop.sock_recv(sock, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("query worker closed its socket")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


class QueryPool:
    def __init__(self, size: int, store: str):
        self.size, self.store = size, store
        self.version: str | None = None
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._ctx = _context()
        self._closed = False
        self._replacing: set[asyncio.Future] = set()

    @property
    def ready_workers(self) -> int:
        return self._idle.qsize()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*[loop.run_in_executor(None, self._spawn) for _ in range(self.size)])
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        parent, child = socket.socketpair()
        process = self._ctx.Process(target=worker_module.main, args=(child, self.store), daemon=True)
        process.start()
        child.close()
        status, detail = worker_module.read_frame(parent)
        if status != "ready":
            process.join()
            parent.close()
            raise EngineUnavailable(f"query worker could not open the store {self.store!r}: {detail}")
        self.version = detail
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

    async def execute(self, job: QueryJob, timeout: float) -> QueryOutcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            w = await asyncio.wait_for(self._idle.get(), timeout)
        except asyncio.TimeoutError:
            raise QueryTimeout(f"no query worker became free within {timeout:g} s") from None
        try:
            outcome = await asyncio.wait_for(w.ask(job), max(deadline - loop.time(), 0.001))
        except asyncio.TimeoutError:
            self._discard(w)
            raise QueryTimeout(f"query timed out after {timeout:g} s and was stopped") from None
        except (EOFError, OSError):
            self._discard(w)
            raise EngineUnavailable("the query worker stopped unexpectedly; it is being replaced") from None
        except asyncio.CancelledError:
            # The client went away mid-query: the worker is still busy with it.
            self._discard(w)
            raise
        self._idle.put_nowait(w)
        return outcome

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
