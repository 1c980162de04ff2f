"""Writing to the append-only audit log; every chair action goes through :func:`record`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.models import AuditEntry


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
