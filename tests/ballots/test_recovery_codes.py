"""Recovery codes: ten made with every new chair and re-enrolment, only keyed hashes stored, each
logs in once in place of the TOTP code (audited, with how many are left), also when several
logins race with one code, on SQLite and PostgreSQL; new codes replace the old ones."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import accounts, recovery_codes
from ballots.access import operator
from ballots.chairs import NewChair, actor_for, create_chair, reenrol_totp, sign_in
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.errors import InvalidLogin
from ballots.models import AuditEntry, Chair, ChairRecoveryCode
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, KEY, World, build_world

PASSWORD = "correct horse battery"
NOW = datetime(2025, 3, 5, 9, 30, 10, tzinfo=UTC)
CODE_SHAPE = re.compile(r"^\d{4}-\d{4}-\d{4}$")


async def make_chair(session: AsyncSession, world: World, username: str = "li") -> NewChair:
    new = await create_chair(
        session,
        ADMIN,
        KEY,
        username=username,
        password=PASSWORD,
        role="area_chair",
        unit_id=world.area_id,
    )
    await session.commit()
    return new


async def stored_codes(session: AsyncSession, chair_id: int) -> list[ChairRecoveryCode]:
    rows = await session.scalars(
        select(ChairRecoveryCode).where(ChairRecoveryCode.chair_id == chair_id)
    )
    return list(rows.all())


async def audited(session: AsyncSession, action: str) -> list[AuditEntry]:
    return list(
        (await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all()
    )


def test_codes_are_twelve_digits_in_groups_and_typed_loosely() -> None:
    codes = recovery_codes.generate_codes()
    assert len(codes) == len(set(codes)) == 10
    assert all(CODE_SHAPE.match(code) for code in codes)
    assert recovery_codes.normalise("4821-9930-1175") == "482199301175"
    assert recovery_codes.normalise(" 4821 9930 1175 ") == "482199301175"
    assert recovery_codes.normalise("４８２１－９９３０－１１７５") == "482199301175"  # full width
    assert recovery_codes.normalise("482199301175") == "482199301175"
    for not_a_code in ("123456", "4821-9930-117", "4821-9930-11755", "abcd4821-9930-1175", ""):
        assert recovery_codes.normalise(not_a_code) is None, not_a_code


async def test_a_new_chair_gets_ten_codes_and_only_keyed_hashes_are_stored(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    assert len(new.recovery_codes) == 10
    assert all(CODE_SHAPE.match(code) for code in new.recovery_codes)
    stored = await stored_codes(session, new.chair_id)
    assert len(stored) == 10 and all(row.used_at is None for row in stored)
    hashes = {row.code_hash for row in stored}
    for code in new.recovery_codes:
        digits = code.replace("-", "")
        assert hashlib.sha256(digits.encode()).digest() not in hashes  # keyed, not a bare hash
        assert recovery_codes.code_hash(KEY, new.chair_id, digits) in hashes
        # The same digits for another chair would hash differently.
        assert recovery_codes.code_hash(KEY, new.chair_id + 1, digits) not in hashes


async def test_a_code_logs_in_once_in_place_of_the_totp_code(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    first = new.recovery_codes[0]
    signed_in = await sign_in(session, KEY, "li", PASSWORD, first, source="10.0.0.9", now=NOW)
    await session.commit()
    assert signed_in.chair.id == new.chair_id
    assert (signed_in.recovery_code_used, signed_in.recovery_codes_left) == (True, 9)
    [entry] = await audited(session, "chair.recovery_code_used")
    assert entry.chair_id == new.chair_id and entry.source == "10.0.0.9"
    assert entry.details["codes_left"] == 9
    assert first not in str(entry.details) and first.replace("-", "") not in str(entry.details)

    with pytest.raises(InvalidLogin):  # used up
        await sign_in(session, KEY, "li", PASSWORD, first, now=NOW)
    await session.rollback()
    with pytest.raises(InvalidLogin):  # a code needs the password too
        await sign_in(session, KEY, "li", "wrong password!", new.recovery_codes[1], now=NOW)
    await session.rollback()
    with pytest.raises(InvalidLogin):  # a made-up code
        await sign_in(session, KEY, "li", PASSWORD, "1234-5678-9012", now=NOW)
    await session.rollback()
    assert len(await audited(session, "chair.recovery_code_used")) == 1

    # Typed with spaces in full-width digits, the next code works; the TOTP still does too.
    typed = (
        new.recovery_codes[1]
        .replace("-", " ")
        .translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})
    )
    again = await sign_in(session, KEY, "li", PASSWORD, typed, now=NOW)
    await session.commit()
    assert again.recovery_codes_left == 8
    totp = await sign_in(session, KEY, "li", PASSWORD, pyotp.TOTP(new.totp_secret).at(NOW), now=NOW)
    await session.commit()
    assert (totp.recovery_code_used, totp.recovery_codes_left) == (False, 8)


async def test_one_chairs_code_does_not_log_in_another(session: AsyncSession) -> None:
    world = await build_world(session)
    li = await make_chair(session, world, "li")
    await make_chair(session, world, "wang")
    with pytest.raises(InvalidLogin):
        await sign_in(session, KEY, "wang", PASSWORD, li.recovery_codes[0], now=NOW)
    await session.rollback()
    assert len([r for r in await stored_codes(session, li.chair_id) if r.used_at is None]) == 10


async def test_reenrolling_and_new_codes_replace_the_old_ones(session: AsyncSession) -> None:
    world = await build_world(session)
    new = await make_chair(session, world)
    await sign_in(session, KEY, "li", PASSWORD, new.recovery_codes[0], now=NOW)
    await session.commit()

    reenrolled = await reenrol_totp(session, operator("test"), KEY, new.chair_id)
    await session.commit()
    assert len(reenrolled.recovery_codes) == 10
    assert not set(reenrolled.recovery_codes) & set(new.recovery_codes)
    assert len(await stored_codes(session, new.chair_id)) == 10  # the old rows are gone
    with pytest.raises(InvalidLogin):
        await sign_in(session, KEY, "li", PASSWORD, new.recovery_codes[1], now=NOW)
    await session.rollback()

    # The chair makes new codes themselves: audited, and the re-enrolment's stop working.
    chair = await session.get(Chair, new.chair_id)
    assert chair is not None
    actor = actor_for(chair, await get_unit(session, chair.unit_id))
    mine = await accounts.replace_recovery_codes(session, actor, KEY)
    await session.commit()
    assert len(mine) == 10 and not set(mine) & set(reenrolled.recovery_codes)
    [entry] = await audited(session, "chair.recovery_codes_replaced")
    assert entry.chair_id == new.chair_id and entry.details == {"unused_dropped": 10}
    with pytest.raises(InvalidLogin):
        await sign_in(session, KEY, "li", PASSWORD, reenrolled.recovery_codes[0], now=NOW)
    await session.rollback()
    signed_in = await sign_in(session, KEY, "li", PASSWORD, mine[0], now=NOW)
    assert signed_in.recovery_codes_left == 9


ATTEMPTS = 6


async def _new_session_work(db_url: str, work):  # type: ignore[no-untyped-def]
    """Run ``work(session)`` on an engine of its own: a separate connection, as another
    worker's request would have."""
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as own:
            return await work(own)
    finally:
        await dispose(engine)


