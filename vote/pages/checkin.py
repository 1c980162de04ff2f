"""Residents' check-in pages on their own phones: ``/m/{id}?k=…`` from the projected QR code,
``/m`` to type the 6 digits shown beside it.

The page asks for the invitation's voting code; with JavaScript, a code the phone kept from an
invitation link (``static/vote.js``) is offered instead (``static/checkin.js``), with a "not
me" choice that forgets it. The form posts without a session, like the voting form. Every
refusal is its own plain page with one next step; a mistyped or unknown voting code returns to
the form with the reason beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.credentials import credential_hash, normalise_credential
from ballots.errors import (
    AlreadyCheckedIn,
    DomainError,
    MeetingNotCheckingIn,
    MistypedCredential,
    NotFound,
    NotOnThisMeeting,
    UnknownCredential,
    VenueCodeOfAnotherMeeting,
    WrongVenueCode,
)
from ballots.meetings.checkin import meeting_of_code, roll_ballot_ids
from ballots.meetings.meetings import get_meeting, meeting_ballots
from ballots.meetings.venue_code import code_accepted, normalise_code
from ballots.models import Elector, Meeting
from ballots.models.bounds import SAFE_TEXT
from vote.api.checkin import check_in
from vote.api.params import IdParam
from vote.guards import TooManyFailedCodes
from vote.i18n import gettext_, localise
from vote.pages.errors import page
from vote.web import AppContext

CHECKIN_FORM_MAX_BYTES = 4 * 1024
CodeParam = Annotated[str, Parameter(max_length=32, pattern=SAFE_TEXT)]


@dataclass
class VoteLink:
    """A ballot open at the meeting, and where its button leads (with the code after ``#`` when
    the resident's own code is for that ballot)."""

    title: str
    href: str


def _message(error: DomainError) -> str:
    return (
        localise(error.detail_msgid, error.params) if error.detail_msgid else gettext_(error.title)
    )


async def _vote_links(
    db: AsyncSession, ctx: AppContext, meeting_id: int, credential: str
) -> list[VoteLink]:
    """Buttons to vote on each ballot now open at the meeting."""
    hashed = credential_hash(ctx.secret_key, credential) if credential else None
    own = (
        await db.scalar(select(Elector.ballot_id).where(Elector.credential_hash == hashed))
        if hashed is not None
        else None
    )
    digits = normalise_credential(credential) if credential else None
    links = []
    for ballot in await meeting_ballots(db, meeting_id):
        if ballot.state != "open":
            continue
        href = f"/v/{ballot.id}"
        if ballot.id == own and digits:
            href += "#" + digits
        links.append(VoteLink(title=ballot.title, href=href))
    return links


def _venue_refusal(meeting: Meeting | None, error: DomainError, *, status_code: int) -> Template:
    """A refusal about the meeting or its venue code: its own page, with one next step."""
    kind = {
        WrongVenueCode: "wrong-code",
        VenueCodeOfAnotherMeeting: "other-meeting",
        MeetingNotCheckingIn: "closed",
        NotOnThisMeeting: "not-on-roll",
        NotFound: "no-meeting",
    }.get(type(error), "refused")
    title, detail = gettext_(error.title), _message(error)
    if kind == "no-meeting":  # never "No meeting with id 12" to a resident
        title = gettext_("This link does not lead to a meeting")
        detail = gettext_(
            "The link may be incomplete. Please type the 6 digits shown on the screen in the "
            "meeting room."
        )
    return page(
        "checkin_refused.html",
        status_code=status_code,
        meeting=meeting,
        kind=kind,
        title=title,
        detail=detail,
    )


async def _code_refusal(
    db: AsyncSession, meeting: Meeting, code: str, now: datetime
) -> DomainError | None:
    """Why ``code`` does not open this meeting's check-in now, or None when it does."""
    if meeting.state != "checking_in":
        return MeetingNotCheckingIn()
    if code_accepted(meeting.checkin_secret, code, now):
        return None
    other = await meeting_of_code(db, code, now)
    if other is not None and other.id != meeting.id:
        return VenueCodeOfAnotherMeeting()
    return WrongVenueCode()


async def _form(
    db: AsyncSession,
    meeting: Meeting,
    code: str,
    *,
    status_code: int = 200,
    error: str = "",
    saved_refused: bool = False,
) -> Template:
    return page(
        "checkin.html",
        status_code=status_code,
        meeting=meeting,
        code=normalise_code(code),
        ballot_ids=await roll_ballot_ids(db, meeting),
        error=error,
        saved_refused=saved_refused,
    )


@get("/m", name="checkin-start")
async def checkin_start(db: AsyncSession, k: CodeParam = "") -> Template | Redirect:
    """Type the 6 digits shown on the screen; they lead to the meeting checking in with them."""
    if not k:
        return page("checkin_code.html", error="")
    meeting = await meeting_of_code(db, k)
    if meeting is None:
        return page(
            "checkin_code.html", status_code=422, error=localise(WrongVenueCode.detail_template, {})
        )
    return Redirect(path=f"/m/{meeting.id}", query_params={"k": normalise_code(k)})


@get("/m/{meeting_id:int}", name="checkin-page", cache_control=CacheControlHeader(no_store=True))
async def checkin_page(db: AsyncSession, meeting_id: IdParam, k: CodeParam = "") -> Template:
    """The check-in form of one meeting, opened from the projected QR code."""
    try:
        meeting = await get_meeting(db, meeting_id)
    except NotFound as error:
        return _venue_refusal(None, error, status_code=404)
    refusal = await _code_refusal(db, meeting, k, datetime.now(UTC))
    if refusal is not None:
        return _venue_refusal(meeting, refusal, status_code=200)
    return await _form(db, meeting, k)


@post(
    "/m/{meeting_id:int}",
    request_max_body_size=CHECKIN_FORM_MAX_BYTES,
    cache_control=CacheControlHeader(no_store=True),
)
async def submit_checkin(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, meeting_id: IdParam
) -> Template:
    """Check in with the venue code (kept in the form) and the voting code typed or saved."""
    form = await request.form()
    code = str(form.get("k") or "")[:32]
    credential = str(form.get("credential") or "").strip()[:200]
    saved = form.get("saved") == "1"
    if not credential.strip("- "):
        try:
            meeting = await get_meeting(db, meeting_id)
        except NotFound as error:
            return _venue_refusal(None, error, status_code=404)
        message = gettext_("Please type the 25-digit code from your invitation.")
        return await _form(db, meeting, code, status_code=422, error=message)
    try:
        checked = await check_in(request, db, ctx, meeting_id, code, credential)
    except NotFound as error:
        return _venue_refusal(None, error, status_code=404)
    except DomainError as error:
        # The failed check-in rolled the session back: read the meeting afresh for the page.
        return await _refused(
            db, ctx, await get_meeting(db, meeting_id), error, code, credential, saved
        )
    return page(
        "checkin_done.html",
        meeting=await get_meeting(db, meeting_id),
        already="",
        name=checked.name,
        at=checked.at,
        votes=await _vote_links(db, ctx, meeting_id, credential),
    )


async def _refused(
    db: AsyncSession,
    ctx: AppContext,
    meeting: Meeting,
    error: DomainError,
    code: str,
    credential: str,
    saved: bool,
) -> Template:
    """The page for a refused check-in: the form again for the voting code's own mistakes."""
    if isinstance(error, MistypedCredential | UnknownCredential | TooManyFailedCodes):
        return await _form(
            db,
            meeting,
            code,
            status_code=error.status,
            error=_message(error),
            saved_refused=saved and isinstance(error, UnknownCredential),
        )
    if isinstance(error, AlreadyCheckedIn):
        return page(
            "checkin_done.html",
            meeting=meeting,
            already=_message(error),
            name="",
            at=None,
            votes=await _vote_links(db, ctx, meeting.id, credential),
        )
    return _venue_refusal(meeting, error, status_code=error.status)


router = Router(
    path="/", route_handlers=[checkin_start, checkin_page, submit_checkin], include_in_schema=False
)
