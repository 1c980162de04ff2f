"""The unit tree: district → street → area, paths that scope chairs, and refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import DuplicateName, InvalidInput, NotFound, RoleNotAllowed
from ballots.models import AuditEntry
from ballots.units import create_unit, find_unit, get_unit, list_units, subtree_ids
from tests.ballots.factories import ADMIN, build_world


async def test_tree_paths_chain_ids_from_the_root(session: AsyncSession) -> None:
    world = await build_world(session)
    district = await get_unit(session, world.district_id)
    street = await get_unit(session, world.street_id)
    area = await get_unit(session, world.area_id)
    assert district.path == f"/{district.id}/"
    assert street.path == f"/{district.id}/{street.id}/"
    assert area.path == f"/{district.id}/{street.id}/{area.id}/"


async def test_subtree_holds_the_unit_and_everything_under_it(session: AsyncSession) -> None:
    world = await build_world(session)
    street = await get_unit(session, world.street_id)
    area = await get_unit(session, world.area_id)
    assert sorted(await subtree_ids(session, street)) == sorted(
        [world.street_id, world.area_id, world.other_area_id]
    )
    assert await subtree_ids(session, area) == [world.area_id]
    listed = [unit.id for unit in await list_units(session, street.path)]
    assert world.district_id not in listed and world.area_id in listed


async def test_levels_must_nest_district_street_area(session: AsyncSession) -> None:
    district = await create_unit(session, ADMIN, name="卢湾区", code="luwan", level="district")
    with pytest.raises(InvalidInput, match="street"):
        await create_unit(
            session, ADMIN, name="茂名", code="maoming", level="area", parent_id=district.id
        )
    with pytest.raises(InvalidInput, match="top-level unit"):
        await create_unit(session, ADMIN, name="瑞金", code="ruijin", level="street")
    with pytest.raises(InvalidInput, match="level"):
        await create_unit(session, ADMIN, name="x", code="x", level="village")


async def test_codes_are_unique(session: AsyncSession) -> None:
    await create_unit(session, ADMIN, name="卢湾区", code="luwan", level="district")
    with pytest.raises(DuplicateName):
        await create_unit(session, ADMIN, name="另一个区", code="luwan", level="district")


async def test_find_by_id_or_code_and_not_found(session: AsyncSession) -> None:
    world = await build_world(session)
    assert (await find_unit(session, "maoming")).id == world.area_id
    assert (await find_unit(session, str(world.area_id))).code == "maoming"
    with pytest.raises(NotFound):
        await find_unit(session, "nowhere")


async def test_area_chair_cannot_create_units_and_creation_is_audited(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    area = await get_unit(session, world.area_id)
    chair = Actor(name="chair", role="area_chair", unit_path=area.path, chair_id=None)
    street = await get_unit(session, world.street_id)
    with pytest.raises(RoleNotAllowed):
        await create_unit(
            session, chair, name="新居民区", code="new", level="area", parent_id=street.id
        )
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("unit.create") == 4
