"""The turnout endpoint: chairs of the ballot's unit see voting units, households and buildings
voted, counted afresh after every vote; nobody else does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Ballot, Participation
from tests.vote.helpers import Client, World, assert_problem, bearer, login

PROJECTS = {"projects": ["p2", "p3"]}


def turnout_url(ballot_id: int) -> str:
    return f"/api/v1/ballots/{ballot_id}/turnout"


async def voted_in_database(world: World, ballot_id: int) -> tuple[int, int]:
    async def work(session: AsyncSession) -> tuple[int, int]:
        voted = await session.scalar(
            select(func.count()).where(Participation.ballot_id == ballot_id)
        )
        size = await session.scalar(select(Ballot.electorate_size).where(Ballot.id == ballot_id))
        return int(voted or 0), int(size or 0)

    result: tuple[int, int] = await world.db.run(work)
    return result


async def test_a_chair_sees_the_turnout_and_each_vote_counts(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id = world.practical_id
    before = (await client.get(turnout_url(ballot_id), headers=chair_headers)).json()
    voted, size = await voted_in_database(world, ballot_id)
    assert (before["state"], before["voted"], before["electorate"]) == ("open", voted, size)
    assert before["percent"] == round(100 * voted / size, 1)
    assert sum(b["eligible"] for b in before["buildings"]) == size
    assert sum(b["voted"] for b in before["buildings"]) == voted
    assert 0 <= before["households_voted"] <= min(voted, before["households_eligible"])

    response = await client.post(
        f"/api/v1/ballots/{ballot_id}/casts",
        json={"credential": world.credential(ballot_id), "answers": PROJECTS},
    )
    assert response.status_code == 201, response.text
    after = (await client.get(turnout_url(ballot_id), headers=chair_headers)).json()
    assert after["voted"] == before["voted"] + 1
    assert sum(b["voted"] for b in after["buildings"]) == before["voted"] + 1
    assert after["households_voted"] >= 1


async def test_household_ballot_counts_households(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    turnout = (await client.get(turnout_url(world.firm_id), headers=chair_headers)).json()
    assert turnout["electorate"] == turnout["households_eligible"]
    assert turnout["voted"] == turnout["households_voted"]


async def test_turnout_is_for_chairs_of_the_ballot_unit_only(client: Client, world: World) -> None:
    assert_problem(await client.get(turnout_url(world.practical_id)), 401, "not-authenticated")
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    outsider = bearer(await login(client, "sinan-chair", secret))
    assert_problem(
        await client.get(turnout_url(world.practical_id), headers=outsider), 403, "outside-unit"
    )


async def test_an_unknown_ballot_is_not_found(
    client: Client, chair_headers: dict[str, str]
) -> None:
    assert_problem(await client.get(turnout_url(999_999), headers=chair_headers), 404, "not-found")
