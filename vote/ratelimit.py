"""Rate limits for anything guessable: chair logins and voting codes.

A rule allows ``limit`` failures per fixed window for a key, and at most ``in_flight`` checks
under way at once. An attempt *begins* before the check, atomically: it is refused when the
failures already reach the limit or too many checks are under way; it *finishes* afterwards,
counting a failure only when it was one. Failures and checks under way are separate counters, so
right answers never use up a limit, and a burst of wrong ones gets at most ``limit - 1 +
in_flight`` checks per window. :class:`MemoryRateLimiter` serves one process;
:class:`RedisRateLimiter` shares counts across workers; :class:`ResilientRateLimiter` uses Redis
while it answers and this process's counters while it does not, so voting never depends on Redis.
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

# Checks under way are counted per minute, so a count left behind by a crashed worker is gone
# within a minute or two.
IN_FLIGHT_WINDOW = 60


class Rule(msgspec.Struct, frozen=True):
    """At most ``limit`` failures per ``window`` seconds for ``key``, and at most ``in_flight``
    checks under way at once."""

    key: str
    limit: int
    window: int
    in_flight: int = 1


class Slot(msgspec.Struct, frozen=True):
    """A check under way: the counters to settle when it finishes."""

    failures: str
    in_flight: str
    window: int
    backend: str


class Refused(msgspec.Struct, frozen=True):
    """Why an attempt may not begin, and when to try again."""

    retry_after: int


class RateLimiter(Protocol):
    """Atomic failure and in-flight counters per key."""

    async def begin(self, rule: Rule) -> Slot | Refused:
        """Start a check under ``rule``, or say why not (nothing is taken then)."""
        ...

    async def finish(self, slot: Slot, *, failed: bool) -> None:
        """End a check; count a failure if it was one."""
        ...

    async def count(self, key: str, window: int) -> int:
        """Failures counted for ``key`` in the current window."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every count of ``key``."""
        ...


def _counter(key: str, window: int, now: float) -> str:
    return f"vote:rl:{key}:{int(now) // window}"


def _in_flight_counter(key: str, now: float) -> str:
    return f"vote:rl:{key}:run:{int(now) // IN_FLIGHT_WINDOW}"


def window_remaining(window_seconds: int, now: float | None = None) -> int:
    """Seconds until the current fixed window ends."""
    moment = int(time.time() if now is None else now)
    return window_seconds - moment % window_seconds


class MemoryRateLimiter:
    """Counters in this process's memory, at most ``max_keys`` of them.

    When full, counters of past windows are dropped first, then the oldest tenth: a flood of new
    keys never wipes every counter at once.
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

    def _add(self, counter: str, window: int, now: float) -> None:
        if counter not in self._counts and len(self._counts) >= self._max_keys:
            self._make_room(now)
        self._counts[counter] = self._counts.get(counter, 0) + 1
        self._expires[counter] = (int(now) // window + 2) * window

    def _subtract(self, counter: str) -> None:
        taken = self._counts.get(counter, 0)
        if taken > 1:
            self._counts[counter] = taken - 1
        else:
            self._counts.pop(counter, None)
            self._expires.pop(counter, None)

    async def begin(self, rule: Rule) -> Slot | Refused:
        now = self._clock()
        failures = _counter(rule.key, rule.window, now)
        if self._counts.get(failures, 0) >= rule.limit:
            return Refused(retry_after=window_remaining(rule.window, now))
        running = _in_flight_counter(rule.key, now)
        if self._counts.get(running, 0) >= rule.in_flight:
            return Refused(retry_after=1)
        self._add(running, IN_FLIGHT_WINDOW, now)
        return Slot(failures=failures, in_flight=running, window=rule.window, backend=self.backend)

    async def finish(self, slot: Slot, *, failed: bool) -> None:
        self._subtract(slot.in_flight)
        if failed:
            self._add(slot.failures, slot.window, self._clock())

    async def count(self, key: str, window: int) -> int:
        return self._counts.get(_counter(key, window, self._clock()), 0)

    async def reset(self, key: str) -> None:
        prefix = f"vote:rl:{key}:"
        for counter in [c for c in self._counts if c.startswith(prefix)]:
            self._counts.pop(counter, None)
            self._expires.pop(counter, None)


# Checks that ended well since the last call are released first (KEYS[3..] by ARGV[4..]); then
# refused past the failure limit; else a check under way is counted, unless too many are.
# (A counter already expired is left alone: decrementing it would make a new one, below zero.)
_BEGIN = """
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECRBY', KEYS[i], ARGV[i + 1]) end
end
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures >= tonumber(ARGV[1]) then return 0 end
local running = redis.call('INCR', KEYS[2])
if running == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if running > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[2])
  return -1
