"""The demo data: this year's statistics are not empty and equal a count of the demo's own rows
done here; the 2027 ballot came from the year-end collection's shortlist; the console's overdue
list shows the coordination's late action, and the referral is on record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import (
    Ballot,
    Demand,
    Matter,
    MatterEvent,
    Meeting,
    Notice,
    Opinion,
    Participation,
    Referral,
    Unit,
)
from tests.vote.helpers import Client, World

BEIJING = ZoneInfo("Asia/Shanghai")


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


async def _this_years_rows(world: World, street: int) -> dict[str, Any]:
    """This year's figures of the street, counted straight from the tables."""
    here = datetime.now(BEIJING)
    start = datetime(here.year, 1, 1, tzinfo=BEIJING).astimezone(UTC)
    end = datetime(here.year + 1, 1, 1, tzinfo=BEIJING).astimezone(UTC)

    def inside(at: datetime | None) -> bool:
        moment = _utc(at)
        return moment is not None and start <= moment < end

    async def work(session: AsyncSession) -> dict[str, Any]:
        root = await session.get_one(Unit, street)
        in_street = {
            unit.id
            for unit in await session.scalars(select(Unit))
            if unit.path.startswith(root.path)
        }
        matter_unit = dict((await session.execute(select(Matter.id, Matter.unit_id))).all())
        meetings = [
            meeting
            for meeting in await session.scalars(select(Meeting))
            if matter_unit[meeting.matter_id] in in_street and inside(meeting.starts_at)
        ]
        demands = [
            demand
            for demand in await session.scalars(select(Demand))
            if demand.unit_id in in_street and inside(demand.received_at)
        ]
        ballots = [
            ballot
            for ballot in await session.scalars(select(Ballot))
            if matter_unit[ballot.matter_id] in in_street and inside(ballot.opened_at)
        ]
        rated = [d for d in demands if d.rating is not None]
        voted = {
            ballot_id: len(list(group))
            for ballot_id, group in _group(
                (await session.scalars(select(Participation.ballot_id))).all()
            )
        }
        shares = [voted.get(b.id, 0) / b.electorate_size for b in ballots if b.electorate_size]
        return {
            "hearings": sum(1 for m in meetings if m.kind == "hearing"),
            "coordination_meetings": sum(1 for m in meetings if m.kind == "coordination"),
            "evaluation_meetings": sum(1 for m in meetings if m.kind == "evaluation"),
            "demands_received": len(demands),
            "demands_replied": sum(1 for d in demands if d.replied_at is not None),
            "satisfied": sum(1 for d in rated if d.rating in ("satisfied", "basic")),
            "rated": len(rated),
            "ballots_opened": len(ballots),
            "turnout": round(sum(shares) / len(shares), 4) if shares else None,
        }

    found: dict[str, Any] = await world.db.run(work)
    return found


def _group(ids: list[int]) -> list[tuple[int, list[int]]]:
    groups: dict[int, list[int]] = {}
    for ballot_id in ids:
        groups.setdefault(ballot_id, []).append(ballot_id)
    return list(groups.items())


async def test_this_years_statistics_show_the_demos_work(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    street = world.units["ruijin2"]
    counted = await _this_years_rows(world, street)
    for figure in (
        "hearings",
        "coordination_meetings",
        "evaluation_meetings",
        "demands_received",
        "demands_replied",
        "rated",
        "ballots_opened",
    ):
        assert counted[figure] > 0, figure
    got = await client.get(f"/api/v1/statistics?unit_id={street}", headers=chair_headers)
    assert got.status_code == 200, got.text
    row = got.json()["rows"][0]
    assert row["unit_id"] == street and row["total"]
    for figure in (
        "hearings",
        "coordination_meetings",
        "evaluation_meetings",
        "demands_received",
        "demands_replied",
        "ballots_opened",
    ):
        assert row[figure] == counted[figure], figure
    assert row["satisfaction_rate"] == round(counted["satisfied"] / counted["rated"], 4)
    assert row["average_turnout"] == counted["turnout"]


async def test_the_2027_ballot_is_the_year_end_collections_shortlist(world: World) -> None:
    async def work(session: AsyncSession) -> tuple[list[Opinion], list[MatterEvent], Ballot]:
        ballot = await session.get_one(Ballot, world.practical_id)
        notice = await session.scalar(
            select(Notice).where(
                Notice.matter_id == ballot.matter_id, Notice.collects == "proposals"
            )
        )
        assert notice is not None and notice.published_at is not None
        proposals = list(
            await session.scalars(
                select(Opinion).where(Opinion.notice_id == notice.id).order_by(Opinion.id)
            )
        )
        events = list(
            await session.scalars(
                select(MatterEvent).where(
                    MatterEvent.matter_id == ballot.matter_id,
                    MatterEvent.kind == "proposals.ballot",
                )
            )
        )
        return proposals, events, ballot

    proposals, events, ballot = await world.db.run(work)
    shortlisted = [p for p in proposals if p.shortlisted]
    assert [p.title for p in shortlisted][:2] == ["老旧小区平改坡", "加装消防设备"]
    assert len(shortlisted) == 6 and all(p.cost for p in shortlisted)
    assert sum(1 for p in proposals if p.merged_into_id is not None) == 2
    assert len(events) == 1 and events[0].ballot_id == ballot.id
    assert ballot.title == "2027年实事项目投票"


async def test_the_console_lists_the_demos_overdue_work(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    got = await client.get("/api/v1/actions/overdue", headers=chair_headers)
    assert got.status_code == 200, got.text
    titles = {entry["action"]["title"] for entry in got.json()["actions"]}
    assert "修复茂名北路 226 弄 5 号墙体裂缝" in titles  # an agreement's action

    async def referred(session: AsyncSession) -> list[Referral]:
        return list(await session.scalars(select(Referral)))

    referrals = await world.db.run(referred)
    assert len(referrals) == 1 and referrals[0].to_unit_id == world.units["ruijin2"]
