"""Console: a matter's links to other matters and its referrals up or down a level
(:mod:`ballots.matter_links`), at ``/chair/matters/{id}/links``."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matter_links, matters, units
from ballots.access import Actor, can, require
from ballots.errors import DomainError
from ballots.models import Unit
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
from vote.pages.matter_link_labels import link_kind_label
from vote.web import AppContext


async def _page(
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
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "read", unit.path)
    candidates = [
        (str(other.id), other.title)
        for other in await matters.list_matters(db, actor.unit_path)
        if other.id != matter.id
    ]
    levels: list[tuple[str, str]] = []
    if unit.parent_id is not None:
        parent = await units.get_unit(db, unit.parent_id)
        levels.append((str(parent.id), gettext_("Up to %(name)s") % {"name": parent.name}))
    for child in await db.scalars(
        select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name)
    ):
        levels.append((str(child.id), gettext_("Down to %(name)s") % {"name": child.name}))
    return console_page(
        request,
        ctx,
        actor,
        "console/matter_links.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        unit=unit,
        links=await matter_links.links_of(db, matter.id),
        referrals=await matter_links.referrals_of(db, matter.id),
        candidates=candidates,
        kinds=[(kind, link_kind_label(kind)) for kind in matter_links.LINK_KINDS],
        levels=levels,
        link_kind_label=link_kind_label,
        form=form or {},
        errors=errors or {},
        message=message,
        error=error,
        may_manage=can(actor, "manage_ballots"),
    )


@get("/matters/{matter_id:int}/links", name="console-matter-links")
async def links_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    return await _page(request, db, ctx, actor, matter_id)


@post("/matters/{matter_id:int}/links")
async def add_link(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, "other", "kind")
    errors: Errors = {}
    if not form["other"].isdigit():
        errors["other"] = gettext_("Choose the other matter.")
    if form["kind"] not in matter_links.LINK_KINDS:
        errors["kind"] = gettext_("Choose how the two matters relate.")
    if errors:
        return await _page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await matter_links.link_matters(db, actor, matter_id, int(form["other"]), form["kind"])
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            matter_id,
            form=form,
            errors={"other": message_of(refused)},
            status_code=refused.status,
        )
    return await _page(request, db, ctx, actor, matter_id, message=gettext_("Linked."))


@post("/matters/{matter_id:int}/links/{link_id:int}/remove")
async def remove_link(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    link_id: IdParam,
) -> Template:
    try:
        await matter_links.unlink_matters(db, actor, link_id)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            matter_id,
            error=message_of(refused),
            status_code=refused.status,
        )
    return await _page(request, db, ctx, actor, matter_id, message=gettext_("The link is removed."))


@post("/matters/{matter_id:int}/refer")
async def refer(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, "to_unit", "reason")
    errors: Errors = {}
    if not form["to_unit"].isdigit():
        errors["to_unit"] = gettext_("Choose where to refer the matter.")
    if not form["reason"].strip():
        errors["reason"] = gettext_("Say why the matter is referred.")
    elif len(form["reason"]) > matter_links.REASON_MAX:
        errors["reason"] = gettext_("At most %(n)s characters.") % {"n": matter_links.REASON_MAX}
    if errors:
        return await _page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await matter_links.refer_matter(db, actor, matter_id, int(form["to_unit"]), form["reason"])
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            matter_id,
            form=form,
            errors={"to_unit": message_of(refused)},
            status_code=refused.status,
        )
    return await _page(
        request,
        db,
        ctx,
        actor,
        matter_id,
        message=gettext_("Referred: the receiving unit now has the matter on its own record."),
    )


router = console_router([links_page, add_link, remove_link, refer])
