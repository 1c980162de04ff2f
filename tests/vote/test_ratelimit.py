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
    RELEASE_DELAY,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    Refused,
    ResilientRateLimiter,
    Rule,
    Slot,
    begin_attempt,
    redis_client,
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


def rule(limit: int = 3, in_flight: int = 1) -> Rule:
    return Rule(key=f"test:{uuid.uuid4().hex}", limit=limit, window=600, in_flight=in_flight)


async def fail(limiter: RateLimiter, limited: Rule) -> None:
    slot = await limiter.begin(limited)
    assert isinstance(slot, Slot)
    await limiter.finish(slot, failed=True)


async def test_failures_stop_at_the_limit(limiter: RateLimiter) -> None:
    limited = rule(3)
    for _ in range(3):
        await fail(limiter, limited)
    refused = await limiter.begin(limited)
    assert isinstance(refused, Refused) and 0 < refused.retry_after <= 600
    assert await limiter.count(limited.key, 600) == 3
    other = Rule(key=limited.key + ":other", limit=3, window=600)
    assert isinstance(await limiter.begin(other), Slot)


async def test_right_answers_never_count(limiter: RateLimiter) -> None:
    limited = rule(2)
    for _ in range(50):
        slot = await limiter.begin(limited)
        assert isinstance(slot, Slot)
        await limiter.finish(slot, failed=False)
    assert await limiter.count(limited.key, 600) == 0


async def test_checks_under_way_are_capped_and_then_free_again(limiter: RateLimiter) -> None:
    limited = rule(30, in_flight=2)
    first, second = await limiter.begin(limited), await limiter.begin(limited)
    assert isinstance(first, Slot) and isinstance(second, Slot)
    busy = await limiter.begin(limited)
    assert isinstance(busy, Refused) and busy.retry_after == 1
    await limiter.finish(first, failed=False)
    assert isinstance(await limiter.begin(limited), Slot)


async def test_a_concurrent_burst_gets_at_most_limit_plus_under_way_checks(
    limiter: RateLimiter,
) -> None:
    limited = rule(30, in_flight=40)
    await asyncio.gather(*(fail(limiter, limited) for _ in range(25)))

    async def attempt() -> bool:
        slot = await limiter.begin(limited)
        if isinstance(slot, Refused):
            return False
        await asyncio.sleep(0)  # the check, under way while others arrive
        await limiter.finish(slot, failed=True)
        return True

    checked = await asyncio.gather(*(attempt() for _ in range(300)))
    # 25 failures already: at most 4 more could begin one by one, plus the 40 under way at once.
    assert sum(checked) <= (30 - 25 - 1) + 40
    assert isinstance(await limiter.begin(limited), Refused)


async def test_an_attempt_takes_every_rule_or_none(limiter: RateLimiter) -> None:
    wide, narrow = rule(10), rule(1)
    attempt = await begin_attempt(limiter, [wide, narrow], ValueError)
    await attempt.finish(failed=True)
    with pytest.raises(ValueError, match=r"^\d+$") as refused:
        await begin_attempt(limiter, [wide, narrow], lambda seconds: ValueError(str(seconds)))
    assert 0 < int(str(refused.value)) <= 600
    assert await limiter.count(wide.key, 600) == 1
    # The refused attempt gave back what it had begun under the wide rule.
    assert isinstance(await limiter.begin(wide), Slot)


async def test_reset_forgets_a_key(limiter: RateLimiter) -> None:
    limited = rule(1)
    await fail(limiter, limited)
    await limiter.reset(limited.key)
    assert await limiter.count(limited.key, 600) == 0


async def test_a_full_memory_limiter_keeps_recent_counters() -> None:
    """A flood of new keys (an attacker's many addresses) must not wipe every counter."""
    now = [1_000.0]
    limiter = MemoryRateLimiter(max_keys=100, clock=lambda: now[0])
    watched = Rule(key="code:198.51.100.7", limit=3, window=600)
    for _ in range(3):
        await fail(limiter, watched)
    for number in range(45):
        await fail(limiter, Rule(key=f"code:flood-{number}", limit=3, window=600))
    assert isinstance(await limiter.begin(watched), Refused)  # still counted, still refused
    for number in range(45, 400):
        await fail(limiter, Rule(key=f"code:flood-{number}", limit=3, window=600))
    assert len(limiter._counts) <= 100  # bounded memory
    # Once the window has passed, old counters go first and nothing is refused wrongly.
    now[0] += 1200
    assert isinstance(await limiter.begin(watched), Slot)


async def test_redis_counts_are_shared_between_clients() -> None:
    """Two workers (two clients) see one count, which is what makes limits hold when scaled out."""
    first, second = redis_client(REDIS_URL), redis_client(REDIS_URL)
    await _reachable(first)
    limited = rule(2)
    await fail(RedisRateLimiter(first), limited)
    await fail(RedisRateLimiter(second), limited)
    assert isinstance(await RedisRateLimiter(first).begin(limited), Refused)
    await first.aclose()
    await second.aclose()


async def test_a_check_that_ended_well_is_released_for_every_worker_soon() -> None:
    """One call to Redis per check that ends well: its release waits a moment in the worker
    (or rides on the worker's next check), then the other workers see the place free again."""
    first, second = redis_client(REDIS_URL), redis_client(REDIS_URL)
    await _reachable(first)
    one_at_a_time = rule(5, in_flight=1)
    worker_a, worker_b = RedisRateLimiter(first), RedisRateLimiter(second)
    slot = await worker_a.begin(one_at_a_time)
    assert isinstance(slot, Slot)
    assert isinstance(await worker_b.begin(one_at_a_time), Refused)
    await worker_a.finish(slot, failed=False)
    await asyncio.sleep(RELEASE_DELAY * 5)
    again = await worker_b.begin(one_at_a_time)
    assert isinstance(again, Slot)
    assert int(await first.get(again.in_flight) or 0) == 1
    await worker_b.finish(again, failed=False)
    await worker_b.flush()
    assert int(await first.get(again.in_flight) or 0) == 0
    assert await worker_a.count(one_at_a_time.key, 600) == 0  # nothing counted as a failure
    await first.aclose()
    await second.aclose()


async def test_a_release_after_its_counter_expired_leaves_no_counter() -> None:
    client = redis_client(REDIS_URL)
    await _reachable(client)
    limiter, limited = RedisRateLimiter(client), rule(5, in_flight=3)
    slot = await limiter.begin(limited)
    assert isinstance(slot, Slot)
    await client.delete(slot.in_flight)  # as if its minute had passed
    await limiter.finish(slot, failed=False)
    await limiter.flush()
    assert await client.exists(slot.in_flight) == 0
    await client.aclose()


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
        await fail(limiter, limited)
        assert await limiter.check() and not limiter.degraded
        server.kill()
        server.wait()
        with caplog.at_level(logging.WARNING, logger="vote.ratelimit"):
            answers = []
            for _ in range(5):
                answer = await limiter.begin(limited)
                answers.append(isinstance(answer, Slot))
                if isinstance(answer, Slot):
                    await limiter.finish(answer, failed=True)
        assert limiter.degraded
        assert answers == [True, True, True, False, False]
        assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
        assert "unreachable" in caplog.records[0].message
        assert not await limiter.check()

        server = _start_redis(port, tmp_path)
        assert await limiter.check()
        assert not limiter.degraded
        fresh = rule(1)
        await fail(limiter, fresh)
        assert await RedisRateLimiter(client).count(fresh.key, 600) == 1  # counted in Redis
    finally:
        server.kill()
        server.wait()
        await client.aclose()
