"""What the public start page lists: ballots open now with their turnout so far, published
results and matters, all of them or only those that concern one unit, a page at a time.

A unit's residents are concerned by the matters of that unit, of the units above it (a street's
practical projects concern every residential area in the street) and of the units below it.
Turnout is a count of who has voted, never who: the number of counted ballots is public anyway,
since every cast is on the ballot's public board while voting runs.

Also the slice (:class:`Window`) every other long list of the service is read in, by offset and
limit: the console turns a page number into an offset, the API takes the offset itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Ballot, Matter, Participation, Unit

T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a list: its ``items``, the ``total`` over every page, and where it is."""

    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


@dataclass(frozen=True)
class OpenBallot:
    """A ballot open now, its matter and unit, and how many voting units have voted so far."""

    ballot: Ballot
    matter: Matter
    unit: Unit
    voted: int

    @property
    def share(self) -> float:
        """``voted`` as a percentage of the electorate, to one decimal."""
        size = self.ballot.electorate_size or 0
        return round(100.0 * self.voted / size, 1) if size else 0.0


@dataclass(frozen=True)
class Published:
    """A ballot whose voting has ended (its result published or still to come), with its matter
    and unit."""

    ballot: Ballot
    matter: Matter
    unit: Unit


@dataclass(frozen=True)
class MatterEntry:
    """A matter and the unit it belongs to."""

    matter: Matter
    unit: Unit


async def concerned_units(session: AsyncSession, unit: Unit) -> list[int]:
    """Ids of ``unit``, the units above it and the units below it."""
    above = [int(part) for part in unit.path.strip("/").split("/") if part]
    below = await session.scalars(select(Unit.id).where(Unit.path.startswith(unit.path)))
    return sorted({unit.id, *above, *below.all()})


def _concerning(
    query: Select[*tuple[Any, ...]], unit_ids: list[int] | None
) -> Select[*tuple[Any, ...]]:
    return query if unit_ids is None else query.where(Matter.unit_id.in_(unit_ids))


async def _page(
    session: AsyncSession, query: Select[*tuple[Any, ...]], page: int, size: int
) -> tuple[list[Any], int]:
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.offset((page - 1) * size).limit(size))).all()
    return list(rows), int(total or 0)


def _with_matter_and_unit(*columns: Any) -> Select[*tuple[Any, ...]]:
    return (
        select(*columns, Matter, Unit)
        .join(Matter, Matter.id == Ballot.matter_id)
        .join(Unit, Unit.id == Matter.unit_id)
    )


async def open_ballots(
    session: AsyncSession, unit_ids: list[int] | None, page: int, size: int
) -> Listing[OpenBallot]:
    """Ballots open now, the soonest to close first (those without a closing time last)."""
    query = _concerning(_with_matter_and_unit(Ballot), unit_ids).where(Ballot.state == "open")
    query = query.order_by(Ballot.closes_at.is_(None), Ballot.closes_at, Ballot.id)
    rows, total = await _page(session, query, page, size)
    ids = [ballot.id for ballot, _, _ in rows]
    counts = await session.execute(
        select(Participation.ballot_id, func.count())
        .where(Participation.ballot_id.in_(ids))
        .group_by(Participation.ballot_id)
    )
    voted = {ballot_id: int(count) for ballot_id, count in counts.all()}
    items = [OpenBallot(b, m, u, int(voted.get(b.id, 0))) for b, m, u in rows]
    return Listing(items, total, page, size)


async def recent_results(
    session: AsyncSession, unit_ids: list[int] | None, page: int, size: int
) -> Listing[Published]:
    """Ballots whose voting has ended, published or awaiting publication, the latest first."""
    query = _concerning(_with_matter_and_unit(Ballot), unit_ids).where(
        Ballot.state.in_(("closed", "published"))
    )
    ended = func.coalesce(Ballot.published_at, Ballot.closed_at)
    query = query.order_by(ended.is_(None), ended.desc(), Ballot.id.desc())
    rows, total = await _page(session, query, page, size)
    return Listing([Published(b, m, u) for b, m, u in rows], total, page, size)


async def matters_by_unit(
    session: AsyncSession, unit_ids: list[int] | None, page: int, size: int
) -> Listing[MatterEntry]:
    """Every matter, grouped by unit in the order of the unit tree, the newest first in each."""
    query = select(Matter, Unit).join(Unit, Unit.id == Matter.unit_id)
    if unit_ids is not None:
        query = query.where(Matter.unit_id.in_(unit_ids))
    query = query.order_by(Unit.path, Matter.id.desc())
    rows, total = await _page(session, query, page, size)
    return Listing([MatterEntry(m, u) for m, u in rows], total, page, size)


@dataclass(frozen=True)
class Window(Generic[T]):
    """A slice of a list by ``offset`` and ``limit`` (what the API pages by): its ``items`` and
    the ``total`` over the whole list."""

    items: list[T]
    total: int
    offset: int
    limit: int


async def window_rows(
    session: AsyncSession, query: Select[*tuple[Any, ...]], offset: int, limit: int
) -> tuple[list[Any], int]:
    """The rows of ``query`` (already in a stable order) from ``offset``, at most ``limit`` of
    them, and how many rows the whole query has."""
    offset, limit = max(offset, 0), max(limit, 1)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    return list(rows), int(total or 0)
