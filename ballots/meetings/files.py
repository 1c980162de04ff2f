"""Files attached to a meeting's minutes: upload, list, read back and delete.

The bytes are checked and kept by :mod:`ballots.uploads` (PDF, photos or plain text only, never
markup); the row keeps the name it was uploaded with, its detected type and size. Adding and
deleting are audited (with the file's name) and noted on the matter's public timeline (without
it); reading needs the unit's read right.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import NotFound
from ballots.matters import add_event
from ballots.meetings.meetings import get_meeting, meeting_unit
from ballots.models import MeetingFile
from ballots.uploads import DOCUMENT_TYPES, UPLOAD_DIR, read_upload, store_upload

FILES_MAX_BYTES = 10 * 1024 * 1024
"""The largest attachment (a scanned page or two of minutes, a photo of a notice)."""


async def add_file(
    session: AsyncSession,
    actor: Actor,
    data_dir: Path,
    meeting_id: int,
    *,
    name: str,
    data: bytes,
    max_bytes: int = FILES_MAX_BYTES,
) -> MeetingFile:
    """Attach an uploaded file to the meeting's minutes (refused, keeping nothing, when it is
    empty, too large or not an allowed kind). The caller commits."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    stored = store_upload(data_dir, name, data, max_bytes=max_bytes, allowed=DOCUMENT_TYPES)
    attached = MeetingFile(
        meeting_id=meeting.id,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        stored_as=stored.stored_as,
        chair_id=actor.chair_id,
    )
    session.add(attached)
    await session.flush()
    add_event(
        session,
        meeting.matter_id,
        "meeting.file_added",
        actor=actor.name,
        meeting_id=meeting.id,
        file_id=attached.id,
    )
    audit.record(
        session,
        actor,
        "meeting.file_add",
        f"meeting:{meeting.id}",
        unit.id,
        file_id=attached.id,
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
    )
    return attached


async def list_files(session: AsyncSession, meeting_id: int) -> Sequence[MeetingFile]:
    """The meeting's files, in the order they were attached."""
    result = await session.scalars(
        select(MeetingFile)
        .where(MeetingFile.meeting_id == meeting_id)
        .order_by(MeetingFile.uploaded_at, MeetingFile.id)
    )
    return result.all()


async def _file_of(session: AsyncSession, meeting_id: int, file_id: int) -> MeetingFile:
    attached = await session.get(MeetingFile, file_id)
    if attached is None or attached.meeting_id != meeting_id:
        raise NotFound(what="file", id=file_id)
    return attached


async def read_file(
    session: AsyncSession, actor: Actor, data_dir: Path, meeting_id: int, file_id: int
) -> tuple[MeetingFile, bytes]:
    """A file of the meeting and its bytes, for a chair who may read the meeting's unit."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "read", unit.path)
    attached = await _file_of(session, meeting.id, file_id)
    data = read_upload(data_dir, attached.stored_as)
    if data is None:
        raise NotFound(what="file", id=file_id)
    return attached, data


async def delete_file(
    session: AsyncSession, actor: Actor, meeting_id: int, file_id: int
) -> tuple[str, str]:
    """Detach a file from the meeting; return the name it had and where its bytes are kept.
    The caller commits, then removes the bytes with :func:`remove_stored`."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    attached = await _file_of(session, meeting.id, file_id)
    name, stored_as = attached.name, attached.stored_as
    await session.delete(attached)
    await session.flush()
    add_event(
        session,
        meeting.matter_id,
        "meeting.file_deleted",
        actor=actor.name,
        meeting_id=meeting.id,
        file_id=file_id,
    )
    audit.record(
        session,
        actor,
        "meeting.file_delete",
        f"meeting:{meeting.id}",
        unit.id,
        file_id=file_id,
        name=name,
    )
    return name, stored_as


def remove_stored(data_dir: Path, stored_as: str) -> None:
    """Delete a detached file's bytes (after the commit that detached it)."""
    if len(stored_as) == 32 and all(ch in "0123456789abcdef" for ch in stored_as):
        (data_dir / UPLOAD_DIR / stored_as).unlink(missing_ok=True)
