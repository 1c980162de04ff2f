"""Chair accounts: password (argon2) plus TOTP with replay protection, sessions and API tokens.

The TOTP secret is encrypted at rest with a key derived from the service secret. A TOTP code is
accepted once: the accepted time step is remembered and a code for that step or an earlier one
is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import msgspec
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import DuplicateName, InvalidInput, InvalidLogin, NotAuthenticated
from ballots.models import Chair, ChairToken, Unit
from ballots.models.chairs import CHAIR_ROLES
from ballots.units import get_unit

ISSUER = "居民议事表决"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this keeps the timing of unknown-user logins like that of real ones.
_DUMMY_HASH = _hasher.hash("not a real password")


class NewChair(msgspec.Struct):
    """A freshly created chair and what they need to enrol their authenticator app."""

    chair_id: int
    username: str
    totp_secret: str
    provisioning_uri: str


def _fernet(secret_key: bytes) -> Fernet:
    derived = hashlib.sha256(b"totp-secret-encryption:" + secret_key).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def token_hash(token: str) -> bytes:
    """The stored form of a session or API token."""
    return hashlib.sha256(token.encode()).digest()


def totp_secret_of(chair: Chair, secret_key: bytes) -> str:
    """Decrypt a chair's TOTP secret (base32)."""
    return _fernet(secret_key).decrypt(chair.totp_secret).decode()


async def create_chair(
    session: AsyncSession,
    actor: Actor,
    secret_key: bytes,
    *,
    username: str,
    password: str,
    role: str,
    unit_id: int,
    display_name: str = "",
) -> NewChair:
    """Create a chair scoped to ``unit_id``; return the TOTP secret to enrol, shown once."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_chairs", unit.path)
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput("the user name must be 1 to 64 characters")
    if role not in CHAIR_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(CHAIR_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if await session.scalar(select(Chair.id).where(Chair.username == username)) is not None:
        raise DuplicateName(what="chair", name=username)
    totp_secret = pyotp.random_base32()
    chair = Chair(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=_hasher.hash(password),
        totp_secret=_fernet(secret_key).encrypt(totp_secret.encode()),
        role=role,
        unit_id=unit.id,
    )
    session.add(chair)
    await session.flush()
    audit.record(
        session, actor, "chair.create", f"chair:{chair.id}", unit.id, username=username, role=role
    )
    uri = pyotp.TOTP(totp_secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return NewChair(
        chair_id=chair.id, username=username, totp_secret=totp_secret, provisioning_uri=uri
    )


def _accepted_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` is valid for (allowing one step of clock drift), or None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


async def authenticate(
    session: AsyncSession,
    secret_key: bytes,
    username: str,
    password: str,
    totp_code: str,
    *,
    now: datetime | None = None,
) -> Chair:
    """Check password and TOTP; consume the TOTP step so the same code cannot log in again."""
    now = now or datetime.now(UTC)
    chair = await session.scalar(select(Chair).where(Chair.username == username.strip()))
    try:
        _hasher.verify(chair.password_hash if chair else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise InvalidLogin() from None
    if chair is None or chair.disabled_at is not None:
        raise InvalidLogin()
    step = _accepted_step(totp_secret_of(chair, secret_key), totp_code, now)
    if step is None:
        raise InvalidLogin()
    # Compare-and-set, so two concurrent logins with one code cannot both succeed.
    claimed = await session.execute(
        update(Chair)
        .where(Chair.id == chair.id, Chair.totp_last_step < step)
        .values(totp_last_step=step)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidLogin()
    return chair


def actor_for(chair: Chair, unit: Unit, source: str = "") -> Actor:
    """The :class:`Actor` a chair acts as."""
    return Actor(
        name=chair.username, role=chair.role, unit_path=unit.path, chair_id=chair.id, source=source
    )


async def create_token(
    session: AsyncSession, chair: Chair, *, kind: str, name: str = "", source: str = ""
) -> str:
    """A new session (expires after 12 hours) or API token (until revoked) for ``chair``."""
    token = ("vt_" if kind == "api" else "vs_") + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + SESSION_LIFETIME if kind == "session" else None
    session.add(
        ChairToken(
            chair_id=chair.id,
            token_hash=token_hash(token),
            kind=kind,
            name=name,
            expires_at=expires,
        )
    )
    unit = await get_unit(session, chair.unit_id)
    action = "chair.login" if kind == "session" else "token.create"
    audit.record(
        session, actor_for(chair, unit, source), action, f"chair:{chair.id}", unit.id, name=name
    )
    return token


async def actor_from_token(session: AsyncSession, token: str, source: str = "") -> Actor:
    """Resolve a session or API token to its chair's :class:`Actor`, or raise NotAuthenticated."""
    row = (
        await session.execute(
            select(ChairToken, Chair, Unit)
            .join(Chair, Chair.id == ChairToken.chair_id)
            .join(Unit, Unit.id == Chair.unit_id)
            .where(ChairToken.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        raise NotAuthenticated()
    stored, chair, unit = row
    now = datetime.now(UTC)
    if stored.revoked_at is not None or chair.disabled_at is not None:
        raise NotAuthenticated()
    if stored.expires_at is not None and stored.expires_at <= now:
        raise NotAuthenticated()
    return actor_for(chair, unit, source)


async def revoke_token(session: AsyncSession, token: str) -> None:
    """End a session or revoke an API token."""
    await session.execute(
        update(ChairToken)
        .where(ChairToken.token_hash == token_hash(token), ChairToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


async def list_chairs(
    session: AsyncSession, within_path: str = "/"
) -> Sequence[tuple[Chair, Unit]]:
    """Chairs whose unit lies in the subtree at ``within_path``."""
    rows = await session.execute(
        select(Chair, Unit)
        .join(Unit, Unit.id == Chair.unit_id)
        .where(Unit.path.startswith(within_path))
    )
    return list(rows.all())
