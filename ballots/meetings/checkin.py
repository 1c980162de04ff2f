"""Checking residents in to a meeting: on their own phone with the projected venue code and their
invitation credential, or at the door by a chair (scanned or typed code, or found by name).

Who may check in is the meeting's roll: the frozen electorate of the ballots held at the meeting,
or, when none is, of every ballot on its matter (:func:`roll_ballot_ids`); a meeting with no such
ballot takes anyone on its unit's roll, checked in by a chair. The holder of an active proxy at the
meeting may always attend (a member of the grantor's household need not be on the roll); the
grantor may not while the proxy stands, so that who voted for them stays clear. Each resident
checks in once: the attendance primary key decides, whatever the concurrency. Nothing is recorded
on a refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.credentials import credential_hash
from ballots.errors import (
    AlreadyCheckedIn,
    GrantorCannotCheckIn,
    MeetingNotCheckingIn,
    MistypedCredential,
    NotFound,
    NotOnThisMeeting,
    UnknownCredential,
    VenueCodeOfAnotherMeeting,
    WrongVenueCode,
)
from ballots.meetings.meetings import get_meeting, meeting_unit
from ballots.meetings.venue_code import code_accepted
from ballots.models import Attendance, Ballot, Elector, Meeting, Proxy, Resident, Unit
from ballots.models.meetings import CheckInMethod

SHOWN_ZONE = ZoneInfo("Asia/Shanghai")


class CheckedIn(msgspec.Struct, frozen=True):
    """A resident now present at a meeting (``name`` is for the door staff and the resident
    themself, never for a public page)."""

    meeting_id: int
    resident_id: int
    name: str
    at: datetime
    method: str


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


async def roll_ballot_ids(session: AsyncSession, meeting: Meeting) -> list[int]:
    """The ballots whose electorate is this meeting's roll: those held at it, else its matter's.

    Only ballots past their draft count: a draft has no frozen electorate (and no credentials)
    yet. With none, the roll is the unit's (:func:`on_roll`).
    """
    frozen = Ballot.state != "draft"
    held = list(
        await session.scalars(select(Ballot.id).where(Ballot.meeting_id == meeting.id, frozen))
    )
    if held:
        return held
    return list(
        await session.scalars(
            select(Ballot.id).where(Ballot.matter_id == meeting.matter_id, frozen)
        )
    )


async def on_roll(session: AsyncSession, meeting: Meeting, resident_id: int) -> bool:
    """True when the resident may attend: on the roll's electorate, or, for a meeting on a
    matter with no ballot, on the roll of the matter's unit subtree."""
    holds_proxy = await session.scalar(
        select(
            exists().where(
                Proxy.meeting_id == meeting.id,
                Proxy.holder_id == resident_id,
                Proxy.revoked_at.is_(None),
            )
        )
    )
    if holds_proxy:  # e.g. a member of the grantor's household, not on the roll themself
        return True
    ballot_ids = await roll_ballot_ids(session, meeting)
    if ballot_ids:
        found = await session.scalar(
            select(
                exists().where(
                    Elector.ballot_id.in_(ballot_ids), Elector.resident_id == resident_id
                )
            )
        )
        return bool(found)
    unit = await meeting_unit(session, meeting)
    found = await session.scalar(
        select(
            exists()
            .where(Resident.id == resident_id)
            .where(Resident.unit_id == Unit.id)
            .where(Unit.path.startswith(unit.path))
        )
    )
    return bool(found)


