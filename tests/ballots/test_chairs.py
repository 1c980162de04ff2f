"""Chairs: password plus TOTP (each code accepted once), roles scoped to a unit subtree, tokens
that resolve to the chair and stop working when revoked or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.chairs import (
    NewChair,
    actor_for,
    actor_from_token,
    authenticate,
    create_chair,
    create_token,
    revoke_token,
    totp_secret_of,
)
from ballots.errors import (
    DuplicateName,
    InvalidInput,
    InvalidLogin,
    NotAuthenticated,
    OutsideUnit,
    RoleNotAllowed,
)
from ballots.lifecycle import get_ballot, open_ballot
from ballots.models import AuditEntry, Chair, ChairToken
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, KEY, World, build_world, new_ballot

PASSWORD = "correct horse battery"
NOW = datetime(2025, 3, 5, 9, 30, 10, tzinfo=UTC)


async def make_chair(
    session: AsyncSession, world: World, *, role: str = "area_chair", unit_id: int | None = None
) -> NewChair:
    new = await create_chair(
        session,
        ADMIN,
        KEY,
        username=f"{role}-{unit_id or world.area_id}",
        password=PASSWORD,
        role=role,
        unit_id=unit_id or world.area_id,
    )
    await session.commit()
    return new


def code(new: NewChair, at: datetime = NOW) -> str:
    return pyotp.TOTP(new.totp_secret).at(at)


async def login(session: AsyncSession, new: NewChair, totp: str, at: datetime = NOW) -> Chair:
    chair = await authenticate(session, KEY, new.username, PASSWORD, totp, now=at)
    await session.commit()
    return chair


async def test_password_and_totp_log_in(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await login(session, new, code(new))
    assert chair.id == new.chair_id
    assert new.provisioning_uri.startswith("otpauth://totp/")


async def test_a_code_from_the_neighbouring_step_is_accepted_for_clock_drift(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    await login(session, new, code(new, NOW - timedelta(seconds=30)))


async def test_wrong_password_wrong_code_or_unknown_user_fail_alike(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    with pytest.raises(InvalidLogin):
        await authenticate(session, KEY, new.username, "wrong password!", code(new), now=NOW)
    wrong = f"{(int(code(new)) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidLogin):
        await authenticate(session, KEY, new.username, PASSWORD, wrong, now=NOW)
    with pytest.raises(InvalidLogin):
        await authenticate(
            session, KEY, new.username, PASSWORD, code(new, NOW - timedelta(minutes=5)), now=NOW
        )
    with pytest.raises(InvalidLogin):
        await authenticate(session, KEY, "nobody", PASSWORD, code(new), now=NOW)
    # None of the failures used up the code.
    await login(session, new, code(new))


async def test_a_totp_code_cannot_be_used_twice(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    used = code(new)
    await login(session, new, used)
    with pytest.raises(InvalidLogin):
        await login(session, new, used)
    later = NOW + timedelta(seconds=5)  # the same step, a few seconds on
    with pytest.raises(InvalidLogin):
        await login(session, new, used, later)


async def test_an_older_code_is_refused_after_a_newer_one(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    await login(session, new, code(new, NOW + timedelta(seconds=30)))
    with pytest.raises(InvalidLogin):
        await login(session, new, code(new))
    await login(session, new, code(new, NOW + timedelta(seconds=60)), NOW + timedelta(seconds=60))


async def test_the_totp_secret_is_stored_encrypted(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await session.get(Chair, new.chair_id)
    assert chair is not None
    stored = bytes(chair.totp_secret)
    assert new.totp_secret.encode() not in stored
    assert totp_secret_of(chair, KEY) == new.totp_secret
    with pytest.raises(Exception):  # noqa: B017 - any failure: the wrong key cannot decrypt
        totp_secret_of(chair, b"another service key")


async def test_area_chair_cannot_act_on_another_area(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world, unit_id=world.other_area_id)
    chair = await login(session, new, code(new))
    actor = actor_for(chair, await get_unit(session, world.other_area_id))
    ballot_id = await new_ballot(session, world)  # in 茂名居民区
    with pytest.raises(OutsideUnit):
        await open_ballot(session, actor, ballot_id)
    await session.rollback()
    assert (await get_ballot(session, ballot_id)).state == "draft"


async def test_street_chair_may_act_in_its_areas(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world, role="street_chair", unit_id=world.street_id)
    chair = await login(session, new, code(new))
    actor = actor_for(chair, await get_unit(session, world.street_id))
    ballot_id = await new_ballot(session, world)
    assert (await open_ballot(session, actor, ballot_id)).state == "open"


async def test_observer_cannot_open_a_ballot(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world, role="observer")
    chair = await login(session, new, code(new))
    actor = actor_for(chair, await get_unit(session, world.area_id))
    ballot_id = await new_ballot(session, world)
    with pytest.raises(RoleNotAllowed):
        await open_ballot(session, actor, ballot_id)


async def test_tokens_resolve_to_the_chair(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await login(session, new, code(new))
    area = await get_unit(session, world.area_id)
    for kind in ("session", "api"):
        token = await create_token(session, chair, kind=kind, name="script")
        await session.commit()
        actor = await actor_from_token(session, token, source="test")
        assert actor == Actor(
            name=new.username,
            role="area_chair",
            unit_path=area.path,
            chair_id=new.chair_id,
            source="test",
        )
    stored = (await session.scalars(select(ChairToken.token_hash))).all()
    assert all(token.encode() not in bytes(h) for h in stored)
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert {"chair.create", "chair.login", "token.create"} <= set(actions)


async def test_revoked_expired_or_unknown_tokens_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await login(session, new, code(new))
    revoked = await create_token(session, chair, kind="api", name="old script")
    expired = await create_token(session, chair, kind="session")
    await session.commit()
    await revoke_token(session, revoked)
    await session.execute(
        update(ChairToken)
        .where(ChairToken.kind == "session")
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    await session.commit()
    for token in (revoked, expired, "vt_not-a-token"):
        with pytest.raises(NotAuthenticated):
            await actor_from_token(session, token)


async def test_a_disabled_chair_can_neither_log_in_nor_use_tokens(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    chair = await login(session, new, code(new))
    token = await create_token(session, chair, kind="api")
    await session.execute(
        update(Chair).where(Chair.id == new.chair_id).values(disabled_at=datetime.now(UTC))
    )
    await session.commit()
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, token)
    later = NOW + timedelta(minutes=1)
    with pytest.raises(InvalidLogin):
        await authenticate(session, KEY, new.username, PASSWORD, code(new, later), now=later)


async def test_bad_chair_accounts_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    await make_chair(session, world)
    with pytest.raises(DuplicateName):
        await make_chair(session, world)
    await session.rollback()
    for bad in (
        {"username": "short", "password": "short", "role": "area_chair"},
        {"username": "x", "password": PASSWORD, "role": "mayor"},
        {"username": "  ", "password": PASSWORD, "role": "area_chair"},
    ):
        with pytest.raises(InvalidInput):
            await create_chair(session, ADMIN, KEY, unit_id=world.area_id, **bad)  # type: ignore[arg-type]


async def test_only_a_district_admin_may_create_chairs(session: AsyncSession) -> None:
    world = await build_world(session)
    street = await get_unit(session, world.street_id)
    street_chair = Actor(name="s", role="street_chair", unit_path=street.path, chair_id=None)
    with pytest.raises(RoleNotAllowed):
        await create_chair(
            session,
            street_chair,
            KEY,
            username="new",
            password=PASSWORD,
            role="area_chair",
            unit_id=world.area_id,
        )
