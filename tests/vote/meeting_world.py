"""A meeting on the demo's practical-projects matter for the web tests: check-in open, and an
in-person ballot held at it (open, invitations issued), made through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.invitations import issue_invitations
from ballots.lifecycle import create_ballot, open_ballot
from ballots.meetings.meetings import create_meeting, hold_ballot_at, move_meeting
from ballots.meetings.venue_code import STEP_SECONDS, current_code
from ballots.models import Resident
from tests.ballots.factories import draft
from tests.vote.helpers import BASE_URL, SECRET, World


@dataclass
class MeetingSite:
    meeting_id: int
    ballot_id: int
    secret: str
    credentials: dict[int, str]
    """resident id → voting code of the in-person ballot"""
    names: dict[int, str]

    def code(self, *, steps_ago: int = 0) -> str:
        """The venue code the projector shows now (or ``steps_ago`` changes back)."""
        at = datetime.now(UTC) - timedelta(seconds=STEP_SECONDS * steps_ago)
        return current_code(self.secret, at)[0]

    def resident(self, index: int = 0) -> tuple[int, str]:
        """(resident id, voting code) of the index-th elector."""
        resident_id = sorted(self.credentials)[index]
        return resident_id, self.credentials[resident_id]


async def add_meeting(
    world: World,
    *,
    title: str = "实事项目听证会",
    requires_checkin: bool = True,
    checking_in: bool = True,
    open_ballot_now: bool = True,
    by_area: bool = False,
) -> MeetingSite:
    """A meeting on the practical ballot's matter, with an in-person ballot held at it."""
    matter_id = world.matters[world.practical_id]
    op = operator()

    async def work(session: AsyncSession) -> MeetingSite:
        meeting = await create_meeting(
            session,
            op,
            matter_id=matter_id,
            title=title,
            starts_at=datetime.now(UTC).replace(microsecond=0),
            venue="居委会活动室",
        )
        ballot_draft = draft(title="现场表决：是否同意方案")
        if by_area:
            ballot_draft = msgspec.structs.replace(ballot_draft, weighting="area")
        ballot = await create_ballot(session, op, matter_id, ballot_draft)
        await session.commit()
        meeting_id, ballot_id, secret = meeting.id, ballot.id, meeting.checkin_secret
        await hold_ballot_at(session, op, ballot_id, meeting_id, requires_checkin=requires_checkin)
        credentials: dict[int, str] = {}
        if open_ballot_now:
            await open_ballot(session, op, ballot_id)
            await session.commit()
            issued = await issue_invitations(session, op, SECRET, BASE_URL, ballot_id)
            credentials = {i.resident_id: i.credential for i in issued}
        if checking_in:
            await move_meeting(session, op, meeting_id, "start_checkin")
        await session.commit()
        names = dict(
            (
                await session.execute(
                    select(Resident.id, Resident.name).where(Resident.id.in_(credentials))
                )
            ).all()
        )
        return MeetingSite(meeting_id, ballot_id, secret, credentials, names)

    site: MeetingSite = await world.db.run(work)
    return site
