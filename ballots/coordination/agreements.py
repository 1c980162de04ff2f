"""What the parties agreed at a coordination matter: an agreement's text, optionally on one
issue and at one of the matter's meetings; its follow-up actions are
:mod:`ballots.followup.actions` of kind ``agreement``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.coordination.common import clean, coordination_matter
from ballots.coordination.issues import get_issue
from ballots.errors import N_, NotFound
from ballots.matters import add_event
from ballots.models import Agreement, Meeting

TEXT_MAX = 4000


async def get_agreement(session: AsyncSession, agreement_id: int) -> Agreement:
    """The agreement with ``agreement_id``, or :class:`NotFound`."""
    found = await session.get(Agreement, agreement_id)
    if found is None:
        raise NotFound(what="agreement", id=agreement_id)
    return found


async def agreements_of(session: AsyncSession, matter_id: int) -> Sequence[Agreement]:
    """A matter's agreements, oldest first."""
    query = select(Agreement).where(Agreement.matter_id == matter_id).order_by(Agreement.id)
    return (await session.scalars(query)).all()


async def add_agreement(
    session: AsyncSession,
    actor: Actor,
    matter_id: int,
    text: str,
    *,
    issue_id: int | None = None,
    meeting_id: int | None = None,
) -> Agreement:
    """Record an agreement (on an issue of the matter, at a meeting of the matter, both
    optional); audited and on the timeline."""
    matter, unit = await coordination_matter(session, actor, matter_id)
    text = clean(text, TEXT_MAX, N_("Please write down what was agreed."))
    issue_title = ""
    if issue_id is not None:
        issue = await get_issue(session, issue_id)
        if issue.matter_id != matter.id:
            raise NotFound(what="issue", id=issue_id)
        issue_title = issue.title
    if meeting_id is not None:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None or meeting.matter_id != matter.id:
            raise NotFound(what="meeting", id=meeting_id)
    agreement = Agreement(matter_id=matter.id, issue_id=issue_id, meeting_id=meeting_id, text=text)
    session.add(agreement)
    await session.flush()
    add_event(session, matter.id, "agreement", actor=actor.name, text=text, issue=issue_title)
    audit.record(session, actor, "agreement.add", f"agreement:{agreement.id}", unit.id)
    return agreement
