"""Matters: creation starts a timeline; notes append to it; listings follow the unit tree."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import InvalidInput, OutsideUnit, RoleNotAllowed
from ballots.matters import add_note, create_matter, list_matters, timeline
from ballots.models import AuditEntry
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, build_world


async def test_new_matter_starts_its_timeline(session: AsyncSession) -> None:
    world = await build_world(session)
    events = await timeline(session, world.matter_id)
    assert [event.kind for event in events] == ["created"]
    assert events[0].payload == {"title": "2024年实事项目"}


async def test_notes_append_in_order_and_are_audited(session: AsyncSession) -> None:
    world = await build_world(session)
    await add_note(session, ADMIN, world.matter_id, "  听证会纪要：同意加装  ")
    await add_note(session, ADMIN, world.matter_id, "施工单位进场")
    events = await timeline(session, world.matter_id)
    assert [event.kind for event in events] == ["created", "note", "note"]
    assert [event.payload.get("text") for event in events[1:]] == [
        "听证会纪要：同意加装",
        "施工单位进场",
    ]
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("matter.note") == 2


async def test_bad_kind_title_or_note_is_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    with pytest.raises(InvalidInput, match="kind"):
        await create_matter(session, ADMIN, unit_id=world.area_id, kind="party", title="t")
    with pytest.raises(InvalidInput, match="title"):
        await create_matter(session, ADMIN, unit_id=world.area_id, kind="hearing", title="  ")
    with pytest.raises(InvalidInput, match="note"):
        await add_note(session, ADMIN, world.matter_id, "   ")


async def test_listing_is_scoped_to_a_subtree(session: AsyncSession) -> None:
    world = await build_world(session)
    other = await create_matter(
        session, ADMIN, unit_id=world.other_area_id, kind="evaluation", title="物业评议"
    )
    street = await get_unit(session, world.street_id)
    area = await get_unit(session, world.area_id)
    assert {m.id for m in await list_matters(session, street.path)} == {world.matter_id, other.id}
    assert [m.id for m in await list_matters(session, area.path)] == [world.matter_id]


async def test_chairs_outside_the_unit_or_observers_cannot_create(session: AsyncSession) -> None:
    world = await build_world(session)
    other = await get_unit(session, world.other_area_id)
    sinan_chair = Actor(name="sinan", role="area_chair", unit_path=other.path)
    with pytest.raises(OutsideUnit):
        await create_matter(session, sinan_chair, unit_id=world.area_id, kind="hearing", title="t")
    observer = Actor(name="obs", role="observer", unit_path="/")
    with pytest.raises(RoleNotAllowed):
        await create_matter(session, observer, unit_id=world.area_id, kind="hearing", title="t")
