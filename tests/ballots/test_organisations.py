"""Organisations: kept per unit, offered to the units below, unique names, audited, scoped."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import DuplicateName, InvalidInput, NotFound, OutsideUnit
from ballots.models import AuditEntry
from ballots.organisations import (
    add_organisation,
    check_offered,
    organisations_for,
    update_organisation,
)
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, build_world


async def test_a_streets_organisations_are_offered_to_its_areas(session: AsyncSession) -> None:
    world = await build_world(session)
    housing = await add_organisation(
        session, ADMIN, unit_id=world.street_id, name="区房管局", contact_name="周科长"
    )
    company = await add_organisation(
        session, ADMIN, unit_id=world.area_id, name="上海某动迁公司", kind="company"
    )
    await session.commit()
    area = await get_unit(session, world.area_id)
    other = await get_unit(session, world.other_area_id)
    assert [o.name for o in await organisations_for(session, area)] == [
        "上海某动迁公司",
        "区房管局",
    ]
    assert [o.name for o in await organisations_for(session, other)] == ["区房管局"]
    with pytest.raises(NotFound):  # another area's company is not on 思南's list
        await check_offered(session, other, company.id)
    await update_organisation(
        session,
        ADMIN,
        housing.id,
        name="区房管局",
        kind="department",
        contact_name="周科长",
        contact_phone="021-1234",
        active=False,
    )
    await session.commit()
    assert await organisations_for(session, other) == []
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("organisation.add") == 2 and "organisation.update" in actions


async def test_bad_input_and_other_units_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    await add_organisation(session, ADMIN, unit_id=world.area_id, name="物业公司")
    await session.commit()
    with pytest.raises(DuplicateName):
        await add_organisation(session, ADMIN, unit_id=world.area_id, name=" 物业公司 ")
    with pytest.raises(InvalidInput):
        await add_organisation(session, ADMIN, unit_id=world.area_id, name="  ")
    with pytest.raises(InvalidInput):
        await add_organisation(session, ADMIN, unit_id=world.area_id, name="某", kind="gang")
    sinan = await get_unit(session, world.other_area_id)
    stranger = Actor(name="思南主任", role="area_chair", unit_path=sinan.path)
    with pytest.raises(OutsideUnit):
        await add_organisation(session, stranger, unit_id=world.area_id, name="另一家")
