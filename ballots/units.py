"""Units: creating the district → street → residential-area tree and finding subtrees."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, DuplicateName, InvalidInput, NotFound
from ballots.models import Unit
from ballots.models.bounds import UNIT_NAME_LENGTH
from ballots.models.units import UNIT_LEVELS

CHILD_LEVEL = {"district": "street", "street": "area"}
_CHILD_REFUSAL = {
    "district": N_("A district can only contain streets."),
    "street": N_("A street can only contain residential areas."),
    "area": N_("A residential area cannot contain other units."),
}


async def get_unit(session: AsyncSession, unit_id: int) -> Unit:
    """The unit with ``unit_id``, or :class:`NotFound`."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(what="unit", id=unit_id)
    return unit


async def find_unit(session: AsyncSession, ref: str) -> Unit:
    """A unit by numeric id or by code (as typed on the command line)."""
    if ref.isdigit():
        return await get_unit(session, int(ref))
    unit = await session.scalar(select(Unit).where(Unit.code == ref))
    if unit is None:
        raise NotFound(what="unit", id=ref)
    return unit


async def create_unit(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    code: str,
    level: str,
    parent_id: int | None = None,
) -> Unit:
    """Create a unit under ``parent_id`` (a district has no parent)."""
    name, code = name.strip(), code.strip()
    if level not in UNIT_LEVELS:
        raise InvalidInput(
            N_("The level must be one of: {choices}."), choices=", ".join(UNIT_LEVELS)
        )
    if not name or not code:
        raise InvalidInput(N_("Please give both a name and a code."))
    parent = await get_unit(session, parent_id) if parent_id is not None else None
    if parent is None:
        if level != "district":
            raise InvalidInput(
                N_("Only a district can be a top-level unit; choose the unit this one belongs to.")
            )
        require(actor, "manage_units", "/")
    else:
        if CHILD_LEVEL.get(parent.level) != level:
            raise InvalidInput(_CHILD_REFUSAL.get(parent.level, _CHILD_REFUSAL["area"]))
        require(actor, "manage_units", parent.path)
    if await session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise DuplicateName(what="unit", name=code)
    unit = Unit(name=name, code=code, level=level, parent_id=parent_id)
    session.add(unit)
    await session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    audit.record(session, actor, "unit.create", f"unit:{unit.id}", unit.id, name=name, code=code)
    return unit


async def rename_unit(session: AsyncSession, actor: Actor, unit_id: int, name: str) -> Unit:
    """Give a unit a new name (its code and place in the tree stay); audited with the old name."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_units", unit.path)
    name = name.strip()
    if not name:
        raise InvalidInput(N_("Please give a name."))
    if len(name) > UNIT_NAME_LENGTH:
        raise InvalidInput(
            N_("The name must be at most {limit} characters."), limit=UNIT_NAME_LENGTH
        )
    if name != unit.name:
        audit.record(
            session, actor, "unit.rename", f"unit:{unit.id}", unit.id, name=name, old=unit.name
        )
        unit.name = name
        await session.flush()
    return unit


async def list_units(session: AsyncSession, within_path: str = "/") -> Sequence[Unit]:
    """Every unit in the subtree at ``within_path``, ordered by path."""
    result = await session.scalars(
        select(Unit).where(Unit.path.startswith(within_path)).order_by(Unit.path)
    )
    return result.all()


async def subtree_ids(session: AsyncSession, unit: Unit) -> list[int]:
    """Ids of ``unit`` and every unit under it."""
    result = await session.scalars(select(Unit.id).where(Unit.path.startswith(unit.path)))
    return list(result.all())
