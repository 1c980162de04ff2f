"""A notice's documents (PDF, photos, plain text): upload, list, withdraw and read back.

The bytes are checked and kept by :mod:`ballots.uploads` (size limit, kind judged by content,
never markup). A withdrawn document is never deleted: it keeps its row and bytes with
``withdrawn_at``, and when it was withdrawn after publication the public page lists it as
withdrawn, with the time. Uploading and withdrawing are audited; after publication both are
noted on the matter's timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.errors import N_, InvalidInput, NotFound
from ballots.matters import add_event
from ballots.models import Notice, NoticeDocument
from ballots.notices.notices import get_notice, notice_for, notice_unit
from ballots.uploads import DOCUMENT_TYPES, read_upload, store_upload

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
"""The largest document (a scanned policy of a few pages, a photo of a floor plan)."""
DOCUMENTS_MAX = 50


async def add_document(
    session: AsyncSession,
    actor: Actor,
    data_dir: Path,
    notice_id: int,
    *,
    name: str,
    data: bytes,
    max_bytes: int = DOCUMENT_MAX_BYTES,
    now: datetime | None = None,
) -> NoticeDocument:
    """Attach a document to the notice (refused, keeping nothing, when it is empty, too large
    or not an allowed kind, or the notice is withdrawn). The caller commits."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    if notice.withdrawn_at is not None:
        raise InvalidInput(N_("A withdrawn notice can no longer be changed."))
    if len(await documents_of(session, notice.id)) >= DOCUMENTS_MAX:
        raise InvalidInput(N_("A notice has at most {n} documents."), n=DOCUMENTS_MAX)
    stored = store_upload(data_dir, name, data, max_bytes=max_bytes, allowed=DOCUMENT_TYPES)
    document = NoticeDocument(
        notice_id=notice.id,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        stored_as=stored.stored_as,
        uploaded_at=now or datetime.now(UTC),
        chair_id=actor.chair_id,
    )
    session.add(document)
    await session.flush()
    if notice.published_at is not None:
        add_event(
            session,
            notice.matter_id,
            "notice.document_added",
            actor=actor.name,
            notice_id=notice.id,
            name=stored.name,
        )
    audit.record(
        session,
        actor,
        "notice.document_add",
        f"notice:{notice.id}",
        unit.id,
        document_id=document.id,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
    )
    return document


async def documents_of(session: AsyncSession, notice_id: int) -> Sequence[NoticeDocument]:
    """All the notice's documents, withdrawn ones too, in the order they were uploaded."""
    return (
        await session.scalars(
            select(NoticeDocument)
            .where(NoticeDocument.notice_id == notice_id)
            .order_by(NoticeDocument.uploaded_at, NoticeDocument.id)
        )
    ).all()


def public_documents(notice: Notice, documents: Sequence[NoticeDocument]) -> list[NoticeDocument]:
    """The documents the public sees: those not withdrawn, and those withdrawn after the
    notice was published (shown as withdrawn)."""
    return [
        document
        for document in documents
        if document.withdrawn_at is None
        or (notice.published_at is not None and document.withdrawn_at > notice.published_at)
    ]


async def _document_of(session: AsyncSession, notice_id: int, document_id: int) -> NoticeDocument:
    document = await session.get(NoticeDocument, document_id)
    if document is None or document.notice_id != notice_id:
        raise NotFound(what="document", id=document_id)
    return document


async def withdraw_document(
    session: AsyncSession,
    actor: Actor,
    notice_id: int,
    document_id: int,
    now: datetime | None = None,
) -> NoticeDocument:
    """Withdraw a document: it stays on record with the time. The caller commits."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    document = await _document_of(session, notice.id, document_id)
    if document.withdrawn_at is not None:
        raise InvalidInput(N_("This document is already withdrawn."))
    document.withdrawn_at = now or datetime.now(UTC)
    await session.flush()
    if notice.published_at is not None:
        add_event(
            session,
            notice.matter_id,
            "notice.document_withdrawn",
            actor=actor.name,
            notice_id=notice.id,
            name=document.name,
        )
    audit.record(
        session,
        actor,
        "notice.document_withdraw",
        f"notice:{notice.id}",
        unit.id,
        document_id=document.id,
        name=document.name,
    )
    return document


async def read_document(
    session: AsyncSession,
    actor: Actor | None,
    data_dir: Path,
    notice_id: int,
    document_id: int,
) -> tuple[NoticeDocument, bytes]:
    """A document and its bytes: for the public (``actor`` None) only a current document of a
    published notice; for a chair who may manage the notice's unit, any of them."""
    if actor is None:
        notice = await get_notice(session, notice_id)
        if notice.published_at is None:
            raise NotFound(what="notice", id=notice_id)
    else:
        notice = await notice_for(session, actor, notice_id)
    document = await _document_of(session, notice.id, document_id)
    if actor is None and document.withdrawn_at is not None:
        raise NotFound(what="document", id=document_id)
    data = read_upload(data_dir, document.stored_as)
    if data is None:
        raise NotFound(what="document", id=document_id)
    return document, data
