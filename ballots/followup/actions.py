"""Follow-up actions, shared by every process that promises something: an agreement's actions at
a coordination matter (``agreement``), rectifications after a poor evaluation
(``rectification``) and implementation milestones with progress (``milestone``).

An action belongs to a matter (its timeline shows it) or, for a rectification, to an evaluation
subject; its unit is the matter's or the subject's. Status moves ``open`` → ``in_progress`` →
``done`` (``done_at`` set), and a done action can be reopened. Overdue is derived, never
stored: not done and ``due_on`` before today's date in Beijing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.coordination.agreements import agreement_record
from ballots.errors import N_, InvalidInput, NotFound
from ballots.listings import Window, window_rows
from ballots.matters import add_event
from ballots.models import Action, Agreement, EvaluationSubject, Matter, Unit, utcnow
from ballots.organisations import check_offered
from ballots.units import get_unit

ACTION_KINDS = ("agreement", "rectification", "milestone")
ACTION_STATUSES = ("open", "in_progress", "done")
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "done"}),
    "in_progress": frozenset({"open", "done"}),
    "done": frozenset({"in_progress"}),
}
"""Where each status may move to (``done`` → ``in_progress`` reopens an action)."""
TITLE_MAX = 300
OWNER_MAX = 200
NOTE_MAX = 4000
BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing (``now`` defaults to the current time)."""
    return (now or utcnow()).astimezone(BEIJING).date()


def is_overdue(action: Action, today: date) -> bool:
    """True when the action is not done and its due date is before ``today``."""
    return action.status != "done" and action.due_on is not None and action.due_on < today


def days_overdue(action: Action, today: date) -> int:
    """How many days past its due date an overdue action is (0 when it is not overdue)."""
    if not is_overdue(action, today) or action.due_on is None:
        return 0
    return (today - action.due_on).days


def overdue(actions: Iterable[Action], today: date) -> list[Action]:
    """The overdue ones among ``actions``, most overdue first."""
    late = [action for action in actions if is_overdue(action, today)]
    return sorted(late, key=lambda action: (action.due_on or today, action.id))


@dataclass(frozen=True)
class OverdueAction:
    """An overdue action with where it belongs, for the console's list."""

    action: Action
    days: int
    unit_id: int
    unit_name: str
    matter_id: int | None
    matter_title: str


async def get_action(session: AsyncSession, action_id: int) -> Action:
    """The action with ``action_id``, or :class:`NotFound`."""
    found = await session.get(Action, action_id)
    if found is None:
        raise NotFound(what="action", id=action_id)
    return found


async def action_unit(session: AsyncSession, action: Action) -> Unit:
    """The unit an action belongs to: its matter's, or its evaluation subject's."""
    if action.matter_id is not None:
        matter = await session.get(Matter, action.matter_id)
        if matter is not None:
            return await get_unit(session, matter.unit_id)
    if action.subject_id is not None:
        subject = await session.get(EvaluationSubject, action.subject_id)
        if subject is not None:
            return await get_unit(session, subject.unit_id)
    raise NotFound(what="action", id=action.id)


async def timeline_matter(session: AsyncSession, action: Action) -> int | None:
    """The matter whose timeline notes the action's steps: its own, or for an evaluation
    subject's rectification the matter the subject stands for (a practical project's), so the
    project's record shows its rectification; ``None`` when there is none."""
    if action.matter_id is not None:
        return action.matter_id
    if action.subject_id is not None:
        subject = await session.get(EvaluationSubject, action.subject_id)
        if subject is not None:
            return subject.matter_id
    return None


