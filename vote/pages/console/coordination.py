"""Console: a coordination matter's 协调 page — parties (the residents' side or an organisation
of the unit tree), issues with each party's position as a table, agreements with their
follow-up actions and status buttons — an agreement's page to correct its wording (the earlier
wording stays on the record) or withdraw it when it was recorded in error, and the 逾期事项 list
of overdue actions of every kind in the chair's units."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, can, require
from ballots.coordination import agreements, issues, parties
from ballots.errors import DomainError, InvalidInput, NotFound
from ballots.followup import actions as followup
from ballots.listings import Window
from ballots.meetings.meetings import list_meetings
from ballots.models import Matter
from ballots.organisations import organisations_for
from vote.api.params import IdParam, PageParam
from vote.i18n import gettext_
from vote.pages.console.action_forms import (
    FIELDS,
    edit_page,
    place_refusal,
    refused_field,
    typed_action,
    typed_progress,
)
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
from vote.pages.followup_labels import (
    action_kind_label,
    action_status_label,
    due_date,
    organisation_kind_label,
)
from vote.pages.paging import one_page, pager
from vote.web import AppContext

LABELS: dict[str, Any] = {
    "action_kind_label": action_kind_label,
    "action_status_label": action_status_label,
    "due_date": due_date,
    "organisation_kind_label": organisation_kind_label,
}


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


CHOICES: dict[str, Any] = {
    "organisations_choices": lambda found: [
        (o.id, f"{o.name}（{organisation_kind_label(o.kind)}）") for o in found
    ],
    "issue_choices": lambda found: [(issue.id, _short(issue.title)) for issue in found],
    "party_choices": lambda found: [(party.id, party.name) for party in found],
    "meeting_choices": lambda found: [(meeting.id, meeting.title) for meeting in found],
    "agreement_choices": lambda found: [(a.id, _short(a.text)) for a in found],
}
ACTION_FIELDS = (*FIELDS, "agreement_id", "kind")


async def readable_matter(db: AsyncSession, actor: Actor, matter_id: int) -> tuple[Matter, Any]:
    """The matter and its unit, if ``actor`` may read it."""
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "read", unit.path)
    return matter, unit


async def coordination_page(
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
    """The coordination page, with a notice, or with a form's typing and its errors."""
    matter, unit = await readable_matter(db, actor, matter_id)
    today = followup.beijing_today()
    records = await agreements.agreement_records(db, matter.id)
    found_actions = list(await followup.actions_of(db, matter_id=matter.id))
    by_agreement: dict[int | None, list[Any]] = {}
    for action in found_actions:
        by_agreement.setdefault(action.agreement_id, []).append(action)
    return console_page(
        request,
        ctx,
        actor,
        "console/coordination.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        unit=unit,
        may_manage=can(actor, "manage_ballots") and matter.kind == "coordination",
        parties=list(await parties.parties_of(db, matter.id)),
        issues=list(await issues.issues_of(db, matter.id)),
        positions=await issues.positions_of(db, matter.id),
        agreements=list(await agreements.agreements_of(db, matter.id)),
        agreement_records={record.agreement.id: record for record in records},
        standing_agreements=[record.agreement for record in records if not record.withdrawn],
        actions_by_agreement=by_agreement,
        organisations=list(await organisations_for(db, unit)),
        meetings=list(await list_meetings(db, matter.id)),
        today=today,
        is_overdue=followup.is_overdue,
        days_overdue=followup.days_overdue,
        moves=followup.MOVES,
        form=form or {},
        errors=errors or {},
        message=message,
        error=error,
        **LABELS,
        **CHOICES,
    )


@get("/matters/{matter_id:int}/coordination", name="console-coordination")
async def show(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    return await coordination_page(request, db, ctx, actor, matter_id)


async def _refused(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: int,
    refused: DomainError,
    form: Form,
) -> Template:
    await db.rollback()
    return await coordination_page(
        request,
        db,
        ctx,
        actor,
        matter_id,
        form=form,
        error=message_of(refused),
        status_code=refused.status if refused.status >= 400 else 422,
    )


@post("/matters/{matter_id:int}/coordination/parties")
async def add_party(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, "party_name", "party_organisation", "party_contact")
    errors: Errors = {}
    organisation_id = parse_id(form["party_organisation"]) if form["party_organisation"] else None
    name = check_text(
        errors, "party_name", form["party_name"], maximum=parties.NAME_MAX, required=False
    )
    contact = check_text(
        errors, "party_contact", form["party_contact"], maximum=parties.CONTACT_MAX, required=False
    )
    if organisation_id is None and not name and "party_name" not in errors:
        errors["party_name"] = gettext_("Name the residents' side, or choose an organisation.")
    if errors:
        return await coordination_page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await parties.add_party(
            db, actor, matter_id, name=name, organisation_id=organisation_id, contact=contact
        )
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, matter_id, refused, form)
    return await coordination_page(
        request, db, ctx, actor, matter_id, message=gettext_("The party is added.")
    )


