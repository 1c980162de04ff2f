"""The task that opens and closes scheduled ballots on time, in every worker of the app.

Each worker runs one loop: it makes the due moves (:func:`ballots.schedule.run_due`, which
guarantees one move per ballot however many workers race), then sleeps until the next scheduled
time or for ``VOTE_SCHEDULE_INTERVAL`` seconds, whichever comes first, so schedules set
meanwhile are picked up too. Its first run, as the service starts, catches up on everything that
fell due while it was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ballots import schedule
from ballots.signing import Signer
from vote.web import AppContext

log = logging.getLogger("vote.schedule")

Clock = Callable[[], datetime]
MIN_WAIT = 0.01  # seconds; wake a moment after a move falls due, never spin


def utcnow() -> datetime:
    return datetime.now(UTC)


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    signer: Signer | None,
    interval: float,
    clock: Clock = utcnow,
    reported: set[tuple[int, str]] | None = None,
) -> float:
    """Make every due move now; return how many seconds to wait before the next run.

    A move the rules refuse (say, nobody is eligible when a ballot should open) is logged once
    per ballot (``reported`` remembers which) and tried again on later runs.
    """
    reported = set() if reported is None else reported
    async with sessionmaker() as session:
        report = await schedule.run_due(session, now=clock(), signer=signer)
        for moved in report.moved:
            log.info("ballot %s: %s at its scheduled time", moved.ballot_id, moved.action)
        for failure in report.failed:
            key = (failure.ballot_id, failure.action)
            if key not in reported:
                reported.add(key)
                log.warning(
                    "ballot %s: scheduled %s refused: %s",
                    failure.ballot_id,
                    failure.action,
                    failure.error.detail,
                )
        now = clock()
        upcoming = await schedule.next_due(session, now)
    if upcoming is None:
        return interval
    return max(MIN_WAIT, min(interval, (upcoming - now).total_seconds()))


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    signer: Signer | None,
    interval: float,
    clock: Clock = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run :func:`run_once` until cancelled; a failed run is logged and retried after
    ``interval`` (the database may be briefly unreachable)."""
    reported: set[tuple[int, str]] = set()
    while True:
        try:
            wait = await run_once(sessionmaker, signer, interval, clock, reported)
        except Exception:
            log.exception("the schedule run failed; trying again in %s s", interval)
            wait = interval
        await sleep(wait)


def start(ctx: AppContext) -> asyncio.Task[None] | None:
    """Start the schedule loop for the app (none when ``VOTE_SCHEDULE_INTERVAL`` is 0)."""
    interval = ctx.settings.schedule_interval
    if interval <= 0:
        return None
    return asyncio.create_task(run_forever(ctx.sessionmaker, ctx.signer, interval))


async def stop(task: asyncio.Task[None] | None) -> None:
    """Stop the loop, letting a move in progress roll back before the database closes."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
