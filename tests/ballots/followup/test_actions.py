"""Follow-up actions: status moves, overdue arithmetic on a given Beijing date, the subtree's
overdue list, owners from the unit's organisations only, audited and on the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.coordination.agreements import add_agreement
from ballots.errors import InvalidInput, NotFound, OutsideUnit
from ballots.followup.actions import (
    beijing_today,
    create_action,
    days_overdue,
    overdue,
    overdue_actions,
    set_progress,
    set_status,
)
from ballots.matters import create_matter, timeline
from ballots.models import AuditEntry
from ballots.organisations import add_organisation
from tests.ballots.factories import ADMIN, build_world

TODAY = date(2026, 3, 10)


async def _coordination(session: AsyncSession, unit_id: int) -> int:
    matter = await create_matter(
        session, ADMIN, unit_id=unit_id, kind="coordination", title="动迁补偿协调"
    )
    await session.commit()
    return matter.id


def test_today_is_the_date_in_beijing() -> None:
    # 17:00 UTC on the 9th is already 01:00 on the 10th in Beijing.
    assert beijing_today(datetime(2026, 3, 9, 17, 0, tzinfo=UTC)) == TODAY
    assert beijing_today(datetime(2026, 3, 9, 15, 59, tzinfo=UTC)) == date(2026, 3, 9)


async def test_status_moves_and_overdue_arithmetic(session: AsyncSession) -> None:
    world = await build_world(session)
    matter_id = await _coordination(session, world.area_id)
    agreement = await add_agreement(session, ADMIN, matter_id, "公司按新标准补偿")
    late = await create_action(
        session,
        ADMIN,
        kind="agreement",
        agreement_id=agreement.id,
        title="公布补偿细则",
        owner="动迁公司",
        due_on=date(2026, 3, 7),
    )
    due_today = await create_action(
        session,
        ADMIN,
        kind="milestone",
        matter_id=matter_id,
        title="签约过半",
        owner="居委会",
        due_on=TODAY,
    )
    undated = await create_action(
        session, ADMIN, kind="milestone", matter_id=matter_id, title="搬迁", owner="居委会"
    )
    await session.commit()
    assert late.matter_id == matter_id and late.status == "open"
    assert overdue([late, due_today, undated], TODAY) == [late]
    assert days_overdue(late, TODAY) == 3 and days_overdue(due_today, TODAY) == 0
    assert overdue([due_today], date(2026, 3, 11)) == [due_today]

    await set_status(session, ADMIN, late.id, "in_progress")
    with pytest.raises(InvalidInput):
        await set_status(session, ADMIN, late.id, "in_progress")
    with pytest.raises(InvalidInput):
        await set_status(session, ADMIN, late.id, "finished")
    done = await set_status(
        session, ADMIN, late.id, "done", now=datetime(2026, 3, 10, 2, tzinfo=UTC)
    )
    assert done.done_at == datetime(2026, 3, 10, 2, tzinfo=UTC)
    assert overdue([late], TODAY) == []
    await set_status(session, ADMIN, late.id, "in_progress")  # reopened
    assert late.done_at is None and overdue([late], TODAY) == [late]

    await set_progress(session, ADMIN, due_today.id, 40)
    assert due_today.progress == 40 and due_today.status == "in_progress"
    with pytest.raises(InvalidInput):
        await set_progress(session, ADMIN, due_today.id, 101)
    with pytest.raises(InvalidInput):
        await set_progress(session, ADMIN, late.id, 50)  # not a milestone
    await session.commit()

    kinds = [event.kind for event in await timeline(session, matter_id)]
    assert kinds.count("action.created") == 3 and kinds.count("action.status") == 3
    assert "agreement" in kinds and "action.progress" in kinds
    audited = list(await session.scalars(select(AuditEntry.action)))
    assert audited.count("action.status") == 3 and audited.count("action.create") == 3


async def test_overdue_list_covers_the_subtree_only(session: AsyncSession) -> None:
    world = await build_world(session)
    here = await _coordination(session, world.area_id)
    there = await _coordination(session, world.other_area_id)
    for matter_id, due in ((here, date(2026, 3, 1)), (there, date(2026, 3, 5))):
        await create_action(
            session,
            ADMIN,
            kind="milestone",
            matter_id=matter_id,
            title="清理楼道",
            owner="物业",
            due_on=due,
        )
    await session.commit()
    street = [row.days for row in await overdue_actions(session, "/", TODAY)]
    assert street == [9, 5]
    area = await overdue_actions(
        session, f"/{world.district_id}/{world.street_id}/{world.area_id}/", TODAY
    )
    assert [(row.days, row.matter_id, row.unit_name) for row in area] == [(9, here, "茂名居民区")]
    assert await overdue_actions(session, "/", date(2026, 3, 1)) == []


async def test_owner_organisation_from_the_unit_tree_only(session: AsyncSession) -> None:
    world = await build_world(session)
    matter_id = await _coordination(session, world.area_id)
    street_office = await add_organisation(
        session, ADMIN, unit_id=world.street_id, name="街道房管办"
    )
    elsewhere = await add_organisation(
        session, ADMIN, unit_id=world.other_area_id, name="思南物业", kind="property"
    )
    await session.commit()
    action = await create_action(
        session,
        ADMIN,
        kind="milestone",
        matter_id=matter_id,
        title="出具方案",
        organisation_id=street_office.id,
    )
    assert action.owner == "街道房管办" and action.organisation_id == street_office.id
    with pytest.raises(NotFound):
        await create_action(
            session,
            ADMIN,
            kind="milestone",
            matter_id=matter_id,
            title="出具方案",
            organisation_id=elsewhere.id,
        )
    with pytest.raises(InvalidInput):  # nobody responsible
        await create_action(session, ADMIN, kind="milestone", matter_id=matter_id, title="x")
    with pytest.raises(InvalidInput):  # an agreement's action needs an agreement
        await create_action(
            session, ADMIN, kind="agreement", matter_id=matter_id, title="x", owner="y"
        )
    other_chair = Actor(
        name="思南书记",
        role="area_chair",
        unit_path=f"/{world.district_id}/{world.street_id}/{world.other_area_id}/",
        chair_id=None,
    )
    with pytest.raises(OutsideUnit):
        await set_status(session, other_chair, action.id, "done")
    with pytest.raises(OutsideUnit):
        await create_action(
            session, other_chair, kind="milestone", matter_id=matter_id, title="x", owner="y"
        )