def _clean_text(title: str, owner: str, note: str) -> tuple[str, str, str]:
    title, owner, note = title.strip(), owner.strip(), note.strip()
    if not title:
        raise InvalidInput(N_("Please say what is to be done."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(N_("The title must be at most {limit} characters."), limit=TITLE_MAX)
    if len(owner) > OWNER_MAX:
        raise InvalidInput(N_("The owner must be at most {limit} characters."), limit=OWNER_MAX)
    if len(note) > NOTE_MAX:
        raise InvalidInput(N_("The note must be at most {limit} characters."), limit=NOTE_MAX)
    return title, owner, note


async def _owner(
    session: AsyncSession, unit: Unit, owner: str, organisation_id: int | None
) -> tuple[str, int | None]:
    """The owner's name and organisation: an organisation offered to ``unit`` names it."""
    if organisation_id is None:
        if not owner:
            raise InvalidInput(N_("Please name who is responsible: a person or an organisation."))
        return owner, None
    organisation = await check_offered(session, unit, organisation_id)
    return owner or organisation.name, organisation.id


async def create_action(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: str,
    title: str,
    matter_id: int | None = None,
    agreement_id: int | None = None,
    subject_id: int | None = None,
    owner: str = "",
    organisation_id: int | None = None,
    due_on: date | None = None,
    note: str = "",
) -> Action:
    """Create a follow-up action, open, on a matter (an agreement's matter when
    ``agreement_id`` is given) or an evaluation subject; audited and on the matter's timeline.

    ``owner`` names the person responsible; with ``organisation_id`` (an organisation offered to
    the unit) the owner defaults to the organisation's name.
    """
    if kind not in ACTION_KINDS:
        raise InvalidInput(N_("Unknown kind of action: {kind}."), kind=kind)
    if agreement_id is not None:
        agreement = await session.get(Agreement, agreement_id)
        if agreement is None or (matter_id is not None and agreement.matter_id != matter_id):
            raise NotFound(what="action", id=agreement_id)
        matter_id = agreement.matter_id
        if (await agreement_record(session, agreement.id)).withdrawn:
            raise InvalidInput(N_("This agreement was withdrawn; it takes no new actions."))
    if kind == "agreement" and agreement_id is None:
        raise InvalidInput(N_("An agreement's action must belong to an agreement."))
    if matter_id is not None:
        matter = await session.get(Matter, matter_id)
        if matter is None:
            raise NotFound(what="matter", id=matter_id)
        unit = await get_unit(session, matter.unit_id)
    elif subject_id is not None:
        subject = await session.get(EvaluationSubject, subject_id)
        if subject is None:
            raise NotFound(what="action", id=subject_id)
        unit = await get_unit(session, subject.unit_id)
    else:
        raise InvalidInput(N_("An action must belong to a matter or an evaluation subject."))
    require(actor, "manage_ballots", unit.path)
    title, owner, note = _clean_text(title, owner, note)
    owner, organisation_id = await _owner(session, unit, owner, organisation_id)
    action = Action(
        matter_id=matter_id,
        kind=kind,
        agreement_id=agreement_id,
        subject_id=subject_id,
        title=title,
        owner=owner,
        organisation_id=organisation_id,
        due_on=due_on,
        status="open",
        progress=0,
        note=note,
    )
    session.add(action)
    await session.flush()
    if (noted_on := await timeline_matter(session, action)) is not None:
        add_event(
            session,
            noted_on,
            "action.created",
            actor=actor.name,
            action_id=action.id,
            action_kind=kind,
            title=title,
            owner=owner,
            due_on=due_on.isoformat() if due_on else None,
        )
    audit.record(
        session, actor, "action.create", f"action:{action.id}", unit.id, kind=kind, title=title
    )
    return action


async def update_action(
    session: AsyncSession,
    actor: Actor,
    action_id: int,
    *,
    title: str,
    owner: str,
    organisation_id: int | None,
    due_on: date | None,
    note: str,
) -> Action:
    """Change an action's title, owner, due date or note; audited (a new due date is also
    noted on the matter's timeline)."""
    action = await get_action(session, action_id)
    unit = await action_unit(session, action)
    require(actor, "manage_ballots", unit.path)
    title, owner, note = _clean_text(title, owner, note)
    owner, organisation_id = await _owner(session, unit, owner, organisation_id)
    old_due = action.due_on
    action.title, action.owner, action.organisation_id = title, owner, organisation_id
    action.due_on, action.note = due_on, note
    noted_on = await timeline_matter(session, action)
    if noted_on is not None and old_due != due_on:
        add_event(
            session,
            noted_on,
            "action.due_changed",
            actor=actor.name,
            action_id=action.id,
            title=title,
            due_on=due_on.isoformat() if due_on else None,
            old_due_on=old_due.isoformat() if old_due else None,
        )
    audit.record(session, actor, "action.update", f"action:{action.id}", unit.id, title=title)
    await session.flush()
    return action


async def set_status(
    session: AsyncSession, actor: Actor, action_id: int, status: str, *, now: datetime | None = None
) -> Action:
    """Move an action to ``status`` (see :data:`MOVES`); ``done`` records when; audited and on
    the matter's timeline. Moving to the status it already has is refused."""
    if status not in ACTION_STATUSES:
        raise InvalidInput(N_("Unknown status: {status}."), status=status)
    action = await get_action(session, action_id)
    unit = await action_unit(session, action)
    require(actor, "manage_ballots", unit.path)
    if status not in MOVES[action.status]:
        raise InvalidInput(N_("This action cannot move to that status from the status it has now."))
    old = action.status
    action.status = status
    action.done_at = (now or utcnow()) if status == "done" else None
    if status == "done" and action.kind == "milestone":
        action.progress = 100
    if (noted_on := await timeline_matter(session, action)) is not None:
        add_event(
            session,
            noted_on,
            "action.status",
            actor=actor.name,
            action_id=action.id,
            title=action.title,
            status=status,
            old_status=old,
        )
    audit.record(
        session, actor, "action.status", f"action:{action.id}", unit.id, status=status, old=old
    )
    await session.flush()
    return action


async def set_progress(
    session: AsyncSession, actor: Actor, action_id: int, progress: int
) -> Action:
    """Record a milestone's progress in percent (0–100); audited and on the timeline. Progress
    above 0 starts an open milestone; it is done only when marked done."""
    if not 0 <= progress <= 100:
        raise InvalidInput(N_("Progress must be between 0 and 100 percent."))
    action = await get_action(session, action_id)
    if action.kind != "milestone":
        raise InvalidInput(N_("Only a milestone has progress."))
    unit = await action_unit(session, action)
    require(actor, "manage_ballots", unit.path)
    action.progress = progress
    if progress > 0 and action.status == "open":
        action.status = "in_progress"
    if (noted_on := await timeline_matter(session, action)) is not None:
        add_event(
            session,
            noted_on,
            "action.progress",
            actor=actor.name,
            action_id=action.id,
            title=action.title,
            progress=progress,
        )
    audit.record(
        session, actor, "action.progress", f"action:{action.id}", unit.id, progress=progress
    )
    await session.flush()
    return action


async def actions_of(
    session: AsyncSession,
    *,
    matter_id: int | None = None,
    agreement_id: int | None = None,
    subject_id: int | None = None,
    kind: str | None = None,
) -> Sequence[Action]:
    """Actions of a matter, an agreement or an evaluation subject (optionally of one kind), by
    due date (undated last) then creation."""
    query = select(Action)
    if matter_id is not None:
        query = query.where(Action.matter_id == matter_id)
    if agreement_id is not None:
        query = query.where(Action.agreement_id == agreement_id)
    if subject_id is not None:
        query = query.where(Action.subject_id == subject_id)
    if kind is not None:
        query = query.where(Action.kind == kind)
    query = query.order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    return (await session.scalars(query)).all()


def _overdue_query(within_path: str, today: date) -> Select[Action, Matter, Unit]:
    owner_unit = func.coalesce(Matter.unit_id, EvaluationSubject.unit_id)
    return (
        select(Action, Matter, Unit)
        .outerjoin(Matter, Matter.id == Action.matter_id)
        .outerjoin(EvaluationSubject, EvaluationSubject.id == Action.subject_id)
        .join(Unit, Unit.id == owner_unit)
        .where(
            Action.status != "done",
            Action.due_on.is_not(None),
            Action.due_on < today,
            Unit.path.startswith(within_path),
        )
        .order_by(Action.due_on, Action.id)
    )


def _overdue_rows(rows: Sequence[Any], today: date) -> list[OverdueAction]:
    return [
        OverdueAction(
            action=action,
            days=days_overdue(action, today),
            unit_id=unit.id,
            unit_name=unit.name,
            matter_id=matter.id if matter is not None else None,
            matter_title=matter.title if matter is not None else "",
        )
        for action, matter, unit in rows
    ]


async def overdue_actions(
    session: AsyncSession, within_path: str, today: date
) -> list[OverdueAction]:
    """Every overdue action, of every kind, in the unit subtree at ``within_path``, most
    overdue first: a matter's actions by the matter's unit, a subject's by the subject's."""
    rows = await session.execute(_overdue_query(within_path, today))
    return _overdue_rows(rows.all(), today)


async def overdue_window(
    session: AsyncSession, within_path: str, today: date, offset: int, limit: int
) -> Window[OverdueAction]:
    """A slice of :func:`overdue_actions` (most overdue first, then by id); ``total`` counts
    every overdue action."""
    rows, total = await window_rows(session, _overdue_query(within_path, today), offset, limit)
    return Window(_overdue_rows(rows, today), total, offset, limit)
