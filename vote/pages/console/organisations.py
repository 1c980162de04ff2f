"""Console: the organisations register (职能部门, 企业, 物业, 服务机构…) of a unit — its own and
those inherited from the units above (marked), adding, editing and no longer offering one.
Contact phones are shown here, to chairs only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import organisations, units
from ballots.access import Actor, can, require
from ballots.errors import DomainError
from ballots.listings import Window
from ballots.models import Organisation, Unit
from ballots.organisations import CONTACT_MAX, NAME_MAX, ORGANISATION_KINDS, PHONE_MAX
from vote.api.params import IdParam, PageParam, SearchParam
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
from vote.pages.console.matters import parse_id
from vote.pages.followup_labels import organisation_kind_label
from vote.pages.paging import one_page, pager
from vote.web import AppContext

FIELDS = ("name", "kind", "contact_name", "contact_phone", "active")


class Entry:
    """An organisation as read from the form (valid when ``errors`` stays empty)."""

    def __init__(self, form: Form, errors: Errors) -> None:
        self.name = check_text(errors, "name", form["name"], maximum=NAME_MAX)
        self.kind = form["kind"]
        if self.kind not in ORGANISATION_KINDS:
            errors["kind"] = gettext_("Choose a kind from the list.")
        self.contact_name = check_text(
            errors, "contact_name", form["contact_name"], maximum=CONTACT_MAX, required=False
        )
        self.contact_phone = check_text(
            errors, "contact_phone", form["contact_phone"], maximum=PHONE_MAX, required=False
        )
        self.active = form["active"] != "no"


async def _unit(db: AsyncSession, actor: Actor, unit_id: int | None) -> tuple[Unit, list[Unit]]:
    """The unit shown (the chair's own unless another of their units is chosen) and the units
    the chair may choose from."""
    within = list(await units.list_units(db, actor.unit_path))
    if not within:
        require(actor, "read", "/")
        raise DomainError(gettext_("There are no units yet."))
    if unit_id is None:
        return min(within, key=lambda unit: (len(unit.path), unit.id)), within
    unit = await units.get_unit(db, unit_id)
    require(actor, "read", unit.path)
    return unit, within


async def organisations_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit_id: int | None,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    editing: int | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
    page_number: int = 1,
) -> Template:
    unit, within = await _unit(db, actor, unit_id)

    async def fetch(offset: int, limit: int) -> Window[Organisation]:
        return await organisations.organisations_window(db, unit, offset, limit)

    found, shown_page, last = await one_page(fetch, page_number)
    return console_page(
        request,
        ctx,
        actor,
        "console/organisations.html",
        section="organisations",
        status_code=status_code,
        unit=unit,
        units=within,
        organisations=found.items,
        total=found.total,
        **pager(
            "/chair/organisations",
            shown_page,
            last,
            unit=unit.id if unit_id is not None else None,
        ),
        may_manage=can(actor, "manage_ballots"),
        kinds=[(kind, organisation_kind_label(kind)) for kind in ORGANISATION_KINDS],
        organisation_kind_label=organisation_kind_label,
        editing=editing,
        form=form or {"kind": "department"},
        errors=errors or {},
        message=message,
        error=error,
    )


@get("/organisations", name="console-organisations")
async def show(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: SearchParam = "",
    page: PageParam = 1,
) -> Template:
    """``unit`` chooses one of the chair's units (the chair's own when absent or not a number);
    :data:`~vote.pages.paging.PAGE_SIZE` organisations a page."""
    return await organisations_page(
        request, db, ctx, actor, parse_id(unit) if unit else None, page_number=page
    )


@post("/units/{unit_id:int}/organisations")
async def add(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit_id: IdParam,
) -> Template:
    form = await read_form(request, *FIELDS)
    errors: Errors = {}
    entry = Entry(form, errors)
    if errors:
        return await organisations_page(
            request, db, ctx, actor, unit_id, form=form, errors=errors, status_code=422
        )
    try:
        await organisations.add_organisation(
            db,
            actor,
            unit_id=unit_id,
            name=entry.name,
            kind=entry.kind,
            contact_name=entry.contact_name,
            contact_phone=entry.contact_phone,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await organisations_page(
            request,
            db,
            ctx,
            actor,
            unit_id,
            form=form,
            error=message_of(refused),
            status_code=refused.status if refused.status >= 400 else 422,
        )
    return await organisations_page(
        request, db, ctx, actor, unit_id, message=gettext_("The organisation is added.")
    )


@get("/organisations/{organisation_id:int}/edit", name="console-organisation-edit")
async def edit_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    organisation_id: IdParam,
) -> Template:
    organisation = await organisations.get_organisation(db, organisation_id)
    unit = await units.get_unit(db, organisation.unit_id)
    require(actor, "manage_ballots", unit.path)
    form = {
        "name": organisation.name,
        "kind": organisation.kind,
        "contact_name": organisation.contact_name,
        "contact_phone": organisation.contact_phone,
        "active": "yes" if organisation.active else "no",
    }
    return await organisations_page(
        request, db, ctx, actor, unit.id, form=form, editing=organisation.id
    )


@post("/organisations/{organisation_id:int}/edit")
async def edit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    organisation_id: IdParam,
) -> Template:
    organisation = await organisations.get_organisation(db, organisation_id)
    unit_id = organisation.unit_id
    form = await read_form(request, *FIELDS)
    errors: Errors = {}
    entry = Entry(form, errors)
    if errors:
        return await organisations_page(
            request,
            db,
            ctx,
            actor,
            unit_id,
            form=form,
            errors=errors,
            editing=organisation_id,
            status_code=422,
        )
    try:
        await organisations.update_organisation(
            db,
            actor,
            organisation_id,
            name=entry.name,
            kind=entry.kind,
            contact_name=entry.contact_name,
            contact_phone=entry.contact_phone,
            active=entry.active,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await organisations_page(
            request,
            db,
            ctx,
            actor,
            unit_id,
            form=form,
            editing=organisation_id,
            error=message_of(refused),
            status_code=refused.status if refused.status >= 400 else 422,
        )
    return await organisations_page(request, db, ctx, actor, unit_id, message=gettext_("Saved."))


router = console_router([show, add, edit_form, edit])
