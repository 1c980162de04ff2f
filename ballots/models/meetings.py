"""Meetings held in a room: attendance, speakers, minutes' files, proxies and paper ballots.

A meeting belongs to a matter; ballots held at it point at it (``ballots.meeting_id``) and may
require check-in. Attendance rows name residents (who was present is not secret); what anyone
voted never is. Paper ballots are issued by serial number to one voting unit; their contents are
entered twice, by two different chairs, before they join the count as one board event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow

MeetingKind = Literal["hearing", "coordination", "evaluation", "general"]
MEETING_KINDS: tuple[MeetingKind, ...] = ("hearing", "coordination", "evaluation", "general")

MeetingState = Literal["planned", "checking_in", "ended"]
"""``planned``: no check-in yet; ``checking_in``: the venue code is shown and accepted;
``ended``: no more check-ins."""

CheckInMethod = Literal["venue", "scan", "code", "hand"]
"""How a resident was checked in: the projected venue code on their own phone (``venue``), their
invitation QR scanned at the door (``scan``), their code typed at the door (``code``), or found
by name and checked in by a chair (``hand``)."""


class Meeting(Base):
    """A meeting on a matter: when and where, its agenda, minutes and check-in.

    ``checkin_secret`` is the per-meeting TOTP secret (base32) behind the venue code that changes
    every 30 seconds; it never leaves the server except as the current code. ``proxy_limit`` is
    how many other residents one person may hold a proxy (委托) for at this meeting.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="general")
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    venue: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="planned")
    checkin_secret: Mapped[str] = mapped_column(String(32))
    proxy_limit: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attendance(Base):
    """One resident present at a meeting, once; ``chair_id`` is who checked them in, if a chair
    did (door scan, typed code or by hand)."""

    __tablename__ = "attendances"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))


class Speaker(Base):
    """Someone who asked to speak at a meeting, in the order they asked."""

    __tablename__ = "meeting_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    name: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(300), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="waiting")


class MeetingFile(Base):
    """A file attached to a meeting's minutes, stored under the data directory."""

    __tablename__ = "meeting_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored_as: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))


class Proxy(Base):
    """A proxy (委托): ``grantor_id`` authorises ``holder_id`` to attend and vote for them at a
    meeting. ``form_file`` is an optional photo of the signed form; ``revoked_at`` ends it."""

    __tablename__ = "proxies"
    __table_args__ = (UniqueConstraint("meeting_id", "grantor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    grantor_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    form_file: Mapped[str | None] = mapped_column(String(100))
    form_type: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PaperIssue(Base):
    """Paper ballot number ``serial`` of a ballot, handed to one voting unit (``count_key``).

    Once issued, that voting unit cannot vote by phone on this ballot. ``proxy_id`` is set when
    the ballot was handed to a proxy holder.
    """

    __tablename__ = "paper_issues"
    __table_args__ = (UniqueConstraint("ballot_id", "count_key"),)

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    serial: Mapped[int] = mapped_column(Integer, primary_key=True)
    count_key: Mapped[str] = mapped_column(String(32))
    elector_id: Mapped[int] = mapped_column(ForeignKey("electors.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    proxy_id: Mapped[int | None] = mapped_column(ForeignKey("proxies.id"))


class PaperEntry(Base):
    """One chair's reading of one returned paper ballot: its answers (JSON, as a phone cast
    stores them) or ``invalid``. Two chairs each enter every returned ballot."""

    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("ballot_id", "chair_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chairs.id"))
    serial: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[str] = mapped_column(Text, default="")
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
