"""The live quorum: who is present at a meeting against the electorate, by head and by area.

A voting unit (person, or household on a one-vote-per-household ballot) is present when one of
its electors is checked in, or is represented by the holder of an active proxy who is checked in.
Only counts leave this module.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.lifecycle import ballot_spec
from ballots.meetings.checkin import roll_ballot_ids
from ballots.models import Attendance, Ballot, Elector, Meeting, Participation, Proxy


class BallotQuorum(msgspec.Struct, frozen=True):
    """One ballot held at the meeting: voting units present of its electorate, and who voted.

    ``area_electorate`` and ``area_present`` (m²) are given only for a ballot weighed by area.
    """

    ballot_id: int
    title: str
    state: str
    requires_checkin: bool
    electorate: int
    present: int
    voted: int
    percent_present: float
    weighting: str
    area_electorate: float | None
    area_present: float | None


class Quorum(msgspec.Struct, frozen=True):
    """A meeting's presence now: residents checked in, residents represented by a present proxy
    holder, the roll's size (None for a meeting with no ballot), and each ballot held at it."""

    meeting_id: int
    state: str
    checked_in: int
    represented: int
    roll: int | None
    ballots: list[BallotQuorum]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def present_residents(meeting_id: int) -> tuple[Select[int], Select[int]]:
    """Two selects of resident ids: checked in; and represented by a checked-in proxy holder."""
    attending = select(Attendance.resident_id).where(Attendance.meeting_id == meeting_id)
    represented = select(Proxy.grantor_id).where(
        Proxy.meeting_id == meeting_id,
        Proxy.revoked_at.is_(None),
        Proxy.holder_id.in_(attending),
    )
    return attending, represented


async def _ballot_quorum(session: AsyncSession, meeting_id: int, ballot: Ballot) -> BallotQuorum:
    attending, represented = present_residents(meeting_id)
    present_here = or_(
        Elector.resident_id.in_(attending),
        Elector.resident_id.in_(represented),
    )
    units = (
        select(
            Elector.count_key.label("key"),
            func.max(Elector.weight).label("weight"),
            func.max(case((present_here, 1), else_=0)).label("present"),
        )
        .where(Elector.ballot_id == ballot.id)
        .group_by(Elector.count_key)
        .subquery()
    )
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(units.c.present), 0),
                func.coalesce(func.sum(units.c.weight * units.c.present), 0.0),
                func.count(Participation.count_key),
            )
            .select_from(units)
            .outerjoin(
                Participation,
                and_(Participation.ballot_id == ballot.id, Participation.count_key == units.c.key),
            )
        )
    ).one()
    electorate, present, area_present, voted = int(row[0]), int(row[1]), float(row[2]), int(row[3])
    weighting = ballot_spec(ballot).weighting
    by_area = weighting == "area"
    return BallotQuorum(
        ballot_id=ballot.id,
        title=ballot.title,
        state=ballot.state,
        requires_checkin=ballot.requires_checkin,
        electorate=electorate,
        present=present,
        voted=voted,
        percent_present=_percent(present, electorate),
        weighting=weighting,
        area_electorate=round(ballot.electorate_area or 0.0, 2) if by_area else None,
        area_present=round(area_present, 2) if by_area else None,
    )


async def count_quorum(session: AsyncSession, meeting: Meeting) -> Quorum:
    """The meeting's presence now (no access check: callers check who asks)."""
    attending, _ = present_residents(meeting.id)
    checked_in = await session.scalar(select(func.count()).select_from(attending.subquery()))
    represented_count = await session.scalar(
        select(func.count()).select_from(
            select(Proxy.grantor_id)
            .where(
                Proxy.meeting_id == meeting.id,
                Proxy.revoked_at.is_(None),
                Proxy.holder_id.in_(attending),
                Proxy.grantor_id.not_in(attending),
            )
            .subquery()
        )
    )
    roll_ids = await roll_ballot_ids(session, meeting)
    roll = (
        await session.scalar(
            select(func.count(func.distinct(Elector.resident_id))).where(
                Elector.ballot_id.in_(roll_ids)
            )
        )
        if roll_ids
        else None
    )
    held = await session.scalars(
        select(Ballot).where(Ballot.meeting_id == meeting.id).order_by(Ballot.id)
    )
    return Quorum(
        meeting_id=meeting.id,
        state=meeting.state,
        checked_in=int(checked_in or 0),
        represented=int(represented_count or 0),
        roll=int(roll) if roll is not None else None,
        ballots=[await _ballot_quorum(session, meeting.id, ballot) for ballot in held],
    )
