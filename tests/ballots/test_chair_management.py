"""Managing chairs, units and matters: disable/enable, password reset, TOTP re-enrolment and
role changes (permission-checked, audited, never locking a manager out), unit renames, matter
edits, and reading the audit log back by filter and page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.chairs import (
    OwnAdminAccess,
    actor_for,
    actor_from_token,
    authenticate,
    change_role,
    create_chair,
    create_token,
    disable_chair,
    enable_chair,
    may_grant,
    reenrol_totp,
    reset_password,
)
from ballots.errors import (
    InvalidInput,
    InvalidLogin,
    NotAuthenticated,
    OutsideUnit,
    RoleNotAllowed,
)
from ballots.matters import timeline, update_matter
from ballots.models import AuditEntry, Chair, Matter, Unit
from ballots.units import get_unit, rename_unit
from tests.ballots.factories import ADMIN, KEY, World, build_world

PASSWORD = "correct horse battery"
NOW = datetime(2025, 3, 5, 9, 30, 10, tzinfo=UTC)


async def chair(session: AsyncSession, name: str, role: str, unit_id: int) -> tuple[int, str]:
    made = await create_chair(
        session, ADMIN, KEY, username=name, password=PASSWORD, role=role, unit_id=unit_id
    )
    await session.commit()
    return made.chair_id, made.totp_secret


async def actor_of(session: AsyncSession, chair_id: int) -> Actor:
    found = await session.get(Chair, chair_id)
    assert found is not None
    return actor_for(found, await get_unit(session, found.unit_id))


async def actions(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)


async def test_a_disabled_chair_cannot_log_in_and_loses_every_token(
    session: AsyncSession, world: World
) -> None:
    admin_id, _ = await chair(session, "admin", "district_admin", world.district_id)
    target_id, secret = await chair(session, "area", "area_chair", world.area_id)
    target = await session.get(Chair, target_id)
    assert target is not None
    token = await create_token(session, target, kind="api", name="script")
    await session.commit()
    admin = await actor_of(session, admin_id)
    await disable_chair(session, admin, target_id)
    await session.commit()
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, token)
    with pytest.raises(InvalidLogin):
        await authenticate(session, KEY, "area", PASSWORD, pyotp.TOTP(secret).now())
    await enable_chair(session, admin, target_id)
    await session.commit()
    with pytest.raises(NotAuthenticated):  # re-enabling does not bring old tokens back
        await actor_from_token(session, token)
    assert (await actions(session))[-2:] == ["chair.disable", "chair.enable"]


async def test_chairs_are_managed_only_with_manage_chairs_and_within_the_subtree(
    session: AsyncSession, world: World
) -> None:
    street_id, _ = await chair(session, "street", "street_chair", world.street_id)
    area_admin_id, _ = await chair(session, "area-admin", "district_admin", world.area_id)
    other_id, _ = await chair(session, "other", "area_chair", world.other_area_id)
    with pytest.raises(RoleNotAllowed):
        await disable_chair(session, await actor_of(session, street_id), other_id)
    with pytest.raises(OutsideUnit):
        await disable_chair(session, await actor_of(session, area_admin_id), other_id)
    with pytest.raises(OutsideUnit):
        await change_role(session, await actor_of(session, area_admin_id), street_id, "observer")


async def test_nobody_locks_themselves_out(session: AsyncSession, world: World) -> None:
    admin_id, _ = await chair(session, "admin", "district_admin", world.district_id)
    admin = await actor_of(session, admin_id)
    with pytest.raises(OwnAdminAccess):
        await disable_chair(session, admin, admin_id)
    with pytest.raises(OwnAdminAccess):
        await change_role(session, admin, admin_id, "street_chair")
    await chair(session, "second", "district_admin", world.district_id)
    await change_role(session, admin, admin_id, "street_chair")  # someone else still manages
    await session.commit()
    assert (await session.get(Chair, admin_id)).role == "street_chair"  # type: ignore[union-attr]


async def test_a_role_is_given_only_if_it_can_do_no_more_than_the_givers(
    session: AsyncSession, world: World
) -> None:
    admin_id, _ = await chair(session, "admin", "district_admin", world.district_id)
    target_id, _ = await chair(session, "area", "area_chair", world.area_id)
    admin = await actor_of(session, admin_id)
    with pytest.raises(InvalidInput):
        await change_role(session, admin, target_id, "emperor")
    await change_role(session, admin, target_id, "street_chair")
    await session.commit()
    entry = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()))).first()
    assert entry is not None and entry.action == "chair.role"
    assert entry.details["old"] == "area_chair" and entry.details["role"] == "street_chair"
    # What may be given is what the giver's own role covers.
    assert may_grant(admin, "district_admin")
    street = Actor(name="s", role="street_chair", unit_path="/1/2/")
    assert may_grant(street, "area_chair") and not may_grant(street, "district_admin")
    assert not may_grant(street, "emperor")


async def test_reset_password_and_reenrol_end_the_old_ones(
    session: AsyncSession, world: World
) -> None:
    admin_id, _ = await chair(session, "admin", "district_admin", world.district_id)
    target_id, old_secret = await chair(session, "area", "area_chair", world.area_id)
    target = await session.get(Chair, target_id)
    assert target is not None
    login = await create_token(session, target, kind="session")
    await session.commit()
    admin = await actor_of(session, admin_id)
    with pytest.raises(InvalidInput):
        await reset_password(session, admin, target_id, "short")
    generated = await reset_password(session, admin, target_id)
    await session.commit()
    assert len(generated) >= 20
    with pytest.raises(NotAuthenticated):
        await actor_from_token(session, login)
    enrolled = await reenrol_totp(session, admin, KEY, target_id)
    await session.commit()
    assert enrolled.totp_secret != old_secret
    assert enrolled.provisioning_uri.startswith("otpauth://totp/")
    with pytest.raises(InvalidLogin):
        await authenticate(session, KEY, "area", generated, pyotp.TOTP(old_secret).now())
    await authenticate(session, KEY, "area", generated, pyotp.TOTP(enrolled.totp_secret).now())
    recorded = await actions(session)
    assert "chair.reset_password" in recorded and "chair.reenrol_totp" in recorded
    assert all(generated not in str(e.details) for e in await session.scalars(select(AuditEntry)))


async def test_rename_a_unit_and_edit_a_matter(session: AsyncSession, world: World) -> None:
    await rename_unit(session, ADMIN, world.area_id, "  茂名北居民区 ")
    with pytest.raises(InvalidInput):
        await rename_unit(session, ADMIN, world.area_id, "   ")
    await update_matter(session, ADMIN, world.matter_id, title="新标题", description="说明")
    await session.commit()
    assert (await session.get(Unit, world.area_id)).name == "茂名北居民区"  # type: ignore[union-attr]
    matter = await session.get(Matter, world.matter_id)
    assert matter is not None and matter.title == "新标题"
    assert [e.kind for e in await timeline(session, world.matter_id)][-1] == "edited"
    assert (await actions(session))[-2:] == ["unit.rename", "matter.update"]


async def test_the_audit_log_filters_and_pages(session: AsyncSession, world: World) -> None:
    admin_id, _ = await chair(session, "admin", "district_admin", world.district_id)
    admin = await actor_of(session, admin_id)
    for number in range(7):
        await rename_unit(session, admin, world.area_id, f"名字{number}")
    await session.commit()
    first = await audit.search(session, admin, action="unit.rename", limit=5)
    second = await audit.search(session, admin, action="unit.rename", limit=5, offset=5)
    assert first.total == second.total == 7
    assert len(first.entries) == 5 and len(second.entries) == 2
    assert {e.id for e in first.entries}.isdisjoint(e.id for e in second.entries)
    mine = await audit.search(session, admin, chair_id=admin_id, limit=100)
    assert mine.total == 7
    other = await audit.search(session, admin, unit_id=world.other_area_id, action="unit.rename")
    assert other.total == 0
    later = await audit.search(
        session, admin, since=datetime.now(UTC) + timedelta(hours=1), limit=100
    )
    assert later.total == 0
    assert "unit.rename" in await audit.actions_seen(session, admin)
