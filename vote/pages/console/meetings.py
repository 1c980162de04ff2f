"""Console: meetings — the list in the chair's subtree, planning and editing one, its page (plan,
check-in, attendance, ballots held at it, minutes, files, speakers) and moving it through
check-in. Files and speakers have their own module (:mod:`vote.pages.console.meeting_parts`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, can, require
from ballots.errors import DomainError
from ballots.meetings import meetings
from ballots.meetings.checkin import attendance_list
from ballots.meetings.files import list_files
from ballots.meetings.meetings import AGENDA_ITEM_MAX, AGENDA_ITEMS_MAX, PROXY_LIMIT_MAX
from ballots.meetings.speaker_signup import is_open as sign_up_is_open
from ballots.meetings.speaker_signup import self_signed_ids
from ballots.meetings.speakers import list_speakers
from ballots.models import Ballot, Matter, Meeting
from ballots.models.bounds import LONG_TEXT_LENGTH, column_length
from ballots.models.meetings import MEETING_KINDS
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.live import meeting_changed
from vote.pages.console.layout import (
    Errors,
    Form,
    check_text,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.console.matters import parse_id
from vote.pages.console.schedule import parse_typed_time, typed_time
from vote.pages.meeting_labels import (
    checkin_method_label,
    meeting_kind_label,
    meeting_state_label,
    speaker_state_label,
)
from vote.web import AppContext

TITLE_MAX = column_length(Meeting.title)
VENUE_MAX = column_length(Meeting.venue)
PLAN_FIELDS = ("title", "kind", "starts_at", "ends_at", "venue", "agenda", "proxy_limit")
LABELS: dict[str, Any] = {
    "meeting_kind_label": meeting_kind_label,
    "meeting_state_label": meeting_state_label,
    "checkin_method_label": checkin_method_label,
    "speaker_state_label": speaker_state_label,
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, meeting_kind_label(kind)) for kind in MEETING_KINDS]


class Plan:
    """A meeting's plan as read from the form (valid when ``errors`` stays empty)."""

    def __init__(self, form: Form, errors: Errors) -> None:
        self.title = check_text(errors, "title", form["title"], maximum=TITLE_MAX)
        self.kind = form["kind"]
        if self.kind not in MEETING_KINDS:
            errors["kind"] = gettext_("Choose a kind from the list.")
        starts_at = parse_typed_time(form["starts_at"], "starts_at", errors)
        if starts_at is None and "starts_at" not in errors:
            errors["starts_at"] = gettext_("Please fill this in.")
        self.starts_at: datetime | None = starts_at
        self.ends_at = parse_typed_time(form["ends_at"], "ends_at", errors)
        if starts_at is not None and self.ends_at is not None and self.ends_at <= starts_at:
            errors["ends_at"] = gettext_("The meeting must end after it starts.")
        self.venue = check_text(errors, "venue", form["venue"], maximum=VENUE_MAX, required=False)
        agenda_text = check_text(
            errors, "agenda", form["agenda"], maximum=LONG_TEXT_LENGTH, required=False
        )
        self.agenda = [line.strip() for line in agenda_text.splitlines() if line.strip()]
        if "agenda" not in errors:
            if len(self.agenda) > AGENDA_ITEMS_MAX:
                errors["agenda"] = gettext_("At most %(n)s agenda items, please.") % {
                    "n": AGENDA_ITEMS_MAX
                }
            elif any(len(item) > AGENDA_ITEM_MAX for item in self.agenda):
                errors["agenda"] = gettext_("At most %(n)s characters on each line, please.") % {
                    "n": AGENDA_ITEM_MAX
                }
        limit = form["proxy_limit"].strip()
        self.proxy_limit = int(limit) if limit.isascii() and limit.isdigit() else -1
        if not 0 <= self.proxy_limit <= PROXY_LIMIT_MAX:
            errors["proxy_limit"] = gettext_("A whole number from 0 to %(n)s, please.") % {
                "n": PROXY_LIMIT_MAX
            }


def plan_form(meeting: Meeting) -> Form:
    """The form fields showing a meeting's plan as it is stored."""
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": typed_time(meeting.starts_at),
        "ends_at": typed_time(meeting.ends_at),
        "venue": meeting.venue,
        "agenda": "\n".join(meeting.agenda),
        "proxy_limit": str(meeting.proxy_limit),
    }


