"""The agency (群众事务代理): QR posters per building or area, residents' demands sent from them
without an account, and how each demand is handled.

A demand is reached again by its resident only through the private link they got when sending it
(``access_hash`` is a keyed hash of that link's secret). The chair who first receives it stays
responsible (首问首接首办, ``first_receiver_id``). Its history is the append-only
``demand_events``; the demand row holds the current state for lists and statistics.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow


class DemandCategory(Base):
    """A kind of demand with its reply deadline in days (e.g. 房屋修缮, 7)."""

    __tablename__ = "demand_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    deadline_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Poster(Base):
    """A QR poster for a building (``building``) or a whole residential area; ``token`` is the
    random part of its address (``/d/{token}``)."""

    __tablename__ = "demand_posters"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    building: Mapped[str] = mapped_column(String(64), default="")
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Demand(Base):
    """A resident's demand and where it stands.

    ``state``: ``received`` → (``forwarded``) → ``replied`` → ``closed`` (rated, or closed by a
    chair), or ``escalated`` to a coordination matter (``escalated_matter_id``). ``due_at`` comes
    from the category's deadline. ``contact`` is optional and never public. ``rating`` is the
    resident's: ``satisfied``, ``basic`` or ``unsatisfied``.
    """

    __tablename__ = "demands"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    poster_id: Mapped[int | None] = mapped_column(ForeignKey("demand_posters.id"))
    building: Mapped[str] = mapped_column(String(64), default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("demand_categories.id"))
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(100))
    photo_type: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(100), default="")
    access_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    first_receiver_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="received")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[str | None] = mapped_column(String(16))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_matter_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id"))


class DemandEvent(Base):
    """One step in a demand's history (received, accepted, forwarded, reminded, replied, rated,
    closed, escalated), with who did it and what they wrote."""

    __tablename__ = "demand_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
