"""The append-only audit log: every chair action is written through :func:`record`, and read
back, filtered and paged, through :func:`search`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.errors import NotFound
from ballots.models import AuditEntry, Unit


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target: str = "",
    unit_id: int | None = None,
    **details: Any,
) -> None:
    """Add an audit entry to the session; it commits with the action it describes."""
    session.add(
        AuditEntry(
            chair_id=actor.chair_id,
            actor=actor.name,
            action=action,
            target=target,
            unit_id=unit_id,
            source=actor.source,
            details=details,
        )
    )


class AuditPage(msgspec.Struct, frozen=True):
    """One page of audit entries (newest first) and how many entries match in all."""

    entries: list[AuditEntry]
    total: int
    offset: int
    limit: int


async def search(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int | None = None,
    chair_id: int | None = None,
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> AuditPage:
    """Audit entries the actor may read, newest first, filtered by unit subtree, acting chair,
    action and time (``since`` inclusive, ``until`` exclusive); one page and the total."""
    require(actor, "read", actor.unit_path)
    where: list[Any] = []
    within = actor.unit_path
    if unit_id is not None:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise NotFound(what="unit", id=unit_id)
        require(actor, "read", unit.path)
        within = unit.path
    if unit_id is not None or not actor.is_operator:
        where.append(AuditEntry.unit_id.in_(select(Unit.id).where(Unit.path.startswith(within))))
    if chair_id is not None:
        where.append(AuditEntry.chair_id == chair_id)
    if action:
        where.append(AuditEntry.action == action)
    if since is not None:
        where.append(AuditEntry.at >= since)
    if until is not None:
        where.append(AuditEntry.at < until)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
    entries = await session.scalars(
        select(AuditEntry).where(*where).order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    )
    return AuditPage(entries=list(entries.all()), total=int(total or 0), offset=offset, limit=limit)


async def actions_seen(session: AsyncSession, actor: Actor) -> list[str]:
    """The distinct actions in the part of the log the actor may read, sorted."""
    require(actor, "read", actor.unit_path)
    query = select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    if not actor.is_operator:
        query = query.where(
            AuditEntry.unit_id.in_(select(Unit.id).where(Unit.path.startswith(actor.unit_path)))
        )
    return list((await session.scalars(query)).all())
