"""A ballot's schedule: when it opens and closes by itself, and the runs that do it on time.

Times are stored in UTC; people see them in the unit's zone (Beijing time by default). Every
worker's scheduler calls :func:`run_due`. Each automatic move locks the ballot's row and checks
again that it is still due before moving it, so with several workers or processes exactly one
of them opens or closes a ballot and the others skip it without complaint. Nothing lives in
memory: after a restart the first run catches up (a ballot whose closing time passed while the
service was down closes at once).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit, lifecycle
from ballots.access import Actor, require
from ballots.errors import N_, DomainError, InvalidSchedule, ScheduleFixed
from ballots.matters import add_event
from ballots.models import Ballot
from ballots.signing import Signer

SCHEDULE_ACTOR = Actor(name="schedule", role="operator", source="schedule")
"""Who the audit log, the timeline and the board name for the automatic moves."""

MAX_AHEAD = timedelta(days=366)
"""How far ahead a ballot may be scheduled (a later time is almost always a mistyped year)."""

Action = Literal["open", "close"]


class Due(msgspec.Struct, frozen=True):
    """A ballot whose scheduled move is due: what to do and when it was meant to happen."""

    ballot_id: int
    action: Action
    at: datetime


class Failure(msgspec.Struct, frozen=True):
    """A due move the domain refused (say, nobody is eligible to open); retried next run."""

    ballot_id: int
    action: Action
    error: DomainError


class RunReport(msgspec.Struct):
    """What one run did: the moves made and the moves refused."""

    moved: list[Due] = msgspec.field(default_factory=list)
    failed: list[Failure] = msgspec.field(default_factory=list)


def _utc(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidSchedule(N_("Give the time with its time zone."), field=field)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidSchedule(N_("Times must be within a year from now."), field=field) from None


def check_schedule(
    state: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    *,
    now: datetime,
    current_opens_at: datetime | None = None,
) -> tuple[datetime | None, datetime | None]:
    """Check a schedule for a ballot in ``state``; return both times in UTC.

    A draft may get an opening time and a closing time, each in the future (within a year),
    the opening before the closing. An open ballot keeps its opening time and may only get a
    new closing time (or none: closed by hand). Other ballots have no schedule left to change.
    """
    if state not in ("draft", "open"):
        raise ScheduleFixed(state=state)
    opens, closes = _utc(opens_at, "opens_at"), _utc(closes_at, "closes_at")
    if state == "open":
        if opens is not None and opens != current_opens_at:
            raise InvalidSchedule(
                N_("Voting has already opened; only the closing time can change."),
                field="opens_at",
            )
    elif opens is not None and opens <= now:
        raise InvalidSchedule(N_("The opening time must be in the future."), field="opens_at")
    if closes is not None and closes <= now:
        raise InvalidSchedule(N_("The closing time must be in the future."), field="closes_at")
    for field, value in (("opens_at", opens), ("closes_at", closes)):
        if value is not None and value - now > MAX_AHEAD:
            raise InvalidSchedule(N_("Times must be within a year from now."), field=field)
    if state == "draft" and opens is not None and closes is not None and opens >= closes:
        raise InvalidSchedule(
            N_("The opening time must be before the closing time."), field="closes_at"
        )
    return opens, closes


async def schedule_ballot(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    opens_at: datetime | None,
    closes_at: datetime | None,
    *,
    now: datetime | None = None,
) -> Ballot:
    """Set (or, with ``None``, clear) when a ballot opens and closes by itself; audited and
    noted on the matter's timeline. Refused, changing nothing, unless :func:`check_schedule`
    allows it."""
    ballot = await lifecycle.lock_ballot(session, ballot_id)
    unit = await lifecycle.ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    opens, closes = check_schedule(
        ballot.state,
        opens_at,
        closes_at,
        now=now or datetime.now(UTC),
        current_opens_at=ballot.opens_at,
    )
    ballot.opens_at, ballot.closes_at = opens, closes
    shown = {
        "opens_at": opens.isoformat() if opens else None,
        "closes_at": closes.isoformat() if closes else None,
    }
    add_event(
        session,
        ballot.matter_id,
        "ballot_scheduled",
        ballot_id=ballot.id,
        actor=actor.name,
        **shown,
    )
    audit.record(session, actor, "ballot.schedule", f"ballot:{ballot.id}", unit.id, **shown)
    return ballot


def due_action(ballot: Ballot, now: datetime) -> Action | None:
    """The move the schedule asks of ``ballot`` at ``now``, if any.

    A draft whose closing time has passed is not opened any more: a ballot nobody could vote in
    would only count nothing. It stays a draft for the chair to reschedule.
    """
    closes = ballot.closes_at
    if ballot.state == "open" and closes is not None and closes <= now:
        return "close"
    opens = ballot.opens_at
    window_open = opens is not None and opens <= now and (closes is None or closes > now)
    return "open" if ballot.state == "draft" and window_open else None


_DUE_TO_OPEN = and_(
    Ballot.state == "draft",
    Ballot.opens_at.is_not(None),
    or_(Ballot.closes_at.is_(None), Ballot.closes_at > Ballot.opens_at),
)
_DUE_TO_CLOSE = and_(Ballot.state == "open", Ballot.closes_at.is_not(None))


async def due_ballots(session: AsyncSession, now: datetime) -> list[Due]:
    """Ballots whose scheduled opening or closing is due at ``now``, earliest first."""
    rows = await session.execute(
        select(Ballot.id, Ballot.state, Ballot.opens_at, Ballot.closes_at).where(
            or_(
                and_(
                    _DUE_TO_OPEN,
                    Ballot.opens_at <= now,
                    or_(Ballot.closes_at.is_(None), Ballot.closes_at > now),
                ),
                and_(_DUE_TO_CLOSE, Ballot.closes_at <= now),
            )
        )
    )
    due = []
    for ballot_id, state, opens_at, closes_at in rows:
        if state == "open":
            due.append(Due(ballot_id=ballot_id, action="close", at=closes_at or now))
        else:
            due.append(Due(ballot_id=ballot_id, action="open", at=opens_at or now))
    return sorted(due, key=lambda item: (item.at, item.ballot_id))


async def next_due(session: AsyncSession, now: datetime) -> datetime | None:
    """The earliest scheduled move after ``now`` (so a scheduler can wake up exactly then)."""
    opening = await session.scalar(
        select(func.min(Ballot.opens_at)).where(_DUE_TO_OPEN, Ballot.opens_at > now)
    )
    closing = await session.scalar(
        select(func.min(Ballot.closes_at)).where(_DUE_TO_CLOSE, Ballot.closes_at > now)
    )
    times = [time for time in (opening, closing) if time is not None]
    return min(times) if times else None


async def run_due(
    session: AsyncSession,
    *,
    now: datetime | None = None,
    signer: Signer | None = None,
    actor: Actor = SCHEDULE_ACTOR,
) -> RunReport:
    """Open and close every ballot that is due at ``now`` (default: the current time).

    Each move is its own transaction through :func:`ballots.lifecycle.move_ballot`, so the
    board, the timeline and the audit log record it as for a chair's click. A ballot that
    another worker (or a chair) moved first, or whose schedule changed meanwhile, is skipped.
    """
    now = now or datetime.now(UTC)
    due = await due_ballots(session, now)
    await session.rollback()  # end the read; each move below locks and reads afresh
    report = RunReport()
    for item in due:
        try:
            action = due_action(await lifecycle.lock_ballot(session, item.ballot_id), now)
            if action is None:
                await session.rollback()
                continue
            await lifecycle.move_ballot(session, actor, item.ballot_id, action, signer=signer)
            await session.commit()
        except DomainError as error:
            await session.rollback()
            report.failed.append(Failure(ballot_id=item.ballot_id, action=item.action, error=error))
        except BaseException:
            await session.rollback()
            raise
        else:
            report.moved.append(Due(ballot_id=item.ballot_id, action=action, at=item.at))
    return report
