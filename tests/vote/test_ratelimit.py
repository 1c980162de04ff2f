"""Rate limiters count per key and window, in process and shared through the real Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio

from vote.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("VOTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    client = redis_asyncio.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as error:  # no server
        await client.aclose()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI but unreachable: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    yield RedisRateLimiter(client)
    await client.aclose()


async def test_hits_are_counted_per_key(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4().hex}"
    assert await limiter.count(key, 600) == 0
    assert [await limiter.hit(key, 600) for _ in range(3)] == [1, 2, 3]
    assert await limiter.count(key, 600) == 3
    assert await limiter.count(f"{key}:other", 600) == 0


async def test_reset_forgets_a_key(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4().hex}"
    await limiter.hit(key, 600)
    await limiter.reset(key)
    assert await limiter.count(key, 600) == 0


async def test_redis_counts_are_shared_between_clients() -> None:
    """Two workers (two clients) see one count, which is what makes limits hold when scaled out."""
    first, second = redis_asyncio.from_url(REDIS_URL), redis_asyncio.from_url(REDIS_URL)
    try:
        await first.ping()
    except Exception as error:
        await first.aclose()
        await second.aclose()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI but unreachable: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    key = f"test:{uuid.uuid4().hex}"
    await RedisRateLimiter(first).hit(key, 600)
    await RedisRateLimiter(second).hit(key, 600)
    assert await RedisRateLimiter(first).count(key, 600) == 2
    await first.aclose()
    await second.aclose()
