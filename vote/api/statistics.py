"""The statistics JSON API: a chair reads the figures of their unit (with its subtree) and of
each unit directly below it for a calendar year, quarter or month in Beijing time
(:mod:`ballots.statistics`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar import Router, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.statistics import UnitFigures, period_of, statistics_of
from vote.api.openapi import EXTRA_ERRORS
from vote.api.params import IdParam
from vote.web import provide_actor

YearParam = Annotated[int, Parameter(ge=2000, le=2100)]
QuarterParam = Annotated[int, Parameter(ge=1, le=4)]
MonthParam = Annotated[int, Parameter(ge=1, le=12)]

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
    start: datetime
    end: datetime
    rows: list[UnitFiguresOut]


@get("/statistics", summary="Statistics per unit for a year, quarter or month")
async def statistics(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    year: YearParam | None = None,
    quarter: QuarterParam | None = None,
    month: MonthParam | None = None,
) -> StatisticsOut:
    """The unit's row (its whole subtree) first, then one row per unit directly below it.
    Without ``year`` this year; ``month`` or ``quarter`` narrow it.

    Errors: ``invalid-input`` (422: both a quarter and a month), ``outside-unit`` (403),
    ``not-found`` (404: no such unit).
    """
    when = period_of(year, quarter, month)
    found = await statistics_of(db, actor, unit_id, when)
    await db.commit()
    return StatisticsOut(
        unit_id=found.unit_id,
        unit_name=found.unit_name,
        period=when.kind,
        year=when.year,
        number=when.number,
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
