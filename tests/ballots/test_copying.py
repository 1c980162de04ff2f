"""Copying a ballot to another unit: a new draft there, in any state of the source, keeping the
questions and rules, leaving out what belongs to the source's place and time (and saying so),
on a given matter of the target unit or a new one; only within the chair's units. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.access import Actor
from ballots.casting import cast_ballot
from ballots.copying import MatterNotInUnit, copy_ballot
from ballots.eligibility import Eligibility
from ballots.errors import NotFound, OutsideUnit, RoleNotAllowed
from ballots.lifecycle import (
    ballot_spec,
    close_ballot,
    create_ballot,
    get_ballot,
    move_ballot,
    open_ballot,
    publish_ballot,
)
from ballots.matters import create_matter, get_matter, timeline
from ballots.models import AuditEntry, Ballot, Matter
from ballots.runoff import create_runoff
from ballots.units import get_unit
from tests.ballots.factories import (
    ADMIN,
    KEY,
    SINAN_ROSTER,
    World,
    build_world,
    draft,
    import_roster,
    new_ballot,
    open_with_credentials,
    single,
)

EVALUATION = tally.Question(
    id="service",
    kind="rating",
    prompt="物业公司服务",
    options=[
        tally.Option(id="good", label="满意", score=3),
        tally.Option(id="fair", label="基本满意", score=2),
        tally.Option(id="poor", label="不满意", score=1),
    ],
)


def evaluation_draft(world: World, **rules: object) -> object:
    """An evaluation of the street's property service, with rules tied to 茂名居民区."""
    eligibility = Eligibility(
        units=[world.area_id],
        buildings=["3", "5"],
        roles=["owner", "tenant"],
        min_age=18,
        tags_any=["楼组长"],
        tags_all=[],
        **rules,  # type: ignore[arg-type]
    )
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    return msgspec.structs.replace(
        draft(EVALUATION, title="2026年物业服务评议", eligibility=eligibility),
        revoting=True,
        voting_unit="household",
        publish_participation=True,
        validity=tally.Validity(quorum="simple"),
        opens_at=tomorrow,
        closes_at=tomorrow + timedelta(hours=8),
    )


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def actor_at(session: AsyncSession, unit_id: int, role: str) -> Actor:
    unit = await get_unit(session, unit_id)
    return Actor(name=f"{role}@{unit.code}", role=role, unit_path=unit.path)


async def test_a_copy_to_another_area_is_a_new_draft_on_a_new_matter(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    source_id = await new_ballot(session, world, evaluation_draft(world))  # type: ignore[arg-type]
    source = await get_ballot(session, source_id)
    street_chair = await actor_at(session, world.street_id, "street_chair")

    done = await copy_ballot(session, street_chair, source_id, unit_id=world.other_area_id)
    await session.commit()

    copy = await get_ballot(session, done.ballot.id)
    assert copy.id != source_id
    assert copy.state == "draft"
    assert (copy.title, copy.revoting, copy.voting_unit) == (
        "2026年物业服务评议",
        True,
        "household",
    )
    assert copy.publish_participation
    assert ballot_spec(copy) == ballot_spec(source)
    assert copy.opens_at is None and copy.closes_at is None
    assert copy.eligibility == {"roles": ["owner", "tenant"], "min_age": 18, "tags_any": ["楼组长"]}

    # A new matter in the target unit, with the source matter's kind and title.
    matter = await get_matter(session, copy.matter_id)
    source_matter = await get_matter(session, world.matter_id)
    assert matter.id != source_matter.id
    assert (matter.unit_id, matter.kind, matter.title) == (
        world.other_area_id,
        source_matter.kind,
        source_matter.title,
    )
    assert done.matter.id == matter.id

    # What was left out, for the front ends to say.
    assert done.dropped.units == [world.area_id]
    assert done.dropped.buildings == ["3", "5"]
    assert done.dropped.electorate_of is None
    assert done.dropped.opens_at == source.opens_at
    assert done.dropped.closes_at == source.closes_at
    assert done.dropped.anything

    # The timeline says where the ballot came from; the audit log names the source.
    events = await timeline(session, matter.id)
    assert [event.kind for event in events] == ["created", "ballot_created", "ballot_copied"]
    assert events[-1].ballot_id == copy.id
    assert events[-1].payload["source_ballot"] == source_id
    assert events[-1].payload["source_unit"] == "茂名居民区"
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "ballot.copy"))
    assert entry is not None
    assert entry.target == f"ballot:{copy.id}"
    assert entry.unit_id == world.other_area_id
    assert entry.actor == street_chair.name
    assert entry.details["source_ballot"] == source_id
    assert entry.details["dropped"]["buildings"] == ["3", "5"]

    # The copy opens with the target area's roll: of 思南居民区 only its 楼组长 (of age) votes.
    await import_roster(
        session, world.other_area_id, SINAN_ROSTER + "S02,周红,2,201,2-201,租户,1970,50,楼组长\n"
    )
    opened = await open_ballot(session, street_chair, copy.id)
    await session.commit()
    assert opened.electorate_size == 1
    assert (await get_ballot(session, source_id)).state == "draft"  # the source is untouched


