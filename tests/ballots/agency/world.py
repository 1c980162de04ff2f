"""A small agency world: the factories' unit tree, a chair in each area and one at the street,
a poster in 茂名居民区 and the category ids; committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.agency.categories import categories_of
from ballots.agency.posters import create_poster
from ballots.chairs import create_chair
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, KEY, World, build_world

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 2026-03-02 09:00 北京时间


@dataclass
class AgencyWorld:
    world: World
    area_chair: Actor
    second_chair: Actor
    street_chair: Actor
    other_chair: Actor
    token: str
    categories: dict[str, int]


async def _chair(session: AsyncSession, username: str, role: str, unit_id: int) -> Actor:
    created = await create_chair(
        session,
        ADMIN,
        KEY,
        username=username,
        password="a-long-password-1",
        role=role,
        unit_id=unit_id,
    )
    unit = await get_unit(session, unit_id)
    return Actor(name=username, role=role, unit_path=unit.path, chair_id=created.chair_id)


async def build_agency(session: AsyncSession) -> AgencyWorld:
    world = await build_world(session)
    area_chair = await _chair(session, "maoming1", "area_chair", world.area_id)
    second = await _chair(session, "maoming2", "area_chair", world.area_id)
    street = await _chair(session, "ruijin", "street_chair", world.street_id)
    other = await _chair(session, "sinan", "area_chair", world.other_area_id)
    poster = await create_poster(session, area_chair, unit_id=world.area_id, building="3号楼")
    categories = {c.name: c.id for c in await categories_of(session, world.area_id)}
    await session.commit()
    return AgencyWorld(world, area_chair, second, street, other, poster.token, categories)
