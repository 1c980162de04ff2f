"""One recount shared by every live view of the same thing in this worker.

Fifty projectors and consoles following one meeting all hear the same "changed" notice at
once; without sharing, each would recount the quorum itself. :meth:`SharedCounts.fresh` runs
the count once for every caller who asks after the same notice: a count that started after the
caller's notice arrived already includes the change, so it is reused, in flight or finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

KEEP_SECONDS = 60.0  # forget counts nobody asked for in a minute


class SharedCounts:
    """The latest count per key (started at, the task computing or holding it)."""

    def __init__(self) -> None:
        self._latest: dict[Hashable, tuple[float, asyncio.Future[Any]]] = {}

    async def fresh(self, key: Hashable, since: float, count: Callable[[], Awaitable[T]]) -> T:
        """A count of ``key`` that started at or after ``since`` (the event loop's time when the
        caller learned of the change): the one already running or done, else a new one."""
        loop = asyncio.get_running_loop()
        found = self._latest.get(key)
        if found is not None and found[0] >= since and not found[1].cancelled():
            future = found[1]
            if not future.done() or future.exception() is None:
                return await asyncio.shield(future)
        started = loop.time()
        future = asyncio.ensure_future(count())
        self._latest[key] = (started, future)
        self._forget_old(started)
        return await asyncio.shield(future)

    def _forget_old(self, now: float) -> None:
        if len(self._latest) > 1000:
            self._latest = {
                key: entry
                for key, entry in self._latest.items()
                if now - entry[0] < KEEP_SECONDS or not entry[1].done()
            }
