"""Console: a matter's 跟进 page — every follow-up action of any matter (an agreement's actions,
implementation milestones with their progress, rectification items) with its status, owner,
due date and progress, overdue ones marked; forms to add a milestone or a rectification, move
an action's status, change it and record a milestone's progress, each error beside its field."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, can
from ballots.errors import DomainError, InvalidInput, NotFound
from ballots.followup import actions as followup
from ballots.models import Action
from ballots.organisations import organisations_for
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console import action_forms
from vote.pages.console.action_forms import (
    edit_page,
    place_refusal,
    refused_field,
    typed_action,
    typed_progress,
)
from vote.pages.console.coordination import CHOICES, LABELS, readable_matter
from vote.pages.console.layout import (
    Errors,
    Form,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.followup_labels import action_kind_label
from vote.web import AppContext

MATTER_KINDS = ("milestone", "rectification")
"""The kinds of action added here (an agreement's actions are added on the coordination page)."""
FIELDS = ("kind", *action_forms.FIELDS)


async def followup_page(
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
    """The page with a notice, or with a form's typing and its errors; an error of one
    action's progress field is keyed ``progress-<id>``."""
    matter, unit = await readable_matter(db, actor, matter_id)
    today = followup.beijing_today()
    found = list(await followup.actions_of(db, matter_id=matter.id))
    return console_page(
        request,
        ctx,
        actor,
        "console/followup.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        unit=unit,
        actions=found,
        overdue_count=len(followup.overdue(found, today)),
        may_manage=can(actor, "manage_ballots"),
        organisations=list(await organisations_for(db, unit)),
        kinds=MATTER_KINDS,
        kind_choices=lambda kinds: [(kind, action_kind_label(kind)) for kind in kinds],
        today=today,
        is_overdue=followup.is_overdue,
        days_overdue=followup.days_overdue,
        moves=followup.MOVES,
        form=form or {"kind": "milestone"},
        errors=errors or {},
        message=message,
        error=error,
        **LABELS,
        **CHOICES,
    )


@get("/matters/{matter_id:int}/followup", name="console-followup")
async def show(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    return await followup_page(request, db, ctx, actor, matter_id)


@post("/matters/{matter_id:int}/followup/actions")
async def add_action(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    """Add a milestone or a rectification item to the matter."""
    form = await read_form(request, *FIELDS)
    errors: Errors = {}
    if form["kind"] not in MATTER_KINDS:
        errors["kind"] = gettext_("Choose a milestone or a rectification.")
    fields = typed_action(form, errors)
    if not errors:
        try:
            await followup.create_action(
                db, actor, kind=form["kind"], matter_id=matter_id, **fields
            )
            await db.commit()
            return await followup_page(
                request, db, ctx, actor, matter_id, message=gettext_("The follow-up action is set.")
            )
        except DomainError as refused:
            await db.rollback()
            place_refusal(refused, errors, refused_field(fields))
    return await followup_page(
        request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
    )


async def _matter_action(db: AsyncSession, matter_id: int, action_id: int) -> Action:
    action = await followup.get_action(db, action_id)
    if action.matter_id != matter_id:
        raise NotFound(what="action", id=action_id)
    return action


@post("/matters/{matter_id:int}/followup/actions/{action_id:int}/status")
async def set_status(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    action_id: IdParam,
) -> Template:
    form = await read_form(request, "status")
    await _matter_action(db, matter_id, action_id)
    try:
        await followup.set_status(db, actor, action_id, form["status"])
        await db.commit()
    except InvalidInput as refused:
        await db.rollback()
        return await followup_page(
            request, db, ctx, actor, matter_id, error=message_of(refused), status_code=422
        )
    return await followup_page(
        request, db, ctx, actor, matter_id, message=gettext_("The status is changed.")
    )


@post("/matters/{matter_id:int}/followup/actions/{action_id:int}/progress")
async def set_progress(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    action_id: IdParam,
) -> Template:
    """Record a milestone's progress in percent; a refusal is named beside its field."""
    form = await read_form(request, "progress")
    await _matter_action(db, matter_id, action_id)
    field = f"progress-{action_id}"
    errors: Errors = {}
    progress = typed_progress(form["progress"], errors, field)
    if progress is not None:
        try:
            await followup.set_progress(db, actor, action_id, progress)
            await db.commit()
            return await followup_page(
                request, db, ctx, actor, matter_id, message=gettext_("The progress is recorded.")
            )
        except DomainError as refused:
            await db.rollback()
            place_refusal(refused, errors, field)
    return await followup_page(
        request,
        db,
        ctx,
        actor,
        matter_id,
        form={field: form["progress"]},
        errors=errors,
        status_code=422,
    )


async def _edit_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: int,
    action_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Template:
    return await edit_page(
        request,
        db,
        ctx,
        actor,
        await _matter_action(db, matter_id, action_id),
        back_url=f"/chair/matters/{matter_id}/followup",
        back_label=gettext_("Back to the follow-up"),
        form_action=f"/chair/matters/{matter_id}/followup/actions/{action_id}/edit",
        form=form,
        errors=errors,
        status_code=status_code,
        context=LABELS | CHOICES,
    )


@get("/matters/{matter_id:int}/followup/actions/{action_id:int}/edit", name="console-followup-edit")
async def edit_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    action_id: IdParam,
) -> Template:
    return await _edit_page(request, db, ctx, actor, matter_id, action_id)


@post("/matters/{matter_id:int}/followup/actions/{action_id:int}/edit")
async def edit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    action_id: IdParam,
) -> Template:
    """Change an action's title, owner, due date or note (a new due date goes on the record)."""
    await _matter_action(db, matter_id, action_id)
    form = await read_form(request, *FIELDS)
    errors: Errors = {}
    fields = typed_action(form, errors)
    if not errors:
        try:
            await followup.update_action(db, actor, action_id, **fields)
            await db.commit()
            return await followup_page(
                request, db, ctx, actor, matter_id, message=gettext_("Saved.")
            )
        except DomainError as refused:
            await db.rollback()
            place_refusal(refused, errors, refused_field(fields))
    return await _edit_page(
        request, db, ctx, actor, matter_id, action_id, form=form, errors=errors, status_code=422
    )


router = console_router([show, add_action, set_status, set_progress, edit_form, edit])
