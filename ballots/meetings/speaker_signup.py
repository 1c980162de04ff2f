"""Residents signing themselves up to speak at a meeting, by phone, and withdrawing.

A resident identifies with the voting code of one of their invitations; the resident must be on
the meeting's roll (:func:`ballots.meetings.checkin.on_roll`). Sign-up is open while the meeting
is planned or checking in, never once it has ended. Each resident has at most one waiting place
per meeting: signing up again changes the topic (or just tells them their place). A resident may
withdraw only their own waiting place, with the same voting code.

The sign-up joins the chair's speakers' queue (:mod:`ballots.meetings.speakers`) as a
:class:`~ballots.models.Speaker` with the resident's id. How they asked to be called (their name
on the roll when left empty) is for the chair only; the public queue shows places and topics,
never a name. Which speakers signed up themselves is read from the matter's timeline
(``meeting.speaker_signed_up``), which records the speaker's id, never a name. Residents' own
actions are not audited (nothing a chair did); every chair action on the queue still is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.credentials import credential_hash
from ballots.errors import N_, DomainError, MistypedCredential, UnknownCredential
from ballots.matters import add_event
from ballots.meetings.checkin import on_roll
from ballots.meetings.meetings import get_meeting
from ballots.meetings.speakers import NAME_MAX, TOPIC_MAX
from ballots.models import Elector, MatterEvent, Meeting, Resident, Speaker

SIGN_UP_STATES = ("planned", "checking_in")
"""Meeting states in which residents may sign up or withdraw."""
STALE_AFTER = timedelta(days=1)
"""A planned meeting this long past its planned end was never held (or never ended)."""
SIGNED_UP_EVENT = "meeting.speaker_signed_up"

Outcome = Literal["added", "updated", "already"]


class SignUpClosed(DomainError):
    type = "speaker-sign-up-closed"
    status = 409
    title = N_("Sign-up to speak is closed")
    detail_template = N_(
        "This meeting has ended (or was never held), so nobody can sign up to speak or "
        "withdraw any more. Nothing was saved."
    )


class NotOnMeetingRoll(DomainError):
    type = "not-on-meeting-roll"
    status = 403
    title = N_("Not on this meeting's list")
    detail_template = N_(
        "This voting code belongs to a resident who is not on this meeting's list, so it cannot "
        "be used to sign up here."
    )


class BadSignUp(DomainError):
    type = "invalid-speaker-sign-up"
    status = 422
    title = N_("Please check your sign-up")


class NotSignedUp(DomainError):
    type = "not-signed-up"
    status = 409
    title = N_("Not in the speakers' queue")
    detail_template = N_(
        "You are not waiting to speak at this meeting, so there is nothing to withdraw."
    )


@dataclass(frozen=True)
class SignUp:
    """A resident's waiting place: the speaker row, their place among those waiting (1 = next)
    and what this request did (``added``, ``updated`` the topic, or ``already`` there)."""

    speaker: Speaker
    place: int
    outcome: Outcome


@dataclass(frozen=True)
class PublicPlace:
    """One waiting place as the public reads it: its place and topic, never a name or id."""

    place: int
    topic: str


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def is_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """Whether residents may sign up (or withdraw) now: while check-in is open, or while the
    meeting is planned and not a day past its planned end (or start, without an end)."""
    if meeting.state == "checking_in":
        return True
    if meeting.state != "planned":
        return False
    return _now(now) <= (meeting.ends_at or meeting.starts_at) + STALE_AFTER


def _text(value: str, maximum: int, *, empty: str | None, long: str) -> str:
    value = " ".join(value.split())
    if empty is not None and not value:
        raise BadSignUp(empty)
    if len(value) > maximum:
        raise BadSignUp(long, limit=maximum)
    if "\x00" in value:
        raise BadSignUp(N_("The text contains characters that cannot be stored."))
    return value


async def resident_of(
    session: AsyncSession, key: bytes, meeting: Meeting, credential: str
) -> Resident:
    """The resident whose invitation carries ``credential``, on the meeting's roll.

    Raises :class:`MistypedCredential`, :class:`UnknownCredential` or :class:`NotOnMeetingRoll`.
    """
    hashed = credential_hash(key, credential)
    if hashed is None:
        raise MistypedCredential()
    resident_id = await session.scalar(
        select(Elector.resident_id).where(Elector.credential_hash == hashed).limit(1)
    )
    if resident_id is None:
        raise UnknownCredential()
    resident = await session.get(Resident, resident_id)
    if resident is None or not await on_roll(session, meeting, resident.id):
        raise NotOnMeetingRoll()
    return resident


async def _open_meeting(session: AsyncSession, meeting_id: int, now: datetime | None) -> Meeting:
    meeting = await get_meeting(session, meeting_id)
    if not is_open(meeting, now):
        raise SignUpClosed()
    # Serialise sign-ups of one meeting (PostgreSQL), so one resident never gets two places.
    await session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    return meeting


async def _waiting_of(session: AsyncSession, meeting_id: int, resident_id: int) -> Speaker | None:
    return await session.scalar(
        select(Speaker)
        .where(
            Speaker.meeting_id == meeting_id,
            Speaker.resident_id == resident_id,
            Speaker.state == "waiting",
        )
        .order_by(Speaker.requested_at, Speaker.id)
        .limit(1)
    )


async def waiting_queue(session: AsyncSession, meeting_id: int) -> list[Speaker]:
    """Those still waiting to speak, in the order they asked."""
    return list(
        await session.scalars(
            select(Speaker)
            .where(Speaker.meeting_id == meeting_id, Speaker.state == "waiting")
            .order_by(Speaker.requested_at, Speaker.id)
        )
    )


async def place_of(session: AsyncSession, speaker: Speaker) -> int:
    """The speaker's place among those waiting (1 = next), 0 when not waiting."""
    for place, waiting in enumerate(await waiting_queue(session, speaker.meeting_id), start=1):
        if waiting.id == speaker.id:
            return place
    return 0


