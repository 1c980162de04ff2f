"""Notice documents: kinds judged by content, size limit, withdrawn kept with the time and
shown publicly as withdrawn only when withdrawn after publication; drafts' documents not public."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import NotFound
from ballots.models import AuditEntry, NoticeDocument
from ballots.notices.documents import (
    add_document,
    documents_of,
    public_documents,
    read_document,
    withdraw_document,
)
from ballots.notices.notices import create_notice, publish_notice
from ballots.uploads import UploadRefused
from tests.ballots.factories import ADMIN, build_world

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n%test\n"


async def test_documents_are_checked_kept_and_withdrawn_on_record(
    session: AsyncSession, tmp_path: Path
) -> None:
    world = await build_world(session)
    notice = await create_notice(
        session,
        ADMIN,
        matter_id=world.matter_id,
        title="评估机构选定公示",
        starts_at=START,
        ends_at=START + timedelta(days=7),
        template="selection",
    )
    await session.commit()
    with pytest.raises(UploadRefused):
        await add_document(session, ADMIN, tmp_path, notice.id, name="a.html", data=b"<html>")
    with pytest.raises(UploadRefused):
        await add_document(
            session, ADMIN, tmp_path, notice.id, name="big.pdf", data=PDF + b"x" * 100, max_bytes=50
        )
    with pytest.raises(UploadRefused):
        await add_document(session, ADMIN, tmp_path, notice.id, name="e.pdf", data=b"")
    assert list(await session.scalars(select(NoticeDocument))) == []
    early = await add_document(session, ADMIN, tmp_path, notice.id, name="草稿.txt", data=b"draft")
    kept = await add_document(session, ADMIN, tmp_path, notice.id, name="资质.pdf", data=PDF)
    late = await add_document(session, ADMIN, tmp_path, notice.id, name="名单.txt", data=b"A, B")
    await session.commit()
    assert (kept.content_type, late.content_type) == ("application/pdf", "text/plain")
    with pytest.raises(NotFound):  # a draft's documents are not public
        await read_document(session, None, tmp_path, notice.id, kept.id)
    await withdraw_document(session, ADMIN, notice.id, early.id, now=START - timedelta(hours=1))
    await publish_notice(session, ADMIN, notice.id, now=START)
    await withdraw_document(session, ADMIN, notice.id, late.id, now=START + timedelta(days=1))
    await session.commit()
    every = await documents_of(session, notice.id)
    assert len(every) == 3  # nothing deleted
    shown = public_documents(notice, every)
    assert [(d.name, d.withdrawn_at is not None) for d in shown] == [
        ("资质.pdf", False),
        ("名单.txt", True),
    ]
    document, data = await read_document(session, None, tmp_path, notice.id, kept.id)
    assert data == PDF and document.name == "资质.pdf"
    with pytest.raises(NotFound):
        await read_document(session, None, tmp_path, notice.id, late.id)
    _, data = await read_document(session, ADMIN, tmp_path, notice.id, late.id)
    assert data == b"A, B"
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("notice.document_add") == 3
    assert actions.count("notice.document_withdraw") == 2
