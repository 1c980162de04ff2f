"""三率: the rates equal an independent count of the same demands, per unit and period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.agency.demands import accept_demand, rate_demand, reply_demand, submit_demand
from ballots.agency.posters import create_poster
from ballots.agency.stats import current_period, period, three_rates
from ballots.errors import InvalidInput
from tests.ballots.agency.world import T0, build_agency
from tests.ballots.factories import KEY


def test_periods_are_calendar_months_quarters_and_years_in_beijing_time() -> None:
    march = period("month", 2026, 3)
    assert march.start == datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert march.end == datetime(2026, 3, 31, 16, tzinfo=UTC)
    q4 = period("quarter", 2026, 4)
    assert q4.end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    assert period("year", 2026).start == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert current_period("quarter", T0).number == 1
    for bad in (("week", 2026, 1), ("month", 2026, 13), ("quarter", 2026, 0), ("year", 1900, 1)):
        with pytest.raises(InvalidInput):
            period(*bad)


async def test_three_rates_equal_an_independent_count(session: AsyncSession) -> None:
    aw = await build_agency(session)
    other_poster = await create_poster(session, aw.other_chair, unit_id=aw.world.other_area_id)
    cat = aw.categories["其他"]
    # (accept after hours, reply resolved?, rating) for 茂名; None = not done
    plan = [
        (1, True, "satisfied"),
        (30, True, "basic"),
        (5, False, "unsatisfied"),
        (2, None, None),
        (None, None, None),
        (24, True, None),
    ]
    secrets = []
    for hours, resolved, rating in plan:
        demand, secret = await submit_demand(
            session, KEY, token=aw.token, category_id=cat, text="事", now=T0
        )
        secrets.append(secret)
        if hours is not None:
            await accept_demand(session, aw.area_chair, demand.id, now=T0 + timedelta(hours=hours))
        if resolved is not None:
            await reply_demand(
                session,
                aw.area_chair,
                demand.id,
                text="复",
                resolved=resolved,
                now=T0 + timedelta(days=2),
            )
        if rating is not None:
            await rate_demand(session, KEY, secret, rating, now=T0 + timedelta(days=3))
    from ballots.agency.categories import categories_of

    sinan_cat = (await categories_of(session, aw.world.other_area_id))[0].id
    await submit_demand(
        session, KEY, token=other_poster.token, category_id=sinan_cat, text="事", now=T0
    )
    # outside the period: not counted
    await submit_demand(
        session, KEY, token=aw.token, category_id=cat, text="旧", now=T0 - timedelta(days=40)
    )
    await session.commit()
    rows = await three_rates(session, aw.street_chair, aw.world.street_id, period("month", 2026, 3))
    by_unit = {r.unit_id: r for r in rows}
    # independent count from the plan
    received = len(plan)
    responded = sum(1 for h, _, _ in plan if h is not None and h <= 24)
    replied = sum(1 for _, r, _ in plan if r is not None)
    resolved = sum(1 for _, r, _ in plan if r)
    rated = sum(1 for _, _, g in plan if g is not None)
    happy = sum(1 for _, _, g in plan if g in ("satisfied", "basic"))
    maoming = by_unit[aw.world.area_id]
    assert (maoming.received, maoming.responded, maoming.replied) == (received, responded, replied)
    assert maoming.response_rate == round(responded / received, 4)
    assert maoming.resolution_rate == round(resolved / replied, 4)
    assert maoming.satisfaction_rate == round(happy / rated, 4)
    assert rows[0].unit_id == aw.world.street_id and rows[0].received == received + 1
    sinan = by_unit[aw.world.other_area_id]
    assert sinan.received == 1 and sinan.resolution_rate is None and sinan.satisfaction_rate is None
    assert sinan.response_rate == 0.0