end
return 1
"""
# Checks that ended well are released (KEYS[i] by ARGV[i]), as at the start of _BEGIN.
_RELEASE = """
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECRBY', KEYS[i], ARGV[i]) end
end
return 1
"""
# The check under way ends; a failure is counted in its window.
_FINISH = """
redis.call('DECR', KEYS[2])
if ARGV[1] == '1' then
  local failures = redis.call('INCR', KEYS[1])
  if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
end
return 1
"""


RELEASE_DELAY = 0.01
"""Seconds a check that ended well may wait to be released in Redis, unless a check beginning
meanwhile carries the release (see :class:`RedisRateLimiter`)."""


class RedisRateLimiter:
    """The same counters in Redis, shared by every worker; each step is one Lua script.

    A check that ends well (no failure to count) only gives back its place among the checks under
    way: that release waits in this process, to go to Redis with the next check's beginning, in
    the same script call, or at most :data:`RELEASE_DELAY` later, together with the others
    (a vote costs one call to Redis instead of two). A failure is counted at once.
    """

    backend = "redis"

    def __init__(self, client: redis_asyncio.Redis) -> None:
        self._client = client
        self._begin = client.register_script(_BEGIN)
        self._finish = client.register_script(_FINISH)
        self._release = client.register_script(_RELEASE)
        self._releases: dict[str, int] = {}
        self._releasing: asyncio.Task[None] | None = None

    async def begin(self, rule: Rule) -> Slot | Refused:
        now = time.time()
        failures = _counter(rule.key, rule.window, now)
        running = _in_flight_counter(rule.key, now)
        releases, self._releases = self._releases, {}
        try:
            answer = int(
                await self._begin(
                    keys=[failures, running, *releases],
                    args=[rule.limit, rule.in_flight, 2 * IN_FLIGHT_WINDOW, *releases.values()],
                )
            )
        except BaseException:
            self._keep(releases)  # not sent: they go with the next call
            raise
        if answer == 0:
            return Refused(retry_after=window_remaining(rule.window, now))
        if answer < 0:
            return Refused(retry_after=1)
        return Slot(failures=failures, in_flight=running, window=rule.window, backend=self.backend)

    async def finish(self, slot: Slot, *, failed: bool) -> None:
        if failed:
            await self._finish(keys=[slot.failures, slot.in_flight], args=["1", slot.window + 1])
            return
        self._keep({slot.in_flight: 1})
        if self._releasing is None:
            self._releasing = asyncio.get_running_loop().create_task(self._release_soon())

    def _keep(self, releases: dict[str, int]) -> None:
        for key, count in releases.items():
            self._releases[key] = self._releases.get(key, 0) + count

    async def _release_soon(self) -> None:
        await asyncio.sleep(RELEASE_DELAY)
        self._releasing = None
        try:
            await self.flush()
        except REDIS_FAILURES as error:
            # Left counted, a check under way is forgotten with its minute's counter.
            log.warning("could not release checks under way in Redis: %s", error)

    async def flush(self) -> None:
        """Send the releases that are waiting (when stopping, say)."""
        releases, self._releases = self._releases, {}
        if not releases:
            return
        try:
            await self._release(keys=list(releases), args=list(releases.values()))
        except BaseException:
            self._keep(releases)
            raise

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
    ``retry_seconds``, and its return is logged too. A check is finished in the store it began in.
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

    async def begin(self, rule: Rule) -> Slot | Refused:
        if self._redis_usable():
            try:
                answer = await self.redis.begin(rule)
            except REDIS_FAILURES as error:
                self._failed(error)
            else:
                self._recovered()
                return answer
        return await self.memory.begin(rule)

    async def finish(self, slot: Slot, *, failed: bool) -> None:
        if slot.backend == self.memory.backend:
            await self.memory.finish(slot, failed=failed)
            return
        try:
            await self.redis.finish(slot, failed=failed)
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
    """Checks under way for one guessable attempt, one per rule; settle them once."""

    def __init__(self, limiter: RateLimiter, slots: list[Slot]) -> None:
        self._limiter = limiter
        self._slots = slots

    async def finish(self, *, failed: bool) -> None:
        """The attempt is over: count it under every rule if it was a wrong guess."""
        slots, self._slots = self._slots, []
        for slot in slots:
            await self._limiter.finish(slot, failed=failed)


async def begin_attempt(
    limiter: RateLimiter, rules: Sequence[Rule], refuse: Callable[[int], Exception]
) -> Attempt:
    """Begin one attempt under every rule, or raise ``refuse(seconds)`` and take nothing."""
    slots: list[Slot] = []
    for rule in rules:
        answer = await limiter.begin(rule)
        if isinstance(answer, Refused):
            await Attempt(limiter, slots).finish(failed=False)
            raise refuse(answer.retry_after)
        slots.append(answer)
    return Attempt(limiter, slots)
