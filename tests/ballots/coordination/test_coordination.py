"""Coordination: parties (residents' side or an organisation of the unit tree), issues, each
party's position, agreements on the matter's own issues and meetings; scoped and audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.coordination.agreements import add_agreement, agreements_of
from ballots.coordination.issues import add_issue, issues_of, positions_of, set_position
from ballots.coordination.parties import add_party, parties_of, remove_party
from ballots.errors import DuplicateName, InvalidInput, NotFound
from ballots.matters import create_matter, timeline
from ballots.meetings.meetings import create_meeting
from ballots.models import AuditEntry
from ballots.organisations import add_organisation
from tests.ballots.factories import ADMIN, build_world


async def test_parties_issues_positions_and_agreements(session: AsyncSession) -> None:
    world = await build_world(session)
    matter = await create_matter(
        session, ADMIN, unit_id=world.area_id, kind="coordination", title="动迁补偿协调"
    )
    company = await add_organisation(
        session,
        ADMIN,
        unit_id=world.street_id,
        name="上海某动迁公司",
        kind="company",
        contact_name="吴经理",
        contact_phone="13800000000",
    )
    elsewhere = await add_organisation(
        session, ADMIN, unit_id=world.other_area_id, name="思南物业", kind="property"
    )
    await session.commit()
    residents = await add_party(session, ADMIN, matter.id, name="3号楼居民代表", contact="张建国")
    firm = await add_party(session, ADMIN, matter.id, organisation_id=company.id)
    assert (firm.name, firm.contact, firm.organisation_id) == (
        "上海某动迁公司",
        "吴经理",
        company.id,
    )
    with pytest.raises(NotFound):  # another area's organisation is not offered here
        await add_party(session, ADMIN, matter.id, organisation_id=elsewhere.id)
    with pytest.raises(DuplicateName):
        await add_party(session, ADMIN, matter.id, organisation_id=company.id)
    with pytest.raises(InvalidInput):
        await add_party(session, ADMIN, matter.id, name="  ")

    issue = await add_issue(session, ADMIN, matter.id, "补偿标准")
    await set_position(session, ADMIN, issue.id, residents.id, "按市场价补偿")
    await set_position(session, ADMIN, issue.id, firm.id, "按2019年标准")
    await set_position(session, ADMIN, issue.id, firm.id, "按2019年标准上浮10%")
    positions = await positions_of(session, matter.id)
    assert positions[(issue.id, firm.id)].text == "按2019年标准上浮10%" and len(positions) == 2

    meeting = await create_meeting(
        session,
        ADMIN,
        matter_id=matter.id,
        title="第一次协调会",
        starts_at=datetime(2026, 3, 1, 6, tzinfo=UTC),
    )
    agreement = await add_agreement(
        session, ADMIN, matter.id, "按2019年标准上浮15%", issue_id=issue.id, meeting_id=meeting.id
    )
    await session.commit()
    assert [a.id for a in await agreements_of(session, matter.id)] == [agreement.id]
    assert [i.title for i in await issues_of(session, matter.id)] == ["补偿标准"]

    other = await create_matter(
        session, ADMIN, unit_id=world.area_id, kind="coordination", title="停车协调"
    )
    with pytest.raises(NotFound):  # an issue of another matter
        await add_agreement(session, ADMIN, other.id, "x", issue_id=issue.id)
    with pytest.raises(NotFound):  # a meeting of another matter
        await add_agreement(session, ADMIN, other.id, "x", meeting_id=meeting.id)
    with pytest.raises(InvalidInput):  # parties belong to coordination matters
        await add_party(session, ADMIN, world.matter_id, name="居民")

    await set_position(session, ADMIN, issue.id, residents.id, "")
    await remove_party(session, ADMIN, firm.id)
    await session.commit()
    assert await positions_of(session, matter.id) == {}
    assert [p.name for p in await parties_of(session, matter.id)] == ["3号楼居民代表"]
    kinds = [event.kind for event in await timeline(session, matter.id)]
    assert kinds.count("party.added") == 2 and "agreement" in kinds and "party.removed" in kinds
    audited = list(await session.scalars(select(AuditEntry.action)))
    assert {"party.add", "issue.add", "position.set", "agreement.add"} <= set(audited)
