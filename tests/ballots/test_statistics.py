"""Statistics per unit and period equal an independent count of the same stored rows, with
period boundaries in Beijing time, and only for chairs of the unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.agency.demands import rate_demand, reply_demand, submit_demand
from ballots.agency.posters import create_poster
from ballots.agency.stats import period
from ballots.casting import cast_ballot
from ballots.eligibility import Eligibility
from ballots.errors import InvalidInput, OutsideUnit
from ballots.lifecycle import close_ballot, publish_ballot
from ballots.matters import create_matter
from ballots.meetings.meetings import create_meeting
from ballots.models import Ballot
from ballots.notices.notices import create_notice, publish_notice
from ballots.statistics import (
    date_range,
    days_of,
    parse_day,
    period_of,
    period_or_range,
    statistics_of,
)
from tests.ballots.agency.world import T0, build_agency
from tests.ballots.factories import ADMIN, KEY, draft, open_with_credentials

BUDGET = msgspec.convert(
    {
        "id": "q1",
        "kind": "budget",
        "prompt": "实事项目（预算100万）",
        "budget_limit": 100,
        "options": [
            {"id": "roof", "label": "平改坡", "cost": 60},
            {"id": "fire", "label": "消防设备", "cost": 50},
            {"id": "water", "label": "老虎灶", "cost": 30},
        ],
    },
    tally.Question,
)

NEW_YEARS_EVE = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 北京时间 on 31 December


async def _meeting(session: AsyncSession, unit_id: int, kind: str, at: datetime) -> None:
    matter = await create_matter(session, ADMIN, unit_id=unit_id, kind=kind, title=f"{kind}事项")
    await create_meeting(session, ADMIN, matter_id=matter.id, title="会", starts_at=at)


async def test_statistics_equal_an_independent_count(session: AsyncSession) -> None:
    aw = await build_agency(session)
    w = aw.world
    # meetings: (unit, kind, start) — the last one is 00:30 北京时间 on 1 January 2027
    plan = [
        (w.area_id, "hearing", NEW_YEARS_EVE),
        (w.area_id, "hearing", datetime(2026, 4, 1, 2, tzinfo=UTC)),
        (w.area_id, "evaluation", datetime(2026, 6, 1, 2, tzinfo=UTC)),
        (w.other_area_id, "coordination", datetime(2026, 7, 1, 2, tzinfo=UTC)),
        (w.other_area_id, "hearing", NEW_YEARS_EVE + timedelta(hours=1)),
    ]
    for unit_id, kind, at in plan:
        await _meeting(session, unit_id, kind, at)
    # a written hearing in 思南: a hearing matter with a notice published in 2026, no meeting
    written = await create_matter(
        session, ADMIN, unit_id=w.other_area_id, kind="hearing", title="书面听证"
    )
    notice = await create_notice(
        session,
        ADMIN,
        matter_id=written.id,
        title="书面听证公告",
        starts_at=datetime(2026, 8, 1, tzinfo=UTC),
        ends_at=datetime(2026, 8, 15, tzinfo=UTC),
    )
    await publish_notice(session, ADMIN, notice.id, now=datetime(2026, 8, 1, 2, tzinfo=UTC))
    # demands: two in 茂名 (one replied and rated satisfied), one in 思南
    cat = aw.categories["其他"]
    first, secret = await submit_demand(
        session, KEY, token=aw.token, category_id=cat, text="路灯坏了", now=T0
    )
    late, _ = await submit_demand(
        session, KEY, token=aw.token, category_id=cat, text="漏水", now=T0
    )
    await reply_demand(  # after the category's deadline
        session, aw.area_chair, late.id, text="已修", resolved=True, now=T0 + timedelta(days=40)
    )
    await reply_demand(
        session, aw.area_chair, first.id, text="已修", resolved=True, now=T0 + timedelta(days=1)
    )
    await rate_demand(session, KEY, secret, "satisfied", now=T0 + timedelta(days=2))
    other_poster = await create_poster(session, aw.other_chair, unit_id=w.other_area_id)
    from ballots.agency.categories import categories_of

    sinan_cat = (await categories_of(session, w.other_area_id))[0].id
    await submit_demand(
        session, KEY, token=other_poster.token, category_id=sinan_cat, text="事", now=T0
    )
    await session.commit()
    # a ballot in 茂名 (6 electors), three vote
    ballot_id, credentials = await open_with_credentials(session, w)
    for who in ("M01", "M02", "M05"):
        await cast_ballot(session, KEY, ballot_id, credentials[w.rid(who)], {"q1": ["a"]})
    ballot = await session.get(Ballot, ballot_id)
    assert ballot is not None
    ballot.opened_at = datetime(2026, 5, 1, 2, tzinfo=UTC)  # pin it inside 2026
    await session.commit()
    # a budget ballot in 茂名 (published 23:59 北京时间 on 31 December): two projects funded
    budget_id, budget_credentials = await open_with_credentials(
        session, w, draft(BUDGET, eligibility=Eligibility(units=[w.area_id]))
    )
    for who in ("M01", "M02"):
        await cast_ballot(
            session, KEY, budget_id, budget_credentials[w.rid(who)], {"q1": ["roof", "water"]}
        )
    await close_ballot(session, ADMIN, budget_id)
    await publish_ballot(session, ADMIN, budget_id)
    budget = await session.get(Ballot, budget_id)
    assert budget is not None
    budget.opened_at = datetime(2026, 5, 1, 2, tzinfo=UTC)
    budget.published_at = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 北京时间
    await session.commit()

    stats = await statistics_of(session, aw.street_chair, w.street_id, period("year", 2026))
    rows = {r.unit_id: r for r in stats.rows}
    assert [r.unit_id for r in stats.rows] == [w.street_id, w.area_id, w.other_area_id]
    assert stats.rows[0].total and not stats.rows[1].total

    def count(unit_ids: set[int], kind: str) -> int:
        year = period("year", 2026)
        return sum(
            1 for u, k, at in plan if u in unit_ids and k == kind and year.start <= at < year.end
        )

    for unit_ids, row in (
        ({w.area_id, w.other_area_id}, rows[w.street_id]),
        ({w.area_id}, rows[w.area_id]),
        ({w.other_area_id}, rows[w.other_area_id]),
    ):
        written_hearings = 1 if w.other_area_id in unit_ids else 0
        assert row.hearings == count(unit_ids, "hearing") + written_hearings
        assert row.coordination_meetings == count(unit_ids, "coordination")
        assert row.evaluation_meetings == count(unit_ids, "evaluation")
    assert rows[w.area_id].hearings == 2  # the 23:30 北京时间 hearing belongs to 2026
    assert rows[w.other_area_id].hearings == 1  # the written one; 00:30 on 1 January is 2027's
    assert (rows[w.street_id].demands_received, rows[w.street_id].demands_replied) == (3, 2)
    assert rows[w.area_id].demands_replied_on_time == 1  # one within the deadline, one after
    assert rows[w.other_area_id].demands_replied_on_time == 0
    assert (rows[w.area_id].demands_received, rows[w.area_id].satisfaction_rate) == (2, 1.0)
    assert rows[w.other_area_id].satisfaction_rate is None
    assert (rows[w.area_id].ballots_opened, rows[w.area_id].average_turnout) == (2, 0.4167)
    assert (rows[w.area_id].projects_chosen, rows[w.area_id].projects_cost) == (2, 90)
    assert rows[w.street_id].projects_cost == 90
    assert rows[w.other_area_id].projects_chosen == 0
    assert (rows[w.other_area_id].ballots_opened, rows[w.other_area_id].average_turnout) == (
        0,
        None,
    )
    next_year = await statistics_of(session, aw.street_chair, w.street_id, period("year", 2027))
    assert next_year.rows[0].hearings == 1
    assert next_year.rows[0].ballots_opened == 0
    assert next_year.rows[0].projects_chosen == 0


async def test_another_units_chair_is_refused(session: AsyncSession) -> None:
    aw = await build_agency(session)
    with pytest.raises(OutsideUnit):
        await statistics_of(session, aw.other_chair, aw.world.area_id, period("year", 2026))
    with pytest.raises(OutsideUnit):
        await statistics_of(session, aw.area_chair, aw.world.street_id, period("year", 2026))


def test_periods_and_ranges_are_in_beijing_time() -> None:
    assert period_of(2026, month=3) == period("month", 2026, 3)
    assert period_of(2026, quarter=4).end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert period_of(2026).start == datetime(2025, 12, 31, 16, tzinfo=UTC)
    span = date_range(date(2026, 12, 31), date(2026, 12, 31))
    assert (span.start, span.end) == (
        datetime(2026, 12, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    assert span.start <= NEW_YEARS_EVE < span.end
    for bad in (
        lambda: period_of(2026, quarter=1, month=1),
        lambda: period_of(2026, month=13),
        lambda: date_range(date(2026, 2, 1), date(2026, 1, 1)),
    ):
        with pytest.raises(InvalidInput):
            bad()


async def test_a_range_of_days_equals_an_independent_count(session: AsyncSession) -> None:
    aw = await build_agency(session)
    w = aw.world
    # meetings on both sides of each day's boundary in Beijing time (UTC+8)
    plan = [
        (w.area_id, "hearing", datetime(2026, 3, 9, 15, 59, tzinfo=UTC)),  # 23:59 on 9 March
        (w.area_id, "hearing", datetime(2026, 3, 9, 16, 0, tzinfo=UTC)),  # 00:00 on 10 March
        (w.area_id, "coordination", datetime(2026, 4, 20, 2, tzinfo=UTC)),
        (w.other_area_id, "evaluation", datetime(2026, 5, 20, 15, 59, tzinfo=UTC)),  # 23:59
        (w.other_area_id, "hearing", datetime(2026, 5, 20, 16, 0, tzinfo=UTC)),  # 21 May
        (w.other_area_id, "coordination", datetime(2027, 1, 5, 2, tzinfo=UTC)),
    ]
    for unit_id, kind, at in plan:
        await _meeting(session, unit_id, kind, at)
    await session.commit()
    first, last = date(2026, 3, 10), date(2026, 5, 20)
    when = date_range(first, last)
    stats = await statistics_of(session, aw.street_chair, w.street_id, when)
    rows = {r.unit_id: r for r in stats.rows}

    def day_in_beijing(at: datetime) -> date:
        return (at + timedelta(hours=8)).date()

    def count(unit_ids: set[int], kind: str) -> int:
        return sum(
            1
            for u, k, at in plan
            if u in unit_ids and k == kind and first <= day_in_beijing(at) <= last
        )

    for unit_ids, row in (
        ({w.area_id, w.other_area_id}, rows[w.street_id]),
        ({w.area_id}, rows[w.area_id]),
        ({w.other_area_id}, rows[w.other_area_id]),
    ):
        assert row.hearings == count(unit_ids, "hearing")
        assert row.coordination_meetings == count(unit_ids, "coordination")
        assert row.evaluation_meetings == count(unit_ids, "evaluation")
    assert (rows[w.area_id].hearings, rows[w.area_id].coordination_meetings) == (1, 1)
    assert (rows[w.other_area_id].evaluation_meetings, rows[w.other_area_id].hearings) == (1, 0)
    one_day = await statistics_of(
        session, aw.street_chair, w.street_id, date_range(date(2026, 3, 9), date(2026, 3, 9))
    )
    assert one_day.rows[0].hearings == 1  # only the 23:59 one
    assert days_of(when) == (first, last) and when.kind == "range"
    assert days_of(period("quarter", 2026, 2)) == (date(2026, 4, 1), date(2026, 6, 30))


def test_ranges_are_bounded_and_days_well_formed() -> None:
    assert date_range(date(2016, 1, 1), date(2025, 12, 31)).kind == "range"  # ten years
    refused = [
        (lambda: date_range(date(2016, 1, 1), date(2026, 1, 31)), "to"),  # over ten years
        (lambda: date_range(date(2026, 3, 2), date(2026, 3, 1)), "to"),
        (lambda: date_range(date(1999, 12, 31), date(2000, 1, 5)), "from"),
        (lambda: parse_day("2026-02-30", "from"), "from"),
        (lambda: parse_day("2026-3-1", "to"), "to"),
        (lambda: parse_day("20260301", "to"), "to"),
        (lambda: parse_day("0001-01-01", "from"), "from"),
        (lambda: period_or_range(None, first=date(2026, 1, 1)), "to"),
        (lambda: period_or_range(None, last=date(2026, 1, 1)), "from"),
    ]
    for make, field in refused:
        with pytest.raises(InvalidInput) as caught:
            make()
        assert caught.value.params.get("field") == field, caught.value.detail
    with pytest.raises(InvalidInput):
        period_or_range(2026, first=date(2026, 1, 1), last=date(2026, 2, 1))
    assert parse_day(" 2026-03-31 ", "from") == date(2026, 3, 31)
    assert period_or_range(2026, month=2) == period("month", 2026, 2)