@post("/matters/{matter_id:int}/coordination/issues")
async def add_issue(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, "issue_title")
    errors: Errors = {}
    title = check_text(errors, "issue_title", form["issue_title"], maximum=issues.TITLE_MAX)
    if errors:
        return await coordination_page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await issues.add_issue(db, actor, matter_id, title)
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, matter_id, refused, form)
    return await coordination_page(
        request, db, ctx, actor, matter_id, message=gettext_("The issue is added.")
    )


@post("/matters/{matter_id:int}/coordination/positions")
async def set_position(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, "position_issue", "position_party", "position_text")
    errors: Errors = {}
    issue_id, party_id = parse_id(form["position_issue"]), parse_id(form["position_party"])
    if issue_id is None:
        errors["position_issue"] = gettext_("Choose an issue from the list.")
    if party_id is None:
        errors["position_party"] = gettext_("Choose a party from the list.")
    text = check_text(
        errors, "position_text", form["position_text"], maximum=issues.POSITION_MAX, required=False
    )
    if errors or issue_id is None or party_id is None:
        return await coordination_page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        issue = await issues.get_issue(db, issue_id)
        if issue.matter_id != matter_id:
            raise NotFound(what="issue", id=issue_id)
        await issues.set_position(db, actor, issue_id, party_id, text)
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, matter_id, refused, form)
    return await coordination_page(
        request, db, ctx, actor, matter_id, message=gettext_("The position is recorded.")
    )


@post("/matters/{matter_id:int}/coordination/agreements")
async def add_agreement(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, "agreement_text", "agreement_issue", "agreement_meeting")
    errors: Errors = {}
    text = check_text(errors, "agreement_text", form["agreement_text"], maximum=agreements.TEXT_MAX)
    issue_id = parse_id(form["agreement_issue"]) if form["agreement_issue"] else None
    meeting_id = parse_id(form["agreement_meeting"]) if form["agreement_meeting"] else None
    if errors:
        return await coordination_page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await agreements.add_agreement(
            db, actor, matter_id, text, issue_id=issue_id, meeting_id=meeting_id
        )
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, matter_id, refused, form)
    return await coordination_page(
        request, db, ctx, actor, matter_id, message=gettext_("The agreement is recorded.")
    )


@post("/matters/{matter_id:int}/coordination/actions")
async def add_action(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, *ACTION_FIELDS)
    errors: Errors = {}
    fields = typed_action(form, errors)
    agreement_id = parse_id(form["agreement_id"]) if form["agreement_id"] else None
    if form["agreement_id"] and agreement_id is None:
        errors["agreement_id"] = gettext_("Choose an agreement from the list.")
    if errors:
        return await coordination_page(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    try:
        await followup.create_action(
            db,
            actor,
            kind="agreement" if agreement_id is not None else "milestone",
            matter_id=matter_id,
            agreement_id=agreement_id,
            **fields,
        )
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, matter_id, refused, form)
    return await coordination_page(
        request, db, ctx, actor, matter_id, message=gettext_("The follow-up action is set.")
    )


@post("/actions/{action_id:int}/status")
async def set_status(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action_id: IdParam,
) -> Template:
    """Move an action from the coordination page or the overdue list (``back`` says which)."""
    form = await read_form(request, "status", "back")
    matter_id = (await followup.get_action(db, action_id)).matter_id
    try:
        await followup.set_status(db, actor, action_id, form["status"])
        await db.commit()
        message, error = gettext_("The status is changed."), ""
    except DomainError as refused:
        await db.rollback()
        message, error = "", message_of(refused)
    status_code = 422 if error else 200
    if form["back"] == "overdue" or matter_id is None:
        return await overdue_page(request, db, ctx, actor, message=message, error=error)
    return await coordination_page(
        request,
        db,
        ctx,
        actor,
        matter_id,
        message=message,
        error=error,
        status_code=status_code,
    )


@post("/actions/{action_id:int}/progress")
async def set_progress(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action_id: IdParam,
) -> Template:
    """Record a milestone's progress in percent from the coordination page."""
    form = await read_form(request, "progress")
    matter_id = (await followup.get_action(db, action_id)).matter_id
    refusals: Errors = {}
    progress = typed_progress(form["progress"], refusals, "progress")
    message, error = "", refusals.get("progress", "")
    if progress is not None:
        try:
            await followup.set_progress(db, actor, action_id, progress)
            await db.commit()
            message = gettext_("The progress is recorded.")
        except DomainError as refused:
            await db.rollback()
            error = message_of(refused)
    if matter_id is None:
        return await overdue_page(request, db, ctx, actor, message=message, error=error)
    return await coordination_page(
        request,
        db,
        ctx,
        actor,
        matter_id,
        message=message,
        error=error,
        status_code=422 if error else 200,
    )


async def _edit_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    action = await followup.get_action(db, action_id)
    back = (
        f"/chair/matters/{action.matter_id}/coordination" if action.matter_id else "/chair/overdue"
    )
    return await edit_page(
        request,
        db,
        ctx,
        actor,
        action,
        back_url=back,
        back_label=gettext_("Back to the coordination")
        if action.matter_id
        else gettext_("Overdue"),
        form_action=f"/chair/actions/{action_id}/edit",
        form=form,
        errors=errors,
        error=error,
        status_code=status_code,
        context=LABELS | CHOICES,
    )