async def sign_up(
    session: AsyncSession,
    key: bytes,
    meeting_id: int,
    *,
    credential: str,
    topic: str,
    call_me: str = "",
    now: datetime | None = None,
) -> SignUp:
    """Put the resident with ``credential`` in the speakers' queue, or, when they already wait
    there, change their topic (and how to call them) or just tell them their place.

    Bad input, a closed meeting or a refused code changes nothing. The caller commits.
    """
    topic = _text(
        topic,
        TOPIC_MAX,
        empty=N_("Please say what you want to speak about."),
        long=N_("Please keep the topic within {limit} characters."),
    )
    call_me = _text(
        call_me, NAME_MAX, empty=None, long=N_("Please keep the name within {limit} characters.")
    )
    meeting = await _open_meeting(session, meeting_id, now)
    resident = await resident_of(session, key, meeting, credential)
    speaker = await _waiting_of(session, meeting.id, resident.id)
    if speaker is not None:
        name = call_me or speaker.name
        if speaker.topic == topic and speaker.name == name:
            return SignUp(speaker, await place_of(session, speaker), "already")
        speaker.topic, speaker.name = topic, name
        await session.flush()
        return SignUp(speaker, await place_of(session, speaker), "updated")
    speaker = Speaker(
        meeting_id=meeting.id,
        resident_id=resident.id,
        name=call_me or resident.name[:NAME_MAX],
        topic=topic,
        state="waiting",
    )
    session.add(speaker)
    await session.flush()
    add_event(
        session, meeting.matter_id, SIGNED_UP_EVENT, meeting_id=meeting.id, speaker_id=speaker.id
    )
    await session.flush()
    return SignUp(speaker, await place_of(session, speaker), "added")


async def withdraw_own(
    session: AsyncSession,
    key: bytes,
    meeting_id: int,
    *,
    credential: str,
    now: datetime | None = None,
) -> Speaker:
    """Withdraw the waiting place of the resident with ``credential`` (only their own).

    Raises :class:`NotSignedUp` when they have none. The caller commits.
    """
    meeting = await _open_meeting(session, meeting_id, now)
    resident = await resident_of(session, key, meeting, credential)
    speaker = await _waiting_of(session, meeting.id, resident.id)
    if speaker is None:
        raise NotSignedUp()
    speaker.state = "withdrawn"
    add_event(
        session,
        meeting.matter_id,
        "meeting.speaker_withdrawn",
        meeting_id=meeting.id,
        speaker_id=speaker.id,
        by="resident",
    )
    await session.flush()
    return speaker


async def public_queue(session: AsyncSession, meeting_id: int) -> list[PublicPlace]:
    """The waiting places in order, with their topics: never a name."""
    return [
        PublicPlace(place=place, topic=speaker.topic)
        for place, speaker in enumerate(await waiting_queue(session, meeting_id), start=1)
    ]


async def self_signed_ids(session: AsyncSession, meeting: Meeting) -> set[int]:
    """The ids of the meeting's speakers who signed up themselves, from the matter's timeline."""
    payloads = await session.scalars(
        select(MatterEvent.payload).where(
            MatterEvent.matter_id == meeting.matter_id, MatterEvent.kind == SIGNED_UP_EVENT
        )
    )
    return {
        int(payload["speaker_id"])
        for payload in payloads
        if payload.get("meeting_id") == meeting.id and isinstance(payload.get("speaker_id"), int)
    }
