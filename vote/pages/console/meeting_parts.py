"""Console: a meeting's attached files (upload, download, delete) and its speakers' queue (add
someone, mark them spoken or withdrawn). The pages are the meeting's own page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import DomainError
from ballots.meetings import files, speakers
from ballots.meetings.meetings import meeting_for
from ballots.uploads import UploadRefused
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import Errors, check_text, console_router, message_of, read_form
from vote.pages.console.meetings import meeting_page
from vote.web import AppContext

UPLOAD_BODY_MAX = 2 * files.FILES_MAX_BYTES
"""Bodies up to twice the file limit reach the form, so a file slightly too large is refused
beside the field with the limit named; larger bodies are refused before they are read."""


def attachment_headers(name: str, content_type: str) -> dict[str, str]:
    """Headers that make a browser save the file under its name (RFC 6266 / 5987), never render
    it as something else."""
    fallback = (
        "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)
        or "file"
    )
    return {
        "content-disposition": (
            f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
        ),
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
        "content-security-policy": "default-src 'none'; sandbox",
    }


@post("/meetings/{meeting_id:int}/files", request_max_body_size=UPLOAD_BODY_MAX)
async def upload_file(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    await meeting_for(db, actor, meeting_id, "manage_ballots")
    form_data = await request.form()
    upload = form_data.get("file")
    data, name = b"", ""
    if isinstance(upload, UploadFile):
        name = upload.filename or ""
        data = await upload.read()
    if not data:
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            errors={"file": gettext_("Choose a file to attach.")},
            status_code=422,
        )
    try:
        attached = await files.add_file(
            db, actor, ctx.settings.data_dir, meeting_id, name=name, data=data
        )
        shown = attached.name
        await db.commit()
    except UploadRefused as refused:
        await db.rollback()
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            errors={"file": message_of(refused)},
            status_code=422,
        )
    return await meeting_page(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        message=gettext_("“%(name)s” is attached.") % {"name": shown},
    )


@get("/meetings/{meeting_id:int}/files/{file_id:int}", name="console-meeting-file")
async def download_file(
    db: AsyncSession, ctx: AppContext, actor: Actor, meeting_id: IdParam, file_id: IdParam
) -> Response[bytes]:
    attached, data = await files.read_file(db, actor, ctx.settings.data_dir, meeting_id, file_id)
    return Response(
        content=data,
        media_type=attached.content_type,  # Litestar adds "; charset=utf-8" to text/plain
        headers=attachment_headers(attached.name, attached.content_type),
    )


@post("/meetings/{meeting_id:int}/files/{file_id:int}/delete")
async def delete_file(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    file_id: IdParam,
) -> Template:
    name, stored_as = await files.delete_file(db, actor, meeting_id, file_id)
    await db.commit()
    files.remove_stored(ctx.settings.data_dir, stored_as)
    return await meeting_page(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        message=gettext_("“%(name)s” is removed.") % {"name": name},
    )


@post("/meetings/{meeting_id:int}/speakers")
async def add_speaker(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
) -> Template:
    await meeting_for(db, actor, meeting_id, "manage_ballots")
    typed = await read_form(request, "speaker_name", "speaker_topic")
    errors: Errors = {}
    name = check_text(errors, "speaker_name", typed["speaker_name"], maximum=speakers.NAME_MAX)
    topic = check_text(
        errors,
        "speaker_topic",
        typed["speaker_topic"],
        maximum=speakers.TOPIC_MAX,
        required=False,
    )
    if errors:
        return await meeting_page(
            request, db, ctx, actor, meeting_id, form=typed, errors=errors, status_code=422
        )
    await speakers.add_speaker(db, actor, meeting_id, name=name, topic=topic)
    await db.commit()
    return await meeting_page(
        request,
        db,
        ctx,
        actor,
        meeting_id,
        message=gettext_("%(name)s is in the speakers' queue.") % {"name": name},
    )


@post("/meetings/{meeting_id:int}/speakers/{speaker_id:int}")
async def mark_speaker(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    meeting_id: IdParam,
    speaker_id: IdParam,
) -> Template:
    await meeting_for(db, actor, meeting_id, "manage_ballots")
    typed = await read_form(request, "state")
    if typed["state"] not in speakers.SPEAKER_STATES:
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            error=gettext_("Choose one of the buttons."),
            status_code=422,
        )
    try:
        await speakers.mark_speaker(db, actor, meeting_id, speaker_id, typed["state"])
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await meeting_page(
            request,
            db,
            ctx,
            actor,
            meeting_id,
            error=message_of(refused),
            status_code=refused.status,
        )
    return await meeting_page(request, db, ctx, actor, meeting_id, message=gettext_("Saved."))


router = console_router([upload_file, download_file, delete_file, add_speaker, mark_speaker])
