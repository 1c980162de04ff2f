"""A chair's own account: choosing their own password, and their recovery codes.

A password someone else chose (when the chair was added, or reset by another chair or the
operator) must be replaced by the chair at their next login; until then their login session may
do nothing else (``Actor.password_change_due``, enforced by the web layer). A chair may also
change their password at any time, giving the current one. Either way the new password differs
from the old, the chair's other login sessions end, and the change is audited.

A chair sees how many recovery codes are left and may make ten new ones (shown once; the old ones
stop working), audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit, recovery_codes
from ballots.access import Actor
from ballots.chairs import MIN_PASSWORD_LENGTH, end_sessions
from ballots.errors import N_, DomainError, InvalidInput, NotAuthenticated
from ballots.models import Chair, Unit
from ballots.passwords import check_password, hash_password
from ballots.units import get_unit


class WrongPassword(DomainError):
    type = "wrong-password"
    status = 422
    title = N_("The current password is wrong")
    detail_template = N_("The current password you typed is not right.")


class PasswordNotNew(DomainError):
    type = "password-not-new"
    status = 422
    title = N_("Choose a new password")
    detail_template = N_("The new password must differ from the one you have now.")


class Account(msgspec.Struct):
    """What a chair sees of their own account."""

    chair: Chair
    unit: Unit
    must_change_password: bool
    recovery_codes_left: int


async def _own_chair(session: AsyncSession, actor: Actor) -> Chair:
    chair = await session.get(Chair, actor.chair_id) if actor.chair_id is not None else None
    if chair is None or chair.disabled_at is not None:
        raise NotAuthenticated()
    return chair


async def account_of(session: AsyncSession, actor: Actor) -> Account:
    """The acting chair's account."""
    chair = await _own_chair(session, actor)
    return Account(
        chair=chair,
        unit=await get_unit(session, chair.unit_id),
        must_change_password=chair.must_change_password,
        recovery_codes_left=await recovery_codes.codes_left(session, chair.id),
    )


async def change_own_password(
    session: AsyncSession,
    actor: Actor,
    *,
    new: str,
    current: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Set the acting chair's password to ``new``; return whether it was a forced change.

    ``current`` is needed unless the chair must change their password (they have just logged in
    with it). The new password has at least :data:`MIN_PASSWORD_LENGTH` characters and differs
    from the old. Clears ``must_change_password``, ends the chair's other login sessions and
    records ``chair.change_password``. The hashes are checked outside any transaction.
    """
    now = now or datetime.now(UTC)
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("The password must be at least {limit} characters."), limit=MIN_PASSWORD_LENGTH
        )
    chair = await _own_chair(session, actor)
    old_hash, forced = chair.password_hash, chair.must_change_password
    await session.rollback()
    if current is not None or not forced:
        matches, _renew = await check_password(old_hash, current or "")
        if not matches:
            raise WrongPassword()
    same, _renew = await check_password(old_hash, new)
    if same:
        raise PasswordNotNew()
    new_hash = await hash_password(new)
    chair = await _own_chair(session, actor)
    if chair.password_hash != old_hash:  # changed meanwhile (a reset, another tab): start over
        raise WrongPassword()
    chair.password_hash = new_hash
    chair.must_change_password = False
    revoked = await end_sessions(session, chair, now, keep=actor.session_id, api=False)
    audit.record(
        session,
        actor,
        "chair.change_password",
        f"chair:{chair.id}",
        chair.unit_id,
        forced=forced,
        revoked_tokens=revoked,
    )
    await session.flush()
    return forced


async def replace_recovery_codes(
    session: AsyncSession, actor: Actor, secret_key: bytes, *, now: datetime | None = None
) -> list[str]:
    """Ten new recovery codes for the acting chair (to show once); the old ones stop working.
    Audited as ``chair.recovery_codes_replaced`` with how many unused codes were dropped."""
    chair = await _own_chair(session, actor)
    dropped = await recovery_codes.codes_left(session, chair.id)
    codes = await recovery_codes.replace_codes(session, secret_key, chair.id, now=now)
    audit.record(
        session,
        actor,
        "chair.recovery_codes_replaced",
        f"chair:{chair.id}",
        chair.unit_id,
        unused_dropped=dropped,
    )
    await session.flush()
    return codes
