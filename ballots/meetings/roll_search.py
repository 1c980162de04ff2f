"""Finding a resident on a meeting's roll by name, building or room, for check-in at the door.

The roll is who may attend (:func:`ballots.meetings.checkin.on_roll`): the electorate of the
ballots held at the meeting, else of its matter's ballots, else everyone on the roll of the
matter's unit. Each word typed must appear in the name, the building, the room or the
household number (户号, as ``3-101``). Results come in natural order (2号楼 before 10号楼), at
most ``limit`` of them, with whether and when each person is already checked in. Never a credential, phone or any other roll detail.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput
from ballots.meetings.checkin import roll_ballot_ids
from ballots.meetings.meetings import get_meeting, meeting_unit
from ballots.models import Attendance, Elector, Household, Resident, Unit
from ballots.natural import natural_key

QUERY_MAX = 100
"""The longest search text accepted."""
LIMIT_DEFAULT = 20
LIMIT_MAX = 100


class RollEntry(msgspec.Struct, frozen=True):
    """One resident on a meeting's roll, and whether they are present (for the door staff)."""

    resident_id: int
    name: str
    building: str
    room: str
    present_at: datetime | None = None
    """When they were checked in (UTC), or None while absent."""
    method: str | None = None
    """How they were checked in: venue, scan, code or hand."""


class RollSearch(msgspec.Struct, frozen=True):
    """The residents found (natural order, at most the limit) and whether more matched."""

    entries: list[RollEntry]
    more: bool


def _words(query: str) -> list[str]:
    query = query.strip()
    if len(query) > QUERY_MAX:
        raise InvalidInput(N_("The search must be at most {limit} characters."), limit=QUERY_MAX)
    if "\x00" in query:
        raise InvalidInput(N_("The search contains a character that cannot be searched."))
    return [word.lower() for word in query.split()]


def _matches(word: str) -> ColumnElement[bool]:
    return or_(
        *(
            func.lower(column).contains(word, autoescape=True)
            for column in (Resident.name, Resident.building, Resident.room, Household.external_id)
        )
    )


async def search_roll(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    query: str = "",
    *,
    limit: int = LIMIT_DEFAULT,
) -> RollSearch:
    """Residents on the meeting's roll matching every word of ``query`` (all when empty)."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    if not 1 <= limit <= LIMIT_MAX:
        raise InvalidInput(N_("The number of results must be from 1 to {limit}."), limit=LIMIT_MAX)
    words = _words(query)
    statement = (
        select(
            Resident.id,
            Resident.name,
            Resident.building,
            Resident.room,
            Attendance.at,
            Attendance.method,
        )
        .outerjoin(Household, Household.id == Resident.household_id)
        .outerjoin(
            Attendance,
            (Attendance.resident_id == Resident.id) & (Attendance.meeting_id == meeting.id),
        )
    )
    ballot_ids = await roll_ballot_ids(session, meeting)
    if ballot_ids:
        electors = select(Elector.resident_id).where(Elector.ballot_id.in_(ballot_ids))
        statement = statement.where(Resident.id.in_(electors))
    else:
        subtree = select(Unit.id).where(Unit.path.startswith(unit.path))
        statement = statement.where(Resident.unit_id.in_(subtree))
    for word in words:
        statement = statement.where(_matches(word))
    rows = sorted(
        (await session.execute(statement)).all(),
        key=lambda row: (natural_key(row[2]), natural_key(row[3]), row[1], row[0]),
    )
    entries = [
        RollEntry(
            resident_id=resident_id,
            name=name,
            building=building,
            room=room,
            present_at=at,
            method=method,
        )
        for resident_id, name, building, room, at, method in rows[:limit]
    ]
    return RollSearch(entries=entries, more=len(rows) > limit)
