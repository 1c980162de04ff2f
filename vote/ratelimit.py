"""Rate limits for anything guessable: chair logins and voting codes.

A limiter keeps counters per key in fixed windows. An attempt *reserves* a slot before the work
is done (an atomic increment that is refused past the limit), so however many requests arrive
at once, at most the limit get through; a successful attempt gives its slot back, so only
failures count. :class:`MemoryRateLimiter` serves one process; :class:`RedisRateLimiter` shares
counts across workers; :class:`ResilientRateLimiter` uses Redis while it answers and falls back
to this process's counters while it does not, so voting never depends on Redis.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import msgspec
import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError

log = logging.getLogger("vote.ratelimit")


class Rule(msgspec.Struct, frozen=True):
    """At most ``limit`` counted attempts per ``window`` seconds for ``key``."""

    key: str
    limit: int
    window: int


class Slot(msgspec.Struct, frozen=True):
    """A reserved attempt: the counter it took one from, to give back on success."""

    counter: str
    window: int
    backend: str


class RateLimiter(Protocol):
    """Atomic counters per key and fixed window."""

    async def reserve(self, rule: Rule) -> Slot | None:
        """Take one attempt under ``rule``; None (and nothing taken) when the limit is reached."""
        ...

    async def release(self, slot: Slot) -> None:
        """Give a reserved attempt back (it succeeded, or was never tried)."""
        ...

    async def count(self, key: str, window: int) -> int:
        """Attempts counted for ``key`` in the current window."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every count of ``key``."""
        ...


def _counter(key: str, window: int, now: float) -> str:
    return f"vote:rl:{key}:{int(now) // window}"


def window_remaining(window_seconds: int, now: float | None = None) -> int:
    """Seconds until the current fixed window ends."""
    moment = int(time.time() if now is None else now)
    return window_seconds - moment % window_seconds


