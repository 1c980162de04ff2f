"""Console: check-in at the door, for staff with one phone in a noisy entrance.

Three ways in, on one page: scanning invitation QR codes with the phone's camera
(``vote/static/door.js`` posts each code to the attendance API), typing the 25-digit code, and
finding the resident by name, building or room and checking them in by hand. Typing and finding
are plain forms, so they work without JavaScript; every way goes through
:func:`vote.api.attendance.check_in`, and each result is shown large: the name in green, or the
refusal in plain words in red, beside the field it concerns.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import DomainError
from ballots.meetings.meetings import meeting_for
from ballots.meetings.roll_search import QUERY_MAX, RollSearch, search_roll
from ballots.models import Attendance
from ballots.models.bounds import ID_MAX, SAFE_TEXT
from vote.api.attendance import CODE_TEXT_MAX, check_in
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import Errors, console_page, console_router, message_of, read_form
from vote.web import AppContext

SHOWN = 12
"""Residents listed per search on the page (more: type more of the name)."""

QueryParam = Annotated[str, Parameter(max_length=QUERY_MAX, pattern=SAFE_TEXT)]


async def _present(db: AsyncSession, meeting_id: int) -> int:
    counted = await db.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting_id)
    )
    return int(counted or 0)


async def door_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: int,
    *,
    q: str = "",
    done: str = "",
    refused: str = "",
    errors: Errors | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The door page, with the last check-in's result (``done`` or ``refused``) on top."""
    meeting = await meeting_for(db, actor, meeting_id, "manage_ballots")
    q = q.strip()
    found: RollSearch | None = None
    if q:
        found = await search_roll(db, actor, meeting_id, q, limit=SHOWN)
    return console_page(
        request,
        ctx,
        actor,
        "console/meeting_door.html",
        section="meetings",
        status_code=status_code,
        no_store=True,  # a typed code may sit in the form
        meeting=meeting,
        present=await _present(db, meeting.id),
        q=q,
        found=found,
        done=done,
        refused=refused,
        errors=errors or {},
        form=form or {},
    )


@get("/meetings/{meeting_id:int}/door", name="console-meeting-door")
async def door(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    q: QueryParam = "",
) -> Template:
    return await door_page(request, db, ctx, actor, meeting_id, q=q)


async def _checked_in(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: int,
    *,
    field: str,
    q: str,
    code: str = "",
    resident_id: int | None = None,
) -> Template:
    await meeting_for(db, actor, meeting_id, "manage_ballots")
    try:
        checked = await check_in(
            request, db, ctx, actor, meeting_id, code=code, resident_id=resident_id
        )
    except DomainError as refusal:
        message = message_of(refusal)
        return await door_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            q=q,
            refused=message,
            errors={field: message},
            form={"code": code} if field == "code" else {},
            status_code=refusal.status,
        )
    done = gettext_("%(name)s is checked in") % {"name": checked.name}
    return await door_page(request, db, ctx, actor, meeting_id, q=q, done=done)


@post("/meetings/{meeting_id:int}/door/code")
async def door_code(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    form = await read_form(request, "code")
    code = form["code"].strip()
    if not code or len(code) > CODE_TEXT_MAX or "\x00" in code:
        message = gettext_("Type the 25 digits of the invitation code.")
        return await door_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            refused=message,
            errors={"code": message},
            form={"code": code[:CODE_TEXT_MAX]},
            status_code=422,
        )
    return await _checked_in(request, db, ctx, actor, meeting_id, field="code", q="", code=code)


@post("/meetings/{meeting_id:int}/door/hand")
async def door_hand(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    form = await read_form(request, "resident_id", "q")
    q = form["q"].strip()[:QUERY_MAX] if "\x00" not in form["q"] else ""
    text = form["resident_id"].strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= ID_MAX):
        message = gettext_("Choose the resident from the list.")
        return await door_page(
            request, db, ctx, actor, meeting_id, q=q, refused=message, status_code=422
        )
    return await _checked_in(
        request, db, ctx, actor, meeting_id, field="hand", q=q, resident_id=int(text)
    )


router = console_router([door, door_code, door_hand])
