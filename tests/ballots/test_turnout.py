"""Turnout while a ballot runs: voting units, households, area and buildings, counted by the
database, and only for chairs of the ballot's unit."""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.casting import cast_ballot
from ballots.errors import OutsideUnit
from ballots.lifecycle import BallotDraft
from ballots.turnout import BuildingTurnout, ballot_turnout
from ballots.units import get_unit
from tests.ballots.factories import (
    ADMIN,
    HEADER,
    KEY,
    MAOMING_AREA,
    World,
    build_world,
    draft,
    import_roster,
    open_with_credentials,
    refresh_ids,
)


def by_area(ballot_draft: BallotDraft) -> BallotDraft:
    return msgspec.structs.replace(ballot_draft, weighting="area")


async def vote(
    session: AsyncSession, world: World, ballot_id: int, credentials: dict[int, str], who: str
) -> None:
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid(who)], {"q1": ["a"]})


async def test_a_new_ballot_has_everyone_eligible_and_nobody_voted(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, _ = await open_with_credentials(session, world)
    turnout = await ballot_turnout(session, ADMIN, ballot_id)
    assert (turnout.state, turnout.electorate, turnout.voted, turnout.percent) == ("open", 6, 0, 0)
    assert (turnout.households_eligible, turnout.households_voted) == (3, 0)
    assert (turnout.weighting, turnout.area_eligible, turnout.area_voted) == ("none", None, None)
    assert turnout.buildings == [BuildingTurnout("3", 4, 0), BuildingTurnout("5", 2, 0)]


async def test_person_ballot_counts_heads_households_and_buildings(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    for who in ("M01", "M02", "M05"):  # two of household 3-101, one of 5-301
        await vote(session, world, ballot_id, credentials, who)
    turnout = await ballot_turnout(session, ADMIN, ballot_id)
    assert (turnout.electorate, turnout.voted, turnout.percent) == (6, 3, 50.0)
    assert (turnout.households_eligible, turnout.households_voted) == (3, 2)
    assert turnout.buildings == [BuildingTurnout("3", 4, 2), BuildingTurnout("5", 2, 1)]


async def test_a_revote_is_not_counted_twice(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world, draft(revoting=True))
    credential = credentials[world.rid("M04")]
    await cast_ballot(session, KEY, ballot_id, credential, {"q1": ["a"]})
    await cast_ballot(session, KEY, ballot_id, credential, {"q1": ["b"]})
    turnout = await ballot_turnout(session, ADMIN, ballot_id)
    assert (turnout.voted, turnout.households_voted) == (1, 1)
    assert turnout.buildings == [BuildingTurnout("3", 4, 1), BuildingTurnout("5", 2, 0)]


async def test_household_ballot_weighed_by_area(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(
        session, world, by_area(draft(voting_unit="household"))
    )
    await vote(session, world, ballot_id, credentials, "M02")  # household 3-101, 85.5 m²
    turnout = await ballot_turnout(session, ADMIN, ballot_id)
    assert (turnout.electorate, turnout.voted, turnout.percent) == (3, 1, 33.3)
    assert (turnout.households_eligible, turnout.households_voted) == (3, 1)
    assert turnout.weighting == "area"
    assert turnout.area_eligible == pytest.approx(MAOMING_AREA)
    assert turnout.area_voted == pytest.approx(85.5)
    assert turnout.buildings == [BuildingTurnout("3", 2, 1), BuildingTurnout("5", 1, 0)]


async def test_buildings_are_in_natural_order(session: AsyncSession) -> None:
    world = await build_world(session)
    await import_roster(
        session,
        world.area_id,
        HEADER + "M07,周文,10,101,10-101,业主,1970,50,\n" + "M08,吴敏,2,101,2-101,业主,1972,55,\n",
    )
    await refresh_ids(session, world)
    ballot_id, _ = await open_with_credentials(session, world)
    turnout = await ballot_turnout(session, ADMIN, ballot_id)
    assert [b.building for b in turnout.buildings] == ["2", "3", "5", "10"]


async def test_a_chair_of_another_area_may_not_see_the_turnout(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, _ = await open_with_credentials(session, world)
    other = await get_unit(session, world.other_area_id)
    area = await get_unit(session, world.area_id)
    outsider = Actor(name="思南主任", role="area_chair", unit_path=other.path, chair_id=99)
    with pytest.raises(OutsideUnit):
        await ballot_turnout(session, outsider, ballot_id)
    observer = Actor(name="观察员", role="observer", unit_path=area.path, chair_id=98)
    assert (await ballot_turnout(session, observer, ballot_id)).electorate == 6
