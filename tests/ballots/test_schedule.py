"""Ballots open and close by themselves on time: a controlled clock, catch-up after a restart,
exactly one automatic close with two workers, and bad schedules refused changing nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import board
from ballots.access import Actor
from ballots.casting import cast_ballot
from ballots.db import create_engine, create_sessionmaker, dispose, is_sqlite
from ballots.eligibility import Eligibility
from ballots.errors import InvalidSchedule, OutsideUnit, ScheduleFixed
from ballots.lifecycle import close_ballot, create_ballot, get_ballot, open_ballot, update_ballot
from ballots.matters import timeline
from ballots.models import AuditEntry, Ballot, BoardLeaf, MatterEvent
from ballots.schedule import (
    SCHEDULE_ACTOR,
    check_schedule,
    due_ballots,
    next_due,
    run_due,
    schedule_ballot,
)
from ballots.signing import signer_from_seed
from ballots.units import get_unit
from tally import board as tally_board
from tests.ballots.factories import ADMIN, KEY, World, build_world, draft, issue, new_ballot

SIGNER = signer_from_seed(bytes(range(32)))
BEIJING = timezone(timedelta(hours=8))
HOUR = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _scheduled(
    session: AsyncSession,
    opens_in: timedelta | None = HOUR,
    closes_in: timedelta | None = 2 * HOUR,
    world_draft: Any = None,
) -> tuple[World, int, datetime]:
    """A world and a draft ballot scheduled relative to now; returns (world, id, now)."""
    world = await build_world(session)
    ballot_id = await new_ballot(session, world, world_draft)
    now = _now()
    await schedule_ballot(
        session,
        ADMIN,
        ballot_id,
        now + opens_in if opens_in is not None else None,
        now + closes_in if closes_in is not None else None,
        now=now,
    )
    await session.commit()
    return world, ballot_id, now


async def _state(session: AsyncSession, ballot_id: int) -> str:
    session.expunge_all()
    return (await get_ballot(session, ballot_id)).state


async def _audit(session: AsyncSession, ballot_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(AuditEntry.action, AuditEntry.actor)
        .where(AuditEntry.target == f"ballot:{ballot_id}")
        .order_by(AuditEntry.id)
    )
    return [(action, actor) for action, actor in rows]


async def _board_events(session: AsyncSession, ballot_id: int) -> list[str]:
    rows = await session.scalars(
        select(BoardLeaf.data).where(BoardLeaf.ballot_id == ballot_id).order_by(BoardLeaf.index)
    )
    return [type(tally_board.decode_event(data.encode())).__name__ for data in rows]


async def _verified(session: AsyncSession, ballot_id: int) -> tally_board.VerifyReport:
    data = await board.board_file(session, SIGNER, ballot_id)
    return tally_board.verify_board(tally_board.read_board(data), key=SIGNER.public_key)


async def test_a_scheduled_ballot_opens_and_closes_at_its_times(session: AsyncSession) -> None:
    world, ballot_id, now = await _scheduled(session)

    assert (await run_due(session, now=now + 59 * timedelta(minutes=1), signer=SIGNER)).moved == []
    assert await _state(session, ballot_id) == "draft"
    assert await next_due(session, now) == now + HOUR

    report = await run_due(session, now=now + HOUR, signer=SIGNER)
    assert [(m.ballot_id, m.action) for m in report.moved] == [(ballot_id, "open")]
    assert await _state(session, ballot_id) == "open"
    assert await next_due(session, now + HOUR) == now + 2 * HOUR
    credentials = await issue(session, ballot_id)
    for credential in list(credentials.values())[:3]:
        await cast_ballot(session, KEY, ballot_id, credential, {"q1": ["b"]})

    assert (await run_due(session, now=now + 2 * HOUR - timedelta(seconds=1))).moved == []
    assert await _state(session, ballot_id) == "open"

    report = await run_due(session, now=now + 2 * HOUR, signer=SIGNER)
    assert [(m.ballot_id, m.action) for m in report.moved] == [(ballot_id, "close")]
    closed = await get_ballot(session, ballot_id)
    assert closed.state == "closed"
    assert msgspec.json.decode(closed.result or "")["ballots"] == 3
    assert await next_due(session, now + 2 * HOUR) is None
    assert (await run_due(session, now=now + 3 * HOUR)).moved == []

    assert await _audit(session, ballot_id) == [
        ("ballot.create", ADMIN.name),
        ("ballot.schedule", ADMIN.name),
        ("ballot.open", "schedule"),
        ("invitations.issue", ADMIN.name),
        ("ballot.close", "schedule"),
    ]
    events = [(e.kind, e.actor) for e in await timeline(session, world.matter_id) if e.ballot_id]
    assert ("ballot_opened", "schedule") in events
    assert ("ballot_closed", "schedule") in events
    assert ("ballot_scheduled", ADMIN.name) in events
    report_board = await _verified(session, ballot_id)
    assert report_board.ok, [c.detail for c in report_board.checks if c.status == "fail"]


async def test_a_draft_with_only_a_closing_time_is_closed_once_opened_by_hand(
    session: AsyncSession,
) -> None:
    _, ballot_id, now = await _scheduled(session, opens_in=None, closes_in=HOUR)
    assert await due_ballots(session, now + 2 * HOUR) == []  # a draft is never closed
    await open_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    report = await run_due(session, now=now + HOUR, signer=SIGNER)
    assert [(m.ballot_id, m.action) for m in report.moved] == [(ballot_id, "close")]


@asynccontextmanager
async def fresh_session(db_url: str) -> AsyncIterator[AsyncSession]:
    """A session on a new engine: what a restarted service starts with."""
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as new_session:
            yield new_session
    finally:
        await dispose(engine)


async def test_after_a_restart_overdue_ballots_are_caught_up_at_once(
    session: AsyncSession, db_url: str
) -> None:
    world, closing_id, now = await _scheduled(session, opens_in=None, closes_in=HOUR)
    await open_ballot(session, ADMIN, closing_id, SIGNER)
    opening_id = await new_ballot(session, world)
    missed_id = await new_ballot(session, world)
    await schedule_ballot(session, ADMIN, opening_id, now + HOUR, now + 5 * HOUR, now=now)
    await schedule_ballot(session, ADMIN, missed_id, now + HOUR, now + 2 * HOUR, now=now)
    await session.commit()

    # The service was down from now until three hours later; it starts again.
    async with fresh_session(db_url) as restarted:
        report = await run_due(restarted, now=now + 3 * HOUR, signer=SIGNER)
    assert sorted((m.ballot_id, m.action) for m in report.moved) == [
        (closing_id, "close"),
        (opening_id, "open"),
    ]
    assert report.failed == []
    assert await _state(session, closing_id) == "closed"
    assert await _state(session, opening_id) == "open"
    # Its whole window passed while the service was down: it is not opened only to close empty.
    assert await _state(session, missed_id) == "draft"
    assert await due_ballots(session, now + 3 * HOUR) == []


async def _separate_sessions(db_url: str, count: int) -> tuple[list[Any], list[AsyncSession]]:
    """``count`` sessions that do not share a connection, as separate workers would have."""
    engines = [create_engine(db_url) for _ in range(count if is_sqlite(db_url) else 1)]
    makers = [create_sessionmaker(engine) for engine in engines]
    return engines, [makers[i % len(makers)]() for i in range(count)]


@pytest.mark.parametrize("workers", [2, 6])
async def test_with_several_workers_exactly_one_closes(
    session: AsyncSession, db_url: str, workers: int
) -> None:
    _, ballot_id, now = await _scheduled(session, opens_in=None, closes_in=HOUR)
    await open_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    credentials = await issue(session, ballot_id)
    for credential in credentials.values():
        await cast_ballot(session, KEY, ballot_id, credential, {"q1": ["a"]})

    engines, sessions = await _separate_sessions(db_url, workers)
    try:
        reports = await asyncio.gather(
            *(run_due(each, now=now + HOUR, signer=SIGNER) for each in sessions)
        )
    finally:
        for each in sessions:
            await each.close()
        for engine in engines:
            await dispose(engine)

    assert sum(len(report.moved) for report in reports) == 1
    assert all(report.failed == [] for report in reports)
    assert await _state(session, ballot_id) == "closed"
    assert [a for a in await _audit(session, ballot_id) if a[0] == "ballot.close"] == [
        ("ballot.close", "schedule")
    ]
    assert (await _board_events(session, ballot_id)).count("Close") == 1
    closed_events = await session.scalar(
        select(func.count())
        .select_from(MatterEvent)
        .where(MatterEvent.ballot_id == ballot_id, MatterEvent.kind == "ballot_closed")
    )
    assert closed_events == 1
    report = await _verified(session, ballot_id)
    assert report.ok, [c.detail for c in report.checks if c.status == "fail"]


async def test_a_chair_closing_first_leaves_the_schedule_nothing_to_do(
    session: AsyncSession,
) -> None:
    _, ballot_id, now = await _scheduled(session, opens_in=None, closes_in=HOUR)
    await open_ballot(session, ADMIN, ballot_id, SIGNER)
    await session.commit()
    due = await due_ballots(session, now + HOUR)
    await close_ballot(session, ADMIN, ballot_id, SIGNER)  # between the run's look and its move
    await session.commit()
    assert [d.ballot_id for d in due] == [ballot_id]
    report = await run_due(session, now=now + HOUR)
    assert report.moved == [] and report.failed == []
    assert [a for a in await _audit(session, ballot_id) if a[0] == "ballot.close"] == [
        ("ballot.close", ADMIN.name)
    ]


async def test_an_open_that_the_rules_refuse_is_reported_and_changes_nothing(
    session: AsyncSession,
) -> None:
    nobody = draft(eligibility=Eligibility(buildings=["99"]))
    _, ballot_id, now = await _scheduled(session, world_draft=nobody)
    before = await _audit(session, ballot_id)
    report = await run_due(session, now=now + HOUR, signer=SIGNER)
    assert report.moved == []
    assert [(f.ballot_id, f.action, f.error.type) for f in report.failed] == [
        (ballot_id, "open", "empty-electorate")
    ]
    assert await _state(session, ballot_id) == "draft"
    assert await _audit(session, ballot_id) == before


async def test_an_open_ballot_may_get_a_new_closing_time_or_none(session: AsyncSession) -> None:
    _, ballot_id, now = await _scheduled(session)
    await run_due(session, now=now + HOUR, signer=SIGNER)
    later = now + 3 * HOUR
    ballot = await schedule_ballot(session, ADMIN, ballot_id, now + HOUR, later, now=now + HOUR)
    await session.commit()
    assert (ballot.opens_at, ballot.closes_at) == (now + HOUR, later)
    assert (await run_due(session, now=now + 2 * HOUR)).moved == []
    await schedule_ballot(session, ADMIN, ballot_id, None, None, now=now + HOUR)
    await session.commit()
    assert (await run_due(session, now=now + 4 * HOUR)).moved == []
    assert await _state(session, ballot_id) == "open"


async def test_times_are_kept_in_utc_whatever_zone_they_are_given_in(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    now = _now()
    opens = (now + HOUR).astimezone(BEIJING)
    closes = (now + 2 * HOUR).astimezone(BEIJING)
    created = await create_ballot(
        session,
        ADMIN,
        world.matter_id,
        msgspec.structs.replace(draft(), opens_at=opens, closes_at=closes),
    )
    await session.commit()
    session.expunge_all()
    stored = await get_ballot(session, created.id)
    assert stored.opens_at == now + HOUR and stored.opens_at.tzinfo == UTC
    assert stored.closes_at == now + 2 * HOUR


async def _snapshot(session: AsyncSession, ballot_id: int) -> dict[str, Any]:
    session.expunge_all()
    ballot = await session.get(Ballot, ballot_id)
    assert ballot is not None
    return {
        "state": ballot.state,
        "opens_at": ballot.opens_at,
        "closes_at": ballot.closes_at,
        "spec": ballot.spec,
        "audit": await session.scalar(select(func.count()).select_from(AuditEntry)),
        "events": await session.scalar(select(func.count()).select_from(MatterEvent)),
    }


BAD_DRAFT_SCHEDULES = {
    "opening in the past": (-HOUR, HOUR, "opens_at"),
    "closing in the past": (None, -HOUR, "closes_at"),
    "closing now": (None, timedelta(0), "closes_at"),
    "closing before opening": (2 * HOUR, HOUR, "closes_at"),
    "closing at the opening": (HOUR, HOUR, "closes_at"),
    "more than a year ahead": (HOUR, timedelta(days=400), "closes_at"),
}


@pytest.mark.parametrize("case", BAD_DRAFT_SCHEDULES, ids=str)
async def test_bad_schedules_are_refused_and_change_nothing(
    session: AsyncSession, case: str
) -> None:
    opens_in, closes_in, field = BAD_DRAFT_SCHEDULES[case]
    _, ballot_id, _ = await _scheduled(session)
    before = await _snapshot(session, ballot_id)
    now = _now()
    opens = now + opens_in if opens_in is not None else None
    closes = now + closes_in if closes_in is not None else None
    with pytest.raises(InvalidSchedule) as caught:
        await schedule_ballot(session, ADMIN, ballot_id, opens, closes, now=now)
    assert caught.value.params["field"] == field
    await session.rollback()
    with pytest.raises(InvalidSchedule):
        changed = msgspec.structs.replace(
            draft(title="另一个标题"), opens_at=opens, closes_at=closes
        )
        await update_ballot(session, ADMIN, ballot_id, changed)
    await session.rollback()
    assert await _snapshot(session, ballot_id) == before


async def test_a_time_without_a_zone_or_out_of_range_is_refused() -> None:
    now = _now()
    with pytest.raises(InvalidSchedule):
        check_schedule("draft", None, datetime(2099, 1, 1), now=now)
    with pytest.raises(InvalidSchedule):
        check_schedule("draft", datetime(1, 1, 1, tzinfo=BEIJING), None, now=now)
    with pytest.raises(InvalidSchedule):
        check_schedule("draft", None, datetime(9999, 12, 31, 23, tzinfo=BEIJING), now=now)


async def test_an_open_ballot_keeps_its_opening_time(session: AsyncSession) -> None:
    _, ballot_id, now = await _scheduled(session)
    await run_due(session, now=now + HOUR, signer=SIGNER)
    before = await _snapshot(session, ballot_id)
    with pytest.raises(InvalidSchedule) as caught:
        await schedule_ballot(
            session, ADMIN, ballot_id, now + 2 * HOUR, now + 3 * HOUR, now=now + HOUR
        )
    assert caught.value.params["field"] == "opens_at"
    await session.rollback()
    with pytest.raises(InvalidSchedule):  # its closing time can no longer be in the past
        await schedule_ballot(session, ADMIN, ballot_id, None, now + HOUR, now=now + 2 * HOUR)
    await session.rollback()
    assert await _snapshot(session, ballot_id) == before


async def test_a_closed_ballot_has_no_schedule_to_change(session: AsyncSession) -> None:
    _, ballot_id, now = await _scheduled(session)
    await run_due(session, now=now + HOUR, signer=SIGNER)
    await run_due(session, now=now + 2 * HOUR, signer=SIGNER)
    before = await _snapshot(session, ballot_id)
    with pytest.raises(ScheduleFixed):
        await schedule_ballot(session, ADMIN, ballot_id, None, now + 5 * HOUR, now=now + 2 * HOUR)
    await session.rollback()
    assert await _snapshot(session, ballot_id) == before


async def test_a_chair_of_another_area_may_not_schedule(session: AsyncSession) -> None:
    world, ballot_id, now = await _scheduled(session)
    other = await get_unit(session, world.other_area_id)
    outsider = Actor(name="思南", role="area_chair", unit_path=other.path, chair_id=None)
    before = await _snapshot(session, ballot_id)
    with pytest.raises(OutsideUnit):
        await schedule_ballot(session, outsider, ballot_id, None, now + 3 * HOUR, now=now)
    await session.rollback()
    assert await _snapshot(session, ballot_id) == before


def test_the_schedule_acts_as_an_operator_named_schedule() -> None:
    assert SCHEDULE_ACTOR.is_operator and SCHEDULE_ACTOR.name == "schedule"