@get("/actions/{action_id:int}/edit", name="console-action-edit")
async def edit_action_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action_id: IdParam,
) -> Template:
    return await _edit_page(request, db, ctx, actor, action_id)


@post("/actions/{action_id:int}/edit")
async def edit_action(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action_id: IdParam,
) -> Template:
    """Change an action's title, owner, due date or note (a new due date goes on the record)."""
    current = await followup.get_action(db, action_id)
    matter_id = current.matter_id
    form = await read_form(request, *ACTION_FIELDS)
    errors: Errors = {}
    fields = typed_action(form, errors)
    if not errors:
        try:
            await followup.update_action(db, actor, action_id, **fields)
            await db.commit()
        except DomainError as refused:
            await db.rollback()
            place_refusal(refused, errors, refused_field(fields))
    if errors:
        return await _edit_page(
            request, db, ctx, actor, action_id, form=form, errors=errors, status_code=422
        )
    if matter_id is None:
        return await overdue_page(request, db, ctx, actor, message=gettext_("Saved."))
    return await coordination_page(request, db, ctx, actor, matter_id, message=gettext_("Saved."))


async def _agreement_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    agreement_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Template:
    record = await agreements.agreement_record(db, agreement_id)
    matter, unit = await readable_matter(db, actor, record.agreement.matter_id)
    return console_page(
        request,
        ctx,
        actor,
        "console/agreement.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        unit=unit,
        record=record,
        may_manage=can(actor, "manage_ballots"),
        form=form or {"text": record.agreement.text},
        errors=errors or {},
    )


@get("/agreements/{agreement_id:int}", name="console-agreement")
async def agreement_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    agreement_id: IdParam,
) -> Template:
    """An agreement with its earlier wordings, and the forms to correct or withdraw it."""
    return await _agreement_page(request, db, ctx, actor, agreement_id)


@post("/agreements/{agreement_id:int}/correct")
async def correct_agreement(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    agreement_id: IdParam,
) -> Template:
    """Correct an agreement's wording; a refusal is named beside the field and saves nothing."""
    form = await read_form(request, "text", "reason")
    errors: Errors = {}
    text = check_text(errors, "text", form["text"], maximum=agreements.TEXT_MAX)
    reason = check_text(
        errors, "reason", form["reason"], maximum=agreements.REASON_MAX, required=False
    )
    if not errors:
        try:
            agreement = await agreements.correct_agreement(
                db, actor, agreement_id, text, reason=reason
            )
            matter_id = agreement.matter_id
            await db.commit()
            return await coordination_page(
                request, db, ctx, actor, matter_id, message=gettext_("The agreement is corrected.")
            )
        except InvalidInput as refused:
            await db.rollback()
            errors["text"] = message_of(refused)
    return await _agreement_page(
        request, db, ctx, actor, agreement_id, form=form, errors=errors, status_code=422
    )


@post("/agreements/{agreement_id:int}/withdraw")
async def withdraw_agreement(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    agreement_id: IdParam,
) -> Template:
    """Withdraw an agreement recorded in error, with the reason (required)."""
    form = await read_form(request, "withdraw_reason")
    errors: Errors = {}
    reason = check_text(
        errors, "withdraw_reason", form["withdraw_reason"], maximum=agreements.REASON_MAX
    )
    if not errors:
        try:
            record = await agreements.withdraw_agreement(db, actor, agreement_id, reason)
            matter_id = record.agreement.matter_id
            await db.commit()
            return await coordination_page(
                request, db, ctx, actor, matter_id, message=gettext_("The agreement is withdrawn.")
            )
        except InvalidInput as refused:
            await db.rollback()
            errors["withdraw_reason"] = message_of(refused)
    return await _agreement_page(
        request, db, ctx, actor, agreement_id, form=form, errors=errors, status_code=422
    )


async def overdue_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    message: str = "",
    error: str = "",
    page_number: int = 1,
) -> Template:
    today = followup.beijing_today()

    async def fetch(offset: int, limit: int) -> Window[followup.OverdueAction]:
        return await followup.overdue_window(db, actor.unit_path, today, offset, limit)

    listed, shown_page, last = await one_page(fetch, page_number)
    return console_page(
        request,
        ctx,
        actor,
        "console/overdue.html",
        section="overdue",
        status_code=422 if error else 200,
        rows=listed.items,
        total=listed.total,
        today=today,
        may_manage=can(actor, "manage_ballots"),
        message=message,
        error=error,
        **pager("/chair/overdue", shown_page, last),
        **LABELS,
    )


@get("/overdue", name="console-overdue")
async def overdue(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    page: PageParam = 1,
) -> Template:
    """Overdue actions, most overdue first, :data:`~vote.pages.paging.PAGE_SIZE` a page."""
    return await overdue_page(request, db, ctx, actor, page_number=page)


router = console_router(
    [
        show,
        add_party,
        add_issue,
        set_position,
        add_agreement,
        add_action,
        set_status,
        set_progress,
        edit_action_form,
        edit_action,
        agreement_form,
        correct_agreement,
        withdraw_agreement,
        overdue,
    ]
)
