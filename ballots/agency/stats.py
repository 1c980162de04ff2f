"""三率, measured the way Beijing's 12345 接诉即办 is, per unit (with its subtree) and period.

Of the demands *received* in the period (Beijing time):

- 响应率 (response rate) = accepted within 24 hours of receipt / received;
- 解决率 (resolution rate) = replied with the problem resolved / replied;
- 满意率 (satisfaction rate) = rated 满意 or 基本满意 / rated.

A rate with nothing to divide by is ``None`` (shown as "—"), never 0 % or 100 %.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput
from ballots.models import Demand, Unit
from ballots.units import get_unit

BEIJING = ZoneInfo("Asia/Shanghai")
PERIOD_KINDS = ("month", "quarter", "year")
RESPONSE_WINDOW = timedelta(hours=24)


class Period(msgspec.Struct, frozen=True):
    """A calendar month, quarter or year in Beijing time: ``start`` ≤ received < ``end``."""

    kind: str
    year: int
    number: int
    start: datetime
    end: datetime


def period(kind: str, year: int, number: int = 1) -> Period:
    """The month ``number`` (1–12), quarter ``number`` (1–4) or the whole ``year``."""
    if kind not in PERIOD_KINDS:
        raise InvalidInput(
            N_("The period must be one of: {choices}."), choices=", ".join(PERIOD_KINDS)
        )
    if not 2000 <= year <= 2100:
        raise InvalidInput(N_("The year must be from {first} to {last}."), first=2000, last=2100)
    if kind == "year":
        number, first, months = 1, 1, 12
    elif kind == "quarter":
        if not 1 <= number <= 4:
            raise InvalidInput(N_("The quarter must be from 1 to 4."))
        first, months = 3 * (number - 1) + 1, 3
    else:
        if not 1 <= number <= 12:
            raise InvalidInput(N_("The month must be from 1 to 12."))
        first, months = number, 1
    start = datetime(year, first, 1, tzinfo=BEIJING)
    last = first + months
    end = datetime(year + (last - 1) // 12, (last - 1) % 12 + 1, 1, tzinfo=BEIJING)
    return Period(kind, year, number, start.astimezone(UTC), end.astimezone(UTC))


def current_period(kind: str, now: datetime | None = None) -> Period:
    """The period of ``kind`` that holds ``now`` (Beijing time)."""
    here = (now or datetime.now(UTC)).astimezone(BEIJING)
    number = {"month": here.month, "quarter": (here.month - 1) // 3 + 1}.get(kind, 1)
    return period(kind, here.year, number)


class Rates(msgspec.Struct, frozen=True):
    """One unit's (with its subtree) counts and 三率 for a period."""

    unit_id: int
    unit_name: str
    received: int
    responded: int
    replied: int
    resolved: int
    rated: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rates_of(unit: Unit, demands: list[Demand]) -> Rates:
    """The counts and rates of ``demands`` (already those of the unit's subtree and period)."""
    received = len(demands)
    responded = 0
    for d in demands:
        accepted, got = _aware(d.accepted_at), _aware(d.received_at)
        if accepted is not None and got is not None and accepted - got <= RESPONSE_WINDOW:
            responded += 1
    replied = sum(1 for d in demands if d.replied_at is not None)
    resolved = sum(1 for d in demands if d.replied_at is not None and d.resolved)
    rated = sum(1 for d in demands if d.rating is not None)
    satisfied = sum(1 for d in demands if d.rating in ("satisfied", "basic"))
    return Rates(
        unit_id=unit.id,
        unit_name=unit.name,
        received=received,
        responded=responded,
        replied=replied,
        resolved=resolved,
        rated=rated,
        satisfied=satisfied,
        response_rate=_rate(responded, received),
        resolution_rate=_rate(resolved, replied),
        satisfaction_rate=_rate(satisfied, rated),
    )


async def three_rates(
    session: AsyncSession, actor: Actor, unit_id: int, when: Period
) -> list[Rates]:
    """The unit's row (its whole subtree) first, then one row per unit below it (each with its
    own subtree), by path."""
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    units = list(
        (
            await session.scalars(
                select(Unit).where(Unit.path.startswith(unit.path)).order_by(Unit.path)
            )
        ).all()
    )
    rows = (
        await session.execute(
            select(Demand, Unit.path)
            .join(Unit, Unit.id == Demand.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Demand.received_at >= when.start,
                Demand.received_at < when.end,
            )
        )
    ).all()
    result = []
    for each in units:
        inside = [d for d, path in rows if path.startswith(each.path)]
        result.append(rates_of(each, inside))
    return result
