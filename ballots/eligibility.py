"""Eligibility rules over the roll, and computing a ballot's electorate from them.

A rule set is a conjunction: a resident is eligible when every given condition holds. Each list
condition matches when any of its values does. The voting unit then groups eligible residents
into persons or households ("one vote per household").

Owners' ballots (weighted by area, Civil Code art. 278) count owners, not residents: an owner of
several flats is one head with the summed exclusive area, and a flat's co-owners are one head
(Supreme People's Court interpretation on building ownership, 2009, art. 9: one flat counts as
one owner, and one buyer of several flats counts as one). Owners linked through shared flats form
one head, whose count key is ``o<smallest flat id>`` and whose area is the sum of its flats'.
A resident who owns nothing but lives in an owned flat (a tenant, a child) shares that flat's head,
so the flat's area is never counted twice; the eligibility rules (``roles: [owner]`` for an
owners' decision) decide whether they may vote at all. Residents of flats without an owner on the
roll keep the person or household count.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import N_
from ballots.models import Elector, Flat, Household, Ownership, Resident, Unit
from ballots.models.bounds import Id, ShortText
from ballots.models.roll import RESIDENT_ROLES


class Eligibility(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Who may vote. Empty lists mean "no restriction".

    ``units``: unit ids whose subtrees are included (default: the matter's unit);
    ``buildings``: building names (楼栋); ``roles``: owner/tenant/migrant;
    ``min_age``: minimum age in years, counted by year of birth;
    ``tags_any``/``tags_all``: roll tags; ``electorate_of``: exactly the electorate of that
    ballot as it was frozen when it opened (a runoff's), instead of the other rules.
    """

    units: list[Id] = msgspec.field(default_factory=list)
    buildings: list[ShortText] = msgspec.field(default_factory=list)
    roles: list[ShortText] = msgspec.field(default_factory=list)
    min_age: int | None = None
    tags_any: list[ShortText] = msgspec.field(default_factory=list)
    tags_all: list[ShortText] = msgspec.field(default_factory=list)
    electorate_of: Id | None = None

    def problems(self) -> list[tuple[str, dict[str, Any]]]:
        """What is wrong with the rule set, as message ids with their parameters (empty when
        fine)."""
        found: list[tuple[str, dict[str, Any]]] = [
            (N_("There is no resident role called {role!r}."), {"role": role})
            for role in self.roles
            if role not in RESIDENT_ROLES
        ]
        if self.min_age is not None and not 0 <= self.min_age <= 150:
            found.append((N_("The minimum age must be from 0 to 150."), {}))
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


class OwnerHead(msgspec.Struct, frozen=True):
    """One head of owners under art. 278: its count key, its flats and their summed area."""

    key: str
    flat_ids: tuple[int, ...]
    area: float


class OwnerHeads(msgspec.Struct, frozen=True):
    """Owner heads by owning resident, and by flat (unit id, 户号)."""

    by_owner: dict[int, OwnerHead]
    by_flat: dict[tuple[int, str], OwnerHead]


async def owner_heads(session: AsyncSession, paths: list[str]) -> OwnerHeads:
    """The owner head of every resident who owns a flat in the units under ``paths``, and of
    every owned flat.

    Owners and flats linked by ownership form one head (a union-find over the ownerships).
    """
    if not paths:
        return OwnerHeads({}, {})
    rows = (
        await session.execute(
            select(Ownership.resident_id, Flat.id, Flat.area, Flat.unit_id, Flat.external_id)
            .join(Flat, Flat.id == Ownership.flat_id)
            .join(Unit, Unit.id == Flat.unit_id)
            .where(or_(*(Unit.path.startswith(path) for path in paths)))
        )
    ).all()
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    areas: dict[int, float] = {}
    for resident_id, flat_id, area, _, _ in rows:
        areas[flat_id] = float(area or 0.0)
        parent[find(f"r{resident_id}")] = find(f"f{flat_id}")
    flats_of: dict[str, list[int]] = {}
    for flat_id in areas:
        flats_of.setdefault(find(f"f{flat_id}"), []).append(flat_id)
    heads: dict[str, OwnerHead] = {}
    for root, flat_ids in flats_of.items():
        ordered = tuple(sorted(flat_ids))
        heads[root] = OwnerHead(
            key=f"o{ordered[0]}",
            flat_ids=ordered,
            area=round(sum(areas[flat_id] for flat_id in ordered), 2),
        )
    return OwnerHeads(
        by_owner={row[0]: heads[find(f"r{row[0]}")] for row in rows},
        by_flat={(row[3], row[4]): heads[find(f"f{row[1]}")] for row in rows},
    )


async def compute_electorate(
    session: AsyncSession,
    rules: Eligibility,
    default_unit: Unit,
    voting_unit: str,
    today: date,
    *,
    weighting: str = "none",
) -> list[EligibleVoter]:
    """Everyone eligible now, in roll order, with their count key and area.

    With ``weighting="area"`` (owners' decisions) an owner's key and area are their owner head's
    (see the module docstring).
    """
    if rules.electorate_of is not None:
        return await frozen_electorate(session, rules.electorate_of)
    unit_ids = rules.units or [default_unit.id]
    paths = list((await session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids)))).all())
    heads = await owner_heads(session, paths) if weighting == "area" else OwnerHeads({}, {})
    voters: list[EligibleVoter] = []
    seen: set[int] = set()
    for path in paths:
        rows = await session.execute(
            select(Resident, Household.area, Household.external_id)
            .join(Unit, Unit.id == Resident.unit_id)
            .outerjoin(Household, Household.id == Resident.household_id)
            .where(Unit.path.startswith(path))
            .order_by(Resident.id)
        )
        for resident, household_area, home in rows:
            if resident.id in seen or not matches(rules, resident, today):
                continue
            seen.add(resident.id)
            head = heads.by_owner.get(resident.id) or heads.by_flat.get((resident.unit_id, home))
            area: float | None
            if head is not None:
                key, area = head.key, head.area
            elif voting_unit == "household" and resident.household_id is not None:
                key, area = f"h{resident.household_id}", household_area
            else:
                key, area = (
                    f"r{resident.id}",
                    resident.area if resident.area is not None else household_area,
                )
            voters.append(EligibleVoter(resident.id, key, float(area or 0.0)))
    return voters


async def frozen_electorate(session: AsyncSession, ballot_id: int) -> list[EligibleVoter]:
    """The electorate another ballot froze when it opened: the same people, keys and areas."""
    rows = await session.execute(
        select(Elector.resident_id, Elector.count_key, Elector.weight)
        .where(Elector.ballot_id == ballot_id)
        .order_by(Elector.resident_id)
    )
    return [EligibleVoter(rid, key, float(weight or 0.0)) for rid, key, weight in rows]


def electorate_totals(voters: list[EligibleVoter]) -> tuple[int, float]:
    """(number of voting units, their total area): each person or household counted once."""
    areas: dict[str, float] = {}
    for voter in voters:
        areas.setdefault(voter.count_key, voter.area)
    return len(areas), round(sum(areas.values()), 2)
