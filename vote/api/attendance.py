"""Check-in at the door, for chairs: record a resident present by their scanned or typed
invitation code or, found by name on the meeting's roll, by hand; and search that roll.

Unknown codes count against the chair's login session (not the address: a door scanner makes
many right requests from one address, and several doors may share one network): 30 per 10
minutes, at most 16 checks under way at once. A mistyped code (the check digit does not fit) is
a typo, refused at once and never counted; a known code for someone not on this meeting's list
is no guess either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED
from msgspec import Meta
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.credentials import normalise_credential
from ballots.errors import N_, DomainError, InvalidInput, UnknownCredential
from ballots.meetings.checkin import CheckedIn, check_in_at_door
from ballots.meetings.roll_search import (
    LIMIT_DEFAULT,
    LIMIT_MAX,
    QUERY_MAX,
    RollSearch,
    search_roll,
)
from ballots.models.bounds import ID_MAX, SAFE_TEXT
from vote import live
from vote.api.params import IdParam
from vote.guards import guarded
from vote.ratelimit import Rule, begin_attempt
from vote.web import AppContext, provide_actor

DOOR_WINDOW = 600
DOOR_UNKNOWN_CODES_PER_SESSION = 30
DOOR_CHECKS_UNDER_WAY_PER_SESSION = 16
CODE_TEXT_MAX = 500
"""The longest scanned text accepted: an invitation link with its code after ``#``."""


class TooManyUnknownDoorCodes(DomainError):
    type = "too-many-unknown-door-codes"
    status = 429
    title = N_("Too many unknown codes")
    detail_template = N_(
        "Too many unknown invitation codes from this login. Try again in {seconds} seconds, "
        "or find the resident by name."
    )


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    """Either ``credential`` (the invitation code, or the whole scanned invitation link) with
    ``method`` (``scan`` or ``code``, the default), or ``resident_id`` (found by name)."""

    credential: (
        Annotated[str, Meta(min_length=1, max_length=CODE_TEXT_MAX, pattern=SAFE_TEXT)] | None
    ) = None
    method: Literal["scan", "code"] | None = None
    resident_id: Annotated[int, Meta(ge=1, le=ID_MAX)] | None = None


class AttendanceOut(msgspec.Struct):
    """A resident now present: who, when (UTC) and how (``scan``, ``code`` or ``hand``)."""

    resident_id: int
    name: str
    at: datetime
    method: str


def code_of(text: str) -> str:
    """The invitation code in a scanned or typed text: the part after ``#`` of an invitation
    link (``…/v/12#12345-…``), else the text itself."""
    return text.rpartition("#")[2] if "#" in text else text


def door_rule(actor: Actor) -> Rule:
    """The limit on unknown codes for the chair's login session (or token)."""
    who = actor.session_id if actor.session_id is not None else actor.chair_id
    return Rule(
        key=f"door:{who}",
        limit=DOOR_UNKNOWN_CODES_PER_SESSION,
        window=DOOR_WINDOW,
        in_flight=DOOR_CHECKS_UNDER_WAY_PER_SESSION,
    )


@asynccontextmanager
async def door_attempt(ctx: AppContext, actor: Actor, code: str) -> AsyncIterator[None]:
    """Check a code under the session's limit; only an unknown well-formed code counts."""
    if normalise_credential(code) is None:
        yield
        return
    attempt = await begin_attempt(
        ctx.limiter, [door_rule(actor)], lambda seconds: TooManyUnknownDoorCodes(seconds=seconds)
    )
    async with guarded(attempt, UnknownCredential):
        yield


async def check_in(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: int,
    *,
    code: str = "",
    resident_id: int | None = None,
    method: Literal["scan", "code"] = "code",
) -> CheckedIn:
    """Check one resident in at the door (by code or by id), commit, and tell live views.

    The one path for the API and the door page; a refusal rolls back and raises.
    """
    try:
        if resident_id is not None:
            checked = await check_in_at_door(
                db, actor, ctx.secret_key, meeting_id, resident_id=resident_id, method="hand"
            )
        else:
            typed = code_of(code)
            async with door_attempt(ctx, actor, typed):
                checked = await check_in_at_door(
                    db, actor, ctx.secret_key, meeting_id, credential=typed, method=method
                )
        await db.commit()
    except Exception:
        await db.rollback()
        raise
    live.meeting_changed(request.app, meeting_id)  # the console and projector count again
    return checked


@post(
    "/meetings/{meeting_id:int}/attendance",
    status_code=HTTP_201_CREATED,
    summary="Check a resident in at the door (scanned or typed code, or by hand)",
)
async def add_attendance(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    data: AttendanceIn,
) -> AttendanceOut:
    """Send ``{"credential": …, "method": "scan"}`` (a scanned invitation link or code),
    ``{"credential": …, "method": "code"}`` (typed), or ``{"resident_id": …}`` (found by name on
    the roll). Refusals: ``already-checked-in`` (with the time), ``not-on-this-meeting``,
    ``check-in-closed``, ``mistyped-credential``, ``unknown-credential``, and
    ``too-many-unknown-door-codes`` after many unknown codes from one login session.
    """
    if (data.credential is None) == (data.resident_id is None):
        raise InvalidInput("send either credential (with method) or resident_id, not both")
    if data.resident_id is not None and data.method is not None:
        raise InvalidInput("method goes with credential; a resident_id is checked in by hand")
    checked = await check_in(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        code=data.credential or "",
        resident_id=data.resident_id,
        method=data.method or "code",
    )
    return AttendanceOut(
        resident_id=checked.resident_id, name=checked.name, at=checked.at, method=checked.method
    )


@get("/meetings/{meeting_id:int}/roll", summary="Search a meeting's roll for check-in by hand")
async def meeting_roll(
    db: AsyncSession,
    actor: Actor,
    meeting_id: IdParam,
    q: Annotated[str, Parameter(max_length=QUERY_MAX, pattern=SAFE_TEXT)] = "",
    limit: Annotated[int, Parameter(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT,
) -> RollSearch:
    """Residents who may attend whose name, building or room contains every word of ``q``, in
    natural order, with when each was checked in (``present_at``, UTC, null while absent);
    ``more`` says that more than ``limit`` matched."""
    return await search_roll(db, actor, meeting_id, q, limit=limit)


router = Router(
    path="/api/v1",
    route_handlers=[add_attendance, meeting_roll],
    dependencies={"actor": Provide(provide_actor)},
    tags=["meetings"],
)
