"""Chairs: password plus TOTP (each code accepted once), roles scoped to a unit subtree, tokens
that resolve to the chair and stop working when revoked or expired; API tokens that expire, may
be read-only, end with the login session that made them, and are listed and revoked by their
owner or a chair manager."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pyotp
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.chairs import (
    NewChair,
    actor_for,
    actor_from_token,
    authenticate,
    create_chair,
    create_token,
    issue_token,
    list_tokens,
    log_out,
    revoke_token,
    totp_secret_of,
)
from ballots.errors import (
    DuplicateName,
    InvalidInput,
    InvalidLogin,
    NotAuthenticated,
    NotFound,
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
        assert msgspec.structs.replace(actor, session_id=None) == Actor(
            name=new.username,
            role="area_chair",
            unit_path=area.path,
            chair_id=new.chair_id,
            source="test",
            # Added by another with a password they chose: the session must choose one first.
            password_change_due=kind == "session",
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
    await log_out(session, revoked)
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


# API tokens: expiry, scope, logout, listing and revocation.


async def chair_in(session: AsyncSession, world: World, *, role: str, unit_id: int) -> Chair:
    new = await make_chair(session, world, role=role, unit_id=unit_id)
    chair = await session.get(Chair, new.chair_id)
    assert chair is not None
    return chair


async def actor_of(session: AsyncSession, chair: Chair) -> Actor:
    return actor_for(chair, await get_unit(session, chair.unit_id))


async def test_api_tokens_expire_when_their_owner_chose(session: AsyncSession) -> None:
    world = await build_world(session)
    chair = await chair_in(session, world, role="area_chair", unit_id=world.area_id)
    short = await issue_token(
        session, chair, kind="api", name="a", lifetime=timedelta(days=2), now=NOW
    )
    default = await issue_token(session, chair, kind="api", name="b", now=NOW)
    session_token = await issue_token(
        session, chair, kind="session", lifetime=timedelta(days=300), now=NOW
    )
    await session.commit()
    assert short.expires_at == NOW + timedelta(days=2)
    assert default.expires_at == NOW + timedelta(days=90)
    assert session_token.expires_at == NOW + timedelta(hours=12)  # a session lives 12 hours
    await actor_from_token(session, short.token, now=NOW + timedelta(days=2, seconds=-1))
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, short.token, now=NOW + timedelta(days=2))
    await actor_from_token(session, default.token, now=NOW + timedelta(days=89))
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, default.token, now=NOW + timedelta(days=91))
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, session_token.token, now=NOW + timedelta(hours=12))
    for lifetime in (timedelta(0), timedelta(days=-1), timedelta(days=366)):
        with pytest.raises(InvalidInput):
            await issue_token(session, chair, kind="api", lifetime=lifetime)
    with pytest.raises(InvalidInput):
        await issue_token(session, chair, kind="api", name="x" * 101)


async def test_a_read_scoped_token_gives_a_read_only_actor(session: AsyncSession) -> None:
    world = await build_world(session)
    chair = await chair_in(session, world, role="area_chair", unit_id=world.area_id)
    read = await create_token(session, chair, kind="api", name="dashboard", scope="read")
    full = await create_token(session, chair, kind="api", name="sync")
    login_session = await create_token(session, chair, kind="session", scope="read")
    await session.commit()
    assert (await actor_from_token(session, read)).read_only
    assert not (await actor_from_token(session, full)).read_only
    assert not (await actor_from_token(session, login_session)).read_only  # sessions are full
    with pytest.raises(InvalidInput):
        await create_token(session, chair, kind="api", scope="write")
    with pytest.raises(InvalidInput):
        await create_token(session, chair, kind="forever")


async def test_logging_out_revokes_the_session_and_the_api_tokens_made_from_it_only(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    chair = await chair_in(session, world, role="area_chair", unit_id=world.area_id)
    first = await create_token(session, chair, kind="session")
    second = await create_token(session, chair, kind="session")
    await session.commit()
    first_id = (await actor_from_token(session, first)).session_id
    second_id = (await actor_from_token(session, second)).session_id
    assert first_id is not None and second_id is not None and first_id != second_id
    made_in_first = await issue_token(
        session, chair, kind="api", name="from first", created_by_session=first_id
    )
    made_in_second = await issue_token(
        session, chair, kind="api", name="from second", created_by_session=second_id
    )
    from_cli = await create_token(session, chair, kind="api", name="from the CLI")
    await session.commit()
    assert (await actor_from_token(session, made_in_first.token)).session_id == first_id

    await log_out(session, first, source="test")
    await session.commit()
    for gone in (first, made_in_first.token):
        with pytest.raises(NotAuthenticated):
            await actor_from_token(session, gone)
    for alive in (second, made_in_second.token, from_cli):
        await actor_from_token(session, alive)
    logout = await session.scalar(select(AuditEntry).where(AuditEntry.action == "chair.logout"))
    assert logout is not None
    assert logout.details == {"revoked_tokens": [made_in_first.id]}
    assert logout.source == "test"
    await log_out(session, first)  # a second logout changes nothing
    await log_out(session, "vs_unknown")
    await session.commit()
    assert (
        await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "chair.logout")
        )
        == 1
    )


async def test_list_tokens_shows_api_tokens_but_never_a_secret(session: AsyncSession) -> None:
    world = await build_world(session)
    chair = await chair_in(session, world, role="area_chair", unit_id=world.area_id)
    other = await chair_in(session, world, role="area_chair", unit_id=world.other_area_id)
    mine = await issue_token(session, chair, kind="api", name="sync", scope="read", now=NOW)
    await create_token(session, chair, kind="session")
    await create_token(session, other, kind="api", name="theirs")
    await session.commit()
    listed = await list_tokens(session, await actor_of(session, chair), chair_id=chair.id)
    assert [(t.id, t.name, t.scope, t.expires_at, t.revoked_at) for t in listed] == [
        (mine.id, "sync", "read", NOW + timedelta(days=90), None)
    ]
    shown = msgspec.json.encode(listed)
    stored = await session.scalar(select(ChairToken.token_hash).where(ChairToken.id == mine.id))
    assert stored is not None
    assert mine.token.encode() not in shown and bytes(stored).hex().encode() not in shown
    everyone = await list_tokens(session, ADMIN)
    assert {t.name for t in everyone} == {"sync", "theirs"}
    with pytest.raises(RoleNotAllowed):
        await list_tokens(session, await actor_of(session, chair), chair_id=other.id)


async def test_revoking_a_token_stops_it_and_is_audited(session: AsyncSession) -> None:
    world = await build_world(session)
    chair = await chair_in(session, world, role="area_chair", unit_id=world.area_id)
    token = await issue_token(session, chair, kind="api", name="old script")
    await session.commit()
    actor = await actor_of(session, chair)
    revoked = await revoke_token(session, actor, token.id, now=NOW)
    await session.commit()
    assert revoked.revoked_at == NOW
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, token.token)
    again = await revoke_token(session, actor, token.id)  # idempotent: nothing new
    await session.commit()
    assert again.revoked_at == NOW
    entries = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "token.revoke"))
    ).all()
    assert [(e.target, e.chair_id, e.details) for e in entries] == [
        (f"token:{token.id}", chair.id, {"chair": chair.username})
    ]
    created = await session.scalar(select(AuditEntry).where(AuditEntry.action == "token.create"))
    assert created is not None and created.target == f"token:{token.id}"
    for missing in (token.id + 1000, 0, 2**31, 2**63, 2**70):
        with pytest.raises(NotFound):
            await revoke_token(session, actor, missing)


async def test_only_the_owner_or_a_manager_over_their_unit_may_revoke(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    owner = await chair_in(session, world, role="area_chair", unit_id=world.area_id)
    neighbour = await chair_in(session, world, role="street_chair", unit_id=world.area_id)
    elsewhere = await chair_in(session, world, role="district_admin", unit_id=world.other_area_id)
    manager = await chair_in(session, world, role="district_admin", unit_id=world.district_id)
    token = await issue_token(session, owner, kind="api", name="owner's")
    await session.commit()
    neighbour_actor, elsewhere_actor, manager_actor = [
        await actor_of(session, chair) for chair in (neighbour, elsewhere, manager)
    ]
    with pytest.raises(RoleNotAllowed):  # same unit, but no right to manage chairs
        await revoke_token(session, neighbour_actor, token.id)
    with pytest.raises(OutsideUnit):  # may manage chairs, but of another unit
        await revoke_token(session, elsewhere_actor, token.id)
    await session.rollback()
    await actor_from_token(session, token.token)
    await revoke_token(session, manager_actor, token.id)
    await session.commit()
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, token.token)
