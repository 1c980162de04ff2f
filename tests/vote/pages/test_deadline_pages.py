"""Deadlines on the pages, in Beijing time: the ballot's public page, the voting page, the chair
dashboard and the matter's timeline, in Chinese and in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.schedule import schedule_ballot
from tests.vote.helpers import Client, World, page_login
from vote.pages.times import deadline_time

BEIJING = timedelta(hours=8)


async def _close_tomorrow_at_six_pm(world: World, ballot_id: int) -> datetime:
    """Schedule ``ballot_id`` to close tomorrow at 18:00 Beijing time; return that day."""
    day = (datetime.now(UTC) + BEIJING + timedelta(days=1)).date()
    closes = datetime(day.year, day.month, day.day, 18, tzinfo=UTC) - BEIJING

    async def work(session: AsyncSession) -> None:
        await schedule_ballot(session, operator(), ballot_id, None, closes)
        await session.commit()

    await world.db.run(work)
    return closes


def _zh(closes: datetime) -> str:
    local = closes + BEIJING
    return f"投票截止：{local.year}年{local.month}月{local.day}日 18:00（北京时间）"


def _en(closes: datetime) -> str:
    local = closes + BEIJING
    return f"Voting closes: {local.day} {local:%B} {local.year}, 18:00 (Beijing time)"


async def test_the_ballot_page_and_the_voting_page_show_the_deadline(
    client: Client, world: World
) -> None:
    closes = await _close_tomorrow_at_six_pm(world, world.firm_id)
    for path in (f"/ballots/{world.firm_id}", f"/v/{world.firm_id}"):
        chinese = await client.get(path)
        assert chinese.status_code == 200, chinese.text
        assert _zh(closes) in chinese.text
        english = await client.get(path + "?lang=en")
        assert _en(closes) in english.text
    # A ballot without a closing time says nothing about one.
    assert "投票截止：" not in (await client.get(f"/ballots/{world.practical_id}")).text


async def test_the_chair_dashboard_and_the_timeline_show_the_deadline(
    client: Client, world: World
) -> None:
    closes = await _close_tomorrow_at_six_pm(world, world.firm_id)
    await page_login(client, "chair", world.info.totp_secret)
    dashboard = await client.get("/chair/")
    assert dashboard.status_code == 200, dashboard.text
    assert _zh(closes) in dashboard.text
    record = await client.get(f"/matters/{world.matters[world.firm_id]}")
    local = closes + BEIJING
    assert (
        "发出表决“选定动迁评估公司”的通知：投票截止时间为 "
        f"{local.year}年{local.month}月{local.day}日 18:00（北京时间）。"
    ) in record.text


def test_deadlines_cross_midnight_in_beijing_time() -> None:
    # 16:30 UTC on 4 December is half past midnight on 5 December in Beijing.
    assert (
        deadline_time(datetime(2026, 12, 4, 16, 30, tzinfo=UTC))
        == "2026年12月5日 00:30（北京时间）"
    )
    assert deadline_time("2026-12-05T10:00:00+00:00") == "2026年12月5日 18:00（北京时间）"
    assert deadline_time(None) == ""
