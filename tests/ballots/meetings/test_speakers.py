"""The speakers' queue: in the order of asking, by name or as a resident on the roll, marked
spoken, withdrawn or waiting again; audited and on the timeline without the name; bad input and
other units refused, changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import InvalidInput, NotFound, OutsideUnit
from ballots.meetings.speakers import add_speaker, list_speakers, mark_speaker
from ballots.models import AuditEntry, MatterEvent, Speaker
from tests.ballots.factories import ADMIN
from tests.ballots.meetings.world import meeting_world

STRANGER = Actor(name="思南主任", role="area_chair", unit_path="/1/2/4/", chair_id=None)


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_queue_keeps_the_order_of_asking(session: AsyncSession) -> None:
    mw = await meeting_world(session)
    resident_id = next(iter(mw.credentials))
    first = await add_speaker(session, ADMIN, mw.meeting_id, name="  王阿姨 ", topic="电梯费用")
    second = await add_speaker(session, ADMIN, mw.meeting_id, resident_id=resident_id)
    await session.commit()
    queue = await list_speakers(session, mw.meeting_id)
    assert [s.id for s in queue] == [first.id, second.id]
    assert queue[0].name == "王阿姨" and queue[0].state == "waiting"
    assert queue[1].name and queue[1].resident_id == resident_id
    await mark_speaker(session, ADMIN, mw.meeting_id, first.id, "spoken")
    await mark_speaker(session, ADMIN, mw.meeting_id, second.id, "withdrawn")
    await mark_speaker(session, ADMIN, mw.meeting_id, second.id, "withdrawn")  # no change
    await mark_speaker(session, ADMIN, mw.meeting_id, second.id, "waiting")
    await session.commit()
    assert [s.state for s in await list_speakers(session, mw.meeting_id)] == ["spoken", "waiting"]
    audited = await session.scalar(
        select(func.count()).where(AuditEntry.action.startswith("meeting.speaker"))
    )
    assert audited == 5  # two added, three changes
    payloads = (
        await session.scalars(
            select(MatterEvent.payload).where(MatterEvent.kind.startswith("meeting.speaker"))
        )
    ).all()
    assert len(payloads) == 5
    assert all("王阿姨" not in str(payload) for payload in payloads)


async def test_bad_input_and_other_units_change_nothing(session: AsyncSession) -> None:
    mw = await meeting_world(session)
    other_area_resident = mw.world.rid("S01")
    before = await count(session, Speaker), await count(session, AuditEntry)
    for kwargs, refusal in (
        ({"name": "   "}, InvalidInput),
        ({"name": "张" * 101}, InvalidInput),
        ({"name": "张三", "topic": "x" * 301}, InvalidInput),
        ({"resident_id": other_area_resident}, InvalidInput),  # not on this meeting's roll
        ({"resident_id": 10**6}, NotFound),
    ):
        with pytest.raises(refusal):
            await add_speaker(session, ADMIN, mw.meeting_id, **kwargs)  # type: ignore[arg-type]
        await session.rollback()
    with pytest.raises(OutsideUnit):
        await add_speaker(session, STRANGER, mw.meeting_id, name="张三")
    await session.rollback()
    speaker = await add_speaker(session, ADMIN, mw.meeting_id, name="张三")
    await session.commit()
    with pytest.raises(InvalidInput):
        await mark_speaker(session, ADMIN, mw.meeting_id, speaker.id, "gone")
    with pytest.raises(NotFound):
        await mark_speaker(session, ADMIN, mw.meeting_id, speaker.id + 1, "spoken")
    with pytest.raises(OutsideUnit):
        await mark_speaker(session, STRANGER, mw.meeting_id, speaker.id, "spoken")
    await session.rollback()
    assert (await count(session, Speaker), await count(session, AuditEntry)) == (
        before[0] + 1,
        before[1] + 1,
    )
