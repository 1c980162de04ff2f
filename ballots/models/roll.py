"""The roll (名册): residents, the households they belong to, and the flats they own.

A household (户) is people living together; a flat (房屋, 专有部分) is property with an exclusive
floor area (专有面积). A resident may own several flats and a flat may have several co-owners
(:class:`Ownership`); owners' decisions (Civil Code art. 278) count from them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow

RESIDENT_ROLES = ("owner", "tenant", "migrant")


class Household(Base):
    """A household (户), keyed by its 户号 within a unit; ``area`` is its exclusive floor area."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("unit_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    building: Mapped[str] = mapped_column(String(64), default="")
    room: Mapped[str] = mapped_column(String(64), default="")
    area: Mapped[float | None] = mapped_column(Float)


class Resident(Base):
    """One person on the roll. ``external_id`` is the roster's stable id used by re-imports."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("unit_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    building: Mapped[str] = mapped_column(String(64), default="")
    room: Mapped[str] = mapped_column(String(64), default="")
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16), default="owner")
    area: Mapped[float | None] = mapped_column(Float)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Flat(Base):
    """A flat (专有部分) of a residential area, known by the 户号 it is listed under.

    ``area`` is its exclusive floor area in m² (``None`` when the roster does not give it).
    """

    __tablename__ = "flats"
    __table_args__ = (UniqueConstraint("unit_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    building: Mapped[str] = mapped_column(String(64), default="")
    room: Mapped[str] = mapped_column(String(64), default="")
    area: Mapped[float | None] = mapped_column(Float)


class Ownership(Base):
    """A resident owns (or co-owns) a flat; ``share`` is an optional fraction of it (0-1]."""

    __tablename__ = "ownerships"
    __table_args__ = (UniqueConstraint("resident_id", "flat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    flat_id: Mapped[int] = mapped_column(ForeignKey("flats.id"), index=True)
    share: Mapped[float | None] = mapped_column(Float)
