"""The speakers' queue of a meeting: who asked to speak, on what, in the order they asked, and
whether they have spoken or withdrawn.

A speaker is named as they asked to be called; ``resident_id`` links them to the roll when they
are a resident on it. Every change is audited and noted on the matter's timeline (which the
public reads, so without the speaker's name).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput, NotFound
from ballots.matters import add_event
from ballots.meetings.checkin import on_roll
from ballots.meetings.meetings import get_meeting, meeting_unit
from ballots.models import Resident, Speaker
from ballots.models.bounds import column_length

SpeakerState = Literal["waiting", "spoken", "withdrawn"]
SPEAKER_STATES: tuple[SpeakerState, ...] = ("waiting", "spoken", "withdrawn")
NAME_MAX = column_length(Speaker.name)
TOPIC_MAX = column_length(Speaker.topic)


def _clean_text(value: str, what: str, maximum: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(N_("Please fill in the {what}."), what=what)
    if len(value) > maximum:
        raise InvalidInput(
            N_("The {what} must be at most {limit} characters."), what=what, limit=maximum
        )
    if "\x00" in value:
        raise InvalidInput(N_("The {what} contains characters that cannot be stored."), what=what)
    return value


async def add_speaker(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    name: str = "",
    topic: str = "",
    resident_id: int | None = None,
) -> Speaker:
    """Put someone at the end of the queue. With ``resident_id`` (a resident on the meeting's
    roll) the name may be left empty: the resident's own name is used. The caller commits."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    if resident_id is not None:
        resident = await session.get(Resident, resident_id)
        if resident is None:
            raise NotFound(what="resident", id=resident_id)
        if not await on_roll(session, meeting, resident.id):
            raise InvalidInput(
                N_("This resident is not on the list of residents for this meeting.")
            )
        name = name.strip() or resident.name
    name = _clean_text(name, "name", NAME_MAX, required=True)
    topic = _clean_text(topic, "topic", TOPIC_MAX, required=False)
    speaker = Speaker(
        meeting_id=meeting.id, resident_id=resident_id, name=name, topic=topic, state="waiting"
    )
    session.add(speaker)
    await session.flush()
    add_event(
        session,
        meeting.matter_id,
        "meeting.speaker_added",
        actor=actor.name,
        meeting_id=meeting.id,
        speaker_id=speaker.id,
    )
    audit.record(
        session,
        actor,
        "meeting.speaker_add",
        f"meeting:{meeting.id}",
        unit.id,
        speaker_id=speaker.id,
        resident_id=resident_id,
    )
    return speaker


async def list_speakers(session: AsyncSession, meeting_id: int) -> Sequence[Speaker]:
    """The queue, in the order people asked to speak."""
    result = await session.scalars(
        select(Speaker)
        .where(Speaker.meeting_id == meeting_id)
        .order_by(Speaker.requested_at, Speaker.id)
    )
    return result.all()


async def mark_speaker(
    session: AsyncSession, actor: Actor, meeting_id: int, speaker_id: int, state: str
) -> Speaker:
    """Mark a speaker ``spoken`` or ``withdrawn`` (or back to ``waiting``, to undo a slip).
    The caller commits."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    if state not in SPEAKER_STATES:
        raise InvalidInput(
            N_("The state must be one of: {choices}."), choices=", ".join(SPEAKER_STATES)
        )
    speaker = await session.get(Speaker, speaker_id)
    if speaker is None or speaker.meeting_id != meeting.id:
        raise NotFound(what="speaker", id=speaker_id)
    if speaker.state != state:
        speaker.state = state
        add_event(
            session,
            meeting.matter_id,
            f"meeting.speaker_{state}",
            actor=actor.name,
            meeting_id=meeting.id,
            speaker_id=speaker.id,
        )
        audit.record(
            session,
            actor,
            "meeting.speaker_mark",
            f"meeting:{meeting.id}",
            unit.id,
            speaker_id=speaker.id,
            state=state,
        )
        await session.flush()
    return speaker
