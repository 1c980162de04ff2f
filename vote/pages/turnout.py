"""The chair's live turnout: a page that works without JavaScript (a number and a refresh link)
and a server-sent event stream that ``static/turnout.js`` follows to update it without reloading.

The stream sends the turnout at once, then a fresh one (at most once a second) after each
"ballot changed" notice (:mod:`vote.live`), and a heartbeat comment every 15 seconds. It ends
when the ballot is no longer open, when the chair leaves, or after a few minutes (the browser
reconnects by itself), so a restarting server never waits long for open streams.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.lifecycle import get_ballot
from ballots.models import Ballot
from ballots.turnout import Turnout, ballot_turnout, count_turnout
from vote.api.params import IdParam
from vote.live import LiveChannels, ballot_channel, live_channels
from vote.pages.errors import page
from vote.web import SESSION_COOKIE, AppContext, csrf_token, provide_actor, provide_optional_actor

SNAPSHOT_INTERVAL = 1.0  # at most one new turnout a second per stream
HEARTBEAT_SECONDS = 15.0
STATE_CHECK_SECONDS = 5.0  # how soon a stream notices that its ballot has closed
STREAM_LIFETIME = 30.0  # then the browser reconnects by itself; a restart never waits longer
RECONNECT_MS = 500  # a stream that ended at its lifetime is back within half a second


def turnout_message(turnout: Turnout) -> ServerSentEventMessage:
    return ServerSentEventMessage(
        data=msgspec.json.encode(turnout).decode(), event="turnout", retry=RECONNECT_MS
    )


async def _fresh(ctx: AppContext, ballot_id: int) -> Turnout:
    async with ctx.read_sessionmaker() as session:
        return await count_turnout(session, await get_ballot(session, ballot_id))


async def _still_open(ctx: AppContext, ballot_id: int) -> bool:
    async with ctx.read_sessionmaker() as session:
        state = await session.scalar(select(Ballot.state).where(Ballot.id == ballot_id))
    return state == "open"


async def _wait_for_change(
    ctx: AppContext, ballot_id: int, changed: asyncio.Event, until: float
) -> AsyncIterator[ServerSentEventMessage]:
    """Wait until ``changed`` is set, yielding heartbeats; return early when the ballot is no
    longer open or the stream's time is up."""
    loop = asyncio.get_running_loop()
    beat_at = loop.time() + HEARTBEAT_SECONDS
    while not changed.is_set() and loop.time() < until:
        try:
            await asyncio.wait_for(
                changed.wait(), min(STATE_CHECK_SECONDS, max(beat_at - loop.time(), 0.0))
            )
        except TimeoutError:
            if loop.time() >= beat_at:
                yield ServerSentEventMessage(comment="heartbeat")
                beat_at = loop.time() + HEARTBEAT_SECONDS
            if not await _still_open(ctx, ballot_id):
                return


async def turnout_events(
    ctx: AppContext, live: LiveChannels | None, first: Turnout
) -> AsyncIterator[ServerSentEventMessage]:
    """The stream of one ballot's turnout, beginning with ``first``."""
    ballot_id = first.ballot_id
    if live is None or first.state != "open":
        yield turnout_message(first)
        return
    loop = asyncio.get_running_loop()
    until = loop.time() + STREAM_LIFETIME
    changed = asyncio.Event()

    noticed_at = loop.time()

    async def on_notice(_: bytes) -> None:
        # The latest notice: a shared count older than it could miss its change.
        nonlocal noticed_at
        noticed_at = loop.time()
        changed.set()

    async def fresh(since: float) -> Turnout:
        # Every stream of this ballot in this worker heard the same notice: count once for all.
        return await ctx.counts.fresh(("turnout", ballot_id), since, lambda: _fresh(ctx, ballot_id))

    async with (
        live.start_subscription(ballot_channel(ballot_id)) as subscriber,
        subscriber.run_in_background(on_notice),
    ):
        # Counted after subscribing, so no vote falls between the count and the first notice.
        turnout = await fresh(loop.time())
        while True:
            yield turnout_message(turnout)
            sent_at = loop.time()
            if turnout.state != "open":
                return
            async for heartbeat in _wait_for_change(ctx, ballot_id, changed, until):
                yield heartbeat
            if loop.time() >= until:
                return
            await asyncio.sleep(max(sent_at + SNAPSHOT_INTERVAL - loop.time(), 0.0))
            changed.clear()
            turnout = await fresh(noticed_at)


@get(
    "/chair/ballots/{ballot_id:int}/turnout/stream",
    dependencies={"actor": Provide(provide_actor)},
)
async def turnout_stream(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> ServerSentEvent:
    """Server-sent events ``turnout`` (the JSON of ``GET /api/v1/ballots/{id}/turnout``)."""
    first = await ballot_turnout(db, actor, ballot_id)
    return ServerSentEvent(
        turnout_events(ctx, live_channels(request.app), first),
        headers={"x-accel-buffering": "no"},  # proxies: pass each event on at once
    )


@get("/chair/ballots/{ballot_id:int}/turnout", name="chair-turnout")
async def turnout_page(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, ballot_id: IdParam
) -> Response[Any]:
    """The live turnout of one ballot, large enough to show on a projector."""
    actor = await provide_optional_actor(request, db, ctx)
    if actor is None:
        return Redirect(path="/chair/login")
    turnout = await ballot_turnout(db, actor, ballot_id)
    return page(
        "chair/turnout.html",
        actor=actor,
        ballot=await get_ballot(db, ballot_id),
        turnout=turnout,
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
    )


router = Router(path="/", route_handlers=[turnout_stream, turnout_page], include_in_schema=False)
