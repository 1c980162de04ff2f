"""Console: public notices (公示) on a matter — drafting one (title, text, template, notice period
in Beijing time, what it collects), its page (disclosure items edited one by one, documents
uploaded and withdrawn, the change history), and publishing or withdrawing it after a
confirmation page. Residents' opinions on a notice have their own pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, require
from ballots.errors import DomainError
from ballots.models import Matter, MatterEvent, Notice
from ballots.models.bounds import LONG_TEXT_LENGTH
from ballots.notices import documents as notice_documents
from ballots.notices import items as notice_items
from ballots.notices import notices
from ballots.notices.templates import TEMPLATE_LABELS
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
from vote.pages.console.schedule import parse_typed_time, typed_time
from vote.pages.labels import event_label
from vote.pages.notice_labels import COLLECTS_LABELS, NOTICE_LABELS
from vote.pages.notices import document_headers
from vote.web import AppContext

ItemKey = Annotated[str, Parameter(max_length=64, pattern=r"^[a-z0-9-]+$")]
"""An item's key in a path (``compensation``, ``custom-2``)."""
NOTICE_FIELDS = ("title", "body", "template", "starts_at", "ends_at", "collects", "anonymous")
UPLOAD_BODY_MAX = 2 * notice_documents.DOCUMENT_MAX_BYTES
"""Bodies up to twice the file limit reach the form, so a file slightly too large is refused
beside the field with the limit named."""


def template_choices() -> list[tuple[str, str]]:
    return [(key, gettext_(label)) for key, label in TEMPLATE_LABELS.items()]


def collects_choices() -> list[tuple[str, str]]:
    return [(key, gettext_(label)) for key, label in COLLECTS_LABELS.items()]


class Draft:
    """A notice as read from the form (valid when ``errors`` stays empty)."""

    def __init__(self, form: Form, errors: Errors, *, template_fixed: bool = False) -> None:
        self.title = check_text(errors, "title", form["title"], maximum=notices.TITLE_MAX)
        self.body = check_text(
            errors, "body", form["body"], maximum=LONG_TEXT_LENGTH, required=False
        )
        self.template = form["template"]
        if not template_fixed and self.template not in notices.TEMPLATES:
            errors["template"] = gettext_("Choose a template from the list.")
        self.collects = form["collects"]
        if self.collects not in notices.COLLECTS:
            errors["collects"] = gettext_("Choose from the list.")
        self.anonymous = form["anonymous"] == "1"
        starts_at = parse_typed_time(form["starts_at"], "starts_at", errors)
        ends_at = parse_typed_time(form["ends_at"], "ends_at", errors)
        for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
            if value is None and name not in errors:
                errors[name] = gettext_("Please fill this in.")
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            errors["ends_at"] = gettext_("The notice period must end after it starts.")
        self.starts_at: datetime | None = starts_at
        self.ends_at: datetime | None = ends_at


def notice_form(notice: Notice) -> Form:
    return {
        "title": notice.title,
        "body": notice.body,
        "template": notice.template,
        "starts_at": typed_time(notice.starts_at),
        "ends_at": typed_time(notice.ends_at),
        "collects": notice.collects,
        "anonymous": "1" if notice.anonymous else "",
    }


async def _managed_matter(db: AsyncSession, actor: Actor, matter_id: int) -> Matter:
    matter = await matters.get_matter(db, matter_id)
    require(actor, "manage_ballots", (await units.get_unit(db, matter.unit_id)).path)
    return matter


async def _form_page(
    request: Request[Any, Any, Any],
    ctx: AppContext,
    actor: Actor,
    matter: Matter,
    notice: Notice | None,
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
        "console/notice_form.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        notice=notice,
        templates=template_choices(),
        collects=collects_choices(),
        form=form,
        errors=errors or {},
        error=error,
        title_max=notices.TITLE_MAX,
        **NOTICE_LABELS,
    )


@get("/matters/{matter_id:int}/notices/new", name="console-notice-new")
async def new_notice_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    matter = await _managed_matter(db, actor, matter_id)
    form = {"template": "general", "collects": "none"}
    return await _form_page(request, ctx, actor, matter, None, form=form)


