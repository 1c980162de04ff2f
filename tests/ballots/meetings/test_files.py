"""Minutes' files: kept by their bytes' kind under the data directory, read back only by chairs
who may read the unit, detached and then deleted; markup, empty and oversized files refused,
storing nothing and recording nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import NotFound, OutsideUnit
from ballots.meetings.files import add_file, delete_file, list_files, read_file, remove_stored
from ballots.models import AuditEntry, MatterEvent, MeetingFile
from ballots.uploads import PDF, UploadRefused
from tests.ballots.factories import ADMIN
from tests.ballots.meetings.world import meeting_world

STRANGER = Actor(name="思南主任", role="area_chair", unit_path="/1/2/4/", chair_id=None)
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


async def test_attach_read_and_delete(session: AsyncSession, tmp_path: Path) -> None:
    mw = await meeting_world(session)
    attached = await add_file(
        session, ADMIN, tmp_path, mw.meeting_id, name="C:\\纪要\\会议纪要.pdf", data=PDF_BYTES
    )
    await session.commit()
    assert attached.name == "会议纪要.pdf" and attached.content_type == PDF
    assert [f.id for f in await list_files(session, mw.meeting_id)] == [attached.id]
    found, data = await read_file(session, ADMIN, tmp_path, mw.meeting_id, attached.id)
    assert data == PDF_BYTES and found.size == len(PDF_BYTES)
    with pytest.raises(OutsideUnit):
        await read_file(session, STRANGER, tmp_path, mw.meeting_id, attached.id)
    with pytest.raises(NotFound):
        await read_file(session, ADMIN, tmp_path, mw.meeting_id, attached.id + 1)
    with pytest.raises(OutsideUnit):
        await delete_file(session, STRANGER, mw.meeting_id, attached.id)
    name, stored_as = await delete_file(session, ADMIN, mw.meeting_id, attached.id)
    await session.commit()
    remove_stored(tmp_path, stored_as)
    assert name == "会议纪要.pdf"
    assert not any((tmp_path / "uploads").iterdir())
    kinds = set(
        (
            await session.scalars(
                select(MatterEvent.kind).where(MatterEvent.kind.startswith("meeting.file"))
            )
        ).all()
    )
    assert kinds == {"meeting.file_added", "meeting.file_deleted"}


@pytest.mark.parametrize(
    "data",
    [b"", b"<html><body>x</body></html>", b"\x00\x01binary", b"%PDF-" + b"x" * 2048],
)
async def test_refused_files_leave_no_trace(
    session: AsyncSession, tmp_path: Path, data: bytes
) -> None:
    mw = await meeting_world(session)
    audits = await session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(UploadRefused):
        await add_file(
            session, ADMIN, tmp_path, mw.meeting_id, name="x.pdf", data=data, max_bytes=1024
        )
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(MeetingFile)) == 0
    assert await session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    with pytest.raises(OutsideUnit):
        await add_file(session, STRANGER, tmp_path, mw.meeting_id, name="x.pdf", data=PDF_BYTES)