async def test_every_state_can_be_copied_and_the_copy_starts_afresh(session: AsyncSession) -> None:
    world = await build_world(session)
    draft_id = await new_ballot(session, world)
    open_id, credentials = await open_with_credentials(session, world)
    closed_id, codes = await open_with_credentials(session, world)
    for code in list(codes.values())[:3]:
        await cast_ballot(session, KEY, closed_id, code, {"q1": ["a"]})
    await close_ballot(session, ADMIN, closed_id)
    published_id, _ = await open_with_credentials(session, world)
    await close_ballot(session, ADMIN, published_id)
    await publish_ballot(session, ADMIN, published_id)
    cancelled_id = await new_ballot(session, world)
    await move_ballot(session, ADMIN, cancelled_id, "cancel", reason="重复建立")
    await session.commit()
    assert credentials

    for source_id in (draft_id, open_id, closed_id, published_id, cancelled_id):
        done = await copy_ballot(session, ADMIN, source_id, unit_id=world.other_area_id)
        await session.commit()
        copy = await get_ballot(session, done.ballot.id)
        assert copy.state == "draft", source_id
        assert copy.result is None and copy.electorate_size is None
        assert copy.log_size == 0 and copy.opened_at is None
        assert ballot_spec(copy).tie_seed == ""
        assert (
            ballot_spec(copy).questions
            == ballot_spec(await get_ballot(session, source_id)).questions
        )
        assert not done.dropped.anything


async def test_a_copy_goes_on_a_chosen_matter_of_the_target_unit(session: AsyncSession) -> None:
    world = await build_world(session)
    source_id = await new_ballot(session, world)
    target = await create_matter(
        session, ADMIN, unit_id=world.other_area_id, kind="evaluation", title="思南物业评议"
    )
    await session.commit()
    matters_before = await count(session, Matter)

    done = await copy_ballot(
        session, ADMIN, source_id, unit_id=world.other_area_id, matter_id=target.id
    )
    await session.commit()
    assert done.ballot.matter_id == target.id
    assert await count(session, Matter) == matters_before
    kinds = [event.kind for event in await timeline(session, target.id)]
    assert kinds == ["created", "ballot_created", "ballot_copied"]


