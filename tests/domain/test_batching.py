"""The batching loader: one call of the batch function for the keys asked
for together, each key's answer cached, failures kept per key."""

import asyncio

import pytest

from therapykg.domain.batching import BatchLoader, WrongNumberOfResults


class Recorder:
    def __init__(self, answer=lambda key: key * 10):
        self.calls: list[list[int]] = []
        self.answer = answer

    async def __call__(self, keys: list[int]) -> list:
        self.calls.append(list(keys))
        return [self.answer(key) for key in keys]


def test_keys_asked_for_together_are_fetched_in_one_call():
    batch = Recorder()

    async def run():
        loader = BatchLoader(batch)
        together = await asyncio.gather(loader.load(1), loader.load_many([2, 3]), loader.load(1))
        later = await loader.load_many([3, 4])
        return together, later

    together, later = asyncio.run(run())
    assert together == [10, [20, 30], 10]
    assert later == [30, 40]
    # 1 asked for twice in one batch, 3 again later: each key is fetched once.
    assert batch.calls == [[1, 2, 3], [4]]


def test_keys_from_tasks_started_together_share_a_batch():
    batch = Recorder()

    async def run():
        loader = BatchLoader(batch)

        async def resolve(key):
            return await loader.load(key)

        return await asyncio.gather(*(asyncio.create_task(resolve(k)) for k in range(4)))

    assert asyncio.run(run()) == [0, 10, 20, 30]
    assert batch.calls == [[0, 1, 2, 3]]


def test_an_exception_in_place_of_a_value_fails_that_key_only():
    batch = Recorder(lambda key: ValueError(f"no {key}") if key == 2 else key)

    async def run():
        loader = BatchLoader(batch)
        one, two = await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)
        with pytest.raises(ValueError, match="no 2"):
            await loader.load(2)  # the failure is cached too
        return one, two

    one, two = asyncio.run(run())
    assert one == 1 and isinstance(two, ValueError)
    assert batch.calls == [[1, 2]]


def test_a_failing_batch_fails_every_key_of_it():
    async def failing(keys):
        raise RuntimeError("engine down")

    async def run():
        loader = BatchLoader(failing)
        return await asyncio.gather(loader.load(1), loader.load(2), return_exceptions=True)

    assert [str(e) for e in asyncio.run(run())] == ["engine down", "engine down"]


def test_a_batch_function_must_answer_every_key():
    async def short(keys):
        return keys[:-1]

    async def run():
        return await BatchLoader(short).load_many([1, 2])

    with pytest.raises(WrongNumberOfResults):
        asyncio.run(run())


def test_a_batch_nobody_waits_for_is_cancelled():
    """A request cancelled at its deadline stops its query too."""
    state = {}

    async def slow(keys):
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise
        return keys

    async def run():
        loader = BatchLoader(slow)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(loader.load_many([1, 2]), 0.05)
        await asyncio.sleep(0)

    asyncio.run(run())
    assert state == {"cancelled": True}
