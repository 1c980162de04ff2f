"""Eligibility rules over the roll, and computing a ballot's electorate from them.

A rule set is a conjunction: a resident is eligible when every given condition holds. Each list
condition matches when any of its values does. The voting unit then groups eligible residents
into persons or households ("one vote per household").
"""

from __future__ import annotations

from datetime import date

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Household, Resident, Unit
from ballots.models.bounds import Id, ShortText
from ballots.models.roll import RESIDENT_ROLES


class Eligibility(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Who may vote. Empty lists mean "no restriction".

    ``units``: unit ids whose subtrees are included (default: the matter's unit);
    ``buildings``: building names (楼栋); ``roles``: owner/tenant/migrant;
    ``min_age``: minimum age in years, counted by year of birth;
    ``tags_any``/``tags_all``: roll tags.
    """

    units: list[Id] = msgspec.field(default_factory=list)
    buildings: list[ShortText] = msgspec.field(default_factory=list)
    roles: list[ShortText] = msgspec.field(default_factory=list)
    min_age: int | None = None
    tags_any: list[ShortText] = msgspec.field(default_factory=list)
    tags_all: list[ShortText] = msgspec.field(default_factory=list)

    def problems(self) -> list[str]:
        """What is wrong with the rule set, as readable messages (empty when fine)."""
        found = [f"unknown role {role!r}" for role in self.roles if role not in RESIDENT_ROLES]
        if self.min_age is not None and not 0 <= self.min_age <= 150:
            found.append("min_age must be between 0 and 150")
        return found


class EligibleVoter(msgspec.Struct, frozen=True):
    """One eligible resident, with whose vote it is and the area it carries."""

    resident_id: int
    count_key: str
    area: float


def matches(rules: Eligibility, resident: Resident, today: date) -> bool:
    """True when ``resident`` meets every condition of ``rules``."""
    if rules.buildings and resident.building not in rules.buildings:
        return False
    if rules.roles and resident.role not in rules.roles:
        return False
    if rules.min_age is not None and (
        resident.birth_year is None or today.year - resident.birth_year < rules.min_age
    ):
        return False
    tags = set(resident.tags or [])
    if rules.tags_any and not tags.intersection(rules.tags_any):
        return False
    return not (rules.tags_all and not tags.issuperset(rules.tags_all))


async def compute_electorate(
    session: AsyncSession,
    rules: Eligibility,
    default_unit: Unit,
    voting_unit: str,
    today: date,
) -> list[EligibleVoter]:
    """Everyone eligible now, in roll order, with their count key and area."""
    unit_ids = rules.units or [default_unit.id]
    paths = (await session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids)))).all()
    voters: list[EligibleVoter] = []
    seen: set[int] = set()
    for path in paths:
        rows = await session.execute(
            select(Resident, Household.area)
            .join(Unit, Unit.id == Resident.unit_id)
            .outerjoin(Household, Household.id == Resident.household_id)
            .where(Unit.path.startswith(path))
            .order_by(Resident.id)
        )
        for resident, household_area in rows:
            if resident.id in seen or not matches(rules, resident, today):
                continue
            seen.add(resident.id)
            if voting_unit == "household" and resident.household_id is not None:
                key, area = f"h{resident.household_id}", household_area
            else:
                key, area = (
                    f"r{resident.id}",
                    resident.area if resident.area is not None else household_area,
                )
            voters.append(EligibleVoter(resident.id, key, float(area or 0.0)))
    return voters


def electorate_totals(voters: list[EligibleVoter]) -> tuple[int, float]:
    """(number of voting units, their total area): each person or household counted once."""
    areas: dict[str, float] = {}
    for voter in voters:
        areas.setdefault(voter.count_key, voter.area)
    return len(areas), round(sum(areas.values()), 2)
