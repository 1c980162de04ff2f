"""The audit log of chair actions, as far as the chair's units reach."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import units
from ballots.access import Actor, require
from ballots.models import AuditEntry
from ballots.models.bounds import ID_MAX
from vote.api.schemas import AuditOut
from vote.web import provide_actor


@get("/audit", summary="The audit log of chair actions in your units")
async def audit_log(
    db: AsyncSession,
    actor: Actor,
    limit: int = Parameter(default=100, ge=1, le=1000),
    before: Annotated[int | None, Parameter(ge=1, le=ID_MAX)] = None,
) -> list[AuditOut]:
    require(actor, "read", actor.unit_path)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if not actor.is_operator:
        visible = [u.id for u in await units.list_units(db, actor.unit_path)]
        query = query.where(AuditEntry.unit_id.in_(visible))
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            unit_id=e.unit_id,
            source=e.source,
            details=e.details,
        )
        for e in (await db.scalars(query)).all()
    ]


router = Router(
    path="/api/v1",
    route_handlers=[audit_log],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
