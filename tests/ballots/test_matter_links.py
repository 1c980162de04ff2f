"""Links between matters and referrals between levels: one row, shown on both records; a
referral opens a matter in the unit one level up or down."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import InvalidInput, OutsideUnit
from ballots.matter_links import (
    AlreadyLinked,
    NotALevelAway,
    link_matters,
    links_of,
    refer_matter,
    referrals_of,
    unlink_matters,
)
from ballots.matters import create_matter
from ballots.models import Matter, MatterEvent
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, build_world


async def test_a_link_shows_on_both_records(session: AsyncSession) -> None:
    world = await build_world(session)
    hearing = world.matter_id
    selection = await create_matter(
        session, ADMIN, unit_id=world.area_id, kind="selection", title="加装电梯施工单位选定"
    )
    await session.commit()
    link = await link_matters(session, ADMIN, hearing, selection.id, "proposed")
    await session.commit()
    [seen_from] = await links_of(session, hearing)
    [seen_to] = await links_of(session, selection.id)
    assert (seen_from.matter_id, seen_from.kind, seen_from.outgoing) == (
        selection.id,
        "proposed",
        True,
    )
    assert (seen_to.matter_id, seen_to.outgoing, seen_to.unit_name) == (
        hearing,
        False,
        "茂名居民区",
    )
    with pytest.raises(AlreadyLinked):  # either way round
        await link_matters(session, ADMIN, selection.id, hearing, "related")
    with pytest.raises(InvalidInput):
        await link_matters(session, ADMIN, hearing, hearing, "related")
    with pytest.raises(InvalidInput):
        await link_matters(session, ADMIN, hearing, selection.id, "friends")
    await unlink_matters(session, ADMIN, link.id)
    await session.commit()
    assert await links_of(session, hearing) == []


async def test_a_referral_up_opens_the_matter_at_the_street_and_shows_on_both(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    opened = await refer_matter(
        session, ADMIN, world.matter_id, world.street_id, "涉及多个居民区，需街道统筹"
    )
    await session.commit()
    assert (opened.unit_id, opened.title) == (world.street_id, "2024年实事项目")
    [outgoing] = await referrals_of(session, world.matter_id)
    [incoming] = await referrals_of(session, opened.id)
    assert (outgoing.outgoing, outgoing.matter_id, outgoing.to_unit) == (
        True,
        opened.id,
        "瑞金二路街道",
    )
    assert (incoming.outgoing, incoming.matter_id, incoming.from_unit) == (
        False,
        world.matter_id,
        "茂名居民区",
    )
    kinds = set(
        await session.scalars(
            select(MatterEvent.kind).where(MatterEvent.matter_id.in_([world.matter_id, opened.id]))
        )
    )
    assert {"matter.referred", "matter.referred_here"} <= kinds


async def test_referrals_go_one_level_only_and_need_a_reason(session: AsyncSession) -> None:
    world = await build_world(session)
    before = len(list(await session.scalars(select(Matter.id))))
    with pytest.raises(NotALevelAway):  # two levels up
        await refer_matter(session, ADMIN, world.matter_id, world.district_id, "请区里处理")
    with pytest.raises(NotALevelAway):  # sideways
        await refer_matter(session, ADMIN, world.matter_id, world.other_area_id, "转给思南")
    with pytest.raises(InvalidInput):
        await refer_matter(session, ADMIN, world.matter_id, world.street_id, "  ")
    sinan = await get_unit(session, world.other_area_id)
    stranger = Actor(name="思南主任", role="area_chair", unit_path=sinan.path)
    with pytest.raises(OutsideUnit):
        await refer_matter(session, stranger, world.matter_id, world.street_id, "越权")
    assert len(list(await session.scalars(select(Matter.id)))) == before
