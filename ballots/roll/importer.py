"""Importing checked roster rows into a residential area's roll, and listing the roll with masking.

:func:`import_roll` upserts households by (unit, 户号) and residents by (unit, stable key), and
returns an :class:`ImportReport` of what was (or, in a dry run, would be) added, updated and left
unchanged. Flats are upserted by (unit, 户号): every household's home, and the flats named with
their area in the 产权房屋 column; each resident in the file owns the flats the file says (the
field ``flats``, the 户号s owned), or, without such a cell, a 业主 owns their home. Residents on the roll but not in the file are reported, never deleted: ballots refer
to them. The caller commits; a dry run adds nothing to the session.

:func:`list_residents` returns :class:`ResidentView`\\ s whose phone is masked; the raw phone
never leaves this module. :func:`mask_phone` and :func:`mask_name` are the masking rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import msgspec
from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput
from ballots.models import Flat, Household, Ownership, Resident, Unit
from ballots.roll.parse import DEFAULT_ROLE, RosterRow, household_name_key
from ballots.units import get_unit

FieldValue = str | int | float | list[str] | None


class FieldChange(msgspec.Struct, frozen=True):
    """One field's old and new value (phones appear masked)."""

    field: str
    old: FieldValue
    new: FieldValue


class ResidentRef(msgspec.Struct, frozen=True, kw_only=True):
    """A resident named in a report: the stable key, the name and the file row (if in the file)."""

    external_id: str
    name: str
    line: int | None = None


class ResidentUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """A resident whose stored fields differ from the file, with each changed field."""

    external_id: str
    name: str
    line: int
    changes: list[FieldChange]


class HouseholdUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """A household (by 户号) whose building, room or area differ from the file."""

    household: str
    changes: list[FieldChange]


class ImportReport(msgspec.Struct, kw_only=True):
    """What an import did (or, with ``dry_run``, would do) to one residential area's roll."""

    unit_id: int
    dry_run: bool
    rows: int
    added: list[ResidentRef]
    updated: list[ResidentUpdate]
    unchanged: list[ResidentRef]
    not_in_file: list[ResidentRef]
    households_added: list[str]
    households_updated: list[HouseholdUpdate]
    flats_added: list[str] = []
    flats_updated: list[HouseholdUpdate] = []
    counts: dict[str, int]
    """How many residents and households fall in each group (also in the JSON)."""


class ResidentView(msgspec.Struct, frozen=True, kw_only=True):
    """A resident as shown in listings: the phone is masked (``138****5678``)."""

    id: int
    unit_id: int
    external_id: str
    name: str
    building: str
    room: str
    household: str | None
    phone_masked: str
    birth_year: int | None
    role: str
    area: float | None
    tags: list[str]


MAX_LIST_LIMIT: Final = 1000


def mask_phone(phone: str) -> str:
    """Mask a phone number: ``13812345678`` → ``138****5678``; short numbers keep the last 4."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"****{digits[-4:]}"
    return "*" * len(digits)


def mask_name(name: str) -> str:
    """Mask a name for public lists: 张三明 → 张*明, 李四 → 李*, 欧阳娜娜 → 欧**娜."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def _same(old: FieldValue, new: FieldValue) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return math.isclose(old, new)
    return old == new


def _resident_values(
    row: RosterRow, household_key: str, existing: Resident | None
) -> dict[str, FieldValue]:
    """The values the file gives for a resident; absent columns keep the stored value."""
    values: dict[str, FieldValue] = {
        "external_id": row.external_id,
        "name": row.name,
        "building": row.building,
        "room": row.room,
        "household": household_key,
    }
    if row.phone is not UNSET:
        values["phone"] = row.phone
    if row.birth_year is not UNSET:
        values["birth_year"] = row.birth_year
    if row.role is not UNSET:
        values["role"] = row.role
    elif existing is None:
        values["role"] = DEFAULT_ROLE
    if row.area is not UNSET:
        values["area"] = row.area
    if row.tags is not UNSET:
        values["tags"] = list(row.tags)
    if row.owns is not UNSET and row.owns:
        values["flats"] = sorted({flat.flat for flat in row.owns})
    else:
        role = values.get("role", existing.role if existing is not None else DEFAULT_ROLE)
        values["flats"] = [household_key] if role == "owner" else []
    return values


