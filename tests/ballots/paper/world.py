"""A paper-ballot world for the domain tests: the factories' roll, an open ballot for
茂名居民区 with credentials issued, 10 sheets printed, and two area chairs to enter them."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.access import Actor
from ballots.chairs import actor_for, create_chair
from ballots.eligibility import Eligibility
from ballots.models import Chair
from ballots.paper.printing import print_paper
from ballots.units import get_unit
from tests.ballots.factories import (
    ADMIN,
    KEY,
    World,
    build_world,
    draft,
    open_with_credentials,
)


@dataclass
class PaperWorld:
    world: World
    ballot_id: int
    credentials: dict[int, str]
    """resident id → invitation credential"""
    first: Actor
    second: Actor

    def rid(self, external_id: str) -> int:
        return self.world.rid(external_id)


async def chair_actor(session: AsyncSession, name: str, unit_id: int) -> Actor:
    made = await create_chair(
        session,
        ADMIN,
        KEY,
        username=name,
        password="correct horse battery",
        role="area_chair",
        unit_id=unit_id,
        display_name=name,
    )
    await session.commit()
    found = await session.get(Chair, made.chair_id)
    assert found is not None
    actor = actor_for(found, await get_unit(session, found.unit_id))
    await session.commit()  # end the read: SQLite's BEGIN IMMEDIATE would hold the write lock
    return actor


async def paper_world(
    session: AsyncSession, *questions: tally.Question, printed: int = 10
) -> PaperWorld:
    world = await build_world(session)
    rules = Eligibility(units=[world.area_id], min_age=18)
    ballot_id, credentials = await open_with_credentials(
        session, world, draft(*questions, eligibility=rules)
    )
    await print_paper(session, ADMIN, ballot_id, printed)
    await session.commit()
    first = await chair_actor(session, "甲", world.area_id)
    second = await chair_actor(session, "乙", world.area_id)
    return PaperWorld(world, ballot_id, credentials, first, second)


def answers(**chosen: list[str]) -> tally.Answers:
    return msgspec.convert(chosen, tally.Answers)
