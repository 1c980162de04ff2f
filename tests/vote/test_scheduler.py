"""The app's schedule loop: it wakes when a move falls due (a controlled clock and sleep), and a
starting service closes at once a ballot whose closing time passed while it was down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.lifecycle import get_ballot
from ballots.models import AuditEntry, Ballot
from ballots.schedule import schedule_ballot
from tests.vote.helpers import World
from vote import scheduler
from vote.app import create_app
from vote.settings import Settings


class Stop(Exception):
    """Ends the loop under test."""


async def _state(world: World, ballot_id: int) -> str:
    async def work(session: AsyncSession) -> str:
        return (await get_ballot(session, ballot_id)).state

    return str(await world.db.run(work))


async def test_the_loop_wakes_when_a_closing_time_comes(db_url: str, world: World) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    closes = start + timedelta(minutes=10)

    async def set_schedule(session: AsyncSession) -> None:
        await schedule_ballot(session, operator(), world.firm_id, None, closes, now=start)
        await session.commit()

    await world.db.run(set_schedule)
    clock = {"now": start}
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if await _state(world, world.firm_id) == "closed":
            raise Stop
        clock["now"] += timedelta(seconds=seconds)

    engine = create_engine(db_url)
    try:
        with pytest.raises(Stop):
            await scheduler.run_forever(
                create_sessionmaker(engine), None, 240.0, lambda: clock["now"], sleep
            )
    finally:
        await dispose(engine)
    # Two full intervals, then only the two minutes left until the closing time; closed then.
    assert waits == [240.0, 240.0, 120.0, 240.0]
    assert clock["now"] == closes
    assert await world.db.count(AuditEntry, AuditEntry.actor == "schedule") == 1


async def test_a_refused_move_is_logged_once_and_tried_again(
    db_url: str, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(db_url)
    later = datetime.now(UTC) + timedelta(days=1)

    async def overdue_draft_for_nobody(session: AsyncSession) -> None:
        ballot = await get_ballot(session, world.published_id)
        copy = Ballot(
            matter_id=ballot.matter_id,
            title="无人符合条件",
            spec=ballot.spec,
            eligibility={"buildings": ["不存在"]},
            opens_at=datetime.now(UTC) - timedelta(minutes=1),
            closes_at=later,
        )
        session.add(copy)
        await session.commit()

    await world.db.run(overdue_draft_for_nobody)
    reported: set[tuple[int, str]] = set()
    try:
        maker = create_sessionmaker(engine)
        with caplog.at_level("WARNING", logger="vote.schedule"):
            first = await scheduler.run_once(maker, None, 5.0, reported=reported)
            await scheduler.run_once(maker, None, 5.0, reported=reported)
    finally:
        await dispose(engine)
    assert first == 5.0
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1


async def test_a_starting_service_closes_an_overdue_ballot_at_once(
    settings: Settings, world: World
) -> None:
    # The closing time passed while the service was down.
    async def overdue(session: AsyncSession) -> None:
        past = datetime.now(UTC) - timedelta(hours=1)
        await session.execute(
            update(Ballot).where(Ballot.id == world.firm_id).values(closes_at=past)
        )
        await session.commit()

    await world.db.run(overdue)
    async with AsyncTestClient(app=create_app(settings)):
        for _ in range(600):  # a bound against hanging, not a timing requirement
            if await _state(world, world.firm_id) == "closed":
                break
            await asyncio.sleep(0.05)
    assert await _state(world, world.firm_id) == "closed"
    closes = (AuditEntry.action == "ballot.close", AuditEntry.actor == "schedule")
    assert await world.db.count(AuditEntry, *closes) == 1


def test_the_interval_comes_from_the_environment() -> None:
    assert Settings.from_env({"VOTE_SCHEDULE_INTERVAL": "2.5"}).schedule_interval == 2.5
    assert Settings.from_env({}).schedule_interval == 5.0