def _stored(
    resident: Resident,
    field: str,
    households_by_id: dict[int, Household],
    owned: dict[int, list[str]],
) -> FieldValue:
    if field == "flats":
        return sorted(owned.get(resident.id, []))
    if field == "household":
        household = households_by_id.get(resident.household_id or 0)
        return household.external_id if household else None
    value: FieldValue = getattr(resident, field)
    return list(value) if isinstance(value, list) else value


def _shown(field: str, value: FieldValue) -> FieldValue:
    return mask_phone(value) if field == "phone" and isinstance(value, str) else value


async def import_roll(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    rows: Sequence[RosterRow],
    *,
    dry_run: bool,
) -> ImportReport:
    """Upsert ``rows`` into the roll of residential area ``unit_id``; see the module docstring.

    Rows must come from :func:`~ballots.roll.parse.parse_roster` (checked, unique keys).
    """
    unit = await get_unit(session, unit_id)
    require(actor, "manage_roll", unit.path)
    if unit.level != "area":
        raise InvalidInput(
            N_("A roll belongs to a residential area (居民区); {unit} is a {level}."),
            unit=unit.name,
            level=unit.level,
        )
    households = {
        h.external_id: h
        for h in await session.scalars(select(Household).where(Household.unit_id == unit.id))
    }
    households_by_id = {h.id: h for h in households.values()}
    residents = {
        r.external_id: r
        for r in await session.scalars(select(Resident).where(Resident.unit_id == unit.id))
    }
    flats = {
        f.external_id: f for f in await session.scalars(select(Flat).where(Flat.unit_id == unit.id))
    }
    ownerships: dict[int, dict[str, Ownership]] = {}
    for ownership, flat_key in await session.execute(
        select(Ownership, Flat.external_id)
        .join(Flat, Flat.id == Ownership.flat_id)
        .where(Flat.unit_id == unit.id)
    ):
        ownerships.setdefault(ownership.resident_id, {})[flat_key] = ownership
    owned = {resident_id: list(flats_owned) for resident_id, flats_owned in ownerships.items()}

    # Households: one per 户号 in the file, with the place and area its rows give.
    households_added: list[str] = []
    households_updated: list[HouseholdUpdate] = []
    household_values: dict[str, dict[str, FieldValue]] = {}
    for row in rows:
        values = household_values.setdefault(
            row.household, {"building": row.building, "room": row.room}
        )
        if row.area is not UNSET and (row.area is not None or "area" not in values):
            values["area"] = row.area
    # Flats: every household's home, and flats nobody in the file lives in, with their area.
    flat_values: dict[str, dict[str, FieldValue]] = {
        key: dict(values) for key, values in household_values.items()
    }
    for row in rows:
        for owned_flat in row.owns or ():
            if owned_flat.area is not None and owned_flat.flat not in household_values:
                flat_values.setdefault(owned_flat.flat, {})["area"] = owned_flat.area
    flats_added: list[str] = []
    flats_updated: list[HouseholdUpdate] = []
    for key, values in flat_values.items():
        stored_flat = flats.get(key)
        if stored_flat is None:
            flats_added.append(key)
            continue
        changes = [
            FieldChange(name, getattr(stored_flat, name), value)
            for name, value in values.items()
            if not _same(getattr(stored_flat, name), value)
        ]
        if changes:
            flats_updated.append(HouseholdUpdate(household=key, changes=changes))

    for key, values in household_values.items():
        stored_household = households.get(key)
        if stored_household is None:
            households_added.append(key)
            continue
        changes = [
            FieldChange(name, getattr(stored_household, name), value)
            for name, value in values.items()
            if not _same(getattr(stored_household, name), value)
        ]
        if changes:
            households_updated.append(HouseholdUpdate(household=key, changes=changes))

    # Residents: by stable key; a resident first imported without an 编号 column is found by
    # 户号/姓名 and takes the new id.
    added: list[ResidentRef] = []
    updated: list[ResidentUpdate] = []
    unchanged: list[ResidentRef] = []
    matched: dict[int, tuple[RosterRow, Resident | None, dict[str, FieldValue]]] = {}
    claimed: set[str] = {row.external_id for row in rows}
    for index, row in enumerate(rows):
        resident = residents.get(row.external_id)
        if resident is None:
            fallback = household_name_key(row.household, row.name)
            candidate = residents.get(fallback)
            if candidate is not None and fallback not in claimed:
                resident = candidate
                claimed.add(fallback)
        values = _resident_values(row, row.household, resident)
        matched[index] = (row, resident, values)
        if resident is None:
            added.append(ResidentRef(external_id=row.external_id, name=row.name, line=row.line))
            continue
        changes = [
            FieldChange(name, _shown(name, old), _shown(name, new))
            for name, new in values.items()
            if not _same(old := _stored(resident, name, households_by_id, owned), new)
        ]
        if changes:
            updated.append(
                ResidentUpdate(
                    external_id=row.external_id, name=row.name, line=row.line, changes=changes
                )
            )
        else:
            unchanged.append(ResidentRef(external_id=row.external_id, name=row.name, line=row.line))
    seen = {id(resident) for _, resident, _ in matched.values() if resident is not None}
    not_in_file = [
        ResidentRef(external_id=r.external_id, name=r.name)
        for r in sorted(residents.values(), key=lambda r: r.id)
        if id(r) not in seen
    ]
    report = ImportReport(
        unit_id=unit.id,
        dry_run=dry_run,
        rows=len(rows),
        added=added,
        updated=updated,
        unchanged=unchanged,
        not_in_file=not_in_file,
        households_added=households_added,
        households_updated=households_updated,
        flats_added=flats_added,
        flats_updated=flats_updated,
        counts={
            "added": len(added),
            "updated": len(updated),
            "unchanged": len(unchanged),
            "not_in_file": len(not_in_file),
            "households_added": len(households_added),
            "households_updated": len(households_updated),
            "flats_added": len(flats_added),
            "flats_updated": len(flats_updated),
        },
    )
    if dry_run:
        return report

    for key, values in household_values.items():
        stored_household = households.get(key)
        if stored_household is None:
            stored_household = Household(unit_id=unit.id, external_id=key)
            session.add(stored_household)
            households[key] = stored_household
        for name, value in values.items():
            setattr(stored_household, name, value)
    for key, values in flat_values.items():
        stored_flat = flats.get(key)
        if stored_flat is None:
            stored_flat = Flat(unit_id=unit.id, external_id=key, building="", room="")
            session.add(stored_flat)
            flats[key] = stored_flat
        for name, value in values.items():
            setattr(stored_flat, name, value)
    await session.flush()
    for row, resident, values in matched.values():
        if resident is None:
            resident = Resident(unit_id=unit.id, phone="", tags=[])
            session.add(resident)
        for name, value in values.items():
            if name == "household":
                resident.household_id = households[row.household].id
            elif name != "flats":
                setattr(resident, name, value)
        if resident.id is None:
            await session.flush()
        held = ownerships.get(resident.id, {})
        wanted = values["flats"]
        assert isinstance(wanted, list)
        for key, ownership in held.items():
            if key not in wanted:
                await session.delete(ownership)
        for key in wanted:
            if key not in held:
                session.add(Ownership(resident_id=resident.id, flat_id=flats[key].id))
    await session.flush()
    audit.record(
        session,
        actor,
        "roll.import",
        f"unit:{unit.id}",
        unit.id,
        rows=len(rows),
        added=[r.external_id for r in added],
        updated={u.external_id: [c.field for c in u.changes] for u in updated},
        unchanged=len(unchanged),
        not_in_file=len(not_in_file),
        households_added=len(households_added),
        households_updated=len(households_updated),
        flats_added=flats_added,
        flats_updated=[f.household for f in flats_updated],
    )
    return report


async def list_residents(
    session: AsyncSession, actor: Actor, unit_id: int, *, offset: int = 0, limit: int = 100
) -> list[ResidentView]:
    """Residents of ``unit_id`` and the units under it, by unit, building, room and name."""
    if offset < 0 or not 1 <= limit <= MAX_LIST_LIMIT:
        raise InvalidInput(
            N_("The offset must be 0 or more and the limit from 1 to {max}."), max=MAX_LIST_LIMIT
        )
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    result = await session.execute(
        select(Resident, Household.external_id)
        .join(Unit, Unit.id == Resident.unit_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Unit.path.startswith(unit.path))
        .order_by(Unit.path, Resident.building, Resident.room, Resident.name, Resident.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        ResidentView(
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
        for resident, household in result
    ]
