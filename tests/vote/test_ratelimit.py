"""Rate limiters: atomic reservations per key and window, in process and through the real Redis,
and the fallback that keeps limits working while Redis is away."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis_asyncio

from vote.ratelimit import (
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    ResilientRateLimiter,
    Rule,
    redis_client,
    reserve_attempt,
)

REDIS_URL = os.environ.get("VOTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


async def _reachable(client: redis_asyncio.Redis) -> None:
    try:
        await client.ping()
    except Exception as error:  # no server
        await client.aclose()
        if IN_CI:
            pytest.fail(f"Redis is required in CI but unreachable: {error}")
        pytest.skip(f"Redis not reachable: {error}")


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    client = redis_client(REDIS_URL)
    await _reachable(client)
    yield RedisRateLimiter(client)
    await client.aclose()


def rule(limit: int = 3) -> Rule:
    return Rule(key=f"test:{uuid.uuid4().hex}", limit=limit, window=600)


async def test_reservations_stop_at_the_limit(limiter: RateLimiter) -> None:
    limited = rule(3)
    slots = [await limiter.reserve(limited) for _ in range(5)]
    assert [slot is not None for slot in slots] == [True, True, True, False, False]
    assert await limiter.count(limited.key, 600) == 3
    other = Rule(key=limited.key + ":other", limit=3, window=600)
    assert await limiter.reserve(other) is not None


async def test_a_released_slot_does_not_count(limiter: RateLimiter) -> None:
    limited = rule(2)
    slot = await limiter.reserve(limited)
    assert slot is not None
    await limiter.release(slot)
    assert await limiter.count(limited.key, 600) == 0
    assert await limiter.reserve(limited) is not None
    assert await limiter.reserve(limited) is not None
    assert await limiter.reserve(limited) is None


async def test_concurrent_reservations_never_pass_the_limit(limiter: RateLimiter) -> None:
    limited = rule(30)
    slots = await asyncio.gather(*(limiter.reserve(limited) for _ in range(300)))
    assert sum(slot is not None for slot in slots) == 30
    assert await limiter.count(limited.key, 600) == 30


async def test_an_attempt_takes_every_limit_or_none(limiter: RateLimiter) -> None:
    wide, narrow = rule(10), rule(1)
    await reserve_attempt(limiter, [wide, narrow], ValueError)
    with pytest.raises(ValueError, match=r"^\d+$") as refused:
        await reserve_attempt(limiter, [wide, narrow], lambda seconds: ValueError(str(seconds)))
    assert 0 < int(str(refused.value)) <= 600
    assert await limiter.count(wide.key, 600) == 1  # the refused attempt gave its slot back


async def test_reset_forgets_a_key(limiter: RateLimiter) -> None:
    limited = rule(1)
    await limiter.reserve(limited)
    await limiter.reset(limited.key)
    assert await limiter.count(limited.key, 600) == 0


async def test_a_full_memory_limiter_keeps_recent_counters() -> None:
    """A flood of new keys (an attacker's many addresses) must not wipe every counter."""
    now = [1_000.0]
    limiter = MemoryRateLimiter(max_keys=100, clock=lambda: now[0])
    watched = Rule(key="code:198.51.100.7", limit=3, window=600)
    for _ in range(3):
        await limiter.reserve(watched)
    for number in range(95):
        await limiter.reserve(Rule(key=f"code:flood-{number}", limit=3, window=600))
    assert await limiter.reserve(watched) is None  # still counted, still refused
    for number in range(95, 400):
        await limiter.reserve(Rule(key=f"code:flood-{number}", limit=3, window=600))
    assert len(limiter._counts) <= 100  # bounded memory
    # Once the window has passed, old counters go first and nothing is refused wrongly.
    now[0] += 600
    assert await limiter.reserve(watched) is not None


async def test_redis_counts_are_shared_between_clients() -> None:
    """Two workers (two clients) see one count, which is what makes limits hold when scaled out."""
    first, second = redis_asyncio.from_url(REDIS_URL), redis_asyncio.from_url(REDIS_URL)
    await _reachable(first)
    limited = rule(2)
    assert await RedisRateLimiter(first).reserve(limited) is not None
    assert await RedisRateLimiter(second).reserve(limited) is not None
    assert await RedisRateLimiter(first).reserve(limited) is None
    await first.aclose()
    await second.aclose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.02)
    server.kill()
    raise RuntimeError("redis-server did not start")


async def test_the_resilient_limiter_falls_back_and_returns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A throwaway Redis is stopped and started again: limits hold throughout, the fall-back is
    logged once, and shared counting resumes when Redis is back."""
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server not installed")
    port = _free_port()
    server = _start_redis(port, tmp_path)
    client = redis_client(f"redis://127.0.0.1:{port}/0")
    limiter = ResilientRateLimiter(RedisRateLimiter(client), retry_seconds=0.0)
    limited = rule(3)
    try:
        assert await limiter.reserve(limited) is not None
        assert await limiter.check() and not limiter.degraded
        server.kill()
        server.wait()
        with caplog.at_level(logging.WARNING, logger="vote.ratelimit"):
            slots = [await limiter.reserve(limited) for _ in range(5)]
        assert limiter.degraded
        assert [slot is not None for slot in slots] == [True, True, True, False, False]
        assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
        assert "unreachable" in caplog.records[0].message
        assert not await limiter.check()

        server = _start_redis(port, tmp_path)
        assert await limiter.check()
        assert not limiter.degraded
        fresh = rule(1)
        assert (await limiter.reserve(fresh)) is not None
        assert await RedisRateLimiter(client).count(fresh.key, 600) == 1  # counted in Redis
    finally:
        server.kill()
        server.wait()
        await client.aclose()
