"""Console: a meeting's proxies (委托) — record one (grantor and holder found by name, namesakes
told apart by building and room), attach a photo or PDF of the signed form, list active and
revoked proxies with each holder's count against the limit, revoke one after confirming, and view
a kept form (served with its own type, ``nosniff``, never as a page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, can
from ballots.errors import (
    DomainError,
    ProxyAlreadyGiven,
    ProxyChain,
    ProxyForSelf,
    ProxyGrantorPresent,
    ProxyGrantorVoted,
    ProxyLimitReached,
    ProxyNotOnRoll,
)
from ballots.meetings import proxies
from ballots.meetings.meetings import meeting_for
from ballots.models import Meeting
from ballots.uploads import PDF, UploadRefused
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.live import meeting_changed
from vote.pages.console.layout import Errors, Form, console_page, console_router, message_of
from vote.web import AppContext

UPLOAD_BODY_MAX = 2 * proxies.FORM_MAX_BYTES
"""Bodies up to twice the form's limit reach the page, so a file slightly too large is refused
beside its field with the limit named; larger bodies are refused before they are read."""
FIELDS = ("grantor", "holder")
QUERY_MAX = 100
FORM_NAMES = {PDF: "委托书.pdf", "image/jpeg": "委托书.jpg", "image/png": "委托书.png"}


class Typed:
    """What the record form sent: the typed names, the chosen residents, the form's file."""

    def __init__(self, form: Any) -> None:
        self.values: Form = {}
        self.chosen: dict[str, int | None] = {}
        for name in FIELDS:
            value = form.get(name, "")
            self.values[name] = value[:QUERY_MAX] if isinstance(value, str) else ""
            picked = form.get(f"{name}_id", "")
            self.chosen[name] = (
                int(picked) if isinstance(picked, str) and picked.isdigit() else None
            )
        upload = form.get("form_file")
        self.upload = upload if isinstance(upload, UploadFile) else None


async def _page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    choices: dict[str, list[proxies.Candidate]] | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    meeting = await meeting_for(db, actor, meeting_id, "read")  # fresh, also after a rollback
    views = list(await proxies.list_proxies(db, actor, meeting.id))
    return console_page(
        request,
        ctx,
        actor,
        "console/proxies.html",
        section="meetings",
        status_code=status_code,
        meeting=meeting,
        active=[view for view in views if view.revoked_at is None],
        revoked=[view for view in views if view.revoked_at is not None],
        holders=proxies.holder_counts(views, meeting.proxy_limit),
        choices=choices or {},
        form=form or {},
        errors=errors or {},
        message=message,
        error=error,
        may_manage=can(actor, "manage_ballots"),
    )


@get("/meetings/{meeting_id:int}/proxies", name="console-proxies")
async def proxies_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    meeting = await meeting_for(db, actor, meeting_id, "read")
    return await _page(request, db, ctx, actor, meeting.id)


async def _resolve(
    db: AsyncSession,
    actor: Actor,
    meeting: Meeting,
    typed: Typed,
    errors: Errors,
    choices: dict[str, list[proxies.Candidate]],
) -> dict[str, int]:
    """Each field's resident: the one chosen among the matches, or the only match."""
    found: dict[str, int] = {}
    for name in FIELDS:
        text = typed.values[name].strip()
        if not text:
            errors[name] = gettext_("Please type a name, or a building and room.")
            continue
        matches = await proxies.find_candidates(db, actor, meeting.id, text)
        chosen = typed.chosen[name]
        if chosen is not None and any(match.resident_id == chosen for match in matches):
            found[name] = chosen
        elif len(matches) == 1:
            found[name] = matches[0].resident_id
        elif not matches:
            errors[name] = gettext_("Nobody in this area matches “%(text)s”.") % {"text": text}
        else:
            choices[name] = matches
            errors[name] = gettext_(
                "Several residents match “%(text)s”: choose one by their address."
            ) % {"text": text}
    return found


def _field_of(refusal: DomainError) -> str | None:
    """The form field a refusal is about (None: the whole form)."""
    if isinstance(refusal, ProxyLimitReached):
        return "holder" if refusal.params.get("holder") else None
    if isinstance(refusal, ProxyForSelf):
        return "holder"
    if isinstance(refusal, ProxyChain):
        return "holder" if "other" in refusal.params else "grantor"
    if isinstance(refusal, ProxyNotOnRoll):
        return "holder" if "grantor" in refusal.params else "grantor"
    if isinstance(refusal, (ProxyAlreadyGiven, ProxyGrantorPresent, ProxyGrantorVoted)):
        return "grantor"
    return None


