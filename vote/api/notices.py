"""Notices (公示) in the API: chairs draft, change, publish and withdraw a notice, list and set its
items (each change after publication kept as a new version), add their own items and remove them
from a draft, read an item's history, upload documents (a multipart form, checked as the console
checks them), download and withdraw them; anyone reads a published notice, its items with their
versions and its current documents. Everything here the console does too, and the reverse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, Router, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, require
from ballots.errors import InvalidInput
from ballots.models import Notice, NoticeDocument
from ballots.notices import documents as notice_documents
from ballots.notices import items as notice_items
from ballots.notices import notices
from ballots.uploads import DOCUMENT_TYPES
from vote.api.meeting_schemas import utc
from vote.api.notice_schemas import (
    CustomItemIn,
    DocumentOut,
    ItemOut,
    ItemTextIn,
    ItemVersionOut,
    NoticeIn,
    NoticeOut,
)
from vote.api.openapi import BINARY, EXTRA_ERRORS, NON_JSON_ANSWERS, RAW_BODIES
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.notices import UPLOAD_BODY_MAX, ItemKey
from vote.pages.notice_labels import notice_state
from vote.pages.notices import document_headers, published_notice
from vote.web import AppContext, provide_actor

DOCUMENT_ANSWER = {
    "description": "The document's bytes, as the type detected when it was uploaded (never "
    "HTML; ``nosniff``): a photo inline, a PDF or text as an attachment under its name.",
    "content": {kind: {"schema": BINARY} for kind in sorted(DOCUMENT_TYPES)},
}
RAW_BODIES[("POST", "/api/v1/notices/{notice_id}/documents")] = {
    "description": "A multipart form with the document in the field ``file`` (at most "
    f"{notice_documents.DOCUMENT_MAX_BYTES // (1024 * 1024)} MB: a PDF, a JPG, PNG or WebP "
    "photo, or plain UTF-8 text, judged by its bytes; markup is refused).",
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": BINARY},
            },
        }
    },
}
NON_JSON_ANSWERS[("GET", "/api/v1/chair/notices/{notice_id}/documents/{document_id}")] = {
    "200": DOCUMENT_ANSWER
}
NON_JSON_ANSWERS[("GET", "/api/v1/notices/{notice_id}/documents/{document_id}")] = {
    "200": DOCUMENT_ANSWER
}
EXTRA_ERRORS[("GET", "/api/v1/notices/{notice_id}/items")] = {404}


async def _out(db: AsyncSession, notice: Notice, *, public: bool) -> NoticeOut:
    every: Sequence[NoticeDocument] = await notice_documents.documents_of(db, notice.id)
    if public:
        every = notice_documents.public_documents(notice, every)
    prefix = "/notices" if public else "/chair/notices"
    return NoticeOut(
        id=notice.id,
        matter_id=notice.matter_id,
        title=notice.title,
        body=notice.body,
        template=notice.template,
        starts_at=utc(notice.starts_at),
        ends_at=utc(notice.ends_at),
        collects=notice.collects,
        anonymous=notice.anonymous,
        state=notice_state(notice),
        published_at=utc(notice.published_at) if notice.published_at else None,
        withdrawn_at=utc(notice.withdrawn_at) if notice.withdrawn_at else None,
        items=await _items(db, notice),
        documents=[
            DocumentOut.of(document, f"{prefix}/{notice.id}/documents/{document.id}")
            for document in every
        ],
    )


@get("/matters/{matter_id:int}/notices", summary="A matter's notices, drafts too, newest first")
async def list_notices(db: AsyncSession, actor: Actor, matter_id: IdParam) -> list[NoticeOut]:
    matter = await matters.get_matter(db, matter_id)
    require(actor, "manage_ballots", (await units.get_unit(db, matter.unit_id)).path)
    return [
        await _out(db, notice, public=False) for notice in await notices.notices_of(db, matter.id)
    ]


@post(
    "/matters/{matter_id:int}/notices",
    status_code=HTTP_201_CREATED,
    summary="Draft a notice on a matter",
)
async def create_notice(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: NoticeIn
) -> NoticeOut:
    """Refused (``invalid-input``) when the title is blank or the period ends before it
    starts."""
    notice = await notices.create_notice(
        db,
        actor,
        matter_id=matter_id,
        title=data.title,
        body=data.body,
        template=data.template,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        collects=data.collects,
        anonymous=data.anonymous,
    )
    await db.commit()
    return await _out(db, notice, public=False)


@get("/chair/notices/{notice_id:int}", summary="A notice as its chairs see it (drafts too)")
async def get_notice(db: AsyncSession, actor: Actor, notice_id: IdParam) -> NoticeOut:
    return await _out(db, await notices.notice_for(db, actor, notice_id), public=False)


@put("/notices/{notice_id:int}", summary="Change a notice's text, period or what it collects")
async def update_notice(
    db: AsyncSession, actor: Actor, notice_id: IdParam, data: NoticeIn
) -> NoticeOut:
    notice = await notices.update_notice(
        db,
        actor,
        notice_id,
        title=data.title,
        body=data.body,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        collects=data.collects,
        anonymous=data.anonymous,
    )
    await db.commit()
    return await _out(db, notice, public=False)


@post("/notices/{notice_id:int}/publish", status_code=HTTP_200_OK, summary="Publish a notice")
async def publish_notice(db: AsyncSession, actor: Actor, notice_id: IdParam) -> NoticeOut:
    notice = await notices.publish_notice(db, actor, notice_id)
    await db.commit()
    return await _out(db, notice, public=False)


@post(
    "/notices/{notice_id:int}/withdraw",
    status_code=HTTP_200_OK,
    summary="Withdraw a published notice (kept on record, marked withdrawn)",
)
async def withdraw_notice(db: AsyncSession, actor: Actor, notice_id: IdParam) -> NoticeOut:
    notice = await notices.withdraw_notice(db, actor, notice_id)
    await db.commit()
    return await _out(db, notice, public=False)


@put(
    "/notices/{notice_id:int}/items/{key:str}",
    summary="Set an item's text (after publication: a new version)",
)
async def set_item(
    db: AsyncSession, actor: Actor, notice_id: IdParam, key: ItemKey, data: ItemTextIn
) -> NoticeOut:
    await notice_items.set_item(db, actor, notice_id, key, data.body)
    await db.commit()
    return await _out(db, await notices.get_notice(db, notice_id), public=False)


@post(
    "/notices/{notice_id:int}/items",
    status_code=HTTP_201_CREATED,
    summary="Add an item of your own to a general notice",
)
async def add_item(
    db: AsyncSession, actor: Actor, notice_id: IdParam, data: CustomItemIn
) -> NoticeOut:
    await notice_items.add_custom_item(db, actor, notice_id, data.label, data.body)
    await db.commit()
    return await _out(db, await notices.get_notice(db, notice_id), public=False)


@get("/notices/{notice_id:int}/items/{key:str}/history", summary="Every version of an item")
async def item_history(
    db: AsyncSession, actor: Actor, notice_id: IdParam, key: ItemKey
) -> list[ItemVersionOut]:
    notice = await notices.notice_for(db, actor, notice_id)
    rows = await notice_items.item_history(db, notice.id, key)
    if not rows and not any(
        item.key == key for item in await notice_items.current_items(db, notice)
    ):
        raise InvalidInput("This notice has no such item.")
    return [ItemVersionOut.of(row) for row in rows]


@get("/notices/{notice_id:int}/documents", summary="A notice's documents, withdrawn ones too")
async def list_documents(db: AsyncSession, actor: Actor, notice_id: IdParam) -> list[DocumentOut]:
    notice = await notices.notice_for(db, actor, notice_id)
    return [
        DocumentOut.of(document, f"/chair/notices/{notice.id}/documents/{document.id}")
        for document in await notice_documents.documents_of(db, notice.id)
    ]


@get(
    "/chair/notices/{notice_id:int}/items",
    summary="A notice's items as they stand, each with its earlier versions (drafts too)",
)
async def list_items(db: AsyncSession, actor: Actor, notice_id: IdParam) -> list[ItemOut]:
    notice = await notices.notice_for(db, actor, notice_id)
    return await _items(db, notice)


async def _items(db: AsyncSession, notice: Notice) -> list[ItemOut]:
    return [
        ItemOut.of(item, gettext_(item.label) if item.fixed else item.label)
        for item in await notice_items.current_items(db, notice)
    ]


@delete(
    "/notices/{notice_id:int}/items/{key:str}",
    status_code=HTTP_200_OK,
    summary="Remove an item of your own from a notice still in draft",
)
async def remove_item(
    db: AsyncSession, actor: Actor, notice_id: IdParam, key: ItemKey
) -> NoticeOut:
    """Only a general notice's own items, and only before publication: once published, an item
    stays on record and only its text changes, as a new version (``invalid-input``, 422)."""
    await notice_items.remove_custom_item(db, actor, notice_id, key)
    await db.commit()
    return await _out(db, await notices.get_notice(db, notice_id), public=False)


@post(
    "/notices/{notice_id:int}/documents",
    status_code=HTTP_201_CREATED,
    request_max_body_size=UPLOAD_BODY_MAX,
    summary="Upload a document (multipart, field ``file``)",
)
async def upload_document(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> DocumentOut:
    """The same checks as the console's form: refused with ``upload-refused`` (422, the detail
    names the problem: empty, too large, not an accepted kind) and nothing kept; a form without
    a ``file`` is malformed (400); a body over twice the limit is ``body-too-large`` (413).
    After publication the upload is noted on the matter's timeline."""
    await notices.notice_for(db, actor, notice_id)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationException(
            'the document must be sent as the file field "file" of a multipart form'
        )
    data = await upload.read()
    document = await notice_documents.add_document(
        db, actor, ctx.settings.data_dir, notice_id, name=upload.filename or "", data=data
    )
    await db.commit()
    return DocumentOut.of(document, f"/chair/notices/{notice_id}/documents/{document.id}")


