"""A meeting's projector page and its live quorum, for the chair's console.

- ``/chair/meetings/{id}/projector``: full screen, huge type, for a projector in a noisy room:
  the meeting's title, the venue QR code and its 6 digits (changing every 30 seconds), the short
  address to type them at, and the live quorum. Never a resident's name. Without JavaScript the
  page reloads itself when the code changes; with it (``static/projector.js``) the code comes
  from ``/chair/meetings/{id}/venue-code`` and the quorum from the stream below.
- ``/chair/meetings/{id}/quorum/stream``: server-sent events ``quorum`` (the meeting's
  :class:`~ballots.meetings.quorum.Quorum` as JSON), at once and after each check-in or vote
  on a ballot held at the meeting (:mod:`vote.live`), followed by ``static/quorum.js`` on the
  projector and on any page that includes ``chair/_quorum_panel.html``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.meetings.meetings import get_meeting, meeting_for
from ballots.meetings.quorum import Quorum, count_quorum
from ballots.meetings.venue_code import STEP_SECONDS, current_code
from ballots.models import Ballot, Meeting
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.live import LiveChannels, ballot_channel, live_channels, meeting_channel
from vote.pages.errors import page
from vote.printing.qr import qr_svg
from vote.web import AppContext, provide_actor, provide_optional_actor

SNAPSHOT_INTERVAL = 0.5  # at most two new quora a second per stream (counted once per worker)
HEARTBEAT_SECONDS = 15.0
STREAM_LIFETIME = 30.0  # then the browser reconnects by itself; a restart never waits longer
RECONNECT_MS = 500  # a stream that ended at its lifetime is back within half a second
NO_STORE = CacheControlHeader(no_store=True)


class VenueCodeNow(msgspec.Struct):
    """What the projector shows now: the code, its seconds left, the check-in addresses and
    the QR code (inline SVG) of the full one; no code (empty texts) unless check-in is open."""

    meeting_id: int
    state: str
    code: str
    seconds_left: int
    step_seconds: int
    checkin_url: str
    short_url: str
    qr_svg: str


def venue_code_now(meeting: Meeting, base_url: str, now: datetime | None = None) -> VenueCodeNow:
    """The venue code of ``meeting`` at ``now`` and what goes with it on the projector."""
    base = base_url.rstrip("/")
    code, seconds_left = current_code(meeting.checkin_secret, now or datetime.now(UTC))
    if meeting.state != "checking_in":  # no code is accepted: none is shown
        code = ""
    url = f"{base}/m/{meeting.id}?k={code}" if code else ""
    label = gettext_("QR code to check in to this meeting")
    return VenueCodeNow(
        meeting_id=meeting.id,
        state=meeting.state,
        code=code,
        seconds_left=seconds_left,
        step_seconds=STEP_SECONDS,
        checkin_url=url,
        short_url=f"{base}/m",
        qr_svg=qr_svg(url, label) if code else "",
    )


def quorum_message(quorum: Quorum) -> ServerSentEventMessage:
    return ServerSentEventMessage(
        data=msgspec.json.encode(quorum).decode(), event="quorum", retry=RECONNECT_MS
    )


def is_live(quorum: Quorum) -> bool:
    """True while the quorum can still change: the meeting not over, or a ballot at it open."""
    return quorum.state != "ended" or any(b.state == "open" for b in quorum.ballots)


async def _fresh(ctx: AppContext, meeting_id: int) -> Quorum:
    async with ctx.read_sessionmaker() as session:
        return await count_quorum(session, await get_meeting(session, meeting_id))


async def _held_ballots(ctx: AppContext, meeting_id: int) -> list[int]:
    async with ctx.read_sessionmaker() as session:
        return list(await session.scalars(select(Ballot.id).where(Ballot.meeting_id == meeting_id)))


async def quorum_events(
    ctx: AppContext, live: LiveChannels | None, first: Quorum
) -> AsyncIterator[ServerSentEventMessage]:
    """The stream of one meeting's quorum, beginning with ``first``."""
    meeting_id = first.meeting_id
    if live is None or not is_live(first):
        yield quorum_message(first)
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

    async def fresh(since: float) -> Quorum:
        # Every stream of this meeting in this worker heard the same notice: count once for all.
        return await ctx.counts.fresh(
            ("quorum", meeting_id), since, lambda: _fresh(ctx, meeting_id)
        )

    channels = [meeting_channel(meeting_id)] + [
        ballot_channel(ballot_id) for ballot_id in await _held_ballots(ctx, meeting_id)
    ]
    async with (
        live.start_subscription(channels) as subscriber,
        subscriber.run_in_background(on_notice),
    ):
        # Counted after subscribing, so no check-in falls between the count and the first notice.
        quorum = await fresh(loop.time())
        while True:
            yield quorum_message(quorum)
            sent_at = loop.time()
            if not is_live(quorum):
                return
            beat_at = sent_at + HEARTBEAT_SECONDS
            while not changed.is_set() and loop.time() < until:
                try:
                    await asyncio.wait_for(
                        changed.wait(), max(min(beat_at, until) - loop.time(), 0.0)
                    )
                except TimeoutError:
                    if loop.time() >= beat_at:
                        yield ServerSentEventMessage(comment="heartbeat")
                        beat_at = loop.time() + HEARTBEAT_SECONDS
            if not changed.is_set():
                return
            await asyncio.sleep(max(sent_at + SNAPSHOT_INTERVAL - loop.time(), 0.0))
            changed.clear()
            quorum = await fresh(noticed_at)


@get(
    "/chair/meetings/{meeting_id:int}/quorum/stream",
    dependencies={"actor": Provide(provide_actor)},
)
async def quorum_stream(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> ServerSentEvent:
    """Server-sent events ``quorum``: the meeting's presence, live."""
    meeting = await meeting_for(db, actor, meeting_id, "read")
    first = await count_quorum(db, meeting)
    return ServerSentEvent(
        quorum_events(ctx, live_channels(request.app), first),
        headers={"x-accel-buffering": "no"},  # proxies: pass each event on at once
    )


@get(
    "/chair/meetings/{meeting_id:int}/venue-code",
    dependencies={"actor": Provide(provide_actor)},
    cache_control=NO_STORE,
)
async def venue_code(
    db: AsyncSession, ctx: AppContext, actor: Actor, meeting_id: IdParam
) -> VenueCodeNow:
    """The venue code to project now (chairs of the meeting's unit only)."""
    meeting = await meeting_for(db, actor, meeting_id, "read")
    return venue_code_now(meeting, ctx.settings.base_url)


@get("/chair/meetings/{meeting_id:int}/projector", name="meeting-projector", cache_control=NO_STORE)
async def projector_page(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, meeting_id: IdParam
) -> Response[Any]:
    """The projector page: title, venue QR code and digits, countdown, live quorum."""
    actor = await provide_optional_actor(request, db, ctx)
    if actor is None:
        return Redirect(path="/chair/login")
    meeting = await meeting_for(db, actor, meeting_id, "read")
    return page(
        "chair/projector.html",
        meeting=meeting,
        venue=venue_code_now(meeting, ctx.settings.base_url),
        quorum=await count_quorum(db, meeting),
    )


router = Router(
    path="/",
    route_handlers=[quorum_stream, venue_code, projector_page],
    include_in_schema=False,
)
