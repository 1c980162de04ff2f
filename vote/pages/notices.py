"""Public pages of a notice (公示): the notice as residents read it on a phone (period and state,
text, current items, documents, the change record of every item changed after publication), its
printable A4 sheet with a QR code to the online notice, and its documents' downloads. A draft
is never public (404)."""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import NotFound
from ballots.matters import get_matter
from ballots.meetings.meetings import list_meetings
from ballots.meetings.speaker_signup import is_open as sign_up_is_open
from ballots.models import Notice
from ballots.notices import documents as notice_documents
from ballots.notices import items as notice_items
from ballots.notices.notices import get_notice, notice_unit
from ballots.uploads import IMAGE_TYPES
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.meeting_parts import attachment_headers
from vote.pages.errors import page
from vote.pages.notice_labels import NOTICE_LABELS
from vote.printing.qr import qr_svg
from vote.web import AppContext


def document_headers(name: str, content_type: str) -> dict[str, str]:
    """Headers for a notice's document: a photo shows in the page (inline), a PDF or text is
    saved under its name; never sniffed, never run as a page."""
    headers = attachment_headers(name, content_type)
    if content_type in IMAGE_TYPES:
        headers["content-disposition"] = headers["content-disposition"].replace(
            "attachment", "inline", 1
        )
    return headers


async def published_notice(db: AsyncSession, notice_id: int) -> Notice:
    """The notice when it is published (withdrawn ones too, marked so); a draft is not found."""
    notice = await get_notice(db, notice_id)
    if notice.published_at is None:
        raise NotFound(what="notice", id=notice_id)
    return notice


async def _context(db: AsyncSession, notice: Notice) -> dict[str, Any]:
    matter = await get_matter(db, notice.matter_id)
    every = await notice_documents.documents_of(db, notice.id)
    return {
        "notice": notice,
        "matter": matter,
        "unit": await notice_unit(db, notice),
        "items": await notice_items.current_items(db, notice),
        "documents": notice_documents.public_documents(notice, every),
        "meetings": [m for m in await list_meetings(db, matter.id) if sign_up_is_open(m)],
        **NOTICE_LABELS,
    }


@get("/notices/{notice_id:int}", name="notice-page")
async def notice_page(db: AsyncSession, notice_id: IdParam) -> Template:
    notice = await published_notice(db, notice_id)
    return page("notice.html", **await _context(db, notice))


@get("/notices/{notice_id:int}/print", name="notice-print")
async def notice_print(db: AsyncSession, ctx: AppContext, notice_id: IdParam) -> Template:
    notice = await published_notice(db, notice_id)
    url = f"{ctx.settings.base_url}/notices/{notice.id}"
    label = gettext_("QR code to read this notice online")
    return page("notice_print.html", url=url, qr=qr_svg(url, label), **await _context(db, notice))


@get("/notices/{notice_id:int}/documents/{document_id:int}", name="notice-document")
async def notice_document(
    db: AsyncSession, ctx: AppContext, notice_id: IdParam, document_id: IdParam
) -> Response[bytes]:
    document, data = await notice_documents.read_document(
        db, None, ctx.settings.data_dir, notice_id, document_id
    )
    return Response(
        content=data,
        media_type=document.content_type,
        headers=document_headers(document.name, document.content_type),
    )


router = Router(
    path="/", route_handlers=[notice_page, notice_print, notice_document], include_in_schema=False
)
