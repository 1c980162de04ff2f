"""Disclosure items: a draft replaced before publication, a new version for every change after
it (never overwritten, on the timeline), the latest is current, the chair's own items on a
general notice; bad input refused and nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import InvalidInput
from ballots.models import AuditEntry, MatterEvent, NoticeItem
from ballots.notices.items import (
    add_custom_item,
    current_items,
    item_history,
    remove_custom_item,
    set_item,
)
from ballots.notices.notices import create_notice, publish_notice, withdraw_notice
from ballots.notices.templates import TEMPLATES
from tests.ballots.factories import ADMIN, build_world

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
END = START + timedelta(days=7)


async def _notice(session: AsyncSession, template: str = "relocation") -> int:
    world = await build_world(session)
    notice = await create_notice(
        session,
        ADMIN,
        matter_id=world.matter_id,
        title="建国东路地块动迁九公开",
        starts_at=START,
        ends_at=END,
        template=template,
    )
    await session.commit()
    return notice.id


async def test_relocation_has_nine_items() -> None:
    assert len(TEMPLATES["relocation"]) == 9
    assert [item.key for item in TEMPLATES["selection"]] == [
        "qualifications",
        "bidders",
        "procedure",
    ]


async def test_a_draft_item_is_replaced_then_every_change_after_publication_is_kept(
    session: AsyncSession,
) -> None:
    notice_id = await _notice(session)
    await set_item(session, ADMIN, notice_id, "compensation", "每平方米 3 万元")
    await set_item(session, ADMIN, notice_id, "compensation", "每平方米 3.2 万元")
    await session.commit()
    history = await item_history(session, notice_id, "compensation")
    assert [(row.version, row.body) for row in history] == [(1, "每平方米 3.2 万元")]
    notice = await publish_notice(session, ADMIN, notice_id, now=START)
    await session.commit()
    later = START + timedelta(days=1)
    await set_item(session, ADMIN, notice_id, "compensation", "每平方米 3.5 万元", now=later)
    assert await set_item(session, ADMIN, notice_id, "compensation", "每平方米 3.5 万元") is None
    await session.commit()
    history = await item_history(session, notice_id, "compensation")
    assert [(row.version, row.body) for row in history] == [
        (1, "每平方米 3.2 万元"),
        (2, "每平方米 3.5 万元"),
    ]
    items = {item.key: item for item in await current_items(session, notice)}
    assert len(items) == 9
    assert items["compensation"].body == "每平方米 3.5 万元"
    assert items["compensation"].version == 2
    assert [row.body for row in items["compensation"].earlier] == ["每平方米 3.2 万元"]
    assert items["scope"].version == 0 and items["scope"].body == ""
    events = list(
        await session.scalars(select(MatterEvent).where(MatterEvent.kind == "notice.item_changed"))
    )
    assert len(events) == 1 and events[0].payload["version"] == 2
    audits = list(
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "notice.item_set"))
    )
    assert len(audits) == 3


async def test_bad_items_are_refused_and_nothing_changes(session: AsyncSession) -> None:
    notice_id = await _notice(session)
    with pytest.raises(InvalidInput):
        await set_item(session, ADMIN, notice_id, "no-such-item", "x")
    with pytest.raises(InvalidInput):
        await set_item(session, ADMIN, notice_id, "scope", "长" * 20_001)
    with pytest.raises(InvalidInput):
        await add_custom_item(session, ADMIN, notice_id, "其他")  # not a general notice
    await session.rollback()
    assert list(await session.scalars(select(NoticeItem))) == []
    await publish_notice(session, ADMIN, notice_id)
    await withdraw_notice(session, ADMIN, notice_id)
    await session.commit()
    with pytest.raises(InvalidInput):
        await set_item(session, ADMIN, notice_id, "scope", "x")


async def test_own_items_on_a_general_notice(session: AsyncSession) -> None:
    notice_id = await _notice(session, template="general")
    first = await add_custom_item(session, ADMIN, notice_id, "施工时间", "2027年3月起")
    second = await add_custom_item(session, ADMIN, notice_id, "联系人")
    await session.commit()
    assert (first.item_key, second.item_key) == ("custom-1", "custom-2")
    with pytest.raises(InvalidInput):
        await add_custom_item(session, ADMIN, notice_id, "  ")
    assert await remove_custom_item(session, ADMIN, notice_id, "custom-2") == "联系人"
    await session.commit()
    notice = await publish_notice(session, ADMIN, notice_id)
    await session.commit()
    await set_item(session, ADMIN, notice_id, "custom-1", "2027年4月起")
    await session.commit()
    items = await current_items(session, notice)
    assert [(item.label, item.body, item.version) for item in items] == [
        ("施工时间", "2027年4月起", 2)
    ]
    with pytest.raises(InvalidInput):
        await remove_custom_item(session, ADMIN, notice_id, "custom-1")
