"""Admission control: which query may run now, which waits, which is turned
away. Two lanes share the engine's slots (one per query process): ``adhoc``
for queries clients write (the SPARQL endpoint) and ``service`` for the
service's own known queries (named queries, GraphQL, pages). Ad-hoc queries
may hold every slot but the reserved ones, so the service lane always has a
slot that runaways cannot take; each lane has a bounded queue, and a request
that finds its queue full is refused at once rather than left to wait."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

from therapykg.store.errors import EngineBusy, QueryTimeout

ADHOC, SERVICE = "adhoc", "service"
# Slots (query processes) only the service lane may use.
RESERVED_WORKERS = 1
LANES = (SERVICE, ADHOC)  # the order in which freed slots are offered


class Overloaded(Exception):
    """The lane's queue is full: try again shortly."""


class WaitedTooLong(Exception):
    """No slot became free before the request's deadline."""


class Lanes:
    def __init__(self, slots: int, queue_limits: dict[str, int], *, reserved: int = RESERVED_WORKERS):
        self.slots = slots
        self.caps = {SERVICE: slots, ADHOC: max(1, slots - reserved)}
        self.queue_limits = queue_limits
        self.running = {lane: 0 for lane in LANES}
        self.waiting: dict[str, deque[asyncio.Future[None]]] = {lane: deque() for lane in LANES}

    def _can_run(self, lane: str) -> bool:
        return sum(self.running.values()) < self.slots and self.running[lane] < self.caps[lane]

    @property
    def queued(self) -> dict[str, int]:
        return {lane: sum(not f.done() for f in self.waiting[lane]) for lane in LANES}

    def accepting(self, lane: str) -> bool:
        """Whether a request in ``lane`` would be admitted (now or after waiting)."""
        return self._can_run(lane) or self.queued[lane] < self.queue_limits[lane]

    async def acquire(self, lane: str, timeout: float) -> None:
        """Take a slot in ``lane``, waiting at most ``timeout`` seconds.

        :raises Overloaded: the lane's queue is full.
        :raises WaitedTooLong: no slot became free in time.
        """
        if not self.queued[lane] and self._can_run(lane):
            self.running[lane] += 1
            return
        if self.queued[lane] >= self.queue_limits[lane]:
            raise Overloaded(f"{self.queued[lane]} {lane} queries are already waiting (the limit)")
        waiter = asyncio.get_running_loop().create_future()
        self.waiting[lane].append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self.release(lane)  # granted just as the wait ended: give the slot back
            else:
                waiter.cancel()
            if isinstance(error, TimeoutError):
                raise WaitedTooLong(f"no query process became free within {timeout:g} s") from None
            raise
        finally:
            self._forget(lane)

    def release(self, lane: str) -> None:
        self.running[lane] -= 1
        for candidate in LANES:
            while self._can_run(candidate) and self.waiting[candidate]:
                waiter = self.waiting[candidate].popleft()
                if not waiter.done():
                    self.running[candidate] += 1
                    waiter.set_result(None)

    def _forget(self, lane: str) -> None:
        while self.waiting[lane] and self.waiting[lane][0].done():
            self.waiting[lane].popleft()


@contextlib.asynccontextmanager
async def admitted(lanes: Lanes, lane: str, timeout: float) -> AsyncIterator[None]:
    """A slot in ``lane`` for the body of the ``with``, with the admission
    refusals as the engine's own errors (the same for every backend).

    :raises EngineBusy: the lane's queue is full.
    :raises QueryTimeout: no slot became free within ``timeout``.
    """
    try:
        await lanes.acquire(lane, timeout)
    except Overloaded as exc:
        raise EngineBusy(f"the server is busy: {exc}") from None
    except WaitedTooLong as exc:
        raise QueryTimeout(str(exc)) from None
    try:
        yield
    finally:
        lanes.release(lane)
