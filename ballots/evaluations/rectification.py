"""Rectification (整改) after a poor rating: follow-up actions of kind ``rectification`` on an
evaluation subject, with an owner, a due date and a status, made and moved through the shared
follow-up actions service (:mod:`ballots.followup.actions`). A re-evaluation is simply the
subject's next evaluation ballot; the subject's history shows the rates before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import NotFound
from ballots.evaluations.subjects import subject_for
from ballots.followup.actions import (
    ACTION_STATUSES,
    actions_of,
    beijing_today,
    create_action,
    get_action,
    set_status,
)
from ballots.followup.actions import is_overdue as _is_overdue
from ballots.models import Action

KIND = "rectification"
STATUSES = ACTION_STATUSES


def is_overdue(action: Action, today: date | None = None) -> bool:
    """Not done and its due date has passed (today in Beijing unless given)."""
    return _is_overdue(action, today or beijing_today())


async def get_rectification(session: AsyncSession, action_id: int) -> Action:
    """The rectification item with ``action_id``, or :class:`NotFound`."""
    action = await get_action(session, action_id)
    if action.kind != KIND or action.subject_id is None:
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
    organisation_id: int | None = None,
    note: str = "",
) -> Action:
    """Add a rectification item to a subject (open); audited."""
    subject, _ = await subject_for(session, actor, subject_id)
    return await create_action(
        session,
        actor,
        kind=KIND,
        title=title,
        subject_id=subject.id,
        owner=owner,
        organisation_id=organisation_id,
        due_on=due_on,
        note=note,
    )


async def move_rectification(
    session: AsyncSession, actor: Actor, action_id: int, status: str
) -> Action:
    """Move a rectification item to ``status`` (open → in progress → done, done reopens);
    audited."""
    action = await get_rectification(session, action_id)
    assert action.subject_id is not None
    await subject_for(session, actor, action.subject_id)
    return await set_status(session, actor, action.id, status)


async def rectifications_of(session: AsyncSession, subject_id: int) -> Sequence[Action]:
    """The subject's rectification items, by due date (undated last) then creation."""
    return await actions_of(session, subject_id=subject_id, kind=KIND)
