"""Eligibility rules decide the frozen electorate: unit subtree, building, role, age, tags, and
one vote per household."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.eligibility import Eligibility, matches
from ballots.errors import InvalidInput
from ballots.lifecycle import get_ballot, open_ballot
from ballots.models import Elector, Resident
from tests.ballots.factories import ADMIN, MAOMING_AREA, World, build_world, draft, new_ballot


async def electorate(
    session: AsyncSession, world: World, rules: Eligibility, voting_unit: str = "person"
) -> tuple[set[str], int | None, float | None]:
    """Open a ballot with ``rules``: (roster ids of its electors, size, area)."""
    ballot_id = await new_ballot(session, world, draft(eligibility=rules, voting_unit=voting_unit))
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    rows = await session.scalars(
        select(Resident.external_id)
        .join(Elector, Elector.resident_id == Resident.id)
        .where(Elector.ballot_id == ballot_id)
    )
    ballot = await get_ballot(session, ballot_id)
    return set(rows.all()), ballot.electorate_size, ballot.electorate_area


MAOMING = {"M01", "M02", "M03", "M04", "M05", "M06"}


async def test_default_is_the_matters_unit(session: AsyncSession) -> None:
    world = await build_world(session)
    ids, size, _ = await electorate(session, world, Eligibility())
    assert ids == MAOMING
    assert size == 6


async def test_unit_rule_takes_the_whole_subtree(session: AsyncSession) -> None:
    world = await build_world(session)
    ids, size, _ = await electorate(session, world, Eligibility(units=[world.street_id]))
    assert ids == MAOMING | {"S01"}
    assert size == 7
    ids, _, _ = await electorate(session, world, Eligibility(units=[world.other_area_id]))
    assert ids == {"S01"}


async def test_building_rule(session: AsyncSession) -> None:
    world = await build_world(session)
    ids, _, _ = await electorate(session, world, Eligibility(buildings=["5"]))
    assert ids == {"M05", "M06"}


async def test_role_rule(session: AsyncSession) -> None:
    world = await build_world(session)
    owners, _, _ = await electorate(session, world, Eligibility(roles=["owner"]))
    assert owners == {"M01", "M02", "M03", "M06"}
    others, _, _ = await electorate(session, world, Eligibility(roles=["tenant", "migrant"]))
    assert others == {"M04", "M05"}


async def test_min_age_rule_counts_by_year_of_birth(session: AsyncSession) -> None:
    world = await build_world(session)
    adults, _, _ = await electorate(session, world, Eligibility(min_age=18))
    assert adults == MAOMING - {"M03"}  # 张小明, born 2015
    elders, _, _ = await electorate(session, world, Eligibility(min_age=70))
    assert elders == {"M01", "M02"}  # born 1948 and 1951


async def test_tags_any_and_tags_all(session: AsyncSession) -> None:
    world = await build_world(session)
    any_of, _, _ = await electorate(session, world, Eligibility(tags_any=["楼组长", "新上海人"]))
    assert any_of == {"M01", "M04", "M05"}
    all_of, _, _ = await electorate(session, world, Eligibility(tags_all=["党员", "楼组长"]))
    assert all_of == {"M01"}


async def test_rules_combine_as_and(session: AsyncSession) -> None:
    world = await build_world(session)
    ids, _, _ = await electorate(
        session, world, Eligibility(roles=["owner"], buildings=["3"], min_age=18)
    )
    assert ids == {"M01", "M02"}


async def test_household_unit_counts_households_and_their_area_once(session: AsyncSession) -> None:
    world = await build_world(session)
    ids, size, area = await electorate(session, world, Eligibility(), voting_unit="household")
    assert ids == MAOMING  # every member may vote for the household …
    assert size == 3  # … but the electorate is three households
    assert area == pytest.approx(MAOMING_AREA)


async def test_household_electorate_follows_the_rules_too(session: AsyncSession) -> None:
    world = await build_world(session)
    _, size, area = await electorate(
        session, world, Eligibility(roles=["owner"]), voting_unit="household"
    )
    assert size == 2  # 3-101 and 5-301 have owners; 3-202 has only a tenant
    assert area == pytest.approx(85.5 + 62)


async def test_household_members_share_one_count_key(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world, draft(voting_unit="household"))
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    keys = dict(
        (
            await session.execute(
                select(Elector.resident_id, Elector.count_key).where(Elector.ballot_id == ballot_id)
            )
        ).all()
    )
    assert keys[world.rid("M01")] == keys[world.rid("M02")] == keys[world.rid("M03")]
    assert keys[world.rid("M05")] == keys[world.rid("M06")] != keys[world.rid("M01")]


def test_unknown_birth_year_fails_an_age_rule() -> None:
    resident = Resident(name="x", building="1", role="owner", birth_year=None, tags=[])
    assert not matches(Eligibility(min_age=18), resident, date(2024, 1, 1))
    assert matches(Eligibility(), resident, date(2024, 1, 1))


async def test_bad_rules_are_refused_at_creation(session: AsyncSession) -> None:
    world = await build_world(session)
    with pytest.raises(InvalidInput, match="no resident role called 'landlord'"):
        await new_ballot(session, world, draft(eligibility=Eligibility(roles=["landlord"])))
    with pytest.raises(InvalidInput, match="minimum age must be from 0 to 150"):
        await new_ballot(session, world, draft(eligibility=Eligibility(min_age=200)))