@get(
    "/chair/notices/{notice_id:int}/documents/{document_id:int}",
    summary="Download a document (chairs: withdrawn ones and drafts' too)",
)
async def download_document(
    db: AsyncSession, ctx: AppContext, actor: Actor, notice_id: IdParam, document_id: IdParam
) -> Response[bytes]:
    document, data = await notice_documents.read_document(
        db, actor, ctx.settings.data_dir, notice_id, document_id
    )
    return _document_response(document, data)


def _document_response(document: NoticeDocument, data: bytes) -> Response[bytes]:
    return Response(
        content=data,
        media_type=document.content_type,
        headers=document_headers(document.name, document.content_type),
    )


@post(
    "/notices/{notice_id:int}/documents/{document_id:int}/withdraw",
    status_code=HTTP_200_OK,
    summary="Withdraw a document (kept on record with the time, never deleted)",
)
async def withdraw_document(
    db: AsyncSession, actor: Actor, notice_id: IdParam, document_id: IdParam
) -> DocumentOut:
    """Refused (``invalid-input``, 422) when it is already withdrawn. Withdrawn after
    publication, it stays listed on the public notice as withdrawn, with the time."""
    document = await notice_documents.withdraw_document(db, actor, notice_id, document_id)
    await db.commit()
    return DocumentOut.of(document, f"/chair/notices/{notice_id}/documents/{document.id}")