async def test_concurrent_claims_of_one_code_succeed_once(
    session: AsyncSession, db_url: str
) -> None:
    """Several connections claim one code at the same moment: the database lets exactly one."""
    world = await build_world(session)
    new = await make_chair(session, world)
    digits = new.recovery_codes[0].replace("-", "")
    ready = asyncio.Barrier(ATTEMPTS)

    async def claim(own: AsyncSession) -> bool:
        await own.execute(select(Chair.id))  # every connection is open before the race
        await own.rollback()
        await ready.wait()
        won = await recovery_codes.claim(own, KEY, new.chair_id, digits, NOW)
        await own.commit()
        return won

    results = await asyncio.gather(*(_new_session_work(db_url, claim) for _ in range(ATTEMPTS)))
    assert sorted(results) == [False] * (ATTEMPTS - 1) + [True]
    assert await recovery_codes.codes_left(session, new.chair_id) == 9


async def test_concurrent_logins_with_one_code_let_one_in(
    session: AsyncSession, db_url: str
) -> None:
    """The whole login (password, then the code) raced from several connections."""
    world = await build_world(session)
    new = await make_chair(session, world)
    code = new.recovery_codes[0]

    async def log_in(own: AsyncSession) -> bool:
        try:
            await sign_in(own, KEY, "li", PASSWORD, code, now=NOW)
        except InvalidLogin:
            await own.rollback()
            return False
        await own.commit()
        return True

    results = await asyncio.gather(
        *(_new_session_work(db_url, log_in) for _ in range(4))  # the password queue holds 8
    )
    assert sorted(results) == [False, False, False, True]
    assert await recovery_codes.codes_left(session, new.chair_id) == 9
    assert len(await audited(session, "chair.recovery_code_used")) == 1
