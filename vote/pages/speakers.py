"""The public page where residents sign up to speak at a meeting on their phones:
``/meetings/{id}/speakers`` (linked from the check-in pages and from the matter's public notice).

It shows the meeting, the queue (places and topics, never names), the sign-up form while the
meeting is upcoming or under way, and a form to withdraw one's own place. The forms post without
a session, like the voting form; their limits are the API's
(:mod:`vote.api.speaker_signup`). A refusal returns the page with the reason beside the field;
after signing up, the page says the resident's place and offers to withdraw it from the same
phone (the voting code is kept in that form only).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import DomainError, MistypedCredential, NotFound, UnknownCredential
from ballots.meetings import speaker_signup
from ballots.meetings.meetings import get_meeting, meeting_unit
from ballots.meetings.speaker_signup import BadSignUp, NotOnMeetingRoll, NotSignedUp
from ballots.meetings.speakers import NAME_MAX, TOPIC_MAX
from ballots.models import Meeting
from vote.api.params import IdParam
from vote.api.speaker_signup import send_sign_up, send_withdrawal
from vote.guards import TooManyFailedCodes
from vote.i18n import gettext_
from vote.pages.console.layout import message_of
from vote.pages.errors import page
from vote.web import AppContext

FORM_MAX_BYTES = 8 * 1024
CREDENTIAL_MAX = 100
NO_STORE = CacheControlHeader(no_store=True)


def _type_code() -> str:
    return gettext_("Please type the 25-digit code from your invitation.")


def closed_reason(meeting: Meeting) -> str:
    """Why residents cannot sign up now, in words (empty while they can)."""
    if speaker_signup.is_open(meeting):
        return ""
    return gettext_("This meeting is over; sign-up to speak is closed.")


async def _page(
    db: AsyncSession,
    meeting_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    signed: speaker_signup.SignUp | None = None,
    credential: str = "",
    withdrawn: bool = False,
    status_code: int = 200,
) -> Template:
    meeting = await get_meeting(db, meeting_id)
    return page(
        "speakers.html",
        status_code=status_code,
        meeting=meeting,
        unit=await meeting_unit(db, meeting),
        closed=closed_reason(meeting),
        queue=await speaker_signup.public_queue(db, meeting.id),
        form=form or {},
        errors=errors or {},
        signed=signed,
        credential=credential,
        withdrawn=withdrawn,
        topic_max=TOPIC_MAX,
        name_max=NAME_MAX,
    )


@get("/meetings/{meeting_id:int}/speakers", name="meeting-speakers", cache_control=NO_STORE)
async def speakers_page(db: AsyncSession, meeting_id: IdParam) -> Template:
    """The queue, and the form while sign-up is open."""
    return await _page(db, meeting_id)


def _field_of(error: DomainError, prefix: str = "") -> str:
    if isinstance(
        error,
        MistypedCredential
        | UnknownCredential
        | TooManyFailedCodes
        | NotOnMeetingRoll
        | NotSignedUp,
    ):
        return f"{prefix}credential"
    if isinstance(error, BadSignUp) and "name" in (error.detail_msgid or ""):
        return "call_me"
    if isinstance(error, BadSignUp):
        return "topic"
    return "form"


async def _typed(request: Request[Any, Any, Any], *fields: tuple[str, int]) -> dict[str, str]:
    raw = await request.form()
    return {name: str(raw.get(name) or "")[:limit] for name, limit in fields}


@post(
    "/meetings/{meeting_id:int}/speakers",
    request_max_body_size=FORM_MAX_BYTES,
    cache_control=NO_STORE,
)
async def sign_up(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, meeting_id: IdParam
) -> Template:
    """Sign up (or change the topic); the page again with the place, or the reason."""
    form = await _typed(
        request,
        ("topic", TOPIC_MAX * 2),
        ("call_me", NAME_MAX * 2),
        ("credential", CREDENTIAL_MAX),
    )
    if not form["credential"].strip("- "):
        return await _page(
            db,
            meeting_id,
            form={"topic": form["topic"], "call_me": form["call_me"]},
            errors={"credential": _type_code()},
            status_code=422,
        )
    try:
        signed = await send_sign_up(
            request,
            db,
            ctx,
            meeting_id,
            credential=form["credential"],
            topic=form["topic"],
            call_me=form["call_me"],
        )
    except NotFound:
        raise
    except DomainError as error:
        await db.rollback()
        kept = {"topic": form["topic"], "call_me": form["call_me"]}
        return await _page(
            db,
            meeting_id,
            form=kept,
            errors={_field_of(error): message_of(error)},
            status_code=error.status,
        )
    return await _page(db, meeting_id, signed=signed, credential=form["credential"])


@post(
    "/meetings/{meeting_id:int}/speakers/withdraw",
    request_max_body_size=FORM_MAX_BYTES,
    cache_control=NO_STORE,
)
async def withdraw(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, meeting_id: IdParam
) -> Template:
    """Withdraw one's own place; the page again saying so, or the reason."""
    form = await _typed(request, ("credential", CREDENTIAL_MAX))
    if not form["credential"].strip("- "):
        return await _page(
            db, meeting_id, errors={"withdraw_credential": _type_code()}, status_code=422
        )
    try:
        await send_withdrawal(request, db, ctx, meeting_id, credential=form["credential"])
    except NotFound:
        raise
    except DomainError as error:
        await db.rollback()
        return await _page(
            db,
            meeting_id,
            errors={_field_of(error, "withdraw_"): message_of(error)},
            status_code=error.status,
        )
    return await _page(db, meeting_id, withdrawn=True)


router = Router(
    path="/", route_handlers=[speakers_page, sign_up, withdraw], include_in_schema=False
)