async def test_a_matter_of_another_unit_is_refused_and_nothing_changes(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    source_id = await new_ballot(session, world)
    before = (await count(session, Ballot), await count(session, Matter))
    with pytest.raises(MatterNotInUnit) as refused:
        await copy_ballot(
            session, ADMIN, source_id, unit_id=world.other_area_id, matter_id=world.matter_id
        )
    assert refused.value.status == 422
    assert str(world.matter_id) in refused.value.detail
    await session.rollback()
    with pytest.raises(NotFound):
        await copy_ballot(session, ADMIN, source_id, unit_id=world.other_area_id, matter_id=99999)
    await session.rollback()
    with pytest.raises(NotFound):
        await copy_ballot(session, ADMIN, source_id, unit_id=99999)
    await session.rollback()
    with pytest.raises(NotFound):
        await copy_ballot(session, ADMIN, 99999, unit_id=world.other_area_id)
    await session.rollback()
    assert (await count(session, Ballot), await count(session, Matter)) == before
    assert (
        await session.scalar(select(AuditEntry).where(AuditEntry.action == "ballot.copy")) is None
    )


async def test_copying_within_the_same_unit_keeps_its_buildings_and_units(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    source_id = await new_ballot(session, world, evaluation_draft(world))  # type: ignore[arg-type]
    done = await copy_ballot(
        session, ADMIN, source_id, unit_id=world.area_id, matter_id=world.matter_id
    )
    await session.commit()
    assert done.ballot.eligibility["buildings"] == ["3", "5"]
    assert done.ballot.eligibility["units"] == [world.area_id]
    assert done.dropped.units == [] and done.dropped.buildings == []
    assert done.dropped.opens_at is not None  # the schedule is still left out


async def test_a_street_ballots_units_inside_the_target_are_kept(session: AsyncSession) -> None:
    world = await build_world(session)
    street_matter = await create_matter(
        session, ADMIN, unit_id=world.street_id, kind="practical", title="街道实事项目"
    )
    rules = Eligibility(units=[world.area_id, world.other_area_id])
    source = await create_ballot(session, ADMIN, street_matter.id, draft(eligibility=rules))
    await session.commit()
    done = await copy_ballot(session, ADMIN, source.id, unit_id=world.area_id)
    assert done.ballot.eligibility.get("units") == [world.area_id]
    assert done.dropped.units == [world.other_area_id]


async def test_a_runoffs_frozen_electorate_is_left_out(session: AsyncSession) -> None:
    world = await build_world(session)
    majority = msgspec.structs.replace(draft(), validity=tally.Validity(majority="valid"))
    first, codes = await open_with_credentials(session, world, majority)
    for code, choice in zip(codes.values(), ["a", "a", "b", "b", "c"], strict=False):
        await cast_ballot(session, KEY, first, code, {"q1": [choice]})
    await close_ballot(session, ADMIN, first)
    runoff = await create_runoff(session, ADMIN, first)
    await session.commit()
    done = await copy_ballot(session, ADMIN, runoff.id, unit_id=world.other_area_id)
    await session.commit()
    assert done.dropped.electorate_of == first
    assert "electorate_of" not in done.ballot.eligibility
    assert [o.id for o in ballot_spec(done.ballot).questions[0].options] == ["a", "b"]
    opened = await open_ballot(session, ADMIN, done.ballot.id)
    assert opened.electorate_size == 1  # 思南居民区's roll, not the first round's


async def test_only_within_the_chairs_units(session: AsyncSession) -> None:
    world = await build_world(session)
    source_id = await new_ballot(session, world, draft(single()))
    area_chair = await actor_at(session, world.area_id, "area_chair")
    sinan_chair = await actor_at(session, world.other_area_id, "area_chair")
    observer = await actor_at(session, world.street_id, "observer")
    before = await count(session, Ballot)

    with pytest.raises(OutsideUnit):  # the target is a sibling area
        await copy_ballot(session, area_chair, source_id, unit_id=world.other_area_id)
    await session.rollback()
    with pytest.raises(OutsideUnit):  # the source is in a sibling area
        await copy_ballot(session, sinan_chair, source_id, unit_id=world.other_area_id)
    await session.rollback()
    with pytest.raises(OutsideUnit):  # up to the street is outside an area chair's units
        await copy_ballot(session, area_chair, source_id, unit_id=world.street_id)
    await session.rollback()
    with pytest.raises(RoleNotAllowed):
        await copy_ballot(session, observer, source_id, unit_id=world.area_id)
    await session.rollback()
    assert await count(session, Ballot) == before

    # Within their own area, an area chair may copy (to the same unit).
    done = await copy_ballot(session, area_chair, source_id, unit_id=world.area_id)
    await session.commit()
    assert done.ballot.state == "draft"
    assert await count(session, Ballot) == before + 1
