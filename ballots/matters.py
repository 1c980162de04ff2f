"""Matters (decision records): creating, editing and listing them, and appending to their timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput, NotFound
from ballots.models import Matter, MatterEvent, Unit
from ballots.models.bounds import LONG_TEXT_LENGTH, TITLE_LENGTH
from ballots.models.matters import MATTER_KINDS
from ballots.units import get_unit


async def get_matter(session: AsyncSession, matter_id: int) -> Matter:
    """The matter with ``matter_id``, or :class:`NotFound`."""
    matter = await session.get(Matter, matter_id)
    if matter is None:
        raise NotFound(what="matter", id=matter_id)
    return matter


async def matter_unit(session: AsyncSession, matter: Matter) -> Unit:
    """The unit a matter belongs to."""
    return await get_unit(session, matter.unit_id)


async def create_matter(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int,
    kind: str,
    title: str,
    description: str = "",
) -> Matter:
    """Create a matter in ``unit_id`` and start its timeline with a ``created`` event."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_ballots", unit.path)
    if kind not in MATTER_KINDS:
        raise InvalidInput(
            N_("The kind of matter must be one of: {choices}."), choices=", ".join(MATTER_KINDS)
        )
    title = title.strip()
    if not title:
        raise InvalidInput(N_("Please give a title."))
    matter = Matter(unit_id=unit.id, kind=kind, title=title, description=description.strip())
    session.add(matter)
    await session.flush()
    add_event(session, matter.id, "created", actor=actor.name, title=title)
    audit.record(session, actor, "matter.create", f"matter:{matter.id}", unit.id, title=title)
    return matter


async def update_matter(
    session: AsyncSession, actor: Actor, matter_id: int, *, title: str, description: str
) -> Matter:
    """Change a matter's title and description; audited, and noted on its timeline."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    title, description = title.strip(), description.strip()
    if not title:
        raise InvalidInput(N_("Please give a title."))
    if len(title) > TITLE_LENGTH:
        raise InvalidInput(N_("The title must be at most {limit} characters."), limit=TITLE_LENGTH)
    if len(description) > LONG_TEXT_LENGTH:
        raise InvalidInput(
            N_("The description must be at most {limit} characters."), limit=LONG_TEXT_LENGTH
        )
    changed = {
        field: value
        for field, value in (("title", title), ("description", description))
        if getattr(matter, field) != value
    }
    if changed:
        old_title = matter.title
        matter.title, matter.description = title, description
        add_event(session, matter.id, "edited", actor=actor.name, fields=sorted(changed))
        audit.record(
            session,
            actor,
            "matter.update",
            f"matter:{matter.id}",
            unit.id,
            fields=sorted(changed),
            title=title,
            old_title=old_title,
        )
        await session.flush()
    return matter


def add_event(
    session: AsyncSession,
    matter_id: int,
    kind: str,
    *,
    ballot_id: int | None = None,
    actor: str = "",
    **payload: Any,
) -> None:
    """Append an event to a matter's timeline (it commits with the caller's transaction)."""
    session.add(
        MatterEvent(
            matter_id=matter_id, ballot_id=ballot_id, kind=kind, actor=actor, payload=payload
        )
    )


async def add_note(session: AsyncSession, actor: Actor, matter_id: int, text: str) -> None:
    """Record a free-text note (minutes, a follow-up, an implementation step) on the timeline."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    if not text.strip():
        raise InvalidInput(N_("Please write the note."))
    add_event(session, matter.id, "note", actor=actor.name, text=text.strip())
    audit.record(session, actor, "matter.note", f"matter:{matter.id}", unit.id)


async def timeline(session: AsyncSession, matter_id: int) -> Sequence[MatterEvent]:
    """A matter's events, oldest first."""
    result = await session.scalars(
        select(MatterEvent).where(MatterEvent.matter_id == matter_id).order_by(MatterEvent.id)
    )
    return result.all()


async def list_matters(session: AsyncSession, within_path: str = "/") -> Sequence[Matter]:
    """Matters in the unit subtree at ``within_path``, newest first."""
    result = await session.scalars(
        select(Matter)
        .join(Unit, Unit.id == Matter.unit_id)
        .where(Unit.path.startswith(within_path))
        .order_by(Matter.id.desc())
    )
    return result.all()
