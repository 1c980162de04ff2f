"""Public notices (公示) on a matter, their disclosure items and documents, and the opinions and
proposals residents send in while a notice is up.

Disclosure items are append-only: each change after publication is a new row (a new
``version`` of the same ``item_key``), so what was shown when stays on record; the current text
of an item is its latest version. Opinions carry a resident only when identified by their
invitation credential, and show a name publicly only when the resident chose so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow


class Notice(Base):
    """A public notice on a matter, up from ``starts_at`` to ``ends_at`` once published.

    ``template`` names the disclosure template its items came from (e.g. ``relocation`` for the
    九公开 list, ``selection`` for bidders' qualifications, ``general``). ``collects`` says what
    residents may send while it is up: nothing (``none``), opinions on the plan (``opinions``,
    a hearing) or problems and projects (``proposals``, the year-end 急难愁 collection);
    ``anonymous`` lets residents send without their invitation code.
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str] = mapped_column(String(32), default="general")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    collects: Mapped[str] = mapped_column(String(16), default="none")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NoticeItem(Base):
    """One version of one disclosure item of a notice (append-only; the latest counts)."""

    __tablename__ = "notice_items"
    __table_args__ = (UniqueConstraint("notice_id", "item_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))


class NoticeDocument(Base):
    """A document of a notice (PDF, image or text) kept under the data directory; a withdrawn
    document stays on record with ``withdrawn_at``."""

    __tablename__ = "notice_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    stored_as: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))


class OpinionGroup(Base):
    """A heading under which a chair gathers similar opinions or proposals."""

    __tablename__ = "opinion_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Opinion(Base):
    """An opinion on a notice's plan, or a proposed problem/project (``kind``).

    ``resident_id`` is set when sent with an invitation code; ``show_name`` when that resident
    chose to be named publicly. A chair replies and, for opinions, records the ``adoption``
    (``adopted``, ``partly``, ``not_adopted``) with its ``adoption_reason``; for proposals may
    merge a duplicate into another (``merged_into_id``), give an estimated ``cost`` (yuan) and
    put it on the ``shortlisted`` list for the budget ballot.
    """

    __tablename__ = "opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="opinion")
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_groups.id"))
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adoption: Mapped[str | None] = mapped_column(String(16))
    adoption_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("opinions.id"))
    cost: Mapped[int | None] = mapped_column(Integer)
    shortlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
