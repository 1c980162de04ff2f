"""Residents checking themselves in to a meeting on their own phone: the projected venue code
proves they are in the room, their invitation's voting code who they are.

Only a wrong well-formed voting code counts against the address's limit (:mod:`vote.guards`),
so a hall of residents on one Wi-Fi is never refused for an expired venue code or a typo.
After each check-in the meeting's live views (projector, console) are told at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, post
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.meetings.checkin import CheckedIn, check_in_at_venue
from ballots.models.bounds import SAFE_TEXT
from vote.api.params import IdParam
from vote.api.schemas import Credential
from vote.guards import code_attempt
from vote.live import meeting_changed
from vote.web import AppContext, client_ip

VenueCode = Annotated[str, msgspec.Meta(max_length=32, pattern=SAFE_TEXT)]
"""The 6 digits projected in the room (spaces and full-width digits are accepted)."""


class CheckInIn(msgspec.Struct, forbid_unknown_fields=True):
    """A check-in: the venue code shown on the projector now, and the invitation's voting code."""

    venue_code: VenueCode
    credential: Credential


class CheckInOut(msgspec.Struct):
    """The resident now present: their name (for their own phone only), when, and how."""

    meeting_id: int
    name: str
    at: datetime
    method: str


async def check_in(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    meeting_id: int,
    venue_code: str,
    credential: str,
) -> CheckedIn:
    """Check in at the venue under the address's limit, commit, and tell the live views."""
    ip = client_ip(request, ctx.settings)
    async with code_attempt(ctx, ip, credential):
        checked = await check_in_at_venue(
            db, ctx.secret_key, meeting_id, venue_code=venue_code, credential=credential
        )
        await db.commit()
    meeting_changed(request.app, meeting_id)
    return checked


@post(
    "/meetings/{meeting_id:int}/check-in",
    status_code=HTTP_201_CREATED,
    summary="Check in to a meeting with the venue code",
)
async def venue_check_in(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    meeting_id: IdParam,
    data: CheckInIn,
) -> CheckInOut:
    """Check oneself in with the venue code on the projector (valid for up to a minute) and the
    voting code of one's invitation to a ballot of the meeting.

    Errors: ``check-in-closed`` (409), ``wrong-venue-code`` and
    ``venue-code-of-another-meeting`` (422, scan again), ``mistyped-credential`` (422),
    ``unknown-credential`` (403), ``not-on-this-meeting`` (403), ``already-checked-in`` (409,
    with the time), ``too-many-failed-codes`` (429).
    """
    checked = await check_in(request, db, ctx, meeting_id, data.venue_code, data.credential)
    return CheckInOut(
        meeting_id=checked.meeting_id, name=checked.name, at=checked.at, method=checked.method
    )


router = Router(path="/api/v1", route_handlers=[venue_check_in], tags=["meetings"])
