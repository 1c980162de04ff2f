"""Console: when a ballot opens and closes by itself — typed in the unit's time (Beijing time),
stored in UTC, through :func:`ballots.schedule.schedule_ballot`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle, schedule
from ballots.access import Actor, require
from ballots.errors import DomainError, InvalidSchedule
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.console.matters import matter_detail_page
from vote.pages.times import DEFAULT_ZONE
from vote.web import AppContext

FIELDS = ("opens_at", "closes_at")


def typed_time(value: datetime | None, zone: str = DEFAULT_ZONE) -> str:
    """A stored UTC time as a ``datetime-local`` field shows it in ``zone``."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%dT%H:%M}"


def parse_typed_time(
    text: str, field: str, errors: Errors, zone: str = DEFAULT_ZONE
) -> datetime | None:
    """A time typed in ``zone`` (``2026-12-05T18:00`` or ``2026-12-05 18:00``), or None when
    empty; notes in ``errors`` why it cannot be read."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        errors[field] = gettext_("Write a date and time like 2026-12-05 18:00.")
        return None
    if parsed.tzinfo is not None:
        errors[field] = gettext_("Write a date and time like 2026-12-05 18:00.")
        return None
    return parsed.replace(tzinfo=ZoneInfo(zone))


async def _page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    unit = await lifecycle.ballot_unit(db, ballot)
    require(actor, "manage_ballots", unit.path)
    shown = {"opens_at": typed_time(ballot.opens_at), "closes_at": typed_time(ballot.closes_at)}
    return console_page(
        request,
        ctx,
        actor,
        "console/ballot_schedule.html",
        section="matters",
        status_code=status_code,
        ballot=ballot,
        form=form if form is not None else shown,
        errors=errors or {},
        error=error,
    )


@get("/ballots/{ballot_id:int}/schedule", name="console-ballot-schedule")
async def schedule_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    return await _page(request, db, ctx, actor, ballot_id)


@post("/ballots/{ballot_id:int}/schedule")
async def schedule_submit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    form = await read_form(request, *FIELDS)
    ballot = await lifecycle.get_ballot(db, ballot_id)
    errors: Errors = {}
    opens_at = parse_typed_time(form["opens_at"], "opens_at", errors)
    closes_at = parse_typed_time(form["closes_at"], "closes_at", errors)
    if ballot.state == "open":  # the opening time is history now; the form shows it read-only
        opens_at = ballot.opens_at.replace(tzinfo=UTC) if ballot.opens_at else None
    if errors:
        return await _page(
            request, db, ctx, actor, ballot_id, form=form, errors=errors, status_code=422
        )
    try:
        scheduled = await schedule.schedule_ballot(db, actor, ballot_id, opens_at, closes_at)
        await db.commit()
    except InvalidSchedule as refused:
        await db.rollback()
        field = str(refused.params.get("field", ""))
        if field in FIELDS:
            errors[field] = message_of(refused)
            return await _page(
                request, db, ctx, actor, ballot_id, form=form, errors=errors, status_code=422
            )
        return await _page(
            request,
            db,
            ctx,
            actor,
            ballot_id,
            form=form,
            error=message_of(refused),
            status_code=422,
        )
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            ballot_id,
            form=form,
            error=message_of(refused),
            status_code=refused.status,
        )
    message = gettext_("The schedule of “%(title)s” is saved.") % {"title": scheduled.title}
    return await matter_detail_page(request, db, ctx, actor, scheduled.matter_id, message=message)


router = console_router([schedule_form, schedule_submit])
