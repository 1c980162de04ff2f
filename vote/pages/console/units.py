"""Console: the unit tree of the chair's subtree; add a unit under another; rename one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import units
from ballots.access import Actor, can, require
from ballots.errors import DomainError, DuplicateName
from ballots.models import Unit
from ballots.models.bounds import UNIT_CODE_LENGTH, UNIT_NAME_LENGTH
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
from vote.web import AppContext

CODE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Node:
    """A unit and the units directly under it."""

    unit: Unit
    children: list[Node] = field(default_factory=list)


def build_tree(found: list[Unit]) -> list[Node]:
    """Nest units (ordered by path) under their parents; the tops are those without one here."""
    nodes = {unit.id: Node(unit) for unit in found}
    roots: list[Node] = []
    for unit in found:
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        (parent.children if parent else roots).append(nodes[unit.id])
    return roots


@get("/units", name="console-units")
async def unit_tree(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    return await _tree(request, db, ctx, actor)


async def _tree(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    message: str = "",
) -> Template:
    found = list(await units.list_units(db, actor.unit_path))
    return console_page(
        request,
        ctx,
        actor,
        "console/units.html",
        section="units",
        tree=build_tree(found),
        count=len(found),
        may_manage=can(actor, "manage_units"),
        child_level=units.CHILD_LEVEL,
        message=message,
    )


async def _managed_unit(db: AsyncSession, actor: Actor, unit_id: int) -> Unit:
    unit = await units.get_unit(db, unit_id)
    require(actor, "manage_units", unit.path)
    return unit


async def _after_rollback(db: AsyncSession, unit_id: int) -> Unit:
    """Undo the refused change and read the unit again for the form."""
    await db.rollback()
    return await units.get_unit(db, unit_id)


def _add_form(
    request: Request[Any, Any, Any],
    ctx: AppContext,
    actor: Actor,
    parent: Unit,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        actor,
        "console/unit_add.html",
        section="units",
        status_code=status_code,
        parent=parent,
        level=units.CHILD_LEVEL.get(parent.level, ""),
        form=form or {},
        errors=errors or {},
        error=error,
        name_max=UNIT_NAME_LENGTH,
        code_max=UNIT_CODE_LENGTH,
    )


@get("/units/{unit_id:int}/add", name="console-unit-add")
async def add_unit_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit_id: IdParam,
) -> Template:
    return _add_form(request, ctx, actor, await _managed_unit(db, actor, unit_id))


@post("/units/{unit_id:int}/add")
async def add_unit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit_id: IdParam,
) -> Template:
    parent = await _managed_unit(db, actor, unit_id)
    form = await read_form(request, "name", "code")
    errors: Errors = {}
    name = check_text(errors, "name", form["name"], maximum=UNIT_NAME_LENGTH)
    code = check_text(errors, "code", form["code"], maximum=UNIT_CODE_LENGTH)
    if "code" not in errors and not CODE.match(code):
        errors["code"] = gettext_("Use only letters, digits, - and _ (for example ruijin3).")
    level = units.CHILD_LEVEL.get(parent.level)
    if errors or level is None:
        return _add_form(request, ctx, actor, parent, form=form, errors=errors, status_code=422)
    try:
        created = await units.create_unit(
            db, actor, name=name, code=code, level=level, parent_id=parent.id
        )
        await db.commit()
    except DuplicateName:
        parent = await _after_rollback(db, unit_id)
        errors["code"] = gettext_("Another unit already has this code. Choose another.")
        return _add_form(request, ctx, actor, parent, form=form, errors=errors, status_code=409)
    except DomainError as refused:
        parent = await _after_rollback(db, unit_id)
        return _add_form(
            request, ctx, actor, parent, form=form, error=message_of(refused), status_code=422
        )
    return await _tree(
        request, db, ctx, actor, gettext_("Saved: %(name)s.") % {"name": created.name}
    )


def _rename_form(
    request: Request[Any, Any, Any],
    ctx: AppContext,
    actor: Actor,
    unit: Unit,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        actor,
        "console/unit_rename.html",
        section="units",
        status_code=status_code,
        unit=unit,
        form=form or {"name": unit.name},
        errors=errors or {},
        error=error,
        name_max=UNIT_NAME_LENGTH,
    )


@get("/units/{unit_id:int}/rename", name="console-unit-rename")
async def rename_unit_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit_id: IdParam,
) -> Template:
    return _rename_form(request, ctx, actor, await _managed_unit(db, actor, unit_id))


@post("/units/{unit_id:int}/rename")
async def rename_unit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit_id: IdParam,
) -> Template:
    unit = await _managed_unit(db, actor, unit_id)
    form = await read_form(request, "name")
    errors: Errors = {}
    name = check_text(errors, "name", form["name"], maximum=UNIT_NAME_LENGTH)
    if errors:
        return _rename_form(request, ctx, actor, unit, form=form, errors=errors, status_code=422)
    try:
        await units.rename_unit(db, actor, unit.id, name)
        await db.commit()
    except DomainError as refused:
        unit = await _after_rollback(db, unit_id)
        return _rename_form(
            request, ctx, actor, unit, form=form, error=message_of(refused), status_code=422
        )
    return await _tree(request, db, ctx, actor, gettext_("Saved: %(name)s.") % {"name": name})


router = console_router([unit_tree, add_unit_form, add_unit, rename_unit_form, rename_unit])
