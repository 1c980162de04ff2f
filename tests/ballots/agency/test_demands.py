"""Demands: first receiver stays responsible, deadlines and overdue, the private link and its
one rating, photos, unit scope, escalation to a coordination matter, audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.agency.demands import (
    accept_demand,
    close_demand,
    demand_by_secret,
    demand_number,
    escalate_demand,
    forward_demand,
    history,
    inbox,
    is_overdue,
    overdue_days,
    rate_demand,
    remind_demand,
    reply_demand,
    submit_demand,
)
from ballots.agency.errors import (
    DemandAlreadyRated,
    DemandLinkUnknown,
    DemandNotReplied,
    DemandStateConflict,
    PosterUnknown,
)
from ballots.agency.posters import deactivate_poster
from ballots.errors import InvalidInput, OutsideUnit
from ballots.models import AuditEntry, Demand, DemandEvent, Matter
from ballots.organisations import add_organisation
from ballots.uploads import UploadRefused, store_upload
from tests.ballots.agency.world import T0, build_agency
from tests.ballots.factories import ADMIN, KEY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_first_receiver_stays_responsible_when_others_act(session: AsyncSession) -> None:
    aw = await build_agency(session)
    org = await add_organisation(session, ADMIN, unit_id=aw.world.street_id, name="区房管局")
    demand, secret = await submit_demand(
        session,
        KEY,
        token=aw.token,
        category_id=aw.categories["房屋修缮"],
        text="屋顶漏水",
        contact="13800000000",
        now=T0,
    )
    await session.commit()
    await accept_demand(session, aw.area_chair, demand.id, now=T0 + timedelta(hours=2))
    with pytest.raises(DemandStateConflict):  # a second chair cannot take it over
        await accept_demand(session, aw.second_chair, demand.id)
    await forward_demand(
        session, aw.second_chair, demand.id, organisation_id=org.id, note="请派人查看"
    )
    await remind_demand(session, aw.street_chair, demand.id, note="请尽快")
    await reply_demand(session, aw.street_chair, demand.id, text="已修好", resolved=True)
    await session.commit()
    stored = await session.get(Demand, demand.id)
    assert stored is not None
    assert stored.first_receiver_id == aw.area_chair.chair_id
    assert stored.state == "replied" and stored.organisation_id == org.id
    events = await history(session, demand.id)
    assert [e.kind for e in events] == ["received", "accepted", "forwarded", "reminded", "replied"]
    assert [e.chair_id for e in events[1:]] == [
        aw.area_chair.chair_id,
        aw.second_chair.chair_id,
        aw.street_chair.chair_id,
        aw.street_chair.chair_id,
    ]
    actions = list(await session.scalars(select(AuditEntry.action)))
    for step in ("accept", "forward", "remind", "reply"):
        assert f"agency.demand.{step}" in actions
    assert await demand_by_secret(session, KEY, secret) == stored


async def test_a_chair_acting_first_without_accepting_becomes_first_receiver(
    session: AsyncSession,
) -> None:
    aw = await build_agency(session)
    demand, _ = await submit_demand(
        session, KEY, token=aw.token, category_id=aw.categories["其他"], text="咨询", now=T0
    )
    await reply_demand(session, aw.second_chair, demand.id, text="答复", resolved=False)
    await close_demand(session, aw.area_chair, demand.id)
    await session.commit()
    assert demand.first_receiver_id == aw.second_chair.chair_id
    assert demand.state == "closed"


async def test_deadline_and_overdue_with_a_controlled_date(session: AsyncSession) -> None:
    aw = await build_agency(session)
    fire, _ = await submit_demand(
        session,
        KEY,
        token=aw.token,
        category_id=aw.categories["治安消防"],
        text="楼道堆物",
        now=T0,
    )
    roof, _ = await submit_demand(
        session, KEY, token=aw.token, category_id=aw.categories["房屋修缮"], text="漏水", now=T0
    )
    await session.commit()
    assert fire.due_at == T0 + timedelta(days=1)
    assert roof.due_at == T0 + timedelta(days=7)
    assert not is_overdue(fire, T0 + timedelta(hours=23))
    assert is_overdue(fire, T0 + timedelta(days=1, minutes=1))
    assert overdue_days(fire, T0 + timedelta(days=3, hours=1)) == 3
    assert overdue_days(roof, T0 + timedelta(days=3)) == 0
    later = T0 + timedelta(days=2)
    page = await inbox(session, aw.area_chair, overdue_only=True, now=later)
    assert [d.id for d in page.demands] == [fire.id]
    await reply_demand(session, aw.area_chair, fire.id, text="已清理", resolved=True, now=later)
    await session.commit()
    assert not is_overdue(fire, later + timedelta(days=5))  # replied: no longer waiting
    assert await demand_number(session, roof) == "20260302-2"


async def test_rating_needs_the_right_secret_a_reply_and_only_once(session: AsyncSession) -> None:
    aw = await build_agency(session)
    mine, secret = await submit_demand(
        session,
        KEY,
        token=aw.token,
        category_id=aw.categories["环境卫生"],
        text="垃圾未清",
        now=T0,
    )
    _other, other_secret = await submit_demand(
        session, KEY, token=aw.token, category_id=aw.categories["环境卫生"], text="噪音", now=T0
    )
    await session.commit()
    mine_id = mine.id
    with pytest.raises(DemandNotReplied):
        await rate_demand(session, KEY, secret, "satisfied")
    await reply_demand(session, aw.area_chair, mine.id, text="已清运", resolved=True)
    await session.commit()
    with pytest.raises(DemandLinkUnknown):
        await rate_demand(session, KEY, secret[:-1] + ("A" if secret[-1] != "A" else "B"), "basic")
    with pytest.raises(DemandNotReplied):  # the other demand's link rates only the other one
        await rate_demand(session, KEY, other_secret, "unsatisfied")
    with pytest.raises(InvalidInput):
        await rate_demand(session, KEY, secret, "great")
    await rate_demand(session, KEY, secret, "basic")
    await session.commit()
    with pytest.raises(DemandAlreadyRated):
        await rate_demand(session, KEY, secret, "unsatisfied")
    await session.rollback()
    stored = await session.get(Demand, mine_id)
    assert stored is not None and stored.rating == "basic" and stored.state == "closed"
    with pytest.raises(DemandAlreadyRated):
        await reply_demand(session, aw.area_chair, mine_id, text="改", resolved=True)


async def test_photos_wrong_type_or_oversize_are_refused_and_nothing_saved(
    session: AsyncSession, tmp_path: Path
) -> None:
    aw = await build_agency(session)
    with pytest.raises(UploadRefused):
        store_upload(
            tmp_path,
            "x.pdf",
            b"%PDF-1.4 hello",
            max_bytes=1000,
            allowed=frozenset({"image/png", "image/jpeg", "image/webp"}),
        )
    with pytest.raises(UploadRefused):
        store_upload(
            tmp_path, "big.png", PNG * 100, max_bytes=1000, allowed=frozenset({"image/png"})
        )
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    photo = store_upload(tmp_path, "ok.png", PNG, max_bytes=1000, allowed=frozenset({"image/png"}))
    demand, _ = await submit_demand(
        session,
        KEY,
        token=aw.token,
        category_id=aw.categories["其他"],
        text="见照片",
        photo=photo,
    )
    await session.commit()
    assert demand.photo == photo.stored_as and demand.photo_type == "image/png"


async def test_bad_input_another_unit_and_old_posters_are_refused(session: AsyncSession) -> None:
    aw = await build_agency(session)
    cat = aw.categories["其他"]
    with pytest.raises(InvalidInput):
        await submit_demand(session, KEY, token=aw.token, category_id=cat, text="   ")
    with pytest.raises(InvalidInput):
        await submit_demand(session, KEY, token=aw.token, category_id=cat, text="x" * 2001)
    with pytest.raises(InvalidInput):
        await submit_demand(session, KEY, token=aw.token, category_id=999999, text="hello")
    with pytest.raises(PosterUnknown):
        await submit_demand(session, KEY, token="nope", category_id=cat, text="hello")
    demand, _ = await submit_demand(session, KEY, token=aw.token, category_id=cat, text="hi")
    await session.commit()
    with pytest.raises(OutsideUnit):
        await accept_demand(session, aw.other_chair, demand.id)
    assert (await inbox(session, aw.other_chair)).total == 0
    assert (await inbox(session, aw.street_chair)).total == 1
    await deactivate_poster(
        session, aw.area_chair, (await session.get(Demand, demand.id)).poster_id or 0
    )  # type: ignore[union-attr]
    await session.commit()
    with pytest.raises(PosterUnknown):
        await submit_demand(session, KEY, token=aw.token, category_id=cat, text="hello")
    assert await session.scalar(select(Demand.id).where(Demand.text == "hello")) is None


async def test_escalation_creates_a_coordination_matter(session: AsyncSession) -> None:
    aw = await build_agency(session)
    demand, _ = await submit_demand(
        session,
        KEY,
        token=aw.token,
        category_id=aw.categories["邻里纠纷"],
        text="楼上漏水到楼下",
    )
    await session.commit()
    _, matter = await escalate_demand(session, aw.area_chair, demand.id, title="漏水协调会")
    await session.commit()
    stored = await session.get(Matter, matter.id)
    assert (
        stored is not None and stored.kind == "coordination" and stored.unit_id == aw.world.area_id
    )
    assert demand.escalated_matter_id == matter.id and demand.state == "escalated"
    # The matter's record is public: it names the demand by its number, never its text.
    number = await demand_number(session, demand)
    assert (
        stored.title == "漏水协调会" and stored.description == f"由居民诉求 {number} 提交协调会。"
    )
    with pytest.raises(DemandStateConflict):
        await escalate_demand(session, aw.area_chair, demand.id)
    other, _ = await submit_demand(
        session, KEY, token=aw.token, category_id=aw.categories["邻里纠纷"], text="隔壁302养狗扰民"
    )
    await session.commit()
    _, untitled = await escalate_demand(session, aw.area_chair, other.id)
    assert untitled.title == f"协调：诉求 {await demand_number(session, other)}"
    assert "302" not in untitled.title + untitled.description
    kinds = list(
        await session.scalars(select(DemandEvent.kind).where(DemandEvent.demand_id == demand.id))
    )
    assert kinds == ["received", "accepted", "escalated"]
