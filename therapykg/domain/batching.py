"""A batching loader: the keys that concurrent tasks ask for before the
batch is dispatched are fetched by one call of a batch function (one SPARQL
query), and each key's answer is kept for the loader's life: the DataLoader
pattern of GraphQL servers, with the same load/load_many semantics, kept
in the domain so that it does not depend on a GraphQL library."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class WrongNumberOfResults(ValueError):
    """The batch function answered a different number of values than keys."""


class _Batch(Generic[K, V]):
    __slots__ = ("keys", "futures", "task")

    def __init__(self) -> None:
        self.keys: list[K] = []
        self.futures: list[asyncio.Future[V]] = []
        self.task: asyncio.Task[None] | None = None

    def add(self, key: K, future: asyncio.Future[V]) -> None:
        self.keys.append(key)
        self.futures.append(future)
        future.add_done_callback(self._on_done)

    def _on_done(self, future: asyncio.Future[V]) -> None:
        # Nobody waits any more (a request's deadline): stop the query too.
        if future.cancelled() and self.task is not None and not self.task.done() and all(f.cancelled() for f in self.futures):
            self.task.cancel()


class BatchLoader(Generic[K, V]):
    """``load(key)`` answers ``key``'s value. Keys loaded until the batch is
    dispatched (it is scheduled when its first key is loaded and starts two
    event-loop steps later, so that the tasks started together all add their
    keys) go to one call of ``batch_fn(keys)``, which answers one value per
    key, in order; an exception in place of a value fails that key only, and
    an exception raised fails them all. Answers (failures too) are cached per
    key for the loader's life: one loader per request."""

    def __init__(self, batch_fn: Callable[[list[K]], Awaitable[Sequence[V | BaseException]]]):
        self.batch_fn = batch_fn
        self._cache: dict[K, asyncio.Future[V]] = {}
        self._batch: _Batch[K, V] | None = None  # the batch still taking keys
        self._tasks: set[asyncio.Task[None]] = set()  # running batches, kept from garbage collection

    def load(self, key: K) -> Awaitable[V]:
        future = self._cache.get(key)
        if future is not None and not future.cancelled():
            return future
        loop = asyncio.get_running_loop()
        future = self._cache[key] = loop.create_future()
        if self._batch is None:
            self._batch = _Batch()
            loop.call_soon(self._schedule, self._batch)
        self._batch.add(key, future)
        return future

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        return asyncio.gather(*map(self.load, keys))

    def _schedule(self, batch: _Batch[K, V]) -> None:
        batch.task = asyncio.get_running_loop().create_task(self._dispatch(batch))
        self._tasks.add(batch.task)
        batch.task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, batch: _Batch[K, V]) -> None:
        if self._batch is batch:
            self._batch = None  # later keys start a new batch
        if all(f.cancelled() for f in batch.futures):
            return
        try:
            values = list(await self.batch_fn(batch.keys))
            if len(values) != len(batch.keys):
                raise WrongNumberOfResults(f"the batch function answered {len(values)} values for {len(batch.keys)} keys")
        except Exception as exc:  # every key of the batch fails with it
            for future in batch.futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, value in zip(batch.futures, values, strict=True):
            if future.done():
                continue
            if isinstance(value, BaseException):
                future.set_exception(value)
            else:
                future.set_result(value)
