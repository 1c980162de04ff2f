"""Checking in to a meeting: the venue code's window, the meeting's roll, once per resident
(also when two phones race), at the door by a chair, and nothing recorded on a refusal."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.db import create_engine, create_sessionmaker, dispose, is_sqlite
from ballots.errors import (
    AlreadyCheckedIn,
    MeetingNotCheckingIn,
    MeetingStateConflict,
    MistypedCredential,
    NotOnThisMeeting,
    OutsideUnit,
    UnknownCredential,
    VenueCodeOfAnotherMeeting,
    WrongVenueCode,
)
from ballots.meetings.checkin import (
    CheckedIn,
    attendance_list,
    check_in_at_door,
    check_in_at_venue,
    meeting_of_code,
)
from ballots.meetings.meetings import create_meeting, move_meeting
from ballots.meetings.venue_code import current_code
from ballots.models import Attendance, AuditEntry
from tests.ballots.factories import ADMIN, KEY, issue, new_ballot
from tests.ballots.meetings.world import START, meeting_world

NOW = START + timedelta(minutes=5)


async def attendances(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Attendance)) or 0)


async def test_a_resident_checks_in_with_the_projected_code_and_their_invitation(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    code, _ = current_code(w.secret, NOW)
    checked = await check_in_at_venue(
        session,
        KEY,
        w.meeting_id,
        venue_code=code,
        credential=w.credentials[w.world.rid("M01")],
        now=NOW,
    )
    await session.commit()
    assert (checked.name, checked.method) == ("张建国", "venue")
    assert [c.name for c in await attendance_list(session, w.meeting_id)] == ["张建国"]


async def test_an_expired_code_is_refused_and_nothing_is_recorded(session: AsyncSession) -> None:
    w = await meeting_world(session)
    code, _ = current_code(w.secret, NOW)
    with pytest.raises(WrongVenueCode):
        await check_in_at_venue(
            session,
            KEY,
            w.meeting_id,
            venue_code=code,
            credential=w.credentials[w.world.rid("M01")],
            now=NOW + timedelta(seconds=90),
        )
    assert await attendances(session) == 0


async def test_a_code_from_another_meeting_says_so(session: AsyncSession) -> None:
    w = await meeting_world(session)
    other = await create_meeting(
        session, ADMIN, matter_id=w.world.matter_id, title="另一场", starts_at=START
    )
    await session.commit()
    await move_meeting(session, ADMIN, other.id, "start_checkin")
    await session.commit()
    code, _ = current_code(other.checkin_secret, NOW)
    with pytest.raises(VenueCodeOfAnotherMeeting):
        await check_in_at_venue(
            session,
            KEY,
            w.meeting_id,
            venue_code=code,
            credential=w.credentials[w.world.rid("M01")],
            now=NOW,
        )
    assert await attendances(session) == 0
    # typed without scanning, the code finds its own meeting
    found = await meeting_of_code(session, code, NOW)
    assert found is not None and found.id == other.id


async def test_a_credential_not_on_this_meetings_roll_is_refused(session: AsyncSession) -> None:
    w = await meeting_world(session)
    # a ballot on the same matter but not held at the meeting: its credentials are not the roll
    elsewhere = await new_ballot(session, w.world)
    from ballots.lifecycle import open_ballot

    await open_ballot(session, ADMIN, elsewhere)
    await session.commit()
    other_credentials = await issue(session, elsewhere)
    code, _ = current_code(w.secret, NOW)
    with pytest.raises(NotOnThisMeeting):
        await check_in_at_venue(
            session,
            KEY,
            w.meeting_id,
            venue_code=code,
            credential=other_credentials[w.world.rid("M01")],
            now=NOW,
        )
    with pytest.raises(UnknownCredential):
        await check_in_at_venue(
            session,
            KEY,
            w.meeting_id,
            venue_code=code,
            credential="00000-00000-00000-00000-00000",
            now=NOW,
        )
    with pytest.raises(MistypedCredential):
        await check_in_at_venue(
            session, KEY, w.meeting_id, venue_code=code, credential="123", now=NOW
        )
    assert await attendances(session) == 0


async def test_a_second_check_in_is_refused_with_the_first_time(session: AsyncSession) -> None:
    w = await meeting_world(session)
    credential = w.credentials[w.world.rid("M01")]
    code, _ = current_code(w.secret, NOW)
    await check_in_at_venue(
        session, KEY, w.meeting_id, venue_code=code, credential=credential, now=NOW
    )
    await session.commit()
    with pytest.raises(AlreadyCheckedIn) as refused:
        await check_in_at_venue(
            session,
            KEY,
            w.meeting_id,
            venue_code=code,
            credential=credential,
            now=NOW + timedelta(seconds=10),
        )
    assert refused.value.params == {"name": "张建国", "time": "14:05"}
    assert await attendances(session) == 1


async def test_two_phones_racing_for_one_credential_check_in_once(
    session: AsyncSession, db_url: str
) -> None:
    w = await meeting_world(session)
    credential = w.credentials[w.world.rid("M01")]
    code, _ = current_code(w.secret, NOW)
    engines = [create_engine(db_url) for _ in range(8 if is_sqlite(db_url) else 1)]
    sessions = [create_sessionmaker(engines[i % len(engines)])() for i in range(8)]

    async def attempt(each: AsyncSession) -> CheckedIn:
        checked = await check_in_at_venue(
            each, KEY, w.meeting_id, venue_code=code, credential=credential, now=NOW
        )
        await each.commit()
        return checked

    try:
        outcomes = await asyncio.gather(*(attempt(s) for s in sessions), return_exceptions=True)
    finally:
        for each in sessions:
            await each.close()
        for engine in engines:
            await dispose(engine)
    done = [o for o in outcomes if isinstance(o, CheckedIn)]
    refused = [o for o in outcomes if not isinstance(o, CheckedIn)]
    assert len(done) == 1, outcomes
    assert all(isinstance(o, AlreadyCheckedIn) for o in refused), refused
    assert await attendances(session) == 1


async def test_check_in_only_while_the_meeting_is_checking_in(session: AsyncSession) -> None:
    w = await meeting_world(session, checking_in=False)
    code, _ = current_code(w.secret, NOW)
    credential = w.credentials[w.world.rid("M01")]
    with pytest.raises(MeetingNotCheckingIn):
        await check_in_at_venue(
            session, KEY, w.meeting_id, venue_code=code, credential=credential, now=NOW
        )
    await move_meeting(session, ADMIN, w.meeting_id, "start_checkin")
    await session.commit()
    with pytest.raises(MeetingStateConflict):
        await move_meeting(session, ADMIN, w.meeting_id, "start_checkin")
    await move_meeting(session, ADMIN, w.meeting_id, "end")
    await session.commit()
    with pytest.raises(MeetingNotCheckingIn):
        await check_in_at_venue(
            session, KEY, w.meeting_id, venue_code=code, credential=credential, now=NOW
        )
    assert await attendances(session) == 0


async def test_a_chair_checks_in_at_the_door_by_code_or_by_name_and_it_is_audited(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    chair = ADMIN
    scanned = await check_in_at_door(
        session,
        chair,
        KEY,
        w.meeting_id,
        credential=w.credentials[w.world.rid("M02")],
        method="scan",
        now=NOW,
    )
    by_name = await check_in_at_door(
        session, chair, KEY, w.meeting_id, resident_id=w.world.rid("M04"), now=NOW
    )
    await session.commit()
    assert (scanned.name, scanned.method) == ("李秀英", "scan")
    assert (by_name.name, by_name.method) == ("王海燕", "hand")
    # the child is not on the in-person ballot's electorate, nor is 思南's resident
    for outsider in ("M03", "S01"):
        with pytest.raises(NotOnThisMeeting):
            await check_in_at_door(
                session, chair, KEY, w.meeting_id, resident_id=w.world.rid(outsider), now=NOW
            )
    audited = await session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "meeting.check_in")
    )
    assert sorted(d["method"] for d in audited) == ["hand", "scan"]


async def test_a_chair_of_another_area_cannot_check_anyone_in(session: AsyncSession) -> None:
    w = await meeting_world(session)
    stranger = Actor(name="思南主任", role="area_chair", unit_path="/1/2/4/", chair_id=None)
    with pytest.raises(OutsideUnit):
        await check_in_at_door(
            session, stranger, KEY, w.meeting_id, resident_id=w.world.rid("M01"), now=NOW
        )
    assert await attendances(session) == 0


async def test_before_any_ballot_opens_the_units_roll_may_be_checked_in_by_name(
    session: AsyncSession,
) -> None:
    """A coordination meeting, or a hearing whose ballot is still a draft: no electorate is
    frozen yet, so anyone on the unit's roll may be checked in at the door (not 思南's)."""
    from tests.ballots.factories import build_world

    world = await build_world(session)
    meeting = await create_meeting(
        session, ADMIN, matter_id=world.matter_id, title="协调会", starts_at=START
    )
    await new_ballot(session, world)  # a draft: no electorate yet
    await move_meeting(session, ADMIN, meeting.id, "start_checkin")
    await session.commit()
    meeting_id = meeting.id
    child = await check_in_at_door(
        session, ADMIN, KEY, meeting_id, resident_id=world.rid("M03"), now=NOW
    )
    assert child.name == "张小明"
    with pytest.raises(NotOnThisMeeting):
        await check_in_at_door(session, ADMIN, KEY, meeting_id, resident_id=world.rid("S01"))


async def test_a_proxy_holder_from_the_household_may_attend_and_the_grantor_may_not(
    session: AsyncSession,
) -> None:
    """张小明 (M03) is not on the in-person ballot's roll, but holds his grandmother's proxy:
    he is checked in; 李秀英 (M02), represented by him, is told to have the proxy revoked first."""
    from ballots.errors import GrantorCannotCheckIn
    from ballots.meetings.proxies import record_proxy

    w = await meeting_world(session)
    grantor, holder = w.world.rid("M02"), w.world.rid("M03")
    await record_proxy(session, ADMIN, w.meeting_id, grantor_id=grantor, holder_id=holder)
    await session.commit()
    checked = await check_in_at_door(session, ADMIN, KEY, w.meeting_id, resident_id=holder)
    await session.commit()
    assert checked.name == "张小明"
    code, _ = current_code(w.secret, NOW)
    with pytest.raises(GrantorCannotCheckIn) as refused:
        await check_in_at_venue(
            session, KEY, w.meeting_id, venue_code=code, credential=w.credentials[grantor], now=NOW
        )
    assert refused.value.params == {"name": "李秀英", "holder": "张小明"}
    assert await attendances(session) == 1
