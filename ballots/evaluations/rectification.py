"""Rectification (整改) after a poor rating: items with an owner, a due date and a status, kept
as :class:`~ballots.models.Action` rows of kind ``rectification`` on the subject. Written here
on the model directly (the general follow-up actions service was not committed when this was).
A re-evaluation is simply the subject's next evaluation ballot.

Statuses move open → in_progress → done; done may be reopened (back to open). Overdue is
derived: not done and the due date passed (in Beijing time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.errors import InvalidInput, NotFound
from ballots.evaluations.evaluation_ballots import BEIJING
from ballots.evaluations.subjects import subject_for
from ballots.models import Action
from ballots.models.bounds import LONG_TEXT_LENGTH

KIND = "rectification"
STATUSES = ("open", "in_progress", "done")
MOVES = {"open": ("in_progress", "done"), "in_progress": ("done", "open"), "done": ("open",)}
TITLE_MAX = 300
OWNER_MAX = 200


def _clean(title: str, owner: str, note: str) -> tuple[str, str, str]:
    title, owner, note = title.strip(), owner.strip(), note.strip()
    if not title:
        raise InvalidInput("the title must not be empty")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"the title must be at most {TITLE_MAX} characters")
    if not owner:
        raise InvalidInput("name who is responsible")
    if len(owner) > OWNER_MAX:
        raise InvalidInput(f"the owner must be at most {OWNER_MAX} characters")
    if len(note) > LONG_TEXT_LENGTH:
        raise InvalidInput(f"the text must be at most {LONG_TEXT_LENGTH} characters")
    return title, owner, note


def is_overdue(action: Action, today: date | None = None) -> bool:
    """Not done and its due date has passed."""
    today = today or datetime.now(BEIJING).date()
    return action.status != "done" and action.due_on is not None and action.due_on < today


async def get_rectification(session: AsyncSession, action_id: int) -> Action:
    """The rectification item with ``action_id``, or :class:`NotFound`."""
    action = await session.get(Action, action_id)
    if action is None or action.kind != KIND or action.subject_id is None:
        raise NotFound(what="action", id=action_id)
    return action


async def add_rectification(
    session: AsyncSession,
    actor: Actor,
    *,
    subject_id: int,
    title: str,
    owner: str,
    due_on: date | None,
    note: str = "",
) -> Action:
    """Add a rectification item to a subject; audited."""
    subject, unit = await subject_for(session, actor, subject_id)
    title, owner, note = _clean(title, owner, note)
    action = Action(
        kind=KIND,
        subject_id=subject.id,
        matter_id=subject.matter_id,
        title=title,
        owner=owner,
        due_on=due_on,
        status="open",
        note=note,
    )
    session.add(action)
    await session.flush()
    audit.record(
        session,
        actor,
        "rectification.add",
        f"action:{action.id}",
        unit.id,
        subject=subject.id,
        title=title,
        owner=owner,
        due_on=due_on.isoformat() if due_on else None,
    )
    return action


async def move_rectification(
    session: AsyncSession, actor: Actor, action_id: int, status: str, *, note: str | None = None
) -> Action:
    """Move a rectification item to ``status`` (see :data:`MOVES`); audited."""
    action = await get_rectification(session, action_id)
    assert action.subject_id is not None
    _, unit = await subject_for(session, actor, action.subject_id)
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    if status not in MOVES[action.status]:
        raise InvalidInput(f"a rectification that is {action.status} cannot become {status}")
    if note is not None:
        if len(note.strip()) > LONG_TEXT_LENGTH:
            raise InvalidInput(f"the text must be at most {LONG_TEXT_LENGTH} characters")
        action.note = note.strip()
    before = action.status
    action.status = status
    action.done_at = datetime.now(UTC) if status == "done" else None
    action.progress = 100 if status == "done" else action.progress
    audit.record(
        session,
        actor,
        "rectification.move",
        f"action:{action.id}",
        unit.id,
        before=before,
        after=status,
    )
    await session.flush()
    return action


async def rectifications_of(session: AsyncSession, subject_id: int) -> Sequence[Action]:
    """The subject's rectification items, oldest first."""
    query = select(Action).where(Action.kind == KIND, Action.subject_id == subject_id)
    return (await session.scalars(query.order_by(Action.created_at, Action.id))).all()
