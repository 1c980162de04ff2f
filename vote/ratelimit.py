"""Rate limits for anything guessable: logins and voting codes.

A limiter counts events per key in a fixed window. The in-process limiter serves the embedded
default (one process); with ``VOTE_REDIS_URL`` the Redis limiter shares counts across workers.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as redis_asyncio


class RateLimiter(Protocol):
    """Counts events per key; ``hit`` returns the count in the current window."""

    async def hit(self, key: str, window_seconds: int) -> int: ...

    async def count(self, key: str, window_seconds: int) -> int: ...

    async def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    """Fixed-window counters in this process's memory."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._max_keys = max_keys

    def _window(self, window_seconds: int) -> int:
        return int(time.time()) // window_seconds

    async def hit(self, key: str, window_seconds: int) -> int:
        window = self._window(window_seconds)
        seen_window, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        if len(self._counts) >= self._max_keys and key not in self._counts:
            self._counts.clear()
        self._counts[key] = (window, count)
        return count

    async def count(self, key: str, window_seconds: int) -> int:
        seen_window, count = self._counts.get(key, (-1, 0))
        return count if seen_window == self._window(window_seconds) else 0

    async def reset(self, key: str) -> None:
        self._counts.pop(key, None)


class RedisRateLimiter:
    """Fixed-window counters in Redis, shared by every worker."""

    def __init__(self, client: redis_asyncio.Redis) -> None:
        self._client = client

    def _key(self, key: str, window_seconds: int) -> str:
        return f"vote:rl:{key}:{int(time.time()) // window_seconds}"

    async def hit(self, key: str, window_seconds: int) -> int:
        redis_key = self._key(key, window_seconds)
        pipe = self._client.pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, window_seconds + 1)
        count, _ = await pipe.execute()
        return int(count)

    async def count(self, key: str, window_seconds: int) -> int:
        value = await self._client.get(self._key(key, window_seconds))
        return int(value or 0)

    async def reset(self, key: str) -> None:
        pattern = f"vote:rl:{key}:*"
        async for redis_key in self._client.scan_iter(match=pattern):
            await self._client.delete(redis_key)


def window_remaining(window_seconds: int) -> int:
    """Seconds until the current fixed window ends."""
    return window_seconds - int(time.time()) % window_seconds