async def _record(
    session: AsyncSession,
    meeting: Meeting,
    resident: Resident,
    method: CheckInMethod,
    at: datetime,
    chair_id: int | None,
) -> CheckedIn:
    """Insert the attendance; a second check-in (even a racing one) is refused, and so is a
    resident whose active proxy at this meeting lets someone else attend and vote for them."""
    meeting_id, resident_id, name = meeting.id, resident.id, resident.name
    holder = await session.scalar(
        select(Resident.name)
        .join(Proxy, Proxy.holder_id == Resident.id)
        .where(
            Proxy.meeting_id == meeting_id,
            Proxy.grantor_id == resident_id,
            Proxy.revoked_at.is_(None),
        )
    )
    if holder is not None:
        raise GrantorCannotCheckIn(name=name, holder=holder)
    session.add(
        Attendance(
            meeting_id=meeting_id, resident_id=resident_id, at=at, method=method, chair_id=chair_id
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        refusal = await _already(session, meeting_id, resident_id)
        await session.rollback()  # let go of SQLite's write lock before the refusal travels up
        raise refusal from None
    return CheckedIn(
        meeting_id=meeting_id, resident_id=resident_id, name=name, at=at, method=method
    )


async def _already(session: AsyncSession, meeting_id: int, resident_id: int) -> AlreadyCheckedIn:
    row = (
        await session.execute(
            select(Resident.name, Attendance.at)
            .join(Attendance, Attendance.resident_id == Resident.id)
            .where(Attendance.meeting_id == meeting_id, Attendance.resident_id == resident_id)
        )
    ).first()
    name, at = row if row is not None else ("", datetime.now(UTC))
    return AlreadyCheckedIn(name=name, time=at.astimezone(SHOWN_ZONE).strftime("%H:%M"))


async def _resident_of_credential(
    session: AsyncSession, key: bytes, meeting: Meeting, credential: str
) -> Resident:
    hashed = credential_hash(key, credential)
    if hashed is None:
        raise MistypedCredential()
    row = (
        await session.execute(
            select(Elector.resident_id, Elector.ballot_id).where(Elector.credential_hash == hashed)
        )
    ).first()
    if row is None:
        raise UnknownCredential()
    resident_id, ballot_id = row
    if ballot_id not in await roll_ballot_ids(session, meeting):
        raise NotOnThisMeeting()
    resident = await session.get(Resident, resident_id)
    if resident is None:  # pragma: no cover - electors always point at a resident
        raise NotOnThisMeeting()
    return resident


async def _check_venue_code(
    session: AsyncSession, meeting: Meeting, code: str, now: datetime
) -> None:
    if code_accepted(meeting.checkin_secret, code, now):
        return
    others = await session.scalars(
        select(Meeting.checkin_secret).where(
            Meeting.state == "checking_in", Meeting.id != meeting.id
        )
    )
    if any(code_accepted(secret, code, now) for secret in others):
        raise VenueCodeOfAnotherMeeting()
    raise WrongVenueCode()


async def meeting_of_code(
    session: AsyncSession, code: str, now: datetime | None = None
) -> Meeting | None:
    """The one meeting checking in now whose venue code is ``code`` (for a resident who typed
    the digits without scanning); None when no meeting, or more than one, has it."""
    now = _now(now)
    found = [
        meeting
        for meeting in await session.scalars(select(Meeting).where(Meeting.state == "checking_in"))
        if code_accepted(meeting.checkin_secret, code, now)
    ]
    return found[0] if len(found) == 1 else None


async def check_in_at_venue(
    session: AsyncSession,
    key: bytes,
    meeting_id: int,
    *,
    venue_code: str,
    credential: str,
    now: datetime | None = None,
) -> CheckedIn:
    """A resident checks themself in on their phone: the venue code proves they are in the room
    (within the last minute), the invitation credential who they are. The caller commits."""
    now = _now(now)
    meeting = await get_meeting(session, meeting_id)
    if meeting.state != "checking_in":
        raise MeetingNotCheckingIn()
    await _check_venue_code(session, meeting, venue_code, now)
    resident = await _resident_of_credential(session, key, meeting, credential)
    return await _record(session, meeting, resident, "venue", now, None)


async def check_in_at_door(
    session: AsyncSession,
    actor: Actor,
    key: bytes,
    meeting_id: int,
    *,
    credential: str = "",
    resident_id: int | None = None,
    method: CheckInMethod = "hand",
    now: datetime | None = None,
) -> CheckedIn:
    """A chair checks a resident in at the door: by their invitation code (scanned or typed) or,
    for someone with neither, by ``resident_id`` found by name. Recorded with the chair; audited.
    The caller commits."""
    now = _now(now)
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    if meeting.state != "checking_in":
        raise MeetingNotCheckingIn()
    if resident_id is None:
        resident = await _resident_of_credential(session, key, meeting, credential)
    else:
        found = await session.get(Resident, resident_id)
        if found is None:
            raise NotFound(what="resident", id=resident_id)
        if not await on_roll(session, meeting, found.id):
            raise NotOnThisMeeting()
        resident = found
    checked = await _record(session, meeting, resident, method, now, actor.chair_id)
    audit.record(
        session,
        actor,
        "meeting.check_in",
        f"meeting:{meeting.id}",
        unit.id,
        resident_id=resident.id,
        method=method,
    )
    return checked


async def is_present(session: AsyncSession, meeting_id: int, resident_id: int) -> bool:
    """True when the resident is checked in at the meeting."""
    found = await session.scalar(
        select(
            exists().where(
                Attendance.meeting_id == meeting_id, Attendance.resident_id == resident_id
            )
        )
    )
    return bool(found)


async def attendance_list(session: AsyncSession, meeting_id: int) -> Sequence[CheckedIn]:
    """Everyone checked in, in the order they came (for the console, never a public page)."""
    rows = await session.execute(
        select(Attendance, Resident.name)
        .join(Resident, Resident.id == Attendance.resident_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Attendance.at, Attendance.resident_id)
    )
    return [
        CheckedIn(
            meeting_id=meeting_id,
            resident_id=attendance.resident_id,
            name=name,
            at=attendance.at,
            method=attendance.method,
        )
        for attendance, name in rows.all()
    ]