@post("/meetings/{meeting_id:int}/proxies", request_max_body_size=UPLOAD_BODY_MAX)
async def record(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    meeting = await meeting_for(db, actor, meeting_id, "manage_ballots")
    typed = Typed(await request.form())
    errors: Errors = {}
    choices: dict[str, list[proxies.Candidate]] = {}
    found = await _resolve(db, actor, meeting, typed, errors, choices)
    data = await typed.upload.read() if typed.upload is not None else b""
    name = (typed.upload.filename or "") if typed.upload is not None else ""

    async def again(status: int = 422, error: str = "") -> Template:
        return await _page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            form=typed.values | {f"{k}_id": str(v) for k, v in found.items()},
            errors=errors,
            choices=choices,
            error=error,
            status_code=status,
        )

    if errors:
        return await again()
    try:
        made = await proxies.record_proxy(
            db, actor, meeting.id, grantor_id=found["grantor"], holder_id=found["holder"]
        )
        if data:
            await proxies.attach_form(
                db, actor, ctx.settings.data_dir, meeting.id, made.id, name=name, data=data
            )
        await db.commit()
        meeting_changed(request.app, meeting_id)  # who is represented may have changed
    except UploadRefused as refused:
        await db.rollback()
        errors["form_file"] = message_of(refused)
        return await again()
    except DomainError as refused:
        await db.rollback()
        field = _field_of(refused)
        if field is None:
            return await again(refused.status, message_of(refused))
        errors[field] = message_of(refused)
        return await again(refused.status)
    [view] = [v for v in await proxies.list_proxies(db, actor, meeting.id) if v.id == made.id]
    return await _page(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        message=gettext_("Recorded: %(grantor)s gives a proxy to %(holder)s.")
        % {"grantor": view.grantor_name, "holder": view.holder_name},
    )


@post(
    "/meetings/{meeting_id:int}/proxies/{proxy_id:int}/form",
    request_max_body_size=UPLOAD_BODY_MAX,
)
async def upload_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    proxy_id: IdParam,
) -> Template:
    meeting = await meeting_for(db, actor, meeting_id, "manage_ballots")
    upload = (await request.form()).get("form_file")
    data, name = b"", ""
    if isinstance(upload, UploadFile):
        data, name = await upload.read(), upload.filename or ""
    if not data:
        return await _page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            errors={f"form_file_{proxy_id}": gettext_("Choose a photo or PDF of the signed form.")},
            status_code=422,
        )
    try:
        await proxies.attach_form(
            db,
            actor,
            ctx.settings.data_dir,
            meeting.id,
            proxy_id,
            name=name,
            data=data,
        )
        await db.commit()
    except UploadRefused as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            errors={f"form_file_{proxy_id}": message_of(refused)},
            status_code=422,
        )
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            error=message_of(refused),
            status_code=refused.status,
        )
    return await _page(
        request, db, ctx, actor, meeting_id, message=gettext_("The signed form is kept.")
    )


@get("/meetings/{meeting_id:int}/proxies/{proxy_id:int}/form", name="console-proxy-form")
async def view_form(
    db: AsyncSession, ctx: AppContext, actor: Actor, meeting_id: IdParam, proxy_id: IdParam
) -> Response[bytes]:
    content_type, data = await proxies.read_form(
        db, actor, ctx.settings.data_dir, meeting_id, proxy_id
    )
    filename = quote(FORM_NAMES.get(content_type, "委托书.webp"), safe="")
    # A photo opens in the browser; a PDF is saved (browsers' PDF viewers refuse a sandbox).
    shown = "attachment" if content_type == PDF else "inline"
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "content-disposition": f"{shown}; filename*=UTF-8''{filename}",
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


async def _one(db: AsyncSession, actor: Actor, meeting: Meeting, proxy_id: int) -> Any:
    for view in await proxies.list_proxies(db, actor, meeting.id):
        if view.id == proxy_id:
            return view
    return None


@get("/meetings/{meeting_id:int}/proxies/{proxy_id:int}/revoke", name="console-proxy-revoke")
async def revoke_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    proxy_id: IdParam,
) -> Template:
    meeting = await meeting_for(db, actor, meeting_id, "manage_ballots")
    view = await _one(db, actor, meeting, proxy_id)
    if view is None or view.revoked_at is not None:
        return await _page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            error=gettext_("This proxy was already revoked.")
            if view is not None
            else gettext_("There is no such proxy at this meeting."),
            status_code=409 if view is not None else 404,
        )
    return console_page(
        request,
        ctx,
        actor,
        "console/proxy_revoke.html",
        section="meetings",
        meeting=meeting,
        proxy=view,
    )


@post("/meetings/{meeting_id:int}/proxies/{proxy_id:int}/revoke")
async def revoke(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    proxy_id: IdParam,
) -> Template:
    meeting = await meeting_for(db, actor, meeting_id, "manage_ballots")
    try:
        done = await proxies.revoke_proxy(db, actor, meeting.id, proxy_id)
        done_id = done.id
        await db.commit()
        meeting_changed(request.app, meeting_id)
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            error=message_of(refused),
            status_code=refused.status,
        )
    view = await _one(db, actor, meeting, done_id)
    return await _page(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        message=gettext_("Revoked: %(grantor)s no longer gives a proxy to %(holder)s.")
        % {"grantor": view.grantor_name, "holder": view.holder_name},
    )


router = console_router([proxies_page, record, upload_form, view_form, revoke_form, revoke])
