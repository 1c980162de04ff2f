"""Chairs (staff accounts) and their login sessions and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base, UTCDateTime, utcnow

ChairRole = Literal["district_admin", "street_chair", "area_chair", "observer"]
CHAIR_ROLES: tuple[ChairRole, ...] = ("district_admin", "street_chair", "area_chair", "observer")


class Chair(Base):
    """A staff account scoped to a unit subtree. The TOTP secret is stored encrypted.

    ``totp_last_step`` is the last accepted TOTP time step, so a code cannot be replayed.
    ``must_change_password`` is set when someone else chose the password (adding the chair or
    resetting it): until the chair chooses their own, their login sessions may do nothing else.
    """

    __tablename__ = "chairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[bytes] = mapped_column(LargeBinary(200))
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class ChairRecoveryCode(Base):
    """One of a chair's one-time recovery codes, typed in place of the TOTP code.

    Only a keyed hash (HMAC-SHA256 under the service secret, bound to the chair) is stored.
    ``used_at`` is set, by a compare-and-set, when the code logs in; new codes replace all rows.
    """

    __tablename__ = "chair_recovery_codes"
    __table_args__ = (UniqueConstraint("chair_id", "code_hash"),)  # also the chair's index

    id: Mapped[int] = mapped_column(primary_key=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chairs.id"))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


TokenScope = Literal["full", "read"]
TOKEN_SCOPES: tuple[TokenScope, ...] = ("full", "read")


class ChairToken(Base):
    """A login session (``kind='session'``) or a named API token (``kind='api'``).

    Only the SHA-256 of the token is stored. Every token expires. ``scope='read'`` allows only
    reading. ``created_by_session`` is the login session an API token was made from; ending that
    session revokes the token too.
    """

    __tablename__ = "chair_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chairs.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[str] = mapped_column(String(16), default="full", server_default="full")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_session: Mapped[int | None] = mapped_column(
        ForeignKey("chair_tokens.id"), index=True
    )