@post("/matters/{matter_id:int}/notices/new")
async def new_notice(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    matter = await _managed_matter(db, actor, matter_id)
    form = await read_form(request, *NOTICE_FIELDS)
    errors: Errors = {}
    draft = Draft(form, errors)
    if errors or draft.starts_at is None or draft.ends_at is None:
        return await _form_page(
            request, ctx, actor, matter, None, form=form, errors=errors, status_code=422
        )
    try:
        notice = await notices.create_notice(
            db,
            actor,
            matter_id=matter.id,
            title=draft.title,
            body=draft.body,
            template=draft.template,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            collects=draft.collects,
            anonymous=draft.anonymous,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _form_page(
            request, ctx, actor, matter, None, form=form, error=message_of(refused), status_code=422
        )
    return await notice_page(
        request, db, ctx, actor, notice.id, message=gettext_("The notice is drafted.")
    )


@get("/notices/{notice_id:int}/edit", name="console-notice-edit")
async def edit_notice_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    notice = await notices.notice_for(db, actor, notice_id)
    matter = await matters.get_matter(db, notice.matter_id)
    return await _form_page(request, ctx, actor, matter, notice, form=notice_form(notice))


@post("/notices/{notice_id:int}/edit")
async def edit_notice(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    notice = await notices.notice_for(db, actor, notice_id)
    matter = await matters.get_matter(db, notice.matter_id)
    form = await read_form(request, *NOTICE_FIELDS) | {"template": notice.template}
    errors: Errors = {}
    draft = Draft(form, errors, template_fixed=True)
    if errors or draft.starts_at is None or draft.ends_at is None:
        return await _form_page(
            request, ctx, actor, matter, notice, form=form, errors=errors, status_code=422
        )
    try:
        await notices.update_notice(
            db,
            actor,
            notice.id,
            title=draft.title,
            body=draft.body,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            collects=draft.collects,
            anonymous=draft.anonymous,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _form_page(
            request,
            ctx,
            actor,
            matter,
            notice,
            form=form,
            error=message_of(refused),
            status_code=422,
        )
    return await notice_page(request, db, ctx, actor, notice_id, message=gettext_("Saved."))


async def notice_events(db: AsyncSession, notice: Notice) -> list[MatterEvent]:
    """The matter's timeline entries about this notice, oldest first."""
    found = await db.scalars(
        select(MatterEvent)
        .where(MatterEvent.matter_id == notice.matter_id, MatterEvent.kind.startswith("notice."))
        .order_by(MatterEvent.at, MatterEvent.id)
    )
    return [event for event in found if event.payload.get("notice_id") == notice.id]


async def notice_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    """The notice's console page, with a message, or with a form's typing and its errors."""
    notice = await notices.notice_for(db, actor, notice_id)
    matter = await matters.get_matter(db, notice.matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    current = await notice_items.current_items(db, notice)
    typed = {f"item-{item.key}": item.body for item in current}
    return console_page(
        request,
        ctx,
        actor,
        "console/notice.html",
        section="matters",
        status_code=status_code,
        notice=notice,
        matter=matter,
        unit=unit,
        items=current,
        documents=list(await notice_documents.documents_of(db, notice.id)),
        events=await notice_events(db, notice),
        event_label=event_label,
        form=typed | (form or {}),
        errors=errors or {},
        message=message,
        error=error,
        label_max=notice_items.LABEL_MAX,
        **NOTICE_LABELS,
    )


@get("/notices/{notice_id:int}", name="console-notice")
async def notice_detail(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    return await notice_page(request, db, ctx, actor, notice_id)


@post("/notices/{notice_id:int}/items/{key:str}")
async def set_item(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
    key: ItemKey,
) -> Template:
    await notices.notice_for(db, actor, notice_id)
    field = f"item-{key}"
    form = await read_form(request, field)
    errors: Errors = {}
    body = check_text(errors, field, form[field], maximum=LONG_TEXT_LENGTH, required=False)
    error = ""
    if not errors:
        try:
            changed = await notice_items.set_item(db, actor, notice_id, key, body)
            await db.commit()
        except DomainError as refused:
            await db.rollback()
            errors[field] = error = message_of(refused)  # also on top: the item may not exist
    if errors:
        return await notice_page(
            request,
            db,
            ctx,
            actor,
            notice_id,
            form=form,
            errors=errors,
            error=error,
            status_code=422,
        )
    message = gettext_("The item is saved.") if changed else gettext_("Nothing changed.")
    return await notice_page(request, db, ctx, actor, notice_id, message=message)


@post("/notices/{notice_id:int}/items")
async def add_item(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    await notices.notice_for(db, actor, notice_id)
    form = await read_form(request, "new_label", "new_body")
    errors: Errors = {}
    label = check_text(errors, "new_label", form["new_label"], maximum=notice_items.LABEL_MAX)
    body = check_text(
        errors, "new_body", form["new_body"], maximum=LONG_TEXT_LENGTH, required=False
    )
    if not errors:
        try:
            await notice_items.add_custom_item(db, actor, notice_id, label, body)
            await db.commit()
        except DomainError as refused:
            await db.rollback()
            errors["new_label"] = message_of(refused)
    if errors:
        return await notice_page(
            request, db, ctx, actor, notice_id, form=form, errors=errors, status_code=422
        )
    return await notice_page(
        request, db, ctx, actor, notice_id, message=gettext_("The item is added.")
    )


@post("/notices/{notice_id:int}/items/{key:str}/remove")
async def remove_item(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
    key: ItemKey,
) -> Template:
    try:
        label = await notice_items.remove_custom_item(db, actor, notice_id, key)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        if refused.status in (401, 403, 404):
            raise
        return await notice_page(
            request, db, ctx, actor, notice_id, error=message_of(refused), status_code=422
        )
    return await notice_page(
        request,
        db,
        ctx,
        actor,
        notice_id,
        message=gettext_("“%(name)s” is removed.") % {"name": label},
    )


@post("/notices/{notice_id:int}/documents", request_max_body_size=UPLOAD_BODY_MAX)
async def upload_document(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    await notices.notice_for(db, actor, notice_id)
    form_data = await request.form()
    upload = form_data.get("file")
    data, name = b"", ""
    if isinstance(upload, UploadFile):
        name = upload.filename or ""
        data = await upload.read()
    if not data:
        errors = {"file": gettext_("Choose a file to attach.")}
        return await notice_page(request, db, ctx, actor, notice_id, errors=errors, status_code=422)
    try:
        document = await notice_documents.add_document(
            db, actor, ctx.settings.data_dir, notice_id, name=name, data=data
        )
        shown = document.name
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await notice_page(
            request,
            db,
            ctx,
            actor,
            notice_id,
            errors={"file": message_of(refused)},
            status_code=422,
        )
    return await notice_page(
        request,
        db,
        ctx,
        actor,
        notice_id,
        message=gettext_("“%(name)s” is attached.") % {"name": shown},
    )


@get("/notices/{notice_id:int}/documents/{document_id:int}", name="console-notice-document")
async def download_document(
    db: AsyncSession, ctx: AppContext, actor: Actor, notice_id: IdParam, document_id: IdParam
) -> Response[bytes]:
    document, data = await notice_documents.read_document(
        db, actor, ctx.settings.data_dir, notice_id, document_id
    )
    return Response(
        content=data,
        media_type=document.content_type,
        headers=document_headers(document.name, document.content_type),
    )


@post("/notices/{notice_id:int}/documents/{document_id:int}/withdraw")
async def withdraw_document(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
    document_id: IdParam,
) -> Template:
    try:
        document = await notice_documents.withdraw_document(db, actor, notice_id, document_id)
        name = document.name
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        if refused.status in (401, 403, 404):
            raise
        return await notice_page(
            request, db, ctx, actor, notice_id, error=message_of(refused), status_code=422
        )
    return await notice_page(
        request,
        db,
        ctx,
        actor,
        notice_id,
        message=gettext_("“%(name)s” is withdrawn.") % {"name": name},
    )


async def _confirm_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: int,
    action: str,
) -> Template:
    notice = await notices.notice_for(db, actor, notice_id)
    matter = await matters.get_matter(db, notice.matter_id)
    current = await notice_items.current_items(db, notice)
    return console_page(
        request,
        ctx,
        actor,
        "console/notice_confirm.html",
        section="matters",
        notice=notice,
        matter=matter,
        action=action,
        empty_items=[item for item in current if not item.body],
        **NOTICE_LABELS,
    )


@get("/notices/{notice_id:int}/publish", name="console-notice-publish")
async def publish_confirm(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    return await _confirm_page(request, db, ctx, actor, notice_id, "publish")


@get("/notices/{notice_id:int}/withdraw", name="console-notice-withdraw")
async def withdraw_confirm(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    return await _confirm_page(request, db, ctx, actor, notice_id, "withdraw")


async def _move(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: int,
    action: str,
) -> Template:
    form = await read_form(request, "confirm")
    if form["confirm"] != "1":
        return await _confirm_page(request, db, ctx, actor, notice_id, action)
    try:
        if action == "publish":
            await notices.publish_notice(db, actor, notice_id)
            message = gettext_("The notice is published.")
        else:
            await notices.withdraw_notice(db, actor, notice_id)
            message = gettext_("The notice is withdrawn. It stays on record, marked withdrawn.")
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        if refused.status in (401, 403, 404):
            raise
        return await notice_page(
            request, db, ctx, actor, notice_id, error=message_of(refused), status_code=422
        )
    return await notice_page(request, db, ctx, actor, notice_id, message=message)


@post("/notices/{notice_id:int}/publish")
async def publish(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    return await _move(request, db, ctx, actor, notice_id, "publish")


@post("/notices/{notice_id:int}/withdraw")
async def withdraw(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    return await _move(request, db, ctx, actor, notice_id, "withdraw")


router = console_router(
    [
        new_notice_form,
        new_notice,
        edit_notice_form,
        edit_notice,
        notice_detail,
        set_item,
        add_item,
        remove_item,
        upload_document,
        download_document,
        withdraw_document,
        publish_confirm,
        withdraw_confirm,
        publish,
        withdraw,
    ]
)
