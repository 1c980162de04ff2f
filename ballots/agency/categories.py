"""Demand categories per unit, each with its reply deadline in days; a unit without any gets
the default set for a residential area the first time it is asked for them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, DuplicateName, InvalidInput, NotFound
from ballots.models import DemandCategory
from ballots.units import get_unit

DEFAULT_CATEGORIES: tuple[tuple[str, int], ...] = (
    ("房屋修缮", 7),
    ("环境卫生", 3),
    ("治安消防", 1),
    ("邻里纠纷", 7),
    ("政策咨询", 5),
    ("其他", 7),
)
NAME_MAX = 100
DEADLINE_MAX = 90


async def categories_of(
    session: AsyncSession, unit_id: int, *, include_inactive: bool = False
) -> Sequence[DemandCategory]:
    """The unit's categories (the default set is added when it has none yet), by id."""
    query = select(DemandCategory).where(DemandCategory.unit_id == unit_id)
    found = (await session.scalars(query.order_by(DemandCategory.id))).all()
    if not found:
        for name, days in DEFAULT_CATEGORIES:
            session.add(DemandCategory(unit_id=unit_id, name=name, deadline_days=days, active=True))
        await session.flush()
        found = (await session.scalars(query.order_by(DemandCategory.id))).all()
    return [c for c in found if include_inactive or c.active]


def _check(name: str, deadline_days: int) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(N_("Please give a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(N_("The name must be at most {limit} characters."), limit=NAME_MAX)
    if not 1 <= deadline_days <= DEADLINE_MAX:
        raise InvalidInput(N_("The deadline must be from 1 to {limit} days."), limit=DEADLINE_MAX)
    return name


async def add_category(
    session: AsyncSession, actor: Actor, *, unit_id: int, name: str, deadline_days: int
) -> DemandCategory:
    """Add a category to a unit (names unique within it); audited."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_ballots", unit.path)
    name = _check(name, deadline_days)
    existing = await categories_of(session, unit.id, include_inactive=True)
    if any(c.name == name for c in existing):
        raise DuplicateName(what="name", name=name)
    category = DemandCategory(unit_id=unit.id, name=name, deadline_days=deadline_days, active=True)
    session.add(category)
    await session.flush()
    audit.record(
        session,
        actor,
        "agency.category.add",
        f"demand_category:{category.id}",
        unit.id,
        name=name,
        deadline_days=deadline_days,
    )
    return category


async def update_category(
    session: AsyncSession,
    actor: Actor,
    category_id: int,
    *,
    name: str,
    deadline_days: int,
    active: bool,
) -> DemandCategory:
    """Rename a category, change its deadline or stop offering it; audited. Demands already
    received keep the deadline they were given."""
    category = await session.get(DemandCategory, category_id)
    if category is None:
        raise NotFound(what="name", id=category_id)
    unit = await get_unit(session, category.unit_id)
    require(actor, "manage_ballots", unit.path)
    name = _check(name, deadline_days)
    others = await categories_of(session, unit.id, include_inactive=True)
    if any(c.name == name and c.id != category.id for c in others):
        raise DuplicateName(what="name", name=name)
    category.name, category.deadline_days, category.active = name, deadline_days, active
    audit.record(
        session,
        actor,
        "agency.category.update",
        f"demand_category:{category.id}",
        unit.id,
        name=name,
        deadline_days=deadline_days,
        active=active,
    )
    await session.flush()
    return category
