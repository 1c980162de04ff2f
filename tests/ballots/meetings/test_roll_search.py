"""Finding someone on a meeting's roll for check-in by hand: only the roll, every word matched
(name, building, room or household number), natural order, presence shown, results limited,
never a credential."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import InvalidInput, NotFound, OutsideUnit
from ballots.matters import create_matter
from ballots.meetings.checkin import check_in_at_door
from ballots.meetings.meetings import create_meeting
from ballots.meetings.roll_search import QUERY_MAX, RollEntry, search_roll
from tests.ballots.factories import ADMIN, HEADER, KEY, import_roster
from tests.ballots.meetings.world import START, meeting_world

NOW = START + timedelta(minutes=5)


def names(found: list[RollEntry]) -> list[str]:
    return [entry.name for entry in found]


async def test_the_whole_roll_in_natural_order_without_the_children(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    found = await search_roll(session, ADMIN, w.meeting_id)
    assert names(found.entries) == ["张建国", "李秀英", "王海燕", "赵志强", "钱芳"]
    assert [(e.building, e.room) for e in found.entries][2] == ("3", "202")
    assert not found.more


async def test_every_word_must_match_a_name_building_or_room(session: AsyncSession) -> None:
    w = await meeting_world(session)
    assert names((await search_roll(session, ADMIN, w.meeting_id, "张")).entries) == ["张建国"]
    both = await search_roll(session, ADMIN, w.meeting_id, " 5  301 ")
    assert names(both.entries) == ["赵志强", "钱芳"]
    assert names((await search_roll(session, ADMIN, w.meeting_id, "5 钱")).entries) == ["钱芳"]
    household = await search_roll(session, ADMIN, w.meeting_id, "3-101")  # the 户号
    assert names(household.entries) == ["张建国", "李秀英"]
    assert (await search_roll(session, ADMIN, w.meeting_id, "孙丽")).entries == []  # 思南
    assert (await search_roll(session, ADMIN, w.meeting_id, "%")).entries == []
    assert (await search_roll(session, ADMIN, w.meeting_id, "_")).entries == []


async def test_who_is_present_is_shown(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M04"), now=NOW
    )
    await session.commit()
    found = await search_roll(session, ADMIN, w.meeting_id, "王海燕")
    (entry,) = found.entries
    assert entry.present_at == NOW and entry.method == "hand"
    others = await search_roll(session, ADMIN, w.meeting_id, "张建国")
    assert others.entries[0].present_at is None


async def test_results_are_limited_and_say_there_are_more(session: AsyncSession) -> None:
    w = await meeting_world(session)
    found = await search_roll(session, ADMIN, w.meeting_id, "3", limit=2)
    assert names(found.entries) == ["张建国", "李秀英"] and found.more
    with pytest.raises(InvalidInput):
        await search_roll(session, ADMIN, w.meeting_id, limit=0)
    with pytest.raises(InvalidInput):
        await search_roll(session, ADMIN, w.meeting_id, "张" * (QUERY_MAX + 1))


async def test_a_meeting_without_ballots_takes_its_units_roll_in_natural_order(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    await import_roster(
        session,
        w.world.other_area_id,
        HEADER
        + "S02,周红,10号楼,1001,10-1001,业主,1970,50,\nS03,吴刚,2号楼,201,2-201,业主,1971,40,\n",
    )
    matter = await create_matter(
        session, ADMIN, unit_id=w.world.other_area_id, kind="coordination", title="停车协调"
    )
    meeting = await create_meeting(
        session, ADMIN, matter_id=matter.id, title="停车协调会", starts_at=START
    )
    await session.commit()
    found = await search_roll(session, ADMIN, meeting.id)
    assert names(found.entries) == ["孙丽", "吴刚", "周红"]  # 1, 2号楼, 10号楼


async def test_never_a_credential_or_phone(session: AsyncSession) -> None:
    w = await meeting_world(session)
    found = await search_roll(session, ADMIN, w.meeting_id)
    fields = set(msgspec.structs.asdict(found.entries[0]))
    assert fields == {"resident_id", "name", "building", "room", "present_at", "method"}
    encoded = msgspec.json.encode(found).decode()
    assert not any(credential in encoded for credential in w.credentials.values())


async def test_only_a_chair_of_the_unit_may_search(session: AsyncSession) -> None:
    w = await meeting_world(session)
    stranger = Actor(name="思南主任", role="area_chair", unit_path="/1/2/4/", chair_id=None)
    with pytest.raises(OutsideUnit):
        await search_roll(session, stranger, w.meeting_id, "张")
    with pytest.raises(NotFound):
        await search_roll(session, ADMIN, 999_999)
