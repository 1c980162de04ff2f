"""A chair's own password: one chosen by someone else (adding the chair, another's reset) must be
replaced at the next login, and the login session says so until it is; a chair changes their
own (giving the current one), never to the same, their other sessions end, audited; bad input
changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import accounts
from ballots.access import Actor, operator
from ballots.chairs import (
    NewChair,
    actor_for,
    actor_from_token,
    authenticate,
    create_chair,
    create_token,
    reset_password,
)
from ballots.errors import InvalidInput, InvalidLogin, NotAuthenticated
from ballots.models import AuditEntry, Chair
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, KEY, World, build_world

NOW = datetime(2025, 3, 5, 9, 30, 10, tzinfo=UTC)
GIVEN = "given-by-the-operator"
OWN = "my-very-own-password"


async def make_chair(
    session: AsyncSession, world: World, username: str = "li", **options: object
) -> NewChair:
    new = await create_chair(
        session,
        ADMIN,
        KEY,
        username=username,
        password=GIVEN,
        role="district_admin",
        unit_id=world.district_id,
        **options,  # type: ignore[arg-type]
    )
    await session.commit()
    return new


async def session_actor(
    session: AsyncSession, new: NewChair, password: str = GIVEN, *, step: int = 0
) -> Actor:
    """Log in (password and the TOTP code of time step ``step`` after ``NOW``) and resolve the
    new login session, as the web layer does."""
    at = NOW + timedelta(seconds=30 * step)
    chair = await authenticate(
        session, KEY, new.username, password, pyotp.TOTP(new.totp_secret).at(at), now=at
    )
    token = await create_token(session, chair, kind="session")
    await session.commit()
    return await actor_from_token(session, token)


async def state(session: AsyncSession, chair_id: int) -> tuple[str, bool]:
    chair = await session.get(Chair, chair_id, populate_existing=True)
    assert chair is not None
    return chair.password_hash, chair.must_change_password


async def actions(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def test_a_chair_added_by_another_must_choose_their_own(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    assert (await state(session, new.chair_id))[1] is True
    actor = await session_actor(session, new)
    assert actor.password_change_due

    forced = await accounts.change_own_password(session, actor, new=OWN)
    await session.commit()
    assert forced is True
    assert (await state(session, new.chair_id))[1] is False
    entry = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "chair.change_password")
        )
    ).one()
    assert entry.chair_id == new.chair_id and entry.details["forced"] is True
    assert OWN not in str(entry.details) and GIVEN not in str(entry.details)
    # The old password no longer logs in; the new one does, and the session owes nothing.
    with pytest.raises(InvalidLogin):
        await session_actor(session, new, GIVEN, step=1)
    await session.rollback()
    again = await session_actor(session, new, OWN, step=1)
    assert not again.password_change_due


async def test_the_flag_is_only_for_login_sessions_and_may_be_waived(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await session.get(Chair, new.chair_id)
    assert chair is not None
    api = await create_token(session, chair, kind="api", name="script")
    await session.commit()
    assert not (await actor_from_token(session, api)).password_change_due
    kept = await make_chair(session, world, "own", must_change_password=False)
    assert (await state(session, kept.chair_id))[1] is False


async def test_a_reset_by_another_forces_a_change_but_not_ones_own(session: AsyncSession) -> None:
    world = await build_world(session)
    manager = await make_chair(session, world, "boss", must_change_password=False)
    li = await make_chair(session, world, "li")
    actor = await session_actor(session, li)
    await accounts.change_own_password(session, actor, new=OWN)
    await session.commit()

    boss = await session_actor(session, manager)
    await reset_password(session, boss, li.chair_id, "reset-by-the-boss")
    await session.commit()
    assert (await state(session, li.chair_id))[1] is True
    await reset_password(session, operator("cli"), li.chair_id)  # the CLI's generated one
    await session.commit()
    assert (await state(session, li.chair_id))[1] is True
    await reset_password(session, boss, manager.chair_id, "the-boss-resets-his-own")
    await session.commit()
    assert (await state(session, manager.chair_id))[1] is False
    recorded = (
        await session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "chair.reset_password")
        )
    ).all()
    assert [details["must_change_password"] for details in recorded] == [True, True, False]


async def test_bad_new_passwords_change_nothing(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    actor = await session_actor(session, new)
    before, audit_before = await state(session, new.chair_id), await actions(session)
    with pytest.raises(InvalidInput):
        await accounts.change_own_password(session, actor, new="short")
    await session.rollback()
    with pytest.raises(accounts.PasswordNotNew):  # the one someone else chose
        await accounts.change_own_password(session, actor, new=GIVEN)
    await session.rollback()
    with pytest.raises(accounts.WrongPassword):  # given, the current password must be right
        await accounts.change_own_password(session, actor, new=OWN, current="not-the-password")
    await session.rollback()
    assert await state(session, new.chair_id) == before
    assert await actions(session) == audit_before


async def test_a_voluntary_change_needs_the_current_password_and_ends_other_sessions(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    new = await make_chair(session, world, must_change_password=False)
    other = await session_actor(session, new)
    actor = await session_actor(session, new, step=1)
    other_token_actor = other
    before = await state(session, new.chair_id)
    with pytest.raises(accounts.WrongPassword):  # no current password given
        await accounts.change_own_password(session, actor, new=OWN)
    await session.rollback()
    with pytest.raises(accounts.WrongPassword):
        await accounts.change_own_password(session, actor, new=OWN, current="wrong-password!")
    await session.rollback()
    assert await state(session, new.chair_id) == before

    forced = await accounts.change_own_password(session, actor, new=OWN, current=GIVEN)
    await session.commit()
    assert forced is False
    entry = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "chair.change_password")
        )
    ).one()
    assert entry.details["forced"] is False
    assert entry.details["revoked_tokens"] == [other_token_actor.session_id]
    assert actor.session_id not in entry.details["revoked_tokens"]


async def test_only_a_chair_has_an_own_password(session: AsyncSession) -> None:
    await build_world(session)
    with pytest.raises(NotAuthenticated):
        await accounts.change_own_password(session, operator("cli"), new=OWN)
    world_chair = msgspec.structs.replace(operator(), chair_id=999_999)
    with pytest.raises(NotAuthenticated):
        await accounts.account_of(session, world_chair)


async def test_the_account_tells_the_flag_and_the_codes_left(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await session.get(Chair, new.chair_id)
    assert chair is not None
    account = await accounts.account_of(
        session, actor_for(chair, await get_unit(session, chair.unit_id))
    )
    assert (account.must_change_password, account.recovery_codes_left) == (True, 10)
    assert account.unit.id == world.district_id
