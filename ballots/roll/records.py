"""Reading the roll for the console: search residents, one resident's record, households and
buildings of a unit subtree. Phones are masked; every function checks the actor may read there."""

from __future__ import annotations

from typing import Final

import msgspec
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput, NotFound
from ballots.models import Ballot, Elector, Flat, Household, Matter, Ownership, Resident, Unit
from ballots.natural import natural_key
from ballots.roll.importer import ResidentView, mask_phone
from ballots.units import get_unit

MAX_PAGE: Final = 200


class OwnedFlatView(msgspec.Struct, frozen=True, kw_only=True):
    """A flat a resident owns, with its co-owners' names."""

    flat: str
    building: str
    room: str
    area: float | None
    co_owners: list[str]


class EligibleBallot(msgspec.Struct, frozen=True, kw_only=True):
    """A ballot whose frozen electorate holds the resident."""

    ballot_id: int
    title: str
    state: str
    count_key: str
    weight: float


class ResidentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One resident: their roll entry, unit, household members, flats owned and ballots."""

    resident: ResidentView
    unit_name: str
    household_members: list[ResidentView]
    flats: list[OwnedFlatView]
    ballots: list[EligibleBallot]


class HouseholdRow(msgspec.Struct, frozen=True, kw_only=True):
    """A household with its place, area and number of residents."""

    id: int
    unit_name: str
    external_id: str
    building: str
    room: str
    area: float | None
    residents: int


class BuildingRow(msgspec.Struct, frozen=True, kw_only=True):
    """A building (楼栋) of a residential area, with its households and residents."""

    unit_id: int
    unit_name: str
    building: str
    households: int
    residents: int


def _check_page(offset: int, limit: int) -> None:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            N_("The offset must be 0 or more and the limit from 1 to {max}."), max=MAX_PAGE
        )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _view(resident: Resident, household: str | None) -> ResidentView:
    return ResidentView(
        id=resident.id,
        unit_id=resident.unit_id,
        external_id=resident.external_id,
        name=resident.name,
        building=resident.building,
        room=resident.room,
        household=household,
        phone_masked=mask_phone(resident.phone),
        birth_year=resident.birth_year,
        role=resident.role,
        area=resident.area,
        tags=list(resident.tags),
    )


async def search_residents(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    *,
    name: str = "",
    building: str = "",
    room: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[ResidentView], int]:
    """Residents under ``unit_id`` whose name contains ``name`` (and, when given, in exactly
    that building and room), by unit, building, room and name; with the total found."""
    _check_page(offset, limit)
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    conditions = [Unit.path.startswith(unit.path)]
    if name.strip():
        pattern = f"%{_escape_like(name.strip())}%"
        conditions.append(
            or_(
                Resident.name.like(pattern, escape="\\"),
                Resident.external_id.like(pattern, escape="\\"),
            )
        )
    if building.strip():
        conditions.append(Resident.building == building.strip())
    if room.strip():
        conditions.append(Resident.room == room.strip())
    total = await session.scalar(
        select(func.count(Resident.id)).join(Unit, Unit.id == Resident.unit_id).where(*conditions)
    )
    result = await session.execute(
        select(Resident, Household.external_id)
        .join(Unit, Unit.id == Resident.unit_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(*conditions)
        .order_by(Unit.path, Resident.building, Resident.room, Resident.name, Resident.id)
        .offset(offset)
        .limit(limit)
    )
    return [_view(resident, household) for resident, household in result], int(total or 0)


async def resident_record(session: AsyncSession, actor: Actor, resident_id: int) -> ResidentRecord:
    """Everything the console shows about one resident (within the actor's subtree)."""
    resident = await session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(what="resident", id=resident_id)
    unit = await get_unit(session, resident.unit_id)
    require(actor, "read", unit.path)
    household = (
        await session.get(Household, resident.household_id) if resident.household_id else None
    )
    members: list[ResidentView] = []
    if household is not None:
        for member in await session.scalars(
            select(Resident)
            .where(Resident.household_id == household.id, Resident.id != resident.id)
            .order_by(Resident.name, Resident.id)
        ):
            members.append(_view(member, household.external_id))
    flats = (
        await session.scalars(
            select(Flat)
            .join(Ownership, Ownership.flat_id == Flat.id)
            .where(Ownership.resident_id == resident.id)
            .order_by(Flat.external_id)
        )
    ).all()
    owners: dict[int, list[str]] = {}
    if flats:
        rows = await session.execute(
            select(Ownership.flat_id, Resident.name)
            .join(Resident, Resident.id == Ownership.resident_id)
            .where(
                Ownership.flat_id.in_([flat.id for flat in flats]),
                Ownership.resident_id != resident.id,
            )
            .order_by(Resident.name)
        )
        for flat_id, owner_name in rows:
            owners.setdefault(flat_id, []).append(owner_name)
    ballots = await session.execute(
        select(Ballot.id, Ballot.title, Ballot.state, Elector.count_key, Elector.weight)
        .join(Elector, Elector.ballot_id == Ballot.id)
        .join(Matter, Matter.id == Ballot.matter_id)
        .where(Elector.resident_id == resident.id)
        .order_by(Ballot.id.desc())
    )
    return ResidentRecord(
        resident=_view(resident, household.external_id if household else None),
        unit_name=unit.name,
        household_members=members,
        flats=[
            OwnedFlatView(
                flat=flat.external_id,
                building=flat.building,
                room=flat.room,
                area=flat.area,
                co_owners=owners.get(flat.id, []),
            )
            for flat in flats
        ],
        ballots=[
            EligibleBallot(ballot_id=b, title=t, state=s, count_key=k, weight=w)
            for b, t, s, k, w in ballots
        ],
    )


async def list_households(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    *,
    building: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[HouseholdRow], int]:
    """Households under ``unit_id`` (optionally of one building), with the total found."""
    _check_page(offset, limit)
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    conditions = [Unit.path.startswith(unit.path)]
    if building.strip():
        conditions.append(Household.building == building.strip())
    total = await session.scalar(
        select(func.count(Household.id)).join(Unit, Unit.id == Household.unit_id).where(*conditions)
    )
    members = (
        select(Resident.household_id, func.count(Resident.id).label("n"))
        .group_by(Resident.household_id)
        .subquery()
    )
    result = await session.execute(
        select(Household, Unit.name, members.c.n)
        .join(Unit, Unit.id == Household.unit_id)
        .outerjoin(members, members.c.household_id == Household.id)
        .where(*conditions)
        .order_by(Unit.path, Household.building, Household.room, Household.external_id)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        HouseholdRow(
            id=household.id,
            unit_name=unit_name,
            external_id=household.external_id,
            building=household.building,
            room=household.room,
            area=household.area,
            residents=int(count or 0),
        )
        for household, unit_name, count in result
    ]
    return rows, int(total or 0)


async def list_buildings(session: AsyncSession, actor: Actor, unit_id: int) -> list[BuildingRow]:
    """Every building under ``unit_id``, with how many households and residents it holds."""
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    result = await session.execute(
        select(
            Unit.id,
            Unit.name,
            Unit.path,
            Resident.building,
            func.count(func.distinct(Resident.household_id)),
            func.count(Resident.id),
        )
        .join(Unit, Unit.id == Resident.unit_id)
        .where(Unit.path.startswith(unit.path))
        .group_by(Unit.id, Unit.name, Unit.path, Resident.building)
    )
    rows = sorted(result, key=lambda row: (row.path, natural_key(row.building)))
    return [
        BuildingRow(
            unit_id=uid, unit_name=uname, building=building, households=int(h), residents=int(r)
        )
        for uid, uname, _, building, h, r in rows
    ]
