"""A running ballot's turnout for chairs: voting units, households, area and buildings voted."""

from __future__ import annotations

from litestar import Router, get
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.turnout import Turnout, ballot_turnout
from vote.api.params import IdParam
from vote.web import provide_actor


@get("/ballots/{ballot_id:int}/turnout", summary="A ballot's turnout now, by building")
async def show_turnout(db: AsyncSession, actor: Actor, ballot_id: IdParam) -> Turnout:
    """How many voting units, households and (for ballots weighed by area) how much floor area
    have voted so far, in total and per building. For chairs of the ballot's unit only: it
    tells who-voted counts per building. The console follows it live through
    ``GET /chair/ballots/{ballot_id}/turnout/stream`` (server-sent events)."""
    return await ballot_turnout(db, actor, ballot_id)


router = Router(
    path="/api/v1",
    route_handlers=[show_turnout],
    dependencies={"actor": Provide(provide_actor)},
    tags=["ballots"],
)
