"""The issues in dispute at a coordination matter and each party's position on each issue."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.coordination.common import clean, coordination_matter
from ballots.coordination.parties import get_party
from ballots.errors import N_, NotFound
from ballots.matters import add_event
from ballots.models import Issue, Party, Position

TITLE_MAX = 300
POSITION_MAX = 4000


async def get_issue(session: AsyncSession, issue_id: int) -> Issue:
    """The issue with ``issue_id``, or :class:`NotFound`."""
    found = await session.get(Issue, issue_id)
    if found is None:
        raise NotFound(what="issue", id=issue_id)
    return found


async def issues_of(session: AsyncSession, matter_id: int) -> Sequence[Issue]:
    """A matter's issues, in order."""
    query = select(Issue).where(Issue.matter_id == matter_id).order_by(Issue.position, Issue.id)
    return (await session.scalars(query)).all()


async def add_issue(session: AsyncSession, actor: Actor, matter_id: int, title: str) -> Issue:
    """Add an issue at the end of the matter's list; audited and on the timeline."""
    matter, unit = await coordination_matter(session, actor, matter_id)
    title = clean(title, TITLE_MAX, N_("Please say what the issue is."))
    last = await session.scalar(
        select(func.max(Issue.position)).where(Issue.matter_id == matter.id)
    )
    issue = Issue(matter_id=matter.id, title=title, position=(last or 0) + 1)
    session.add(issue)
    await session.flush()
    add_event(session, matter.id, "issue.added", actor=actor.name, title=title)
    audit.record(session, actor, "issue.add", f"issue:{issue.id}", unit.id, title=title)
    return issue


async def update_issue(session: AsyncSession, actor: Actor, issue_id: int, title: str) -> Issue:
    """Rename an issue; audited."""
    issue = await get_issue(session, issue_id)
    _, unit = await coordination_matter(session, actor, issue.matter_id)
    issue.title = clean(title, TITLE_MAX, N_("Please say what the issue is."))
    audit.record(session, actor, "issue.update", f"issue:{issue.id}", unit.id, title=issue.title)
    await session.flush()
    return issue


async def positions_of(session: AsyncSession, matter_id: int) -> dict[tuple[int, int], Position]:
    """A matter's positions by (issue id, party id)."""
    query = select(Position).join(Issue, Issue.id == Position.issue_id)
    rows = await session.scalars(query.where(Issue.matter_id == matter_id))
    return {(position.issue_id, position.party_id): position for position in rows.all()}


async def set_position(
    session: AsyncSession, actor: Actor, issue_id: int, party_id: int, text: str
) -> Position | None:
    """Record what a party holds on an issue (replacing what it held; empty text removes it);
    audited and on the timeline."""
    issue = await get_issue(session, issue_id)
    party: Party = await get_party(session, party_id)
    matter, unit = await coordination_matter(session, actor, issue.matter_id)
    if party.matter_id != matter.id:
        raise NotFound(what="party", id=party_id)
    text = text.strip()
    if len(text) > POSITION_MAX:
        clean(text, POSITION_MAX, "")
    where = (Position.issue_id == issue.id, Position.party_id == party.id)
    existing = await session.scalar(select(Position).where(*where))
    if not text:
        if existing is not None:
            await session.execute(delete(Position).where(*where))
    elif existing is None:
        existing = Position(issue_id=issue.id, party_id=party.id, text=text)
        session.add(existing)
    else:
        existing.text = text
    add_event(
        session,
        matter.id,
        "position.set",
        actor=actor.name,
        issue=issue.title,
        party=party.name,
        text=text,
    )
    audit.record(session, actor, "position.set", f"issue:{issue.id}", unit.id, party=party.name)
    await session.flush()
    return existing if text else None