async def readable_meeting(db: AsyncSession, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting, once the actor may read its unit (else the refusal)."""
    return await meetings.meeting_for(db, actor, meeting_id, "read")


@get("/meetings", name="console-meetings")
async def meeting_list(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    found = list(await meetings.meetings_within(db, actor.unit_path))
    titles = {
        id_: title
        for id_, title in await db.execute(
            select(Matter.id, Matter.title).where(Matter.id.in_({m.matter_id for m in found}))
        )
    }
    return console_page(
        request,
        ctx,
        actor,
        "console/meetings.html",
        section="meetings",
        meetings=found,
        matter_titles=titles,
        **LABELS,
    )


async def _plan_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter: Matter,
    meeting: Meeting | None,
    *,
    form: Form,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        actor,
        "console/meeting_form.html",
        section="meetings",
        status_code=status_code,
        matter=matter,
        meeting=meeting,
        kinds=kind_choices(),
        form=form,
        errors=errors or {},
        error=error,
        title_max=TITLE_MAX,
        venue_max=VENUE_MAX,
        proxy_max=PROXY_LIMIT_MAX,
    )


async def _managed_matter(db: AsyncSession, actor: Actor, matter_id: int) -> Matter:
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    return matter


@get("/matters/{matter_id:int}/meetings/new", name="console-meeting-new")
async def new_meeting_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    matter = await _managed_matter(db, actor, matter_id)
    kind = meetings.MEETING_KIND_OF_MATTER.get(matter.kind, "general")
    form = {"kind": kind, "proxy_limit": "1", "title": ""}
    return await _plan_page(request, db, ctx, actor, matter, None, form=form)


@post("/matters/{matter_id:int}/meetings/new")
async def new_meeting(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    matter = await _managed_matter(db, actor, matter_id)
    form = await read_form(request, *PLAN_FIELDS)
    errors: Errors = {}
    plan = Plan(form, errors)
    if errors or plan.starts_at is None:
        return await _plan_page(
            request, db, ctx, actor, matter, None, form=form, errors=errors, status_code=422
        )
    try:
        meeting = await meetings.create_meeting(
            db,
            actor,
            matter_id=matter.id,
            title=plan.title,
            kind=plan.kind,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            venue=plan.venue,
            agenda=plan.agenda,
            proxy_limit=plan.proxy_limit,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _plan_page(
            request,
            db,
            ctx,
            actor,
            matter,
            None,
            form=form,
            error=message_of(refused),
            status_code=refused.status if refused.status >= 400 else 422,
        )
    return await meeting_page(
        request, db, ctx, actor, meeting.id, message=gettext_("The meeting is planned.")
    )


@get("/meetings/{meeting_id:int}/edit", name="console-meeting-edit")
async def edit_meeting_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    meeting = await meetings.meeting_for(db, actor, meeting_id, "manage_ballots")
    matter = await matters.get_matter(db, meeting.matter_id)
    return await _plan_page(request, db, ctx, actor, matter, meeting, form=plan_form(meeting))


@post("/meetings/{meeting_id:int}/edit")
async def edit_meeting(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    meeting = await meetings.meeting_for(db, actor, meeting_id, "manage_ballots")
    matter = await matters.get_matter(db, meeting.matter_id)
    form = await read_form(request, *PLAN_FIELDS)
    errors: Errors = {}
    plan = Plan(form, errors)
    if errors or plan.starts_at is None:
        return await _plan_page(
            request, db, ctx, actor, matter, meeting, form=form, errors=errors, status_code=422
        )
    try:
        await meetings.update_meeting(
            db,
            actor,
            meeting.id,
            title=plan.title,
            kind=plan.kind,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            venue=plan.venue,
            agenda=plan.agenda,
            proxy_limit=plan.proxy_limit,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _plan_page(
            request,
            db,
            ctx,
            actor,
            matter,
            meeting,
            form=form,
            error=message_of(refused),
            status_code=refused.status if refused.status >= 400 else 422,
        )
    return await meeting_page(request, db, ctx, actor, meeting_id, message=gettext_("Saved."))


async def meeting_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    """The meeting's page, with a notice, or with a form's typing and its errors."""
    meeting = await readable_meeting(db, actor, meeting_id)
    matter = await matters.get_matter(db, meeting.matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    held = list(await meetings.meeting_ballots(db, meeting.id))
    drafts = list(
        await db.scalars(
            select(Ballot)
            .where(
                Ballot.matter_id == matter.id,
                Ballot.state == "draft",
                Ballot.meeting_id.is_(None),
            )
            .order_by(Ballot.id)
        )
    )
    return console_page(
        request,
        ctx,
        actor,
        "console/meeting.html",
        section="meetings",
        status_code=status_code,
        meeting=meeting,
        matter=matter,
        unit=unit,
        held=held,
        drafts_choices=[(ballot.id, ballot.title) for ballot in drafts],
        attendance=list(await attendance_list(db, meeting.id)),
        checked_in_by=await meetings.checked_in_by(db, meeting.id),
        files=list(await list_files(db, meeting.id)),
        speakers=list(await list_speakers(db, meeting.id)),
        self_signed=await self_signed_ids(db, meeting),
        sign_up_open=sign_up_is_open(meeting),
        base_url=ctx.settings.base_url,
        form={"minutes": meeting.minutes} | (form or {}),
        errors=errors or {},
        message=message,
        error=error,
        may_manage=can(actor, "manage_ballots"),
        minutes_max=LONG_TEXT_LENGTH,
        **LABELS,
    )


@get("/meetings/{meeting_id:int}", name="console-meeting")
async def meeting_detail(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    return await meeting_page(request, db, ctx, actor, meeting_id)


MOVES = ("start_checkin", "end")


@post("/meetings/{meeting_id:int}/move")
async def move(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    await meetings.meeting_for(db, actor, meeting_id, "manage_ballots")
    typed = await read_form(request, "move")
    if typed["move"] not in MOVES:
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            error=gettext_("Choose one of the buttons."),
            status_code=422,
        )
    try:
        await meetings.move_meeting(db, actor, meeting_id, typed["move"])
        await db.commit()
        meeting_changed(request.app, meeting_id)  # the projector shows or hides the code
    except DomainError as refused:
        await db.rollback()
        return await meeting_page(
            request, db, ctx, actor, meeting_id, error=message_of(refused), status_code=409
        )
    done = (
        gettext_("Check-in is open: show the venue code on the projector.")
        if typed["move"] == "start_checkin"
        else gettext_("The meeting has ended: no more check-ins.")
    )
    return await meeting_page(request, db, ctx, actor, meeting_id, message=done)


@post("/meetings/{meeting_id:int}/ballots")
async def hold_ballot(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    meeting = await meetings.meeting_for(db, actor, meeting_id, "manage_ballots")
    typed = await read_form(request, "ballot", "requires_checkin")
    ballot_id = parse_id(typed["ballot"])
    ballot = await db.get(Ballot, ballot_id) if ballot_id is not None else None
    if ballot is None or ballot.matter_id != meeting.matter_id or ballot.state != "draft":
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            form=typed,
            errors={"ballot": gettext_("Choose a draft ballot from the list.")},
            status_code=422,
        )
    try:
        await meetings.hold_ballot_at(
            db, actor, ballot.id, meeting.id, requires_checkin=typed["requires_checkin"] == "on"
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            form=typed,
            error=message_of(refused),
            status_code=refused.status,
        )
    return await meeting_page(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        message=gettext_("“%(title)s” is held at this meeting.") % {"title": ballot.title},
    )


@post("/meetings/{meeting_id:int}/minutes")
async def minutes(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    await meetings.meeting_for(db, actor, meeting_id, "manage_ballots")
    typed = await read_form(request, "minutes")
    errors: Errors = {}
    text = check_text(errors, "minutes", typed["minutes"], maximum=LONG_TEXT_LENGTH, required=False)
    if errors:
        return await meeting_page(
            request, db, ctx, actor, meeting_id, form=typed, errors=errors, status_code=422
        )
    await meetings.save_minutes(db, actor, meeting_id, text)
    await db.commit()
    return await meeting_page(
        request, db, ctx, actor, meeting_id, message=gettext_("The minutes are saved.")
    )


router = console_router(
    [
        meeting_list,
        new_meeting_form,
        new_meeting,
        edit_meeting_form,
        edit_meeting,
        meeting_detail,
        move,
        hold_ballot,
        minutes,
    ]
)
