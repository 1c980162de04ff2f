"""The statistics JSON API: a chair reads the figures of their unit (with its subtree) and of
each unit directly below it for a calendar year, quarter or month or any range of days in Beijing
time (:mod:`ballots.statistics`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import msgspec
from litestar import Router, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.statistics import UnitFigures, days_of, period_or_range, statistics_of
from vote.api.openapi import EXTRA_ERRORS
from vote.api.params import IdParam
from vote.web import provide_actor

YearParam = Annotated[int, Parameter(ge=2000, le=2100)]
QuarterParam = Annotated[int, Parameter(ge=1, le=4)]
MonthParam = Annotated[int, Parameter(ge=1, le=12)]
FromParam = Annotated[
    date | None,
    Parameter(query="from", description="The first day (Beijing time), YYYY-MM-DD, with ``to``"),
]
ToParam = Annotated[
    date | None,
    Parameter(query="to", description="The last day, included (Beijing time), YYYY-MM-DD"),
]

EXTRA_ERRORS.update({("GET", "/api/v1/statistics"): {404, 422}})


class UnitFiguresOut(msgspec.Struct):
    """One unit (with its subtree). ``total`` marks the chosen unit's own row."""

    unit_id: int
    unit_name: str
    total: bool
    hearings: int
    coordination_meetings: int
    evaluation_meetings: int
    demands_received: int
    demands_replied: int
    demands_replied_on_time: int
    satisfaction_rate: float | None
    ballots_opened: int
    average_turnout: float | None
    projects_chosen: int
    projects_cost: int

    @classmethod
    def of(cls, row: UnitFigures) -> UnitFiguresOut:
        return msgspec.convert(msgspec.to_builtins(row), cls)


class StatisticsOut(msgspec.Struct):
    """Figures per unit for ``start`` ≤ t < ``end`` (UTC; the period is in Beijing time).

    Meetings count by start time and kind; demands are those received in the period (rates
    from the agency's 三率, null with nothing to divide by; on time = by the category's deadline); ballots opened in the period with
    their mean turnout (voting units that took part / electorate); projects funded by budget
    questions in results published in the period and their total cost in yuan.
    """

    unit_id: int
    unit_name: str
    period: str
    year: int
    number: int
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    rows: list[UnitFiguresOut]


@get("/statistics", summary="Statistics per unit for a year, quarter, month or range of days")
async def statistics(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    year: YearParam | None = None,
    quarter: QuarterParam | None = None,
    month: MonthParam | None = None,
    first: FromParam = None,
    last: ToParam = None,
) -> StatisticsOut:
    """The unit's row (its whole subtree) first, then one row per unit directly below it.
    Without ``year`` this year; ``month`` or ``quarter`` narrow it. Instead of a year, ``from``
    and ``to`` give any range of whole days, both included (Beijing time, at most ten years;
    ``period`` is then ``range``).

    Errors: ``invalid-input`` (422: both a quarter and a month; dates beside a year, only one of
    ``from`` and ``to``, ``to`` before ``from``, a range over ten years or outside 2000–2100;
    ``params.field`` names the date at fault), ``outside-unit`` (403), ``not-found`` (404: no
    such unit); a malformed date is a 400.
    """
    when = period_or_range(year, quarter, month, first, last)
    first_day, last_day = days_of(when)
    found = await statistics_of(db, actor, unit_id, when)
    await db.commit()
    return StatisticsOut(
        unit_id=found.unit_id,
        unit_name=found.unit_name,
        period=when.kind,
        year=when.year,
        number=when.number,
        first_day=first_day,
        last_day=last_day,
        start=when.start.astimezone(UTC),
        end=when.end.astimezone(UTC),
        rows=[UnitFiguresOut.of(r) for r in found.rows],
    )


router = Router(
    path="/api/v1",
    route_handlers=[statistics],
    dependencies={"actor": Provide(provide_actor)},
    tags=["statistics"],
)
