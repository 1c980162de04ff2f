"""Turnout of a ballot while it runs: who has voted, counted by voting unit, household and
building, for the chair's live console.

Only counts leave this module, never a list of voters; every figure is one grouped query over
the frozen electorate (``electors``) and who has taken part (``participation``).
"""

from __future__ import annotations

import msgspec
from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.lifecycle import ballot_spec, ballot_unit, get_ballot
from ballots.models import Ballot, Elector, Participation, Resident
from ballots.natural import natural_key


class BuildingTurnout(msgspec.Struct, frozen=True):
    """One building (楼栋): voting units eligible there and how many of them have voted."""

    building: str
    eligible: int
    voted: int


class Turnout(msgspec.Struct, frozen=True):
    """A ballot's turnout now.

    ``electorate`` and ``voted`` count voting units (persons, or households on a
    one-vote-per-household ballot); ``percent`` is ``voted`` of ``electorate``, to one decimal.
    ``households_voted`` counts households with at least one counted vote (a resident without a
    household counts as one). ``area_eligible`` and ``area_voted`` (m²) are given only when the
    ballot is weighed by area. ``buildings`` is in natural order (2号楼 before 10号楼).
    """

    ballot_id: int
    state: str
    electorate: int
    voted: int
    percent: float
    households_eligible: int
    households_voted: int
    weighting: str
    area_eligible: float | None
    area_voted: float | None
    buildings: list[BuildingTurnout]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


async def _by_building(session: AsyncSession, ballot_id: int) -> list[tuple[str, int, int, float]]:
    """(building, voting units eligible, voted, area voted) per building."""
    units = (
        select(
            Elector.count_key.label("key"),
            func.min(Resident.building).label("building"),
            func.max(Elector.weight).label("weight"),
        )
        .join(Resident, Resident.id == Elector.resident_id)
        .where(Elector.ballot_id == ballot_id)
        .group_by(Elector.count_key)
        .subquery()
    )
    voted = Participation.count_key.is_not(None)
    rows = await session.execute(
        select(
            units.c.building,
            func.count(),
            func.count(Participation.count_key),
            func.coalesce(func.sum(case((voted, units.c.weight), else_=0.0)), 0.0),
        )
        .select_from(units)
        .outerjoin(
            Participation,
            and_(Participation.ballot_id == ballot_id, Participation.count_key == units.c.key),
        )
        .group_by(units.c.building)
    )
    return [(str(b or ""), int(e), int(v), float(a or 0.0)) for b, e, v, a in rows.all()]


async def _household_counts(session: AsyncSession, ballot_id: int) -> tuple[int, int]:
    """(households in the electorate, households with a counted vote); a resident without a
    household counts as one."""
    households = func.count(distinct(Resident.household_id)) + func.coalesce(
        func.sum(case((Resident.household_id.is_(None), 1), else_=0)), 0
    )
    eligible = await session.scalar(
        select(households)
        .select_from(Elector)
        .join(Resident, Resident.id == Elector.resident_id)
        .where(Elector.ballot_id == ballot_id)
    )
    voted = await session.scalar(
        select(households)
        .select_from(Participation)
        .join(Elector, Elector.id == Participation.elector_id)
        .join(Resident, Resident.id == Elector.resident_id)
        .where(Participation.ballot_id == ballot_id)
    )
    return int(eligible or 0), int(voted or 0)


async def count_turnout(session: AsyncSession, ballot: Ballot) -> Turnout:
    """The turnout of ``ballot`` now (no access check: callers check who asks)."""
    rows = await _by_building(session, ballot.id)
    rows.sort(key=lambda row: natural_key(row[0]))
    electorate = sum(row[1] for row in rows)
    voted = sum(row[2] for row in rows)
    households_eligible, households_voted = await _household_counts(session, ballot.id)
    weighting = ballot_spec(ballot).weighting
    by_area = weighting == "area"
    area_eligible = ballot.electorate_area if ballot.electorate_area is not None else 0.0
    return Turnout(
        ballot_id=ballot.id,
        state=ballot.state,
        electorate=electorate,
        voted=voted,
        percent=_percent(voted, electorate),
        households_eligible=households_eligible,
        households_voted=households_voted,
        weighting=weighting,
        area_eligible=round(area_eligible, 2) if by_area else None,
        area_voted=round(sum(row[3] for row in rows), 2) if by_area else None,
        buildings=[BuildingTurnout(building, e, v) for building, e, v, _ in rows],
    )


async def ballot_turnout(session: AsyncSession, actor: Actor, ballot_id: int) -> Turnout:
    """The turnout of a ballot in the actor's unit subtree (it shows who-voted counts per
    building, so it is for chairs only, never the public)."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "read", unit.path)
    return await count_turnout(session, ballot)