@get(
    "/notices/{notice_id:int}/items",
    summary="A published notice's items, each with every earlier version (public)",
    tags=["notices"],
)
async def public_items(db: AsyncSession, notice_id: IdParam) -> list[ItemOut]:
    """A draft is not found (404)."""
    return await _items(db, await published_notice(db, notice_id))


@get(
    "/notices/{notice_id:int}/documents/{document_id:int}",
    summary="Download a published notice's current document (public)",
    tags=["notices"],
)
async def public_document(
    db: AsyncSession, ctx: AppContext, notice_id: IdParam, document_id: IdParam
) -> Response[bytes]:
    """A draft's documents and withdrawn documents are not found (404)."""
    document, data = await notice_documents.read_document(
        db, None, ctx.settings.data_dir, notice_id, document_id
    )
    return _document_response(document, data)


@get("/notices/{notice_id:int}", summary="A published notice (public)", tags=["notices"])
async def show_notice(db: AsyncSession, notice_id: IdParam) -> NoticeOut:
    """Drafts are not found; a withdrawn notice is shown as withdrawn."""
    return await _out(db, await published_notice(db, notice_id), public=True)


router = Router(
    path="/api/v1",
    route_handlers=[
        list_notices,
        create_notice,
        get_notice,
        update_notice,
        publish_notice,
        withdraw_notice,
        set_item,
        add_item,
        item_history,
        list_items,
        remove_item,
        list_documents,
        upload_document,
        download_document,
        withdraw_document,
        show_notice,
        public_items,
        public_document,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
