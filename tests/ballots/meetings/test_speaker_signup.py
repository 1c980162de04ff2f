"""Residents signing up to speak by phone: only while the meeting is upcoming or under way, only
with a voting code of a resident on the meeting's roll, one waiting place per resident (again:
the topic changes, or their place is told), withdrawing only one's own place; the public queue
and the timeline never carry a name; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.credentials import new_credential
from ballots.errors import MistypedCredential, NotFound, UnknownCredential
from ballots.lifecycle import open_ballot
from ballots.meetings.meetings import create_meeting, move_meeting
from ballots.meetings.speaker_signup import (
    BadSignUp,
    NotOnMeetingRoll,
    NotSignedUp,
    SignUpClosed,
    public_queue,
    self_signed_ids,
    sign_up,
    withdraw_own,
)
from ballots.meetings.speakers import add_speaker, list_speakers, mark_speaker
from ballots.models import AuditEntry, MatterEvent, Meeting, Speaker
from tests.ballots.factories import ADMIN, KEY, issue, new_ballot
from tests.ballots.meetings.world import START, MeetingWorld, meeting_world

NOW = START + timedelta(minutes=10)


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def code_of(mw: MeetingWorld, external_id: str) -> str:
    return mw.credentials[mw.world.rid(external_id)]


async def test_residents_sign_up_once_and_the_public_sees_no_names(
    session: AsyncSession,
) -> None:
    mw = await meeting_world(session)
    chair_added = await add_speaker(session, ADMIN, mw.meeting_id, name="王阿姨", topic="开场")
    await session.commit()
    first = await sign_up(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), topic=" 电梯  噪音 ", now=NOW
    )
    await session.commit()
    assert (first.place, first.outcome) == (2, "added")
    assert first.speaker.name == "张建国"  # the roll's name, for the chair only
    assert first.speaker.topic == "电梯 噪音"
    second = await sign_up(
        session,
        KEY,
        mw.meeting_id,
        credential=code_of(mw, "M04"),
        topic="费用分摊",
        call_me="3号楼王女士",
        now=NOW,
    )
    await session.commit()
    assert (second.place, second.speaker.name) == (3, "3号楼王女士")
    # again with the same topic: told their place; with another: the topic changes, place kept
    again = await sign_up(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), topic="电梯 噪音", now=NOW
    )
    assert (again.outcome, again.place, again.speaker.id) == ("already", 2, first.speaker.id)
    changed = await sign_up(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), topic="施工时间", now=NOW
    )
    await session.commit()
    assert (changed.outcome, changed.place) == ("updated", 2)
    assert changed.speaker.name == "张建国"
    assert await count(session, Speaker) == 3
    # the chair's speaker has spoken: everyone moves up
    await mark_speaker(session, ADMIN, mw.meeting_id, chair_added.id, "spoken")
    await session.commit()
    queue = await public_queue(session, mw.meeting_id)
    assert [(p.place, p.topic) for p in queue] == [(1, "施工时间"), (2, "费用分摊")]
    assert "张建国" not in repr(queue) and "王女士" not in repr(queue)
    meeting = await session.get(Meeting, mw.meeting_id)
    assert meeting is not None
    assert await self_signed_ids(session, meeting) == {first.speaker.id, second.speaker.id}
    payloads = (
        await session.scalars(
            select(MatterEvent.payload).where(MatterEvent.kind.startswith("meeting.speaker"))
        )
    ).all()
    assert all("张建国" not in str(p) and "王女士" not in str(p) for p in payloads)
    # residents' own actions are not audited; the chair's two are
    audited = await session.scalar(
        select(func.count()).where(AuditEntry.action.startswith("meeting.speaker"))
    )
    assert audited == 2
    # the chair still sees every name, in the order of asking
    names = [s.name for s in await list_speakers(session, mw.meeting_id)]
    assert names == ["王阿姨", "张建国", "3号楼王女士"]


async def test_only_while_the_meeting_is_upcoming_or_under_way(session: AsyncSession) -> None:
    mw = await meeting_world(session, checking_in=False)
    code = code_of(mw, "M02")
    # planned: open before it starts and on its day
    early = await sign_up(
        session, KEY, mw.meeting_id, credential=code, topic="t", now=START - timedelta(days=7)
    )
    await session.commit()
    assert early.outcome == "added"
    # a planned meeting a day past its start was never held: closed
    with pytest.raises(SignUpClosed):
        await sign_up(
            session, KEY, mw.meeting_id, credential=code, topic="u", now=START + timedelta(days=2)
        )
    await session.rollback()
    await move_meeting(session, ADMIN, mw.meeting_id, "start_checkin")
    await session.commit()
    # under way: open whatever the clock says
    under_way = await sign_up(
        session, KEY, mw.meeting_id, credential=code, topic="u", now=START + timedelta(days=2)
    )
    await session.commit()
    assert under_way.outcome == "updated"
    await move_meeting(session, ADMIN, mw.meeting_id, "end")
    await session.commit()
    before = await count(session, Speaker), await count(session, MatterEvent)
    for attempt in (
        sign_up(session, KEY, mw.meeting_id, credential=code_of(mw, "M04"), topic="t", now=NOW),
        withdraw_own(session, KEY, mw.meeting_id, credential=code, now=NOW),
    ):
        with pytest.raises(SignUpClosed):
            await attempt
        await session.rollback()
    assert (await count(session, Speaker), await count(session, MatterEvent)) == before
    with pytest.raises(NotFound):
        await sign_up(session, KEY, 10**6, credential=code, topic="t", now=NOW)


async def test_only_residents_on_the_meetings_roll(session: AsyncSession) -> None:
    mw = await meeting_world(session)
    # a ballot on the same matter, not held at the meeting, whose electorate has a child
    elsewhere = await new_ballot(session, mw.world)
    await open_ballot(session, ADMIN, elsewhere)
    await session.commit()
    other_codes = await issue(session, elsewhere)
    before = await count(session, Speaker), await count(session, MatterEvent)
    for credential, refusal in (
        (other_codes[mw.world.rid("M03")], NotOnMeetingRoll),  # the child: not on the roll
        ("12345", MistypedCredential),
        (new_credential(), UnknownCredential),
    ):
        with pytest.raises(refusal):
            await sign_up(session, KEY, mw.meeting_id, credential=credential, topic="t", now=NOW)
        await session.rollback()
    assert (await count(session, Speaker), await count(session, MatterEvent)) == before
    # an adult on the roll may use any of their own invitations' codes
    by_other_code = await sign_up(
        session,
        KEY,
        mw.meeting_id,
        credential=other_codes[mw.world.rid("M05")],
        topic="t",
        now=NOW,
    )
    assert by_other_code.speaker.resident_id == mw.world.rid("M05")


async def test_a_resident_withdraws_only_their_own_place(session: AsyncSession) -> None:
    mw = await meeting_world(session)
    mine = await sign_up(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), topic="a", now=NOW
    )
    theirs = await sign_up(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M04"), topic="b", now=NOW
    )
    await session.commit()
    mine_id, theirs_id = mine.speaker.id, theirs.speaker.id
    # someone who never signed up has nothing to withdraw, and touches nobody else's place
    with pytest.raises(NotSignedUp):
        await withdraw_own(session, KEY, mw.meeting_id, credential=code_of(mw, "M02"), now=NOW)
    await session.rollback()
    withdrawn = await withdraw_own(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), now=NOW
    )
    await session.commit()
    assert withdrawn.id == mine_id and withdrawn.state == "withdrawn"
    with pytest.raises(NotSignedUp):  # twice: nothing left to withdraw
        await withdraw_own(session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), now=NOW)
    await session.rollback()
    states = {s.id: s.state for s in await list_speakers(session, mw.meeting_id)}
    assert states == {mine_id: "withdrawn", theirs_id: "waiting"}
    assert [p.topic for p in await public_queue(session, mw.meeting_id)] == ["b"]
    # signing up again after withdrawing: a new place at the end
    back = await sign_up(
        session, KEY, mw.meeting_id, credential=code_of(mw, "M01"), topic="a", now=NOW
    )
    assert (back.outcome, back.place) == ("added", 2) and back.speaker.id != mine_id
    events = (
        await session.scalars(
            select(MatterEvent.kind).where(MatterEvent.kind.startswith("meeting.speaker"))
        )
    ).all()
    assert sorted(events).count("meeting.speaker_withdrawn") == 1


async def test_bad_input_changes_nothing(session: AsyncSession) -> None:
    mw = await meeting_world(session)
    code = code_of(mw, "M01")
    before = await count(session, Speaker), await count(session, MatterEvent)
    for kwargs in (
        {"topic": "   "},
        {"topic": "话" * 301},
        {"topic": "t", "call_me": "张" * 101},
        {"topic": "a\x00b"},
    ):
        with pytest.raises(BadSignUp):
            await sign_up(session, KEY, mw.meeting_id, credential=code, now=NOW, **kwargs)
        await session.rollback()
    assert (await count(session, Speaker), await count(session, MatterEvent)) == before
    # a place that exists is not changed by a bad update either
    placed = await sign_up(session, KEY, mw.meeting_id, credential=code, topic="好", now=NOW)
    await session.commit()
    with pytest.raises(BadSignUp):
        await sign_up(session, KEY, mw.meeting_id, credential=code, topic="", now=NOW)
    await session.rollback()
    [speaker] = await list_speakers(session, mw.meeting_id)
    assert (speaker.id, speaker.topic) == (placed.speaker.id, "好")


async def test_a_meeting_holding_no_ballot_takes_its_matters_roll(session: AsyncSession) -> None:
    """A second hearing on the matter holds no ballot: its roll is the electorate of the
    matter's ballots, so a resident there signs up with the code they already have."""
    mw = await meeting_world(session)
    other = await create_meeting(
        session, ADMIN, matter_id=mw.world.matter_id, title="年终听证会", starts_at=START
    )
    await session.commit()
    signed = await sign_up(
        session, KEY, other.id, credential=code_of(mw, "M06"), topic="绿化", now=NOW
    )
    assert signed.outcome == "added"
