"""Small, readable worlds for the domain tests: a unit tree, a roll, matters and ballots.

:func:`build_world` creates 卢湾区 → 瑞金二路街道 → two residential areas and imports a roll of
three households (1–3 members) into 茂名居民区 and one household into 思南居民区. Everything is
committed, and only plain ids are kept, so tests can keep using them after a failed cast has
rolled the session back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.access import Actor, operator
from ballots.eligibility import Eligibility
from ballots.invitations import issue_invitations
from ballots.lifecycle import BallotDraft, create_ballot, open_ballot
from ballots.matters import create_matter
from ballots.models import Household, Resident
from ballots.roll import import_roll, parse_roster
from ballots.units import create_unit

KEY = b"test-service-secret-key-0123456789"
BASE_URL = "https://vote.example.org"
ADMIN: Actor = operator("test")

HEADER = "编号,姓名,楼栋,门牌,户号,身份,出生年份,专有面积,标签\n"

# 茂名居民区: household 3-101 has three members (one a child), 3-202 one, 5-301 two.
MAOMING_ROSTER = HEADER + (
    "M01,张建国,3,101,3-101,业主,1948,85.5,党员、楼组长\n"
    "M02,李秀英,3,101,3-101,业主,1951,85.5,\n"
    "M03,张小明,3,101,3-101,业主,2015,85.5,\n"
    "M04,王海燕,3,202,3-202,租户,1975,60,楼组长\n"
    "M05,赵志强,5,301,5-301,来沪人员,1988,62,新上海人、党员\n"
    "M06,钱芳,5,301,5-301,业主,1990,62,\n"
)
MAOMING_AREA = 85.5 + 60 + 62  # each household's exclusive floor area, once

# 思南居民区: one household of one.
SINAN_ROSTER = HEADER + "S01,孙丽,1,101,1-101,业主,1960,70,\n"


@dataclass
class World:
    """Ids of everything :func:`build_world` made."""

    district_id: int
    street_id: int
    area_id: int
    other_area_id: int
    matter_id: int
    residents: dict[str, int] = field(default_factory=dict)
    """Roster 编号 → resident id, for both areas."""
    households: dict[str, int] = field(default_factory=dict)
    """户号 → household id, for both areas."""

    def rid(self, external_id: str) -> int:
        return self.residents[external_id]


async def import_roster(
    session: AsyncSession, unit_id: int, text: str, actor: Actor = ADMIN
) -> None:
    """Parse and import a roster CSV into ``unit_id`` and commit, as the CLI does."""
    rows = parse_roster(text.encode("utf-8"), "roster.csv")
    await import_roll(session, actor, unit_id, rows, dry_run=False)
    await session.commit()


async def refresh_ids(session: AsyncSession, world: World) -> None:
    """Reload the external-id → id maps after an import."""
    residents = await session.execute(select(Resident.external_id, Resident.id))
    world.residents = {k: v for k, v in residents.all()}
    households = await session.execute(select(Household.external_id, Household.id))
    world.households = {k: v for k, v in households.all()}


async def build_world(session: AsyncSession) -> World:
    """The unit tree, both rolls and one matter in 茂名居民区; committed."""
    district = await create_unit(session, ADMIN, name="卢湾区", code="luwan", level="district")
    street = await create_unit(
        session, ADMIN, name="瑞金二路街道", code="ruijin2", level="street", parent_id=district.id
    )
    area = await create_unit(
        session, ADMIN, name="茂名居民区", code="maoming", level="area", parent_id=street.id
    )
    other = await create_unit(
        session, ADMIN, name="思南居民区", code="sinan", level="area", parent_id=street.id
    )
    matter = await create_matter(
        session, ADMIN, unit_id=area.id, kind="practical", title="2024年实事项目"
    )
    await session.commit()
    world = World(
        district_id=district.id,
        street_id=street.id,
        area_id=area.id,
        other_area_id=other.id,
        matter_id=matter.id,
    )
    await import_roster(session, area.id, MAOMING_ROSTER)
    await import_roster(session, other.id, SINAN_ROSTER)
    await refresh_ids(session, world)
    return world


def option(option_id: str, label: str = "", **extra: object) -> tally.Option:
    return msgspec.convert({"id": option_id, "label": label or option_id, **extra}, tally.Option)


def single(question_id: str = "q1", options: tuple[str, ...] = ("a", "b", "c")) -> tally.Question:
    """A single-choice question with options ``options``."""
    return tally.Question(
        id=question_id,
        kind="single",
        prompt="选哪一个？",
        options=[option(o) for o in options],
    )


def draft(
    *questions: tally.Question,
    title: str = "加装电梯方案",
    revoting: bool = False,
    voting_unit: str = "person",
    eligibility: Eligibility | None = None,
) -> BallotDraft:
    """A ballot draft; one single-choice question ``q1`` (a/b/c) unless questions are given."""
    return msgspec.convert(
        {
            "title": title,
            "questions": msgspec.to_builtins(list(questions) or [single()]),
            "revoting": revoting,
            "voting_unit": voting_unit,
            "eligibility": msgspec.to_builtins(eligibility or Eligibility()),
        },
        BallotDraft,
    )


async def new_ballot(
    session: AsyncSession, world: World, ballot_draft: BallotDraft | None = None
) -> int:
    """Create a draft ballot on the world's matter; commit; return its id."""
    ballot = await create_ballot(session, ADMIN, world.matter_id, ballot_draft or draft())
    await session.commit()
    return ballot.id


async def issue(session: AsyncSession, ballot_id: int) -> dict[int, str]:
    """Issue invitations; commit; return resident id → credential for those newly issued."""
    invitations = await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id)
    await session.commit()
    return {invitation.resident_id: invitation.credential for invitation in invitations}


async def open_with_credentials(
    session: AsyncSession, world: World, ballot_draft: BallotDraft | None = None
) -> tuple[int, dict[int, str]]:
    """Create and open a ballot and issue every credential; return (ballot id, credentials)."""
    ballot_id = await new_ballot(session, world, ballot_draft)
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    return ballot_id, await issue(session, ballot_id)
