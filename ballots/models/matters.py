"""Matters (decision records, 决策记录) and the events on their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow

MatterKind = Literal["hearing", "coordination", "evaluation", "agency", "practical", "selection"]
MATTER_KINDS: tuple[MatterKind, ...] = (
    "hearing",
    "coordination",
    "evaluation",
    "agency",
    "practical",
    "selection",
)


class Matter(Base):
    """One matter's whole life: proposal, hearing, ballot, result, implementation, evaluation."""

    __tablename__ = "matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MatterEvent(Base):
    """An entry on a matter's timeline; ballot lifecycle events carry their ballot id."""

    __tablename__ = "matter_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id"), index=True)
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
