"""Notices: drafted, published for a notice period, changes after publication on the record,
withdrawn; bad input refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import InvalidInput, OutsideUnit
from ballots.models import MatterEvent
from ballots.notices.notices import (
    create_notice,
    is_up,
    notices_of,
    publish_notice,
    update_notice,
    withdraw_notice,
)
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, build_world

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
END = START + timedelta(days=7)


async def test_a_notice_is_up_only_when_published_and_within_its_period(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    notice = await create_notice(
        session,
        ADMIN,
        matter_id=world.matter_id,
        title="2027年实事项目征询公示",
        starts_at=START,
        ends_at=END,
        collects="proposals",
    )
    await session.commit()
    during = START + timedelta(days=1)
    assert not is_up(notice, during)  # a draft
    assert await notices_of(session, world.matter_id, published_only=True) == []
    await publish_notice(session, ADMIN, notice.id, now=START)
    await session.commit()
    assert is_up(notice, during)
    assert not is_up(notice, START - timedelta(seconds=1))
    assert not is_up(notice, END)
    await update_notice(
        session,
        ADMIN,
        notice.id,
        title=notice.title,
        body="延长公示期",
        starts_at=START,
        ends_at=END + timedelta(days=3),
        collects="proposals",
        anonymous=False,
    )
    await session.commit()
    kinds = list(
        await session.scalars(
            select(MatterEvent.kind).where(MatterEvent.matter_id == world.matter_id)
        )
    )
    assert "notice.published" in kinds and "notice.changed" in kinds
    await withdraw_notice(session, ADMIN, notice.id, now=during)
    await session.commit()
    assert not is_up(notice, during)
    with pytest.raises(InvalidInput):  # what was withdrawn stays on record as it was
        await update_notice(
            session,
            ADMIN,
            notice.id,
            title="改过的标题",
            body="",
            starts_at=START,
            ends_at=END,
            collects="proposals",
            anonymous=False,
        )


async def test_bad_notices_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    for title, starts, ends, collects in (
        ("", START, END, "none"),
        ("公示", END, START, "none"),
        ("公示", START.replace(tzinfo=None), END, "none"),
        ("公示", START, END, "votes"),
    ):
        with pytest.raises(InvalidInput):
            await create_notice(
                session,
                ADMIN,
                matter_id=world.matter_id,
                title=title,
                starts_at=starts,
                ends_at=ends,
                collects=collects,
            )
    sinan = await get_unit(session, world.other_area_id)
    stranger = Actor(name="思南主任", role="area_chair", unit_path=sinan.path)
    with pytest.raises(OutsideUnit):
        await create_notice(
            session, stranger, matter_id=world.matter_id, title="公示", starts_at=START, ends_at=END
        )
