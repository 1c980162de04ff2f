"""Natural order: buildings and rooms with numbers sort as a clerk counts them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.natural import natural_key
from ballots.roll.records import list_buildings
from tests.ballots.factories import ADMIN, HEADER, build_world, import_roster


def test_numbers_inside_names_compare_as_numbers() -> None:
    names = ["10号楼", "2号楼", "1号楼", "3-1001", "3-201"]
    assert sorted(names, key=natural_key) == ["1号楼", "2号楼", "3-201", "3-1001", "10号楼"]
    assert sorted(names) != sorted(names, key=natural_key)  # text order would differ


async def test_the_roll_lists_buildings_in_natural_order(session: AsyncSession) -> None:
    world = await build_world(session)
    roster = HEADER + "".join(
        f"N{n},居民{n},{n}号楼,101,{n}-101,业主,1960,70,\n" for n in (10, 2, 1, 21, 3)
    )
    await import_roster(session, world.other_area_id, roster)
    rows = await list_buildings(session, ADMIN, world.other_area_id)
    # "1" is the building of the resident already on this roll (kept: not in the file).
    assert [row.building for row in rows] == ["1", "1号楼", "2号楼", "3号楼", "10号楼", "21号楼"]
