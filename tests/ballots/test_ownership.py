"""Property ownership and Civil Code art. 278: an owner of two flats is one head with the summed
area, a flat's co-owners are one head, and the count matches a table worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.casting import cast_ballot
from ballots.eligibility import Eligibility
from ballots.errors import HouseholdAlreadyVoted
from ballots.lifecycle import BallotDraft, close_ballot, create_ballot, get_ballot, open_ballot
from ballots.matters import create_matter
from ballots.models import Elector, Flat, Ownership, Resident
from ballots.roll import RosterHasErrors, import_roll, parse_roster
from ballots.units import create_unit
from tally.spec import yesno_options
from tests.ballots.factories import ADMIN, build_world, import_roster, issue

# 甲 lives in 1-101 and also owns 1-102, let to 乙; 丙 and 丁 co-own their home 2-201;
# 戊 owns their home 2-202 and the empty flat 3-301 (nobody lives there: area in brackets);
# 己 rents 2-203, whose owner is not on this roll.
ROSTER = (
    "编号,姓名,楼栋,门牌,户号,身份,专有面积,产权房屋\n"
    "O1,甲,1,101,1-101,业主,80,1-101、1-102\n"
    "O2,乙,1,102,1-102,租户,70,\n"
    "O3,丙,2,201,2-201,业主,100,\n"
    "O4,丁,2,201,2-201,业主,100,\n"
    "O5,戊,2,202,2-202,业主,90,2-202；3-301（50）\n"
    "O6,己,2,203,2-203,租户,60,\n"
)

# The hand-made table: one head per owner group, the summed exclusive area of its flats.
HEADS = {
    frozenset({"O1"}): 80 + 70,
    frozenset({"O3", "O4"}): 100,
    frozenset({"O5"}): 90 + 50,
}


async def owners_world(session: AsyncSession, roster: str = ROSTER) -> tuple[int, int]:
    """A residential area holding ``roster`` and a matter there; (area id, matter id)."""
    world = await build_world(session)
    area = await create_unit(
        session, ADMIN, name="业主小区", code="owners", level="area", parent_id=world.street_id
    )
    matter = await create_matter(session, ADMIN, unit_id=area.id, kind="hearing", title="平改坡")
    await session.commit()
    await import_roster(session, area.id, roster)
    return area.id, matter.id


def owners_draft(major: bool = False) -> BallotDraft:
    rule: dict[str, object] = {"name": "dual_threshold", "major": major}
    question = tally.Question(
        id="roof",
        kind="yesno",
        prompt="使用维修资金做平改坡？",
        options=yesno_options("同意", "不同意", "弃权"),
        rule=rule,
    )
    return msgspec.convert(
        {
            "title": "平改坡业主表决",
            "questions": msgspec.to_builtins([question]),
            "weighting": "area",
            "eligibility": {"roles": ["owner"]},
        },
        BallotDraft,
    )


async def test_the_roster_records_flats_and_owners(session: AsyncSession) -> None:
    area_id, _ = await owners_world(session)
    flats = {
        f.external_id: (f.building, f.room, f.area)
        for f in await session.scalars(select(Flat).where(Flat.unit_id == area_id))
    }
    assert flats == {
        "1-101": ("1", "101", 80.0),
        "1-102": ("1", "102", 70.0),
        "2-201": ("2", "201", 100.0),
        "2-202": ("2", "202", 90.0),
        "2-203": ("2", "203", 60.0),
        "3-301": ("", "", 50.0),
    }
    owned = (
        await session.execute(
            select(Resident.external_id, Flat.external_id)
            .join(Ownership, Ownership.resident_id == Resident.id)
            .join(Flat, Flat.id == Ownership.flat_id)
            .where(Flat.unit_id == area_id)
        )
    ).all()
    assert sorted(owned) == [
        ("O1", "1-101"),
        ("O1", "1-102"),
        ("O3", "2-201"),
        ("O4", "2-201"),
        ("O5", "2-202"),
        ("O5", "3-301"),
    ]


async def test_reimporting_the_same_roster_changes_no_ownership(session: AsyncSession) -> None:
    area_id, _ = await owners_world(session)
    rows = parse_roster(ROSTER.encode(), "r.csv")
    report = await import_roll(session, ADMIN, area_id, rows, dry_run=True)
    assert report.counts["updated"] == 0
    assert report.counts["flats_added"] == report.counts["flats_updated"] == 0


async def test_owners_electorate_is_one_head_per_owner_with_summed_area(
    session: AsyncSession,
) -> None:
    _, matter_id = await owners_world(session)
    ballot = await create_ballot(session, ADMIN, matter_id, owners_draft())
    await open_ballot(session, ADMIN, ballot.id)
    await session.commit()
    ballot = await get_ballot(session, ballot.id)
    assert ballot.electorate_size == len(HEADS) == 3
    assert ballot.electorate_area == pytest.approx(sum(HEADS.values())) == 390
    electors = (
        await session.execute(
            select(Resident.external_id, Elector.count_key, Elector.weight)
            .join(Elector, Elector.resident_id == Resident.id)
            .where(Elector.ballot_id == ballot.id)
        )
    ).all()
    by_key: dict[str, set[str]] = {}
    for external_id, key, weight in electors:
        by_key.setdefault(key, set()).add(external_id)
        [area] = [a for group, a in HEADS.items() if external_id in group]
        assert weight == pytest.approx(area)
    assert {frozenset(group) for group in by_key.values()} == set(HEADS)


async def test_a_person_ballot_still_counts_residents(session: AsyncSession) -> None:
    _, matter_id = await owners_world(session)
    draft = msgspec.structs.replace(owners_draft(), weighting="none", eligibility=Eligibility())
    draft = msgspec.structs.replace(
        draft,
        questions=[msgspec.structs.replace(draft.questions[0], rule={"name": "plurality"})],
    )
    ballot = await create_ballot(session, ADMIN, matter_id, draft)
    await open_ballot(session, ADMIN, ballot.id)
    await session.commit()
    assert (await get_ballot(session, ballot.id)).electorate_size == 6


async def test_the_count_matches_the_hand_made_table(session: AsyncSession) -> None:
    """甲 (150 m²) and the co-owners 丙/丁 (100 m²) approve, 戊 (140 m²) refuses.

    Participation: 3 of 3 heads, 390 of 390 m². Approval: heads 2/3 > 1/2; area 250/390 > 1/2:
    passed as a general matter; as a major matter (≥ 3/4) area 0.64 and heads 0.67 fail.
    """
    area_id, matter_id = await owners_world(session)
    ids = dict(
        (
            await session.execute(
                select(Resident.external_id, Resident.id).where(Resident.unit_id == area_id)
            )
        ).all()
    )
    for major, outcome in ((False, "passed"), (True, "rejected")):
        ballot_id = (await create_ballot(session, ADMIN, matter_id, owners_draft(major))).id
        await open_ballot(session, ADMIN, ballot_id)
        await session.commit()
        codes = await issue(session, ballot_id)
        key = b"test-service-secret-key-0123456789"
        await cast_ballot(session, key, ballot_id, codes[ids["O1"]], {"roof": ["yes"]})
        await cast_ballot(session, key, ballot_id, codes[ids["O3"]], {"roof": ["yes"]})
        with pytest.raises(HouseholdAlreadyVoted):  # 丁 co-owns 2-201 with 丙: one vote
            await cast_ballot(session, key, ballot_id, codes[ids["O4"]], {"roof": ["no"]})
        await cast_ballot(session, key, ballot_id, codes[ids["O5"]], {"roof": ["no"]})
        await close_ballot(session, ADMIN, ballot_id)
        await session.commit()
        result = json.loads((await get_ballot(session, ballot_id)).result or "{}")
        (question,) = result["questions"]
        checks = {c["name"]: (c["value"], c["base"], c["passed"]) for c in question["checks"]}
        assert checks["participation-heads"] == (3, 3, True)
        assert checks["participation-area"] == (390, 390, True)
        assert checks["approval-heads"] == (2, 3, not major)
        assert checks["approval-area"] == (250, 390, not major)
        assert question["outcome"] == outcome


async def test_the_documented_example_gives_the_documented_heads(session: AsyncSession) -> None:
    """docs/roster-format.md: 3 owners and 390 m² from docs/examples/roster-owners.csv."""
    example = Path(__file__).parents[2] / "docs" / "examples" / "roster-owners.csv"
    _, matter_id = await owners_world(session, example.read_text(encoding="utf-8-sig"))
    ballot_id = (await create_ballot(session, ADMIN, matter_id, owners_draft())).id
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert (ballot.electorate_size, ballot.electorate_area) == (3, 390)


def test_a_flat_not_in_the_file_needs_its_area() -> None:
    with pytest.raises(RosterHasErrors) as raised:
        parse_roster((ROSTER + "O7,庚,9,1,9-1,业主,5,9-901\n").encode(), "r.csv")
    [error] = raised.value.errors
    assert error.message == (
        "row 8, column 产权房屋: '9-901' is not a 户号 in this file; for a flat nobody in the "
        "file lives in, write its area in brackets, like 9-901(62)"
    )
    with pytest.raises(RosterHasErrors) as raised:
        parse_roster((ROSTER + "O7,庚,9,1,9-1,业主,5,3-301(51)\n").encode(), "r.csv")
    assert [e.code for e in raised.value.errors] == ["area-conflict"]


async def test_a_tenant_shares_the_head_of_the_flat_they_live_in(session: AsyncSession) -> None:
    """Without an owners-only rule, 乙 (tenant of 甲's 1-102) joins 甲's head, so 1-102's area
    counts once; 己 rents 2-203, whose owner is not on the roll, and counts with its 60 m²."""
    _, matter_id = await owners_world(session)
    draft = msgspec.structs.replace(owners_draft(), eligibility=Eligibility())
    ballot_id = (await create_ballot(session, ADMIN, matter_id, draft)).id
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert (ballot.electorate_size, ballot.electorate_area) == (4, 390 + 60)
