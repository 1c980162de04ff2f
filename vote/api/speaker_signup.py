"""Residents' own sign-up to speak at a meeting over JSON (public, no login): the public queue
(places and topics, never names), signing up with one's voting code, and withdrawing one's own
place with it.

Both changes count against two limits, neither aimed at a meeting room on one Wi-Fi: a wrong
well-formed voting code counts against the address like any voting-code guess
(:func:`vote.guards.code_attempt`), and every request counts against a generous per-meeting,
per-address cap (:data:`PER_MINUTE` a minute, :data:`PER_HOUR` an hour, ten times that from a
trusted network). After each change the meeting's live views are told.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Router, get, post
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import N_, DomainError
from ballots.meetings import speaker_signup
from ballots.meetings.meetings import get_meeting
from ballots.meetings.speakers import NAME_MAX, TOPIC_MAX
from ballots.models.bounds import SAFE_TEXT
from vote.api.meeting_schemas import utc
from vote.api.params import IdParam
from vote.api.schemas import Credential
from vote.guards import submission_attempt, submission_rules
from vote.live import meeting_changed
from vote.web import AppContext, client_ip

PER_MINUTE = 60
PER_HOUR = 600

Topic = Annotated[str, msgspec.Meta(max_length=TOPIC_MAX * 2, pattern=SAFE_TEXT)]
CallMe = Annotated[str, msgspec.Meta(max_length=NAME_MAX * 2, pattern=SAFE_TEXT)]


class TooManySignUps(DomainError):
    type = "too-many-speaker-sign-ups"
    status = 429
    title = N_("Too many sign-ups from your network")
    detail_template = N_(
        "Many sign-ups to speak were just sent from your network. Please try again in "
        "{seconds} seconds."
    )


@asynccontextmanager
async def sign_up_guard(
    request: Request[Any, Any, Any], ctx: AppContext, meeting_id: int, credential: str
) -> AsyncIterator[None]:
    """Check the address's per-meeting caps and the voting code's guess limit around one
    change; a change counts against the caps only once it is saved."""
    address = client_ip(request, ctx.settings)
    rules = submission_rules(
        f"speaker:{meeting_id}", address, ctx.settings, per_minute=PER_MINUTE, per_hour=PER_HOUR
    )
    async with submission_attempt(
        ctx, address, credential, rules, lambda seconds: TooManySignUps(seconds=seconds)
    ):
        yield


async def send_sign_up(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    meeting_id: int,
    *,
    credential: str,
    topic: str,
    call_me: str,
) -> speaker_signup.SignUp:
    """Sign up under the limits; commit; tell the live views."""
    async with sign_up_guard(request, ctx, meeting_id, credential):
        signed = await speaker_signup.sign_up(
            db, ctx.secret_key, meeting_id, credential=credential, topic=topic, call_me=call_me
        )
        await db.commit()
    meeting_changed(request.app, meeting_id)
    return signed


async def send_withdrawal(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    meeting_id: int,
    *,
    credential: str,
) -> None:
    """Withdraw one's own place under the limits; commit; tell the live views."""
    async with sign_up_guard(request, ctx, meeting_id, credential):
        await speaker_signup.withdraw_own(db, ctx.secret_key, meeting_id, credential=credential)
        await db.commit()
    meeting_changed(request.app, meeting_id)


class SignUpIn(msgspec.Struct, forbid_unknown_fields=True):
    """A sign-up: the voting code of one of the resident's invitations, what they want to speak
    about, and how the chair should call them (empty: their name on the roll; the chair only
    ever reads it)."""

    credential: Credential
    topic: Topic
    call_me: CallMe = ""


class WithdrawIn(msgspec.Struct, forbid_unknown_fields=True):
    """The voting code the resident signed up with (or another of their own invitations)."""

    credential: Credential


class SignUpOut(msgspec.Struct):
    """The resident's waiting place (1 = next) and what the request did: ``added``, ``updated``
    the topic, or ``already`` in the queue with that topic."""

    meeting_id: int
    place: int
    topic: str
    outcome: Literal["added", "updated", "already"]


class WithdrawnOut(msgspec.Struct):
    meeting_id: int
    withdrawn: bool


class PlaceOut(msgspec.Struct):
    """A waiting place as the public reads it: never a name."""

    place: int
    topic: str


class QueueOut(msgspec.Struct):
    """A meeting's public speakers' queue: whether residents may sign up now, and those
    waiting, in order, with their topics. Times are UTC."""

    meeting_id: int
    title: str
    starts_at: datetime
    venue: str
    open: bool
    waiting: list[PlaceOut]


@get("/meetings/{meeting_id:int}/speaker-queue", summary="A meeting's public speakers' queue")
async def public_queue(db: AsyncSession, meeting_id: IdParam) -> QueueOut:
    """Places and topics of those waiting to speak, never a name."""
    meeting = await get_meeting(db, meeting_id)
    return QueueOut(
        meeting_id=meeting.id,
        title=meeting.title,
        starts_at=utc(meeting.starts_at),
        venue=meeting.venue,
        open=speaker_signup.is_open(meeting),
        waiting=[
            PlaceOut(place=p.place, topic=p.topic)
            for p in await speaker_signup.public_queue(db, meeting.id)
        ],
    )


@post(
    "/meetings/{meeting_id:int}/speaker-sign-ups",
    status_code=HTTP_200_OK,
    summary="Sign up to speak at a meeting with one's voting code",
)
async def sign_up(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    meeting_id: IdParam,
    data: SignUpIn,
) -> SignUpOut:
    """Join the speakers' queue while the meeting is upcoming or under way; once there, a
    second sign-up changes the topic (and how to be called) or tells the place.

    Errors: ``not-found`` (404), ``speaker-sign-up-closed`` (409),
    ``invalid-speaker-sign-up`` and ``mistyped-credential`` (422), ``unknown-credential`` and
    ``not-on-meeting-roll`` (403), ``too-many-speaker-sign-ups`` and ``too-many-failed-codes``
    (429).
    """
    signed = await send_sign_up(
        request,
        db,
        ctx,
        meeting_id,
        credential=data.credential,
        topic=data.topic,
        call_me=data.call_me,
    )
    return SignUpOut(
        meeting_id=meeting_id,
        place=signed.place,
        topic=signed.speaker.topic,
        outcome=signed.outcome,
    )


@post(
    "/meetings/{meeting_id:int}/speaker-sign-ups/withdraw",
    status_code=HTTP_200_OK,
    summary="Withdraw one's own sign-up to speak",
)
async def withdraw(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    meeting_id: IdParam,
    data: WithdrawIn,
) -> WithdrawnOut:
    """Withdraw the waiting place of the resident whose voting code this is (never anyone
    else's).

    Errors: ``not-found`` (404), ``speaker-sign-up-closed`` and ``not-signed-up`` (409),
    ``mistyped-credential`` (422), ``unknown-credential`` and ``not-on-meeting-roll`` (403),
    ``too-many-speaker-sign-ups`` and ``too-many-failed-codes`` (429).
    """
    await send_withdrawal(request, db, ctx, meeting_id, credential=data.credential)
    return WithdrawnOut(meeting_id=meeting_id, withdrawn=True)


router = Router(
    path="/api/v1",
    route_handlers=[public_queue, sign_up, withdraw],
    tags=["meetings"],
)
