"""Statistics of a unit and the units below it for a period (Beijing time), derived from stored
rows each time; nothing here is stored.

Definitions (the console page states them too):

- meetings (hearings, coordination meetings, evaluation meetings) are counted by the meeting's
  kind and its start time: a meeting counts in the period its ``starts_at`` falls in; a hearing
  matter held without any hearing meeting (a written hearing, notice only) counts as one hearing
  in the period its first notice was published;
- demands received, replied and the satisfaction rate come from :mod:`ballots.agency.stats`
  (demands received in the period); replied on time are those of them replied to no later
  than their category's deadline (``due_at``; without one, any reply is on time);
- ballots opened are those whose ``opened_at`` falls in the period; their average turnout is
  the mean, over those with a known electorate, of voting units that took part / electorate;
- projects chosen are the funded options of budget questions in ballots whose result was
  published in the period (``published_at``), with the sum of their costs (whole yuan).

A period is a calendar year, quarter or month, or any range of whole days (both included, at most
about ten years, :func:`date_range`), always in Beijing time.

Each row counts the unit with its whole subtree; the first row is the chosen unit (the total),
then one row per unit directly below it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.access import Actor, require
from ballots.agency.stats import BEIJING, Period, current_period, period, three_rates
from ballots.errors import N_, InvalidInput
from ballots.lifecycle import decode_spec
from ballots.models import Ballot, Demand, Matter, Meeting, Notice, Participation, Unit
from ballots.units import get_unit

MEETING_KINDS = ("hearing", "coordination", "evaluation")


class UnitFigures(msgspec.Struct, frozen=True):
    """One row: a unit (with its subtree) and its figures for the period."""

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


class Statistics(msgspec.Struct, frozen=True):
    """The rows of a unit for a period (``start`` ≤ t < ``end``, UTC)."""

    unit_id: int
    unit_name: str
    start: datetime
    end: datetime
    rows: list[UnitFigures]


def period_of(year: int | None, quarter: int | None = None, month: int | None = None) -> Period:
    """A month when ``month`` is given, else a quarter, else the whole year (Beijing time);
    without a year, this year. A quarter and a month together are refused."""
    if quarter is not None and month is not None:
        raise InvalidInput(N_("Give a quarter or a month, not both."))
    if year is None:
        year = current_period("year").year
    if month is not None:
        return period("month", year, month)
    if quarter is not None:
        return period("quarter", year, quarter)
    return period("year", year)


RANGE_DAYS_MAX = 3660
"""The longest range of days (a little over ten years)."""

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def parse_day(text: str, field: str) -> date:
    """A day written ``YYYY-MM-DD`` (Beijing calendar), from 2000 to 2100; ``field`` names the
    form field or query parameter in the refusal."""
    text = text.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            N_("Please write the day as year-month-day, for example 2026-03-31."), field=field
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(N_("The day must be from 2000 to 2100."), field=field)
    return day


def date_range(first: date, last: date) -> Period:
    """From the start of ``first`` to the end of ``last`` (both days included, Beijing time),
    at most :data:`RANGE_DAYS_MAX` days, within 2000 to 2100."""
    for day, field in ((first, "from"), (last, "to")):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(N_("The day must be from 2000 to 2100."), field=field)
    if last < first:
        raise InvalidInput(N_("The last day must not be before the first day."), field="to")
    if (last - first).days >= RANGE_DAYS_MAX:
        raise InvalidInput(N_("The range must be at most ten years."), field="to")
    start = datetime.combine(first, time(), tzinfo=BEIJING)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=BEIJING)
    return Period("range", first.year, 1, start.astimezone(UTC), end.astimezone(UTC))


def period_or_range(
    year: int | None,
    quarter: int | None = None,
    month: int | None = None,
    first: date | None = None,
    last: date | None = None,
) -> Period:
    """The range ``first``–``last`` when either day is given (both needed, no year, quarter or
    month beside them), else :func:`period_of`."""
    if first is None and last is None:
        return period_of(year, quarter, month)
    if year is not None or quarter is not None or month is not None:
        raise InvalidInput(
            N_("Give a year (with a quarter or a month) or a range of days, not both.")
        )
    if first is None:
        raise InvalidInput(N_("Please give the first day of the range."), field="from")
    if last is None:
        raise InvalidInput(N_("Please give the last day of the range."), field="to")
    return date_range(first, last)


def days_of(when: Period) -> tuple[date, date]:
    """The first and the last day (Beijing calendar) of a period, both included."""
    return (
        when.start.astimezone(BEIJING).date(),
        (when.end.astimezone(BEIJING) - timedelta(days=1)).date(),
    )


def _on_time(replied: datetime | None, due: datetime | None) -> bool:
    if replied is None:
        return False
    if due is None:
        return True
    return _utc(replied) <= _utc(due)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _inside(path: str, unit_path: str) -> bool:
    return path.startswith(unit_path)


def _funded(spec_text: str, result_text: str | None) -> tuple[int, int]:
    """How many budget projects a published result funds and what they cost together."""
    if result_text is None:
        return 0, 0
    spec = decode_spec(spec_text)
    result = msgspec.json.decode(result_text, type=tally.BallotResult)
    questions = {q.id: q for q in spec.questions}
    chosen = cost = 0
    for answer in result.questions:
        question = questions.get(answer.question)
        if answer.kind != "budget" or question is None:
            continue
        costs = {option.id: option.cost or 0 for option in question.options}
        chosen += len(answer.winners)
        cost += sum(costs.get(w, 0) for w in answer.winners)
    return chosen, cost


async def statistics_of(
    session: AsyncSession, actor: Actor, unit_id: int, when: Period
) -> Statistics:
    """The chosen unit's row (the total) first, then each unit directly below it."""
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    children = list(
        (
            await session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.path))
        ).all()
    )
    rates = {r.unit_id: r for r in await three_rates(session, actor, unit.id, when)}
    meetings = (
        await session.execute(
            select(Meeting.kind, Unit.path)
            .join(Matter, Matter.id == Meeting.matter_id)
            .join(Unit, Unit.id == Matter.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Meeting.starts_at >= when.start,
                Meeting.starts_at < when.end,
            )
        )
    ).all()
    with_meeting = set(
        (await session.scalars(select(Meeting.matter_id).where(Meeting.kind == "hearing"))).all()
    )
    first_notice: dict[int, tuple[datetime, str]] = {}
    for matter_id, sent, path in (
        await session.execute(
            select(Matter.id, Notice.published_at, Unit.path)
            .join(Notice, Notice.matter_id == Matter.id)
            .join(Unit, Unit.id == Matter.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Matter.kind == "hearing",
                Notice.published_at.is_not(None),
            )
        )
    ).all():
        if matter_id in with_meeting or sent is None:
            continue
        at = _utc(sent)
        if matter_id not in first_notice or at < first_notice[matter_id][0]:
            first_notice[matter_id] = (at, path)
    written = [
        path for at, path in first_notice.values() if _utc(when.start) <= at < _utc(when.end)
    ]
    replies = (
        await session.execute(
            select(Demand.replied_at, Demand.due_at, Unit.path)
            .join(Unit, Unit.id == Demand.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Demand.received_at >= when.start,
                Demand.received_at < when.end,
                Demand.replied_at.is_not(None),
            )
        )
    ).all()
    on_time = [path for replied, due, path in replies if _on_time(replied, due)]
    voted = (
        select(Participation.ballot_id, func.count().label("n"))
        .group_by(Participation.ballot_id)
        .subquery()
    )
    ballots = (
        await session.execute(
            select(Ballot.electorate_size, func.coalesce(voted.c.n, 0), Unit.path)
            .join(Matter, Matter.id == Ballot.matter_id)
            .join(Unit, Unit.id == Matter.unit_id)
            .outerjoin(voted, voted.c.ballot_id == Ballot.id)
            .where(
                Unit.path.startswith(unit.path),
                Ballot.opened_at.is_not(None),
                Ballot.opened_at >= when.start,
                Ballot.opened_at < when.end,
            )
        )
    ).all()
    published = (
        await session.execute(
            select(Ballot.spec, Ballot.result, Unit.path)
            .join(Matter, Matter.id == Ballot.matter_id)
            .join(Unit, Unit.id == Matter.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Ballot.published_at.is_not(None),
                Ballot.published_at >= when.start,
                Ballot.published_at < when.end,
                Ballot.result.is_not(None),
            )
        )
    ).all()
    funded = [(*_funded(spec, result), path) for spec, result, path in published]
    rows = []
    for each, total in [(unit, True), *((c, False) for c in children)]:
        kinds = [k for k, path in meetings if _inside(path, each.path)]
        mine = [(size, n) for size, n, path in ballots if _inside(path, each.path)]
        shares = [n / size for size, n in mine if size]
        rate = rates[each.id]
        rows.append(
            UnitFigures(
                unit_id=each.id,
                unit_name=each.name,
                total=total,
                hearings=kinds.count("hearing")
                + sum(1 for path in written if _inside(path, each.path)),
                coordination_meetings=kinds.count("coordination"),
                evaluation_meetings=kinds.count("evaluation"),
                demands_received=rate.received,
                demands_replied=rate.replied,
                demands_replied_on_time=sum(1 for path in on_time if _inside(path, each.path)),
                satisfaction_rate=rate.satisfaction_rate,
                ballots_opened=len(mine),
                average_turnout=round(sum(shares) / len(shares), 4) if shares else None,
                projects_chosen=sum(n for n, _, path in funded if _inside(path, each.path)),
                projects_cost=sum(c for _, c, path in funded if _inside(path, each.path)),
            )
        )
    return Statistics(unit.id, unit.name, when.start, when.end, rows)
