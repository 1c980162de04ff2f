"""A meeting at the door for the web and browser tests: in the demo's 瑞金一居民区, a hearing
whose ballot is held at the meeting (adults of the area, invitations issued), check-in open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import invitations, lifecycle, matters
from ballots.access import operator
from ballots.eligibility import Eligibility
from ballots.invitations import Invitation
from ballots.meetings import meetings
from ballots.models import Unit
from tests.ballots.factories import draft
from tests.vote.helpers import BASE_URL, SECRET, Db, World

START_AT = "2026-12-05T06:00:00+00:00"  # 14:00 北京时间


@dataclass
class DoorMeeting:
    meeting_id: int
    ballot_id: int
    invitations: list[Invitation]
    """One per adult of the area, in the order issued."""


async def make_door_meeting(
    session: AsyncSession,
    *,
    unit_code: str = "ruijin1",
    key: bytes = SECRET,
    base_url: str = BASE_URL,
    checking_in: bool = True,
) -> DoorMeeting:
    """Made through the real services with the service's ``key``, committed."""
    op = operator()
    unit_id = await session.scalar(select(Unit.id).where(Unit.code == unit_code))
    assert unit_id is not None
    matter = await matters.create_matter(
        session, op, unit_id=unit_id, kind="hearing", title="加装电梯听证会"
    )
    meeting = await meetings.create_meeting(
        session,
        op,
        matter_id=matter.id,
        title="加装电梯听证会",
        starts_at=datetime.fromisoformat(START_AT),
        venue="活动室",
    )
    ballot = await lifecycle.create_ballot(
        session, op, matter.id, draft(eligibility=Eligibility(units=[unit_id], min_age=18))
    )
    await meetings.hold_ballot_at(session, op, ballot.id, meeting.id, requires_checkin=True)
    await lifecycle.open_ballot(session, op, ballot.id)
    await session.commit()
    issued = await invitations.issue_invitations(session, op, key, base_url, ballot.id)
    if checking_in:
        await meetings.move_meeting(session, op, meeting.id, "start_checkin")
    await session.commit()
    return DoorMeeting(meeting_id=meeting.id, ballot_id=ballot.id, invitations=issued)


async def door_meeting(
    db: Db, world: World, *, unit_code: str = "ruijin1", checking_in: bool = True
) -> DoorMeeting:
    """A door meeting in the test's demo database (``world`` names it)."""

    async def work(session: AsyncSession) -> DoorMeeting:
        return await make_door_meeting(session, unit_code=unit_code, checking_in=checking_in)

    made: DoorMeeting = await db.run(work)
    return made
