"""Units (district, street, residential area) within the chair's subtree."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import units
from ballots.access import Actor
from vote.api.schemas import UnitIn, UnitOut
from vote.web import provide_actor


@get("/units")
async def list_units(db: AsyncSession, actor: Actor) -> list[UnitOut]:
    return [UnitOut.of(unit) for unit in await units.list_units(db, actor.unit_path)]


@post("/units", status_code=HTTP_201_CREATED)
async def create_unit(db: AsyncSession, actor: Actor, data: UnitIn) -> UnitOut:
    unit = await units.create_unit(
        db, actor, name=data.name, code=data.code, level=data.level, parent_id=data.parent_id
    )
    await db.commit()
    return UnitOut.of(unit)


router = Router(
    path="/api/v1",
    route_handlers=[list_units, create_unit],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
