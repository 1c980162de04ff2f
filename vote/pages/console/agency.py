"""Console: the agency (代理) — the inbox of the chair's units (waiting first, overdue marked
with days), one demand with its history and every handling step (accept, forward, reply, 催办,
close, escalate to a coordination matter), the QR posters with their printable A4 sheet and PDF, the
demand categories with reply deadlines, and the 三率 statistics per unit and period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.agency import demands as service
from ballots.agency.categories import (
    DEADLINE_MAX,
    NAME_MAX,
    add_category,
    categories_of,
    update_category,
)
from ballots.agency.posters import BUILDING_MAX, create_poster, deactivate_poster, posters_of
from ballots.agency.stats import current_period, period, three_rates
from ballots.errors import N_, DomainError, NotFound
from ballots.models import Organisation, Poster, Unit
from ballots.organisations import organisations_for
from ballots.units import get_unit
from ballots.uploads import read_upload
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    check_text,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.errors import page
from vote.printing.poster import PosterText, render_poster_pdf
from vote.printing.qr import qr_svg
from vote.web import AppContext

PAGE_SIZE = 30
StateQuery = Annotated[
    Literal["", "open", "received", "accepted", "forwarded", "replied", "escalated", "closed"],
    Parameter(query="state"),
]
PeriodQuery = Literal["month", "quarter", "year"]
YearQuery = Annotated[int, Parameter(ge=2000, le=2100)]
NumberQuery = Annotated[int, Parameter(ge=1, le=12)]
PageQuery = Annotated[int, Parameter(ge=1, le=100_000)]


async def _own_units(db: AsyncSession, actor: Actor) -> list[Unit]:
    """The units of the chair's subtree, by path."""
    query = select(Unit).where(Unit.path.startswith(actor.unit_path)).order_by(Unit.path)
    return list((await db.scalars(query)).all())