class MemoryRateLimiter:
    """Fixed-window counters in this process's memory, at most ``max_keys`` of them.

    When full, counters of past windows are dropped first, then the oldest ones: a flood of
    new keys never wipes every counter at once.
    """

    backend = "memory"

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        self._counts: dict[str, int] = {}
        self._expires: dict[str, float] = {}
        self._max_keys = max_keys
        self._clock = clock

    def _make_room(self, now: float) -> None:
        expired = [counter for counter, until in self._expires.items() if until <= now]
        for counter in expired:
            self._counts.pop(counter, None)
            self._expires.pop(counter, None)
        # Still full of live counters: drop the oldest tenth at once, not one per new key.
        excess = len(self._counts) - self._max_keys * 9 // 10
        for oldest in list(self._counts)[: max(excess, 0)]:
            self._counts.pop(oldest)
            self._expires.pop(oldest, None)

    async def reserve(self, rule: Rule) -> Slot | None:
        now = self._clock()
        counter = _counter(rule.key, rule.window, now)
        taken = self._counts.get(counter, 0)
        if taken >= rule.limit:
            return None
        if counter not in self._counts and len(self._counts) >= self._max_keys:
            self._make_room(now)
        self._counts[counter] = taken + 1
        self._expires[counter] = (int(now) // rule.window + 1) * rule.window
        return Slot(counter=counter, window=rule.window, backend=self.backend)

    async def release(self, slot: Slot) -> None:
        taken = self._counts.get(slot.counter, 0)
        if taken > 1:
            self._counts[slot.counter] = taken - 1
        else:
            self._counts.pop(slot.counter, None)
            self._expires.pop(slot.counter, None)

    async def count(self, key: str, window: int) -> int:
        return self._counts.get(_counter(key, window, self._clock()), 0)

    async def reset(self, key: str) -> None:
        prefix = f"vote:rl:{key}:"
        for counter in [c for c in self._counts if c.startswith(prefix)]:
            self._counts.pop(counter, None)
            self._expires.pop(counter, None)


# INCR, refused (and undone) past the limit, with the window's expiry: one atomic step.
_RESERVE = """
local taken = redis.call('INCR', KEYS[1])
if taken == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if taken > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return taken
"""


class RedisRateLimiter:
    """Fixed-window counters in Redis, shared by every worker."""

    backend = "redis"

    def __init__(self, client: redis_asyncio.Redis) -> None:
        self._client = client
        self._reserve = client.register_script(_RESERVE)

    async def reserve(self, rule: Rule) -> Slot | None:
        counter = _counter(rule.key, rule.window, time.time())
        taken = await self._reserve(keys=[counter], args=[rule.limit, rule.window + 1])
        if not int(taken):
            return None
        return Slot(counter=counter, window=rule.window, backend=self.backend)

    async def release(self, slot: Slot) -> None:
        await self._client.decr(slot.counter)

    async def count(self, key: str, window: int) -> int:
        value = await self._client.get(_counter(key, window, time.time()))
        return max(int(value or 0), 0)

    async def reset(self, key: str) -> None:
        async for counter in self._client.scan_iter(match=f"vote:rl:{key}:*"):
            await self._client.delete(counter)

    async def ping(self) -> None:
        await self._client.ping()


def redis_client(url: str) -> redis_asyncio.Redis:
    """A Redis client for the limiter: short timeouts, so a lost Redis is noticed in half a
    second, and a pool that makes a burst of requests wait for a connection, not fail."""
    pool = redis_asyncio.BlockingConnectionPool.from_url(
        url, max_connections=50, timeout=1.0, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    return redis_asyncio.Redis(connection_pool=pool)


# What a lost or slow Redis raises through redis-py.
REDIS_FAILURES = (RedisError, OSError, asyncio.TimeoutError)


class ResilientRateLimiter:
    """Redis while it answers, this process's counters while it does not.

    The first failure is logged once and the limiter is ``degraded``; Redis is tried again after
    ``retry_seconds``, and its return is logged too. A slot is given back to the store it came
    from.
    """

    def __init__(self, redis_limiter: RedisRateLimiter, retry_seconds: float = 5.0) -> None:
        self.redis = redis_limiter
        self.memory = MemoryRateLimiter()
        self.degraded = False
        self._retry_seconds = retry_seconds
        self._retry_at = 0.0

    def _redis_usable(self) -> bool:
        return not self.degraded or time.monotonic() >= self._retry_at

    def _failed(self, error: BaseException) -> None:
        if not self.degraded:
            log.warning(
                "Redis is unreachable (%s); rate limits are kept in this process until it "
                "answers again",
                error,
            )
        self.degraded = True
        self._retry_at = time.monotonic() + self._retry_seconds

    def _recovered(self) -> None:
        if self.degraded:
            log.warning("Redis answers again; rate limits are shared once more")
        self.degraded = False

    async def reserve(self, rule: Rule) -> Slot | None:
        if self._redis_usable():
            try:
                slot = await self.redis.reserve(rule)
            except REDIS_FAILURES as error:
                self._failed(error)
            else:
                self._recovered()
                return slot
        return await self.memory.reserve(rule)

    async def release(self, slot: Slot) -> None:
        if slot.backend == self.memory.backend:
            await self.memory.release(slot)
            return
        try:
            await self.redis.release(slot)
        except REDIS_FAILURES as error:
            self._failed(error)

    async def count(self, key: str, window: int) -> int:
        if self._redis_usable():
            try:
                counted = await self.redis.count(key, window)
            except REDIS_FAILURES as error:
                self._failed(error)
            else:
                self._recovered()
                return counted
        return await self.memory.count(key, window)

    async def reset(self, key: str) -> None:
        await self.memory.reset(key)
        try:
            await self.redis.reset(key)
        except REDIS_FAILURES as error:
            self._failed(error)

    async def check(self) -> bool:
        """Ask Redis now; True when it answers (and the limiter is no longer degraded)."""
        try:
            await self.redis.ping()
        except REDIS_FAILURES as error:
            self._failed(error)
            return False
        self._recovered()
        return True


class Attempt:
    """Reserved slots for one guessable attempt; :meth:`succeeded` gives them back."""

    def __init__(self, limiter: RateLimiter, slots: list[Slot]) -> None:
        self._limiter = limiter
        self._slots = slots

    async def succeeded(self) -> None:
        """The attempt was not a wrong guess: it does not count."""
        slots, self._slots = self._slots, []
        for slot in slots:
            await self._limiter.release(slot)


async def reserve_attempt(
    limiter: RateLimiter, rules: Sequence[Rule], refuse: Callable[[int], Exception]
) -> Attempt:
    """Reserve one attempt under every rule, or raise ``refuse(seconds)`` and take nothing.

    ``seconds`` is how long until the window of the limit that was reached ends.
    """
    slots: list[Slot] = []
    for rule in rules:
        slot = await limiter.reserve(rule)
        if slot is None:
            await Attempt(limiter, slots).succeeded()
            raise refuse(window_remaining(rule.window))
        slots.append(slot)
    return Attempt(limiter, slots)
