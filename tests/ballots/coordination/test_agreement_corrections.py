"""Correcting and withdrawing an agreement: the row takes the new wording while the timeline
keeps the old one, a withdrawal stays on the record with its reason, both are audited and
scoped to the matter's unit, and bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.coordination.agreements import (
    add_agreement,
    agreement_record,
    agreement_records,
    correct_agreement,
    withdraw_agreement,
)
from ballots.errors import InvalidInput, NotFound, OutsideUnit
from ballots.followup.actions import create_action
from ballots.matters import create_matter, timeline
from ballots.models import Agreement, AuditEntry, MatterEvent
from tests.ballots.factories import ADMIN, build_world


async def _agreement(session: AsyncSession) -> tuple[int, int, Actor]:
    world = await build_world(session)
    matter = await create_matter(
        session, ADMIN, unit_id=world.area_id, kind="coordination", title="动迁补偿协调"
    )
    agreement = await add_agreement(session, ADMIN, matter.id, "按2019年标准上浮15%")
    await session.commit()
    other_chair = Actor(
        name="思南书记",
        role="area_chair",
        unit_path=f"/{world.district_id}/{world.street_id}/{world.other_area_id}/",
        chair_id=None,
    )
    return matter.id, agreement.id, other_chair


async def _counts(session: AsyncSession) -> tuple[int, int]:
    events = len(list(await session.scalars(select(MatterEvent.id))))
    audited = len(list(await session.scalars(select(AuditEntry.id))))
    return events, audited


async def test_a_correction_keeps_the_earlier_wording(session: AsyncSession) -> None:
    matter_id, agreement_id, _ = await _agreement(session)
    await correct_agreement(session, ADMIN, agreement_id, "按2019年标准上浮12%", reason="记录笔误")
    await session.commit()
    await correct_agreement(session, ADMIN, agreement_id, "按2019年标准上浮12%，年底前付清")
    await session.commit()
    record = await agreement_record(session, agreement_id)
    assert record.agreement.text == "按2019年标准上浮12%，年底前付清"
    assert [w.text for w in record.earlier] == ["按2019年标准上浮15%", "按2019年标准上浮12%"]
    assert record.earlier[0].since == record.agreement.agreed_at
    assert record.corrected_at is not None and record.correction_reasons == ("记录笔误",)
    assert not record.withdrawn
    corrections = [e for e in await timeline(session, matter_id) if e.kind == "agreement.corrected"]
    assert [e.payload["old_text"] for e in corrections] == [w.text for w in record.earlier]
    audited = list(
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "agreement.correct"))
    )
    assert len(audited) == 2


async def test_a_withdrawal_stays_on_the_record(session: AsyncSession) -> None:
    matter_id, agreement_id, _ = await _agreement(session)
    await withdraw_agreement(session, ADMIN, agreement_id, "误记：双方并未达成一致")
    await session.commit()
    [record] = await agreement_records(session, matter_id)
    assert record.withdrawn and record.withdrawn_reason == "误记：双方并未达成一致"
    assert record.agreement.text == "按2019年标准上浮15%"
    before = await _counts(session)
    with pytest.raises(InvalidInput):
        await withdraw_agreement(session, ADMIN, agreement_id, "再撤一次")
    with pytest.raises(InvalidInput):
        await correct_agreement(session, ADMIN, agreement_id, "新的表述")
    with pytest.raises(InvalidInput):  # a withdrawn agreement takes no new actions
        await create_action(
            session, ADMIN, kind="agreement", agreement_id=agreement_id, title="x", owner="y"
        )
    await session.rollback()
    assert await _counts(session) == before
    assert await session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "agreement.withdraw")
    )


async def test_bad_input_and_another_units_chair_change_nothing(session: AsyncSession) -> None:
    _, agreement_id, other_chair = await _agreement(session)
    before = await _counts(session)
    for text, reason in (
        ("  ", ""),
        ("x" * 4001, ""),
        ("按2019年标准上浮15%", ""),
        ("y", "z" * 1001),
    ):
        with pytest.raises(InvalidInput):
            await correct_agreement(session, ADMIN, agreement_id, text, reason=reason)
    for reason in ("", "   ", "z" * 1001):
        with pytest.raises(InvalidInput):
            await withdraw_agreement(session, ADMIN, agreement_id, reason)
    with pytest.raises(OutsideUnit):
        await correct_agreement(session, other_chair, agreement_id, "思南改的")
    with pytest.raises(OutsideUnit):
        await withdraw_agreement(session, other_chair, agreement_id, "思南撤的")
    with pytest.raises(NotFound):
        await correct_agreement(session, ADMIN, agreement_id + 99, "x")
    await session.rollback()
    assert await _counts(session) == before
    text = await session.scalar(select(Agreement.text).where(Agreement.id == agreement_id))
    assert text == "按2019年标准上浮15%"
