"""Notices (公示) in the API: chairs draft, change, publish and withdraw a notice, set its items
(each change after publication kept as a new version), add their own items, read an item's
history and the documents; anyone reads a published notice. Everything here the console does
too (documents are uploaded there, as a multipart form)."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Router, get, post, put
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, require
from ballots.errors import InvalidInput
from ballots.models import Notice, NoticeDocument
from ballots.notices import documents as notice_documents
from ballots.notices import items as notice_items
from ballots.notices import notices
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
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.notices import ItemKey
from vote.pages.notice_labels import notice_state
from vote.pages.notices import published_notice
from vote.web import provide_actor


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
        items=[
            ItemOut.of(item, gettext_(item.label) if item.fixed else item.label)
            for item in await notice_items.current_items(db, notice)
        ],
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
        list_documents,
        show_notice,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
