"""A meeting world for the domain tests: the factories' roll, a hearing on its matter, and an
in-person ballot held at it (open, credentials issued) for 茂名居民区."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.eligibility import Eligibility
from ballots.lifecycle import open_ballot
from ballots.meetings.meetings import create_meeting, hold_ballot_at, move_meeting
from tests.ballots.factories import ADMIN, World, build_world, draft, issue, new_ballot

START = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 14:00 北京时间


@dataclass
class MeetingWorld:
    world: World
    meeting_id: int
    ballot_id: int
    credentials: dict[int, str]
    """resident id → invitation credential of the in-person ballot"""
    secret: str


async def meeting_world(
    session: AsyncSession, *, requires_checkin: bool = True, checking_in: bool = True
) -> MeetingWorld:
    """A hearing with check-in open and an open in-person ballot for 茂名居民区 (adults only)."""
    world = await build_world(session)
    meeting = await create_meeting(
        session,
        ADMIN,
        matter_id=world.matter_id,
        title="加装电梯听证会",
        starts_at=START,
        venue="茂名居民区活动室",
        agenda=["介绍方案", "居民发言", "现场表决"],
    )
    await session.commit()
    meeting_id, secret = meeting.id, meeting.checkin_secret
    rules = Eligibility(units=[world.area_id], min_age=18)
    ballot_id = await new_ballot(session, world, draft(eligibility=rules))
    await hold_ballot_at(session, ADMIN, ballot_id, meeting_id, requires_checkin=requires_checkin)
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    credentials = await issue(session, ballot_id)
    if checking_in:
        await move_meeting(session, ADMIN, meeting_id, "start_checkin")
        await session.commit()
    return MeetingWorld(world, meeting_id, ballot_id, credentials, secret)
