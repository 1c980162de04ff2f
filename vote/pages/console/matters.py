"""Console: matters (decision records) — list and filter, create, edit, add a note, the timeline."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, can, require
from ballots.errors import DomainError
from ballots.meetings.meetings import list_meetings
from ballots.models import Ballot, Matter, Unit
from ballots.models.bounds import ID_MAX, LONG_TEXT_LENGTH, TITLE_LENGTH
from ballots.models.matters import MATTER_KINDS
from ballots.notices.notices import notices_of
from vote.api.params import IdParam, SearchParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    check_text,
    console_page,
    console_router,
    level_label,
    message_of,
    read_form,
)
from vote.pages.labels import kind_label
from vote.pages.meeting_labels import meeting_state_label
from vote.pages.notice_labels import notice_state_label
from vote.web import AppContext


def parse_id(value: str) -> int | None:
    """A row id typed into a form or query, or None when it is not one."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


async def unit_choices(db: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """Units of the actor's subtree for a select box, indented by depth."""
    found = list(await units.list_units(db, actor.unit_path))
    top = actor.unit_path.count("/")
    return [
        (
            unit.id,
            "\u3000" * (unit.path.count("/") - top) + f"{unit.name} ({level_label(unit.level)})",
        )
        for unit in found
    ]


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in MATTER_KINDS]


@get("/matters", name="console-matters")
async def matter_list(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: SearchParam = "",
    kind: SearchParam = "",
) -> Template:
    errors: Errors = {}
    within = actor.unit_path
    if unit:
        unit_id = parse_id(unit)
        if unit_id is None:
            errors["unit"] = gettext_("Choose a unit from the list.")
        else:
            chosen = await units.get_unit(db, unit_id)
            require(actor, "read", chosen.path)
            within = chosen.path
    if kind and kind not in MATTER_KINDS:
        errors["kind"] = gettext_("Choose a kind from the list.")
    found = [
        matter
        for matter in await matters.list_matters(db, within)
        if not kind or kind not in MATTER_KINDS or matter.kind == kind
    ]
    names = {id_: name for id_, name in await db.execute(select(Unit.id, Unit.name))}
    return console_page(
        request,
        ctx,
        actor,
        "console/matters.html",
        section="matters",
        status_code=422 if errors else 200,
        matters=found,
        unit_names=names,
        units=await unit_choices(db, actor),
        kinds=kind_choices(),
        form={"unit": unit, "kind": kind},
        errors=errors,
        may_manage=can(actor, "manage_ballots"),
    )


async def _new_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
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
        "console/matter_new.html",
        section="matters",
        status_code=status_code,
        units=await unit_choices(db, actor),
        kinds=kind_choices(),
        form=form,
        errors=errors or {},
        error=error,
        title_max=TITLE_LENGTH,
    )


@get("/matters/new", name="console-matter-new")
async def new_matter_form(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    require(actor, "manage_ballots", actor.unit_path)
    return await _new_form(request, db, ctx, actor, form={})


@post("/matters/new")
async def new_matter(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    require(actor, "manage_ballots", actor.unit_path)
    form = await read_form(request, "unit", "kind", "title", "description")
    errors: Errors = {}
    unit_id = parse_id(form["unit"])
    if unit_id is None:
        errors["unit"] = gettext_("Choose a unit from the list.")
    if form["kind"] not in MATTER_KINDS:
        errors["kind"] = gettext_("Choose a kind from the list.")
    title = check_text(errors, "title", form["title"], maximum=TITLE_LENGTH)
    description = check_text(
        errors, "description", form["description"], maximum=LONG_TEXT_LENGTH, required=False
    )
    if errors or unit_id is None:
        return await _new_form(request, db, ctx, actor, form=form, errors=errors, status_code=422)
    unit = await units.get_unit(db, unit_id)
    require(actor, "manage_ballots", unit.path)
    try:
        matter = await matters.create_matter(
            db, actor, unit_id=unit.id, kind=form["kind"], title=title, description=description
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _new_form(
            request, db, ctx, actor, form=form, error=message_of(refused), status_code=422
        )
    return await matter_detail_page(
        request, db, ctx, actor, matter.id, message=gettext_("The matter is recorded.")
    )


async def _readable_matter(db: AsyncSession, actor: Actor, matter_id: int) -> tuple[Matter, Unit]:
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "read", unit.path)
    return matter, unit


async def matter_detail_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    matter, unit = await _readable_matter(db, actor, matter_id)
    ballots = list(
        (
            await db.scalars(
                select(Ballot).where(Ballot.matter_id == matter.id).order_by(Ballot.id)
            )
        ).all()
    )
    return console_page(
        request,
        ctx,
        actor,
        "console/matter.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        unit=unit,
        ballots=ballots,
        ballot_titles={ballot.id: ballot.title for ballot in ballots},
        events=list(await matters.timeline(db, matter.id)),
        meetings=list(await list_meetings(db, matter.id)),
        meeting_state_label=meeting_state_label,
        notices=list(await notices_of(db, matter.id)),
        notice_state_label=notice_state_label,
        form={"title": matter.title, "description": matter.description} | (form or {}),
        errors=errors or {},
        message=message,
        error=error,
        may_manage=can(actor, "manage_ballots"),
        title_max=TITLE_LENGTH,
    )


@get("/matters/{matter_id:int}", name="console-matter")
async def matter_detail(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    return await matter_detail_page(request, db, ctx, actor, matter_id)


@post("/matters/{matter_id:int}/edit")
async def edit_matter(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    matter, unit = await _readable_matter(db, actor, matter_id)
    require(actor, "manage_ballots", unit.path)
    form = await read_form(request, "title", "description")
    errors: Errors = {}
    title = check_text(errors, "title", form["title"], maximum=TITLE_LENGTH)
    description = check_text(
        errors, "description", form["description"], maximum=LONG_TEXT_LENGTH, required=False
    )
    if errors:
        return await matter_detail_page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await matters.update_matter(db, actor, matter.id, title=title, description=description)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await matter_detail_page(
            request,
            db,
            ctx,
            actor,
            matter_id,
            form=form,
            error=message_of(refused),
            status_code=422,
        )
    return await matter_detail_page(request, db, ctx, actor, matter_id, message=gettext_("Saved."))


@post("/matters/{matter_id:int}/notes")
async def add_note(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    _matter, unit = await _readable_matter(db, actor, matter_id)
    require(actor, "manage_ballots", unit.path)
    typed = await read_form(request, "note")
    errors: Errors = {}
    text = check_text(errors, "note", typed["note"], maximum=LONG_TEXT_LENGTH)
    if errors:
        return await matter_detail_page(
            request, db, ctx, actor, matter_id, form=typed, errors=errors, status_code=422
        )
    await matters.add_note(db, actor, matter_id, text)
    await db.commit()
    return await matter_detail_page(
        request, db, ctx, actor, matter_id, message=gettext_("The note is added.")
    )


router = console_router(
    [matter_list, new_matter_form, new_matter, matter_detail, edit_matter, add_note]
)
