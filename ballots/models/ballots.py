"""Ballots, their frozen electorate with credentials, cast ballots and who has taken part."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow

BallotState = Literal["draft", "open", "closed", "published", "cancelled"]


class Ballot(Base):
    """A ballot on a matter. ``spec`` is the JSON of a :class:`tally.BallotSpec`, frozen at open.

    ``eligibility`` is a JSON rule set (see :mod:`ballots.eligibility`); ``electorate_size`` and
    ``electorate_area`` are recorded when the ballot opens; ``result`` is ``tally``'s output.
    ``opens_at`` and ``closes_at`` are the schedule (UTC): the service opens and closes the
    ballot by itself at those times (see :mod:`ballots.schedule`).
    ``log_size`` and ``log_edge`` (the right edge of the Merkle tree, concatenated hashes) let a
    cast append to the board in constant work; appends take this row's lock.
    """

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    spec: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    revoting: Mapped[bool] = mapped_column(Boolean, default=False)
    voting_unit: Mapped[str] = mapped_column(String(16), default="person")
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    electorate_size: Mapped[int | None] = mapped_column(Integer)
    electorate_area: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(Text)
    publish_participation: Mapped[bool] = mapped_column(Boolean, default=False)
    log_size: Mapped[int] = mapped_column(Integer, default=0)
    log_edge: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    requires_checkin: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_printed: Mapped[int] = mapped_column(Integer, default=0)
    paper_counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Elector(Base):
    """One eligible person on one ballot, with the keyed hash of their current credential.

    ``count_key`` says whose vote this is: the person (``r<id>``) or, for one vote per
    household, the household (``h<id>``). ``credential_hash`` is NULL until an invitation is
    issued, and replaced when a chair reissues a lost credential.
    """

    __tablename__ = "electors"
    __table_args__ = (UniqueConstraint("ballot_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    count_key: Mapped[str] = mapped_column(String(32))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    credential_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issue_count: Mapped[int] = mapped_column(Integer, default=0)


class Cast(Base):
    """One submitted ballot. It holds no voter identity and only a coarse (hourly) time.

    ``submission_key`` is a keyed hash that makes a retried submission find its first receipt;
    ``leaf_index`` is the ballot's position on the public board.
    """

    __tablename__ = "casts"
    __table_args__ = (Index("ix_casts_ballot_id_submission_key", "ballot_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), index=True)
    tracker: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="online")
    cast_hour: Mapped[datetime] = mapped_column(UTCDateTime())
    submission_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    leaf_index: Mapped[int | None] = mapped_column(Integer)


class Participation(Base):
    """Who has voted: one row per counted voting unit, pointing at the ballot that counts.

    The primary key (ballot, count_key) is what guarantees one counted ballot per person or
    household, whatever the concurrency.
    """

    __tablename__ = "participation"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    count_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    elector_id: Mapped[int] = mapped_column(ForeignKey("electors.id"))
    cast_id: Mapped[int] = mapped_column(ForeignKey("casts.id"))
