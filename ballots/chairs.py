"""Chair accounts: password (argon2) plus TOTP with replay protection, sessions and API tokens.

Every token expires: a session after 12 hours, an API token when its owner chose (90 days by
default, a year at most). An API token may be read-only. Ending a login session revokes the API
tokens made from it; a chair lists and revokes their own tokens, a chair manager those of the
chairs they manage.

The TOTP secret is encrypted at rest with a key derived from the service secret. A TOTP code is
accepted once: the accepted time step is remembered and a code for that step or an earlier one
is refused.

In place of the TOTP code a chair may type one of their one-time recovery codes (ten, made when
the chair is added or re-enrolled; see :mod:`ballots.recovery_codes`); using one is audited.

A chair manager (``manage_chairs``) disables and enables chairs in their subtree, resets their
passwords, re-enrols their TOTP and changes their roles (only to roles that can do no more than
their own), all audited; nobody can lock themselves out of managing their own unit. A password
chosen by someone else (adding a chair, resetting another's) must be changed by the chair at
their next login (``must_change_password``; see :mod:`ballots.accounts`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import msgspec
import pyotp
from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit, recovery_codes
from ballots.access import ROLE_ACTIONS, Actor, require
from ballots.errors import (
    N_,
    DomainError,
    DuplicateName,
    InvalidInput,
    InvalidLogin,
    NotAuthenticated,
    NotFound,
)
from ballots.models import Chair, ChairToken, Unit
from ballots.models.bounds import ID_MAX
from ballots.models.chairs import CHAIR_ROLES, TOKEN_SCOPES
from ballots.passwords import DUMMY_HASH, check_password, hash_password
from ballots.units import get_unit

ISSUER = "居民议事表决"
SESSION_LIFETIME = timedelta(hours=12)
API_TOKEN_LIFETIME = timedelta(days=90)
API_TOKEN_MAX_LIFETIME = timedelta(days=365)
MIN_PASSWORD_LENGTH = 10


class NewChair(msgspec.Struct):
    """A freshly created (or re-enrolled) chair and what they need to enrol their authenticator
    app, with their ten recovery codes: all shown once."""

    chair_id: int
    username: str
    totp_secret: str
    provisioning_uri: str
    recovery_codes: list[str] = msgspec.field(default_factory=list)


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
    must_change_password: bool = True,
) -> NewChair:
    """Create a chair scoped to ``unit_id``; return the TOTP secret to enrol and the recovery
    codes, shown once. The chair must choose their own password at their first login unless
    ``must_change_password`` is false (the demo, or an operator adding their own account)."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_chairs", unit.path)
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput(N_("The user name must be 1 to {limit} characters."), limit=64)
    if role not in CHAIR_ROLES:
        raise InvalidInput(
            N_("The role must be one of: {choices}."), choices=", ".join(CHAIR_ROLES)
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("The password must be at least {limit} characters."), limit=MIN_PASSWORD_LENGTH
        )
    if await session.scalar(select(Chair.id).where(Chair.username == username)) is not None:
        raise DuplicateName(what="chair", name=username)
    totp_secret = pyotp.random_base32()
    chair = Chair(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=await hash_password(password),
        totp_secret=_fernet(secret_key).encrypt(totp_secret.encode()),
        role=role,
        unit_id=unit.id,
        must_change_password=must_change_password,
    )
    session.add(chair)
    await session.flush()
    codes = await recovery_codes.replace_codes(session, secret_key, chair.id)
    audit.record(
        session,
        actor,
        "chair.create",
        f"chair:{chair.id}",
        unit.id,
        username=username,
        role=role,
        must_change_password=must_change_password,
    )
    uri = pyotp.TOTP(totp_secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return NewChair(
        chair_id=chair.id,
        username=username,
        totp_secret=totp_secret,
        provisioning_uri=uri,
        recovery_codes=codes,
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


class SignIn(msgspec.Struct):
    """A chair who passed the login checks, and whether a recovery code let them in."""

    chair: Chair
    recovery_code_used: bool = False
    recovery_codes_left: int = 0


async def sign_in(
    session: AsyncSession,
    secret_key: bytes,
    username: str,
    password: str,
    code: str,
    *,
    source: str = "",
    now: datetime | None = None,
) -> SignIn:
    """Check the password and ``code``: the TOTP code, consumed so that it cannot log in again,
    or one of the chair's unused recovery codes, consumed and audited.

    The password is checked after the chair's row was read and the session's transaction
    ended, so no database connection waits on the hash.
    """
    now = now or datetime.now(UTC)
    found = (
        await session.execute(
            select(Chair.id, Chair.password_hash, Chair.disabled_at).where(
                Chair.username == username.strip()
            )
        )
    ).first()
    await session.rollback()
    matches, renew = await check_password(found.password_hash if found else DUMMY_HASH, password)
    if not matches or found is None or found.disabled_at is not None:
        raise InvalidLogin()
    chair = await session.get(Chair, found.id)
    if chair is None:
        raise InvalidLogin()
    recovery = recovery_codes.normalise(code)
    if recovery is not None:
        if not await recovery_codes.claim(session, secret_key, chair.id, recovery, now):
            raise InvalidLogin()
        left = await recovery_codes.codes_left(session, chair.id)
        unit = await get_unit(session, chair.unit_id)
        audit.record(
            session,
            actor_for(chair, unit, source),
            "chair.recovery_code_used",
            f"chair:{chair.id}",
            unit.id,
            codes_left=left,
        )
        if renew:
            chair.password_hash = await hash_password(password)
        return SignIn(chair=chair, recovery_code_used=True, recovery_codes_left=left)
    step = _accepted_step(totp_secret_of(chair, secret_key), code, now)
    if step is None:
        raise InvalidLogin()
    if renew:
        chair.password_hash = await hash_password(password)
    # Compare-and-set, so two concurrent logins with one code cannot both succeed.
    claimed = await session.execute(
        update(Chair)
        .where(Chair.id == chair.id, Chair.totp_last_step < step)
        .values(totp_last_step=step)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidLogin()
    left = await recovery_codes.codes_left(session, chair.id)
    return SignIn(chair=chair, recovery_codes_left=left)


async def authenticate(
    session: AsyncSession,
    secret_key: bytes,
    username: str,
    password: str,
    totp_code: str,
    *,
    now: datetime | None = None,
) -> Chair:
    """Check the password and the TOTP (or recovery) code; see :func:`sign_in`."""
    return (await sign_in(session, secret_key, username, password, totp_code, now=now)).chair


def actor_for(chair: Chair, unit: Unit, source: str = "") -> Actor:
    """The :class:`Actor` a chair acts as."""
    return Actor(
        name=chair.username, role=chair.role, unit_path=unit.path, chair_id=chair.id, source=source
    )


class IssuedToken(msgspec.Struct, frozen=True):
    """A token just made: the secret (shown once) and what it is."""

    id: int
    token: str
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime


class TokenInfo(msgspec.Struct, frozen=True):
    """An API token as its owner and their managers see it: never the secret or its hash."""

    id: int
    chair_id: int
    chair: str
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    created_by_session: int | None

    @classmethod
    def of(cls, token: ChairToken, chair: Chair) -> TokenInfo:
        return cls(
            id=token.id,
            chair_id=chair.id,
            chair=chair.username,
            name=token.name,
            scope=token.scope,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            created_by_session=token.created_by_session,
        )


async def create_token(
    session: AsyncSession,
    chair: Chair,
    *,
    kind: str,
    name: str = "",
    source: str = "",
    scope: str = "full",
    lifetime: timedelta | None = None,
    created_by_session: int | None = None,
    now: datetime | None = None,
) -> str:
    """A new session (12 hours) or API token (90 days unless ``lifetime`` says) for ``chair``."""
    issued = await issue_token(
        session,
        chair,
        kind=kind,
        name=name,
        source=source,
        scope=scope,
        lifetime=lifetime,
        created_by_session=created_by_session,
        now=now,
    )
    return issued.token


async def issue_token(
    session: AsyncSession,
    chair: Chair,
    *,
    kind: str,
    name: str = "",
    source: str = "",
    scope: str = "full",
    lifetime: timedelta | None = None,
    created_by_session: int | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Like :func:`create_token`, returning the stored token's id, scope and expiry as well.

    An API token lives ``lifetime`` (default 90 days, at most a year); a session always 12
    hours and always has the full scope. ``created_by_session`` names the login session an API
    token is made from, so that ending the session revokes it.
    """
    now = now or datetime.now(UTC)
    if kind not in ("session", "api"):
        raise InvalidInput(N_("A token is either a login session or an API token."))
    if scope not in TOKEN_SCOPES:
        raise InvalidInput(
            N_("The scope must be one of: {choices}."), choices=", ".join(TOKEN_SCOPES)
        )
    name = name.strip()
    if len(name) > 100:
        raise InvalidInput(N_("The token name must be at most {limit} characters."), limit=100)
    if kind == "session":
        lifetime, scope, created_by_session = SESSION_LIFETIME, "full", None
    elif lifetime is None:
        lifetime = API_TOKEN_LIFETIME
    if not timedelta(0) < lifetime <= API_TOKEN_MAX_LIFETIME:
        raise InvalidInput(
            N_("An API token lasts from 1 to {days} days."), days=API_TOKEN_MAX_LIFETIME.days
        )
    token = ("vt_" if kind == "api" else "vs_") + secrets.token_urlsafe(32)
    stored = ChairToken(
        chair_id=chair.id,
        token_hash=token_hash(token),
        kind=kind,
        name=name,
        scope=scope,
        created_at=now,
        expires_at=now + lifetime,
        created_by_session=created_by_session,
    )
    session.add(stored)
    await session.flush()
    unit = await get_unit(session, chair.unit_id)
    actor = actor_for(chair, unit, source)
    if kind == "session":
        audit.record(session, actor, "chair.login", f"chair:{chair.id}", unit.id, name=name)
    else:
        audit.record(
            session,
            actor,
            "token.create",
            f"token:{stored.id}",
            unit.id,
            chair=chair.username,
            name=name,
            scope=scope,
            expires_at=stored.expires_at.isoformat(),
        )
    return IssuedToken(
        id=stored.id,
        token=token,
        name=name,
        scope=scope,
        created_at=now,
        expires_at=stored.expires_at,
    )


async def actor_from_token(
    session: AsyncSession, token: str, source: str = "", *, now: datetime | None = None
) -> Actor:
    """Resolve a live session or API token to its chair's :class:`Actor`, or NotAuthenticated.

    The actor is read-only for a ``read`` token, and knows the login session it descends from.
    A login session of a chair who must choose their own password says so
    (``password_change_due``); the web layer then lets it do nothing else.
    """
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
    now = now or datetime.now(UTC)
    if stored.revoked_at is not None or chair.disabled_at is not None:
        raise NotAuthenticated()
    if stored.expires_at <= now:
        raise NotAuthenticated()
    return msgspec.structs.replace(
        actor_for(chair, unit, source),
        read_only=stored.scope != "full",
        session_id=stored.id if stored.kind == "session" else stored.created_by_session,
        password_change_due=chair.must_change_password and stored.kind == "session",
    )


async def _revoke(session: AsyncSession, stored: ChairToken, now: datetime) -> list[int]:
    """Revoke ``stored`` and, for a session, the live API tokens made from it; return their ids."""
    await session.execute(
        update(ChairToken)
        .where(ChairToken.id == stored.id, ChairToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if stored.kind != "session":
        return []
    made = list(
        (
            await session.scalars(
                select(ChairToken.id).where(
                    ChairToken.created_by_session == stored.id, ChairToken.revoked_at.is_(None)
                )
            )
        ).all()
    )
    if made:
        await session.execute(
            update(ChairToken).where(ChairToken.id.in_(made)).values(revoked_at=now)
        )
    return sorted(made)


async def log_out(
    session: AsyncSession, token: str, source: str = "", *, now: datetime | None = None
) -> None:
    """End a login session together with the API tokens made from it (or revoke the API token
    presented); audited. An unknown or already revoked token changes nothing."""
    now = now or datetime.now(UTC)
    row = (
        await session.execute(
            select(ChairToken, Chair, Unit)
            .join(Chair, Chair.id == ChairToken.chair_id)
            .join(Unit, Unit.id == Chair.unit_id)
            .where(ChairToken.token_hash == token_hash(token), ChairToken.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return
    stored, chair, unit = row
    revoked = await _revoke(session, stored, now)
    actor = actor_for(chair, unit, source)
    if stored.kind == "session":
        audit.record(
            session, actor, "chair.logout", f"chair:{chair.id}", unit.id, revoked_tokens=revoked
        )
    else:
        audit.record(
            session, actor, "token.revoke", f"token:{stored.id}", unit.id, chair=chair.username
        )


async def _token_and_owner(session: AsyncSession, token_id: int) -> tuple[ChairToken, Chair, Unit]:
    if not 1 <= token_id <= ID_MAX:  # beyond any id (and PostgreSQL's 32-bit integers)
        raise NotFound(what="token", id=token_id)
    row = (
        await session.execute(
            select(ChairToken, Chair, Unit)
            .join(Chair, Chair.id == ChairToken.chair_id)
            .join(Unit, Unit.id == Chair.unit_id)
            .where(ChairToken.id == token_id, ChairToken.kind == "api")
        )
    ).first()
    if row is None:
        raise NotFound(what="token", id=token_id)
    stored, chair, unit = row
    return stored, chair, unit


def _require_over(actor: Actor, chair: Chair, unit: Unit) -> None:
    """A chair manages their own tokens; managing another chair's needs ``manage_chairs``."""
    if actor.is_operator or actor.chair_id == chair.id:
        return
    require(actor, "manage_chairs", unit.path)


async def list_tokens(
    session: AsyncSession, actor: Actor, *, chair_id: int | None = None
) -> list[TokenInfo]:
    """API tokens of one chair (default: the actor), or with ``chair_id=None`` for the operator
    or a chair manager, of every chair in the actor's subtree; newest first."""
    query = (
        select(ChairToken, Chair)
        .join(Chair, Chair.id == ChairToken.chair_id)
        .join(Unit, Unit.id == Chair.unit_id)
        .where(ChairToken.kind == "api")
        .order_by(ChairToken.id.desc())
    )
    if chair_id is not None:
        owner = await session.get(Chair, chair_id)
        if owner is None:
            raise NotFound(what="chair", id=chair_id)
        _require_over(actor, owner, await get_unit(session, owner.unit_id))
        query = query.where(ChairToken.chair_id == chair_id)
    else:
        require(actor, "manage_chairs", actor.unit_path)
        query = query.where(Unit.path.startswith(actor.unit_path))
    return [TokenInfo.of(token, chair) for token, chair in (await session.execute(query)).all()]


async def revoke_token(
    session: AsyncSession, actor: Actor, token_id: int, *, now: datetime | None = None
) -> TokenInfo:
    """Revoke an API token: the owner's own, or one of a chair the actor manages. Audited;
    revoking a revoked token changes nothing."""
    now = now or datetime.now(UTC)
    stored, chair, unit = await _token_and_owner(session, token_id)
    _require_over(actor, chair, unit)
    if stored.revoked_at is None:
        await _revoke(session, stored, now)
        audit.record(
            session, actor, "token.revoke", f"token:{stored.id}", unit.id, chair=chair.username
        )
        await session.refresh(stored)
    return TokenInfo.of(stored, chair)


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


class CannotGrantRole(DomainError):
    type = "cannot-grant-role"
    status = 403
    title = N_("You cannot give this role")
    detail_template = N_("A chair can only give a role that can do no more than their own.")


class OwnAdminAccess(DomainError):
    type = "own-admin-access"
    status = 409
    title = N_("You would lock yourself out")
    detail_template = N_(
        "You cannot disable your own account, or give up managing chairs while nobody else "
        "manages your unit."
    )


GENERATED_PASSWORD_GROUPS = 4


def generate_password() -> str:
    """A password to hand over once: four groups of five easily read letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join(
        "".join(secrets.choice(alphabet) for _ in range(5))
        for _ in range(GENERATED_PASSWORD_GROUPS)
    )


def may_grant(actor: Actor, role: str) -> bool:
    """True when ``actor`` may give ``role``: it can do nothing the actor's own role cannot."""
    if role not in CHAIR_ROLES:
        return False
    return actor.is_operator or ROLE_ACTIONS[role] <= ROLE_ACTIONS.get(actor.role, frozenset())


async def _managed_chair(session: AsyncSession, actor: Actor, chair_id: int) -> tuple[Chair, Unit]:
    """The chair with ``chair_id`` in the actor's reach with ``manage_chairs``, or an error."""
    if not 1 <= chair_id <= ID_MAX:
        raise NotFound(what="chair", id=chair_id)
    chair = await session.get(Chair, chair_id)
    if chair is None:
        raise NotFound(what="chair", id=chair_id)
    unit = await get_unit(session, chair.unit_id)
    require(actor, "manage_chairs", unit.path)
    return chair, unit


async def end_sessions(
    session: AsyncSession, chair: Chair, now: datetime, *, keep: int | None = None, api: bool
) -> list[int]:
    """Revoke the chair's live login sessions (and the API tokens made from them), and with
    ``api`` every API token too; ``keep`` is a session left alone (the actor's own)."""
    query = select(ChairToken).where(
        ChairToken.chair_id == chair.id, ChairToken.revoked_at.is_(None)
    )
    if not api:
        query = query.where(ChairToken.kind == "session")
    revoked: list[int] = []
    for stored in (await session.scalars(query)).all():
        if stored.id == keep or stored.revoked_at is not None:
            continue
        revoked.append(stored.id)
        revoked.extend(await _revoke(session, stored, now))
    return sorted(set(revoked))


async def _others_manage(session: AsyncSession, chair: Chair, unit: Unit) -> bool:
    """True when another enabled chair with ``manage_chairs`` reaches ``unit``."""
    managers = [role for role, actions in ROLE_ACTIONS.items() if "manage_chairs" in actions]
    rows = await session.execute(
        select(Unit.path)
        .join(Chair, Chair.unit_id == Unit.id)
        .where(Chair.id != chair.id, Chair.disabled_at.is_(None), Chair.role.in_(managers))
    )
    return any(unit.path.startswith(path) for (path,) in rows.all())


async def disable_chair(
    session: AsyncSession, actor: Actor, chair_id: int, *, now: datetime | None = None
) -> Chair:
    """Disable a chair's account: it cannot log in, and its sessions and API tokens end.

    Audited; disabling a disabled chair changes nothing. A chair cannot disable themselves.
    """
    now = now or datetime.now(UTC)
    chair, unit = await _managed_chair(session, actor, chair_id)
    if chair.id == actor.chair_id:
        raise OwnAdminAccess()
    if chair.disabled_at is None:
        chair.disabled_at = now
        revoked = await end_sessions(session, chair, now, api=True)
        audit.record(
            session,
            actor,
            "chair.disable",
            f"chair:{chair.id}",
            unit.id,
            username=chair.username,
            revoked_tokens=revoked,
        )
        await session.flush()
    return chair


async def enable_chair(session: AsyncSession, actor: Actor, chair_id: int) -> Chair:
    """Let a disabled chair log in again (their old sessions and tokens stay revoked). Audited."""
    chair, unit = await _managed_chair(session, actor, chair_id)
    if chair.disabled_at is not None:
        chair.disabled_at = None
        audit.record(
            session, actor, "chair.enable", f"chair:{chair.id}", unit.id, username=chair.username
        )
        await session.flush()
    return chair


async def reset_password(
    session: AsyncSession,
    actor: Actor,
    chair_id: int,
    password: str | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """Set a chair's password (or, with ``password=None``, a generated one); return it.

    The chair's other login sessions end. Unless the actor resets their own, the chair must
    choose their own password at their next login. Audited (never the password).
    """
    now = now or datetime.now(UTC)
    chair, unit = await _managed_chair(session, actor, chair_id)
    generated = password is None
    new = generate_password() if password is None else password
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("The password must be at least {limit} characters."), limit=MIN_PASSWORD_LENGTH
        )
    chair.password_hash = await hash_password(new)
    chair.must_change_password = chair.id != actor.chair_id
    revoked = await end_sessions(session, chair, now, keep=actor.session_id, api=False)
    audit.record(
        session,
        actor,
        "chair.reset_password",
        f"chair:{chair.id}",
        unit.id,
        username=chair.username,
        generated=generated,
        must_change_password=chair.must_change_password,
        revoked_tokens=revoked,
    )
    await session.flush()
    return new


async def reenrol_totp(
    session: AsyncSession,
    actor: Actor,
    secret_key: bytes,
    chair_id: int,
    *,
    now: datetime | None = None,
) -> NewChair:
    """Give a chair a new TOTP secret and ten new recovery codes (shown once); the old
    authenticator and codes stop working and the chair's other login sessions end. Audited
    (never the secret or the codes)."""
    now = now or datetime.now(UTC)
    chair, unit = await _managed_chair(session, actor, chair_id)
    totp_secret = pyotp.random_base32()
    chair.totp_secret = _fernet(secret_key).encrypt(totp_secret.encode())
    chair.totp_last_step = 0
    codes = await recovery_codes.replace_codes(session, secret_key, chair.id, now=now)
    revoked = await end_sessions(session, chair, now, keep=actor.session_id, api=False)
    audit.record(
        session,
        actor,
        "chair.reenrol_totp",
        f"chair:{chair.id}",
        unit.id,
        username=chair.username,
        revoked_tokens=revoked,
    )
    await session.flush()
    uri = pyotp.TOTP(totp_secret).provisioning_uri(name=chair.username, issuer_name=ISSUER)
    return NewChair(
        chair_id=chair.id,
        username=chair.username,
        totp_secret=totp_secret,
        provisioning_uri=uri,
        recovery_codes=codes,
    )


async def change_role(session: AsyncSession, actor: Actor, chair_id: int, role: str) -> Chair:
    """Give a chair another role, one the actor may grant. Audited with the old role.

    A chair who manages chairs keeps that power over their own unit unless someone else has it.
    """
    chair, unit = await _managed_chair(session, actor, chair_id)
    if role not in CHAIR_ROLES:
        raise InvalidInput(
            N_("The role must be one of: {choices}."), choices=", ".join(CHAIR_ROLES)
        )
    if not may_grant(actor, role) or not may_grant(actor, chair.role):
        raise CannotGrantRole()
    if role == chair.role:
        return chair
    if (
        chair.id == actor.chair_id
        and "manage_chairs" not in ROLE_ACTIONS[role]
        and not await _others_manage(session, chair, unit)
    ):
        raise OwnAdminAccess()
    audit.record(
        session,
        actor,
        "chair.role",
        f"chair:{chair.id}",
        unit.id,
        username=chair.username,
        role=role,
        old=chair.role,
    )
    chair.role = role
    await session.flush()
    return chair
