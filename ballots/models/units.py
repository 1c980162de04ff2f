"""Units: the administrative tree district (区) → street (街道) → residential area (居民区)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base

UnitLevel = Literal["district", "street", "area"]
UNIT_LEVELS: tuple[UnitLevel, ...] = ("district", "street", "area")


class Unit(Base):
    """One node of the unit tree.

    ``path`` is the chain of ids from the root, like ``/1/4/9/``; a unit's subtree is every
    unit whose path starts with its own, which is how chairs are scoped.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