@get("/agency", name="console-agency")
async def agency_inbox(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    state_filter: StateQuery = "open",
    overdue: bool = False,
    page: PageQuery = 1,
) -> Template:
    """The inbox: waiting demands first, overdue ones marked with their days; a page past the
    last shows the last."""

    async def fetch(number: int) -> service.InboxPage:
        return await service.inbox(
            db,
            actor,
            state=state_filter,
            overdue_only=overdue,
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )

    found = await fetch(page)
    if page > (last := max(1, -(-found.total // PAGE_SIZE))):
        page = last
        found = await fetch(page)
    now = datetime.now(UTC)
    rows = []
    for demand in found.demands:
        labels = await service.labels_of(db, demand)
        unit = await get_unit(db, demand.unit_id)
        rows.append((demand, labels, unit, service.overdue_days(demand, now)))
    return console_page(
        request,
        ctx,
        actor,
        "console/agency.html",
        section="agency",
        rows=rows,
        total=found.total,
        state=state_filter,
        overdue=overdue,
        page=page,
        last=max(1, -(-found.total // PAGE_SIZE)),
        base=f"/chair/agency?state={state_filter}" + ("&overdue=true" if overdue else ""),
    )


async def _demand_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    demand_id: int,
    *,
    message: str = "",
    error: str = "",
    errors: Errors | None = None,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    demand, unit = await service.get_demand(db, actor, demand_id)
    labels = await service.labels_of(db, demand)
    organisation = (
        await db.get(Organisation, demand.organisation_id) if demand.organisation_id else None
    )
    return console_page(
        request,
        ctx,
        actor,
        "console/agency_demand.html",
        section="agency",
        status_code=status_code,
        demand=demand,
        unit=unit,
        labels=labels,
        overdue_days=service.overdue_days(demand),
        events=await service.history(db, demand.id),
        organisations=await organisations_for(db, unit),
        organisation=organisation,
        message=message,
        error=error,
        errors=errors or {},
        form=form or {},
    )


@get("/agency/{demand_id:int}", name="console-agency-demand")
async def agency_demand(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    demand_id: IdParam,
) -> Template:
    return await _demand_page(request, db, ctx, actor, demand_id)


@get("/agency/{demand_id:int}/photo")
async def agency_photo(
    db: AsyncSession, ctx: AppContext, actor: Actor, demand_id: IdParam
) -> Response[bytes]:
    """The demand's photo, as its detected image type (never HTML)."""
    demand, _unit = await service.get_demand(db, actor, demand_id)
    data = read_upload(ctx.settings.data_dir, demand.photo or "")
    if data is None or demand.photo_type is None:
        raise NotFound(what="file", id=demand_id)
    return Response(
        content=data,
        media_type=demand.photo_type,
        headers={
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


STEPS = ("accept", "forward", "reply", "remind", "close", "escalate")
STEP_DONE = {
    "accept": N_("You took the demand on: you are its first receiver."),
    "forward": N_("The demand is passed on."),
    "reply": N_("The reply is sent; the resident reads it through their link."),
    "remind": N_("The reminder (催办) is recorded."),
    "close": N_("The demand is closed."),
    "escalate": N_("A coordination matter is created for the demand."),
}


@post("/agency/{demand_id:int}/{step:str}")
async def agency_step(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    demand_id: IdParam,
    step: Annotated[str, Parameter(max_length=16)],
) -> Template:
    """One handling step; a refusal shows beside the form, changing nothing."""
    if step not in STEPS:
        raise NotFound(what="action", id=demand_id)
    form = await read_form(request, "organisation_id", "note", "text", "resolved", "title")
    errors: Errors = {}
    note = check_text(errors, "note", form["note"], maximum=service.NOTE_MAX, required=False)
    try:
        if step == "accept":
            await service.accept_demand(db, actor, demand_id)
        elif step == "forward":
            chosen = form["organisation_id"]
            if not (chosen.isascii() and chosen.isdigit() and len(chosen) < 10):
                errors["organisation_id"] = gettext_("Choose the organisation to pass it to.")
            if errors:
                raise _FormErrors()
            await service.forward_demand(
                db, actor, demand_id, organisation_id=int(chosen), note=note
            )
        elif step == "reply":
            text = check_text(errors, "text", form["text"], maximum=service.REPLY_MAX)
            if form["resolved"] not in ("yes", "no"):
                errors["resolved"] = gettext_("Say whether the problem is resolved.")
            if errors:
                raise _FormErrors()
            await service.reply_demand(
                db, actor, demand_id, text=text, resolved=form["resolved"] == "yes"
            )
        elif step == "remind":
            if errors:
                raise _FormErrors()
            await service.remind_demand(db, actor, demand_id, note=note)
        elif step == "close":
            if errors:
                raise _FormErrors()
            await service.close_demand(db, actor, demand_id, note=note)
        else:
            title = check_text(errors, "title", form["title"], maximum=200, required=False)
            if errors:
                raise _FormErrors()
            await service.escalate_demand(db, actor, demand_id, title=title)
        await db.commit()
    except _FormErrors:
        await db.rollback()
        return await _demand_page(
            request, db, ctx, actor, demand_id, errors=errors, form=form, status_code=422
        )
    except DomainError as refused:
        await db.rollback()
        if refused.status in (401, 403, 404):
            raise
        return await _demand_page(
            request,
            db,
            ctx,
            actor,
            demand_id,
            error=message_of(refused),
            form=form,
            status_code=refused.status,
        )
    return await _demand_page(request, db, ctx, actor, demand_id, message=gettext_(STEP_DONE[step]))


class _FormErrors(Exception):
    """A form field is wrong: show the page with the errors beside the fields."""


async def _posters_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    message: str = "",
    error: str = "",
    errors: Errors | None = None,
    form: Form | None = None,
    status_code: int = 200,
) -> Template:
    units = await _own_units(db, actor)
    posters = []
    for unit in units:
        for poster in await posters_of(db, actor, unit.id):
            posters.append((unit, poster))
    categories = [
        (unit, await categories_of(db, unit.id, include_inactive=True))
        for unit in units
        if unit.level == "area"
    ]
    await db.commit()  # default categories of areas that had none
    return console_page(
        request,
        ctx,
        actor,
        "console/agency_posters.html",
        section="agency",
        status_code=status_code,
        units=units,
        posters=posters,
        categories=categories,
        base_url=ctx.settings.base_url,
        message=message,
        error=error,
        errors=errors or {},
        form=form or {},
        building_max=BUILDING_MAX,
        name_max=NAME_MAX,
        deadline_max=DEADLINE_MAX,
    )


@get("/agency/posters", name="console-agency-posters")
async def agency_posters(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    return await _posters_page(request, db, ctx, actor)


def _unit_choice(errors: Errors, value: str) -> int:
    if value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    errors["unit_id"] = gettext_("Choose the residential area.")
    return 0


@post("/agency/posters")
async def agency_new_poster(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    form = await read_form(request, "unit_id", "building")
    errors: Errors = {}
    unit_id = _unit_choice(errors, form["unit_id"])
    building = check_text(
        errors, "building", form["building"], maximum=BUILDING_MAX, required=False
    )
    if errors:
        return await _posters_page(
            request, db, ctx, actor, errors=errors, form=form, status_code=422
        )
    try:
        poster = await create_poster(db, actor, unit_id=unit_id, building=building)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _posters_page(
            request,
            db,
            ctx,
            actor,
            error=message_of(refused),
            form=form,
            status_code=refused.status,
        )
    where = poster.building or gettext_("the whole area")
    return await _posters_page(
        request,
        db,
        ctx,
        actor,
        message=gettext_("The poster for %(where)s is ready to print.") % {"where": where},
    )


@post("/agency/posters/{poster_id:int}/deactivate")
async def agency_stop_poster(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    poster_id: IdParam,
) -> Template:
    await deactivate_poster(db, actor, poster_id)
    await db.commit()
    return await _posters_page(
        request,
        db,
        ctx,
        actor,
        message=gettext_("The poster is withdrawn: its QR code no longer opens the form."),
    )


@get("/agency/posters/{poster_id:int}/print", name="console-agency-poster-print")
async def agency_poster_print(
    db: AsyncSession, ctx: AppContext, actor: Actor, poster_id: IdParam
) -> Template:
    """The A4 poster to print: big text, the QR code to the form, the address under it."""
    poster = await db.get(Poster, poster_id)
    if poster is None:
        raise NotFound(what="ID", id=poster_id)
    unit = await get_unit(db, poster.unit_id)
    require(actor, "read", unit.path)
    link = f"{ctx.settings.base_url}/d/{poster.token}"
    return page(
        "agency_poster.html",
        poster=poster,
        unit=unit,
        link=link,
        qr=Markup(qr_svg(link, gettext_("QR code: tell the residents' committee"))),  # noqa: S704 - our own SVG
    )


POSTER_STEPS = (
    N_("Scan the code with your phone's camera or WeChat."),
    N_("Choose what it is about and say what the problem is. You can add a photo."),
    N_("Keep the link you get: it shows the reply, and there you say whether you are satisfied."),
)


async def poster_pdf(db: AsyncSession, ctx: AppContext, actor: Actor, poster_id: int) -> bytes:
    """The poster as an A4 PDF in the request's language (chairs who may read its unit)."""
    poster = await db.get(Poster, poster_id)
    if poster is None:
        raise NotFound(what="ID", id=poster_id)
    unit = await get_unit(db, poster.unit_id)
    require(actor, "read", unit.path)
    text = PosterText(
        title=gettext_("Something to report? Tell the residents' committee: scan here"),
        where=poster.building or gettext_("Whole area"),
        steps=[gettext_(step) for step in POSTER_STEPS],
        note=gettext_("No account needed. Your phone number is optional and never made public."),
        address_label=gettext_("Cannot scan? Open: "),
        unit_name=unit.name,
    )
    return render_poster_pdf(text, f"{ctx.settings.base_url}/d/{poster.token}")


def poster_pdf_headers(poster_id: int) -> dict[str, str]:
    return {
        "content-disposition": f'attachment; filename="poster-{poster_id}.pdf"',
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
    }


@get("/agency/posters/{poster_id:int}/pdf", name="console-agency-poster-pdf")
async def agency_poster_pdf(
    db: AsyncSession, ctx: AppContext, actor: Actor, poster_id: IdParam
) -> Response[bytes]:
    """The poster as an A4 PDF to download and print."""
    return Response(
        content=await poster_pdf(db, ctx, actor, poster_id),
        media_type="application/pdf",
        headers=poster_pdf_headers(poster_id),
    )


@post("/agency/categories")
async def agency_categories(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    """Add a category, or change one (``category_id``): its name, deadline, whether offered."""
    form = await read_form(request, "unit_id", "category_id", "name", "deadline_days", "active")
    errors: Errors = {}
    name = check_text(errors, "name", form["name"], maximum=NAME_MAX)
    days_text = form["deadline_days"].strip()
    days = (
        int(days_text) if days_text.isascii() and days_text.isdigit() and len(days_text) < 4 else 0
    )
    if not 1 <= days <= DEADLINE_MAX:
        errors["deadline_days"] = gettext_("A whole number of days from 1 to %(n)s, please.") % {
            "n": DEADLINE_MAX
        }
    category_id = form["category_id"]
    if errors:
        return await _posters_page(
            request, db, ctx, actor, errors=errors, form=form, status_code=422
        )
    try:
        if category_id.isascii() and category_id.isdigit() and len(category_id) < 10:
            await update_category(
                db,
                actor,
                int(category_id),
                name=name,
                deadline_days=days,
                active=bool(form["active"]),
            )
        else:
            unit_id = _unit_choice(errors, form["unit_id"])
            if errors:
                return await _posters_page(
                    request, db, ctx, actor, errors=errors, form=form, status_code=422
                )
            await add_category(db, actor, unit_id=unit_id, name=name, deadline_days=days)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _posters_page(
            request,
            db,
            ctx,
            actor,
            error=message_of(refused),
            form=form,
            status_code=refused.status,
        )
    return await _posters_page(
        request, db, ctx, actor, message=gettext_("The categories are saved.")
    )


@get("/agency/stats", name="console-agency-stats")
async def agency_stats(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    kind: PeriodQuery = "month",
    year: YearQuery | None = None,
    number: NumberQuery | None = None,
    unit_id: IdParam | None = None,
) -> Template | Redirect:
    """三率 per unit for a month, quarter or year, with how each rate is counted."""
    units = await _own_units(db, actor)
    if not units:
        raise NotFound(what="unit", id=0)
    chosen = unit_id or units[0].id
    try:
        when = current_period(kind) if year is None else period(kind, year, number or 1)
        rows = await three_rates(db, actor, chosen, when)
        error = ""
    except DomainError as refused:
        if refused.status in (401, 403):
            raise
        when, rows, error = (
            current_period(kind),
            await three_rates(db, actor, chosen, current_period(kind)),
            message_of(refused),
        )
    return console_page(
        request,
        ctx,
        actor,
        "console/agency_stats.html",
        section="agency",
        status_code=422 if error else 200,
        error=error,
        units=units,
        chosen=chosen,
        when=when,
        rows=rows,
        years=list(range(datetime.now(UTC).year, 2019, -1)),
    )


router = console_router(
    [
        agency_inbox,
        agency_posters,
        agency_new_poster,
        agency_stop_poster,
        agency_poster_print,
        agency_poster_pdf,
        agency_categories,
        agency_stats,
        agency_demand,
        agency_photo,
        agency_step,
    ]
)
