"""Request and response bodies of the meetings API (plain msgspec Structs, bounded as the
database columns are)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec

from ballots.meetings.meetings import (
    AGENDA_ITEM_MAX,
    AGENDA_ITEMS_MAX,
    PROXY_LIMIT_MAX,
)
from ballots.meetings.speakers import NAME_MAX, TOPIC_MAX
from ballots.models import Ballot, Meeting, Speaker
from ballots.models.bounds import SAFE_TEXT, Id, Text, column_length

MeetingTitle = Annotated[
    str, msgspec.Meta(min_length=1, max_length=column_length(Meeting.title), pattern=SAFE_TEXT)
]
Venue = Annotated[str, msgspec.Meta(max_length=column_length(Meeting.venue), pattern=SAFE_TEXT)]
AgendaItem = Annotated[str, msgspec.Meta(max_length=AGENDA_ITEM_MAX, pattern=SAFE_TEXT)]
Agenda = Annotated[list[AgendaItem], msgspec.Meta(max_length=AGENDA_ITEMS_MAX)]
ProxyLimit = Annotated[int, msgspec.Meta(ge=0, le=PROXY_LIMIT_MAX)]
AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]
"""A time with its offset (``2026-12-05T18:00:00+08:00`` or ``…Z``)."""
MeetingKind = Literal["hearing", "coordination", "evaluation", "general"]
SpeakerName = Annotated[str, msgspec.Meta(max_length=NAME_MAX, pattern=SAFE_TEXT)]
Topic = Annotated[str, msgspec.Meta(max_length=TOPIC_MAX, pattern=SAFE_TEXT)]


def utc(at: datetime) -> datetime:
    """A stored time in UTC (SQLite hands them back naive; a fresh row keeps the given zone)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class MeetingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A meeting's plan. On creation a missing ``kind`` follows the matter's kind; on an update
    it stays as it was."""

    title: MeetingTitle
    starts_at: AwareTime
    kind: MeetingKind | None = None
    ends_at: AwareTime | None = None
    venue: Venue = ""
    agenda: Agenda = msgspec.field(default_factory=list)
    proxy_limit: ProxyLimit = 1


class MinutesIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Text


class HoldBallotIn(msgspec.Struct, forbid_unknown_fields=True):
    """A draft ballot of the meeting's matter to hold at it; ``requires_checkin``: only those
    checked in (or represented by a checked-in proxy holder) may vote."""

    ballot_id: Id
    requires_checkin: bool = False


class SpeakerIn(msgspec.Struct, forbid_unknown_fields=True):
    """Someone asking to speak: a name, or a resident on the meeting's roll (whose name is used
    when ``name`` is empty), and optionally what about."""

    name: SpeakerName = ""
    topic: Topic = ""
    resident_id: Id | None = None


class SpeakerStateIn(msgspec.Struct, forbid_unknown_fields=True):
    state: Literal["waiting", "spoken", "withdrawn"]


class HeldBallot(msgspec.Struct):
    id: int
    title: str
    state: str
    requires_checkin: bool

    @classmethod
    def of(cls, ballot: Ballot) -> HeldBallot:
        return cls(
            id=ballot.id,
            title=ballot.title,
            state=ballot.state,
            requires_checkin=ballot.requires_checkin,
        )


class MeetingOut(msgspec.Struct):
    """A meeting: its plan, state (``planned``, ``checking_in``, ``ended``), minutes and the
    ballots held at it. Times are UTC."""

    id: int
    matter_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    agenda: list[str]
    proxy_limit: int
    state: str
    minutes: str
    created_at: datetime
    ballots: list[HeldBallot]

    @classmethod
    def of(cls, meeting: Meeting, ballots: list[Ballot]) -> MeetingOut:
        return cls(
            id=meeting.id,
            matter_id=meeting.matter_id,
            kind=meeting.kind,
            title=meeting.title,
            starts_at=utc(meeting.starts_at),
            ends_at=utc(meeting.ends_at) if meeting.ends_at is not None else None,
            venue=meeting.venue,
            agenda=list(meeting.agenda),
            proxy_limit=meeting.proxy_limit,
            state=meeting.state,
            minutes=meeting.minutes,
            created_at=utc(meeting.created_at),
            ballots=[HeldBallot.of(ballot) for ballot in ballots],
        )


class AttendanceRow(msgspec.Struct):
    """Someone checked in: when, how (``venue``, ``scan``, ``code``, ``hand``) and, when a chair
    did it, which chair."""

    resident_id: int
    name: str
    at: datetime
    method: str
    chair: str | None


class SpeakerOut(msgspec.Struct):
    """Someone in the speakers' queue; ``self_signed`` when the resident signed up by phone."""

    id: int
    name: str
    topic: str
    resident_id: int | None
    requested_at: datetime
    state: str
    self_signed: bool = False

    @classmethod
    def of(cls, speaker: Speaker, *, self_signed: bool = False) -> SpeakerOut:
        return cls(
            id=speaker.id,
            name=speaker.name,
            topic=speaker.topic,
            resident_id=speaker.resident_id,
            requested_at=utc(speaker.requested_at),
            state=speaker.state,
            self_signed=self_signed,
        )
