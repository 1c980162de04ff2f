"""Live views share one recount per change in a worker, and never see a count older than the
change they heard of."""

from __future__ import annotations

import asyncio

import pytest

from vote.shared_counts import SharedCounts


async def test_fifty_views_hearing_one_change_count_once() -> None:
    counts = SharedCounts()
    runs = 0

    async def count() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.01)
        return runs

    loop = asyncio.get_running_loop()
    heard = loop.time()
    results = await asyncio.gather(*(counts.fresh("m1", heard, count) for _ in range(50)))
    assert runs == 1 and set(results) == {1}
    # A change heard after that count started needs a new one...
    later = loop.time() + 0.001
    await asyncio.sleep(0.002)
    assert await counts.fresh("m1", later, count) == 2
    # ...and another meeting is counted on its own.
    assert await counts.fresh("m2", heard, count) == 3


async def test_a_failed_count_is_not_reused() -> None:
    counts = SharedCounts()
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the database went away")
        return "ok"

    since = asyncio.get_running_loop().time()
    with pytest.raises(ConnectionError):
        await counts.fresh("m", since, flaky)
    assert await counts.fresh("m", since, flaky) == "ok"
