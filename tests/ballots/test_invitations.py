"""Invitations: issued once per voter (by building or household), reprinted or reissued with the
old code refused, revoked when lost, never on a closed ballot; the electors list pages through
everyone with their voting status."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import cast_ballot, voter_status
from ballots.eligibility import Eligibility
from ballots.errors import NotFound, TransitionNotAllowed, UnknownCredential
from ballots.invitations import (
    MAX_PAGE_SIZE,
    count_by_building,
    count_selection,
    find_electors,
    issue_invitations,
    reissue_credential,
    reprint_invitations,
    revoke_credential,
)
from ballots.lifecycle import close_ballot, open_ballot
from ballots.models import AuditEntry, Elector
from tests.ballots.factories import (
    ADMIN,
    BASE_URL,
    HEADER,
    KEY,
    build_world,
    draft,
    import_roster,
    issue,
    new_ballot,
    open_with_credentials,
)

VOTE = {"q1": ["a"]}


async def test_invitation_names_the_resident_and_hides_the_credential_after_hash(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    invitations = await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id)
    first = next(i for i in invitations if i.resident_id == world.rid("M04"))
    assert (first.name, first.building, first.room, first.household) == (
        "王海燕",
        "3",
        "202",
        "3-202",
    )
    assert first.unit_name == "茂名居民区" and first.matter_title == "2024年实事项目"
    assert first.url == f"{BASE_URL}/v/{ballot_id}#{first.credential}"


async def test_issuing_twice_issues_nothing_new_and_keeps_the_first_codes(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    assert len(credentials) == 6
    assert await issue(session, ballot_id) == {}
    receipt = await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], VOTE)
    assert receipt.ballot_id == ballot_id


async def test_codes_issued_on_a_draft_work_once_open(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    credentials = await issue(session, ballot_id)
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    assert await issue(session, ballot_id) == {}
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M02")], VOTE)


async def test_reissue_stops_the_old_code_at_once_and_the_new_one_works(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    resident = world.rid("M05")
    old = credentials[resident]
    invitation = await reissue_credential(session, ADMIN, KEY, BASE_URL, ballot_id, resident)
    await session.commit()
    assert invitation.credential != old and invitation.resident_id == resident
    with pytest.raises(UnknownCredential):
        await cast_ballot(session, KEY, ballot_id, old, VOTE)
    with pytest.raises(UnknownCredential):
        await voter_status(session, KEY, ballot_id, old)
    await cast_ballot(session, KEY, ballot_id, invitation.credential, VOTE)
    issue_count = await session.scalar(
        select(Elector.issue_count).where(
            Elector.ballot_id == ballot_id, Elector.resident_id == resident
        )
    )
    assert issue_count == 2
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "credential.reissue" in actions


async def test_revoke_stops_a_code_without_a_new_one(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    resident = world.rid("M06")
    await revoke_credential(session, ADMIN, ballot_id, resident)
    await session.commit()
    with pytest.raises(UnknownCredential):
        await cast_ballot(session, KEY, ballot_id, credentials[resident], VOTE)
    # A revoked voter has no code, so issuing again gives them (only them) a fresh one.
    again = await issue(session, ballot_id)
    assert set(again) == {resident}
    await cast_ballot(session, KEY, ballot_id, again[resident], VOTE)


async def test_issuing_or_reissuing_on_a_closed_ballot_is_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, _ = await open_with_credentials(session, world)
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    with pytest.raises(TransitionNotAllowed):
        await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id)
    with pytest.raises(TransitionNotAllowed):
        await reissue_credential(session, ADMIN, KEY, BASE_URL, ballot_id, world.rid("M01"))


async def test_reissue_or_revoke_for_someone_not_eligible_is_not_found(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, _ = await open_with_credentials(
        session, world, draft(eligibility=Eligibility(buildings=["3"]))
    )
    with pytest.raises(NotFound):
        await reissue_credential(session, ADMIN, KEY, BASE_URL, ballot_id, world.rid("M05"))
    with pytest.raises(NotFound):
        await revoke_credential(session, ADMIN, ballot_id, world.rid("S01"))


async def test_printing_one_building_then_one_household_issues_only_there(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    five = await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, building="5")
    await session.commit()
    assert {i.resident_id for i in five} == {world.rid("M05"), world.rid("M06")}
    assert {i.building for i in five} == {"5"}
    household = await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, household="3-101")
    await session.commit()
    assert {i.household for i in household} == {"3-101"}
    assert world.rid("M01") in {i.resident_id for i in household}
    # The rest of building 3 is all that is left; a building nobody lives in gives nothing.
    rest = await issue(session, ballot_id)
    assert set(rest) == {world.rid("M04")}
    assert await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, building="99") == []
    entries = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "invitations.issue"))
    ).all()
    details = [entry.details for entry in entries]
    assert {"count": 2, "building": "5"} in details
    assert any(d.get("household") == "3-101" for d in details)


async def test_reprint_replaces_the_old_codes_and_counts_them(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, old = await open_with_credentials(session, world)
    voter = world.rid("M05")
    await cast_ballot(session, KEY, ballot_id, old[voter], VOTE)
    before = await count_selection(session, ADMIN, ballot_id, building="5")
    assert (before.electors, before.issued, before.voted, before.replaceable) == (2, 2, 1, 1)
    reprint = await reprint_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, building="5")
    await session.commit()
    # M05 has voted and keeps their code; M06's is replaced.
    assert [i.resident_id for i in reprint.invitations] == [world.rid("M06")]
    assert (reprint.replaced, reprint.already_voted) == (1, 1)
    new = reprint.invitations[0].credential
    assert new != old[world.rid("M06")]
    with pytest.raises(UnknownCredential):
        await cast_ballot(session, KEY, ballot_id, old[world.rid("M06")], VOTE)
    await cast_ballot(session, KEY, ballot_id, new, VOTE)
    # Building 3's codes were not touched.
    await cast_ballot(session, KEY, ballot_id, old[world.rid("M04")], VOTE)
    entry = await session.scalar(
        select(AuditEntry).where(AuditEntry.action == "invitations.reprint")
    )
    assert entry is not None
    assert entry.details == {"count": 1, "replaced": 1, "building": "5"}


async def test_reprint_of_one_household_counts_first_issues_apart(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    first = await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, household="3-101")
    await session.commit()
    reprint = await reprint_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, building="3")
    await session.commit()
    assert reprint.replaced == len(first)
    assert len(reprint.invitations) == len(first) + 1  # 3-202 had no code yet
    assert reprint.already_voted == 0


async def test_a_household_ballot_says_so_on_every_invitation(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world, draft(voting_unit="household"))
    issued = await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id)
    assert issued and all(i.household_vote for i in issued)
    assert all(i.questions == ["选哪一个？"] for i in issued)
    person = await new_ballot(session, world)
    assert not any(
        i.household_vote for i in await issue_invitations(session, ADMIN, KEY, BASE_URL, person)
    )


async def test_electors_list_pages_through_everyone_with_voting_status(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    # Sixty more residents in building 7, more than any page.
    more = "".join(
        f"X{i:02d},居民{i:02d},7,{100 + i},7-{100 + i},业主,1960,50,\n" for i in range(60)
    )
    await import_roster(session, world.area_id, HEADER + more)
    ballot_id, credentials = await open_with_credentials(session, world)
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M04")], VOTE)
    await session.commit()
    total = len(credentials)
    assert total > 60
    seen: list[int] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page = await find_electors(session, ADMIN, ballot_id, offset=offset, limit=25)
        assert page.total == total and len(page.electors) <= 25
        seen += [e.resident_id for e in page.electors]
        offset = page.next_offset
        pages += 1
    assert pages == -(-total // 25)
    assert sorted(seen) == sorted(credentials)  # everyone once, nobody twice
    assert page.previous_offset == (pages - 2) * 25
    voted = await find_electors(session, ADMIN, ballot_id, voted=True)
    assert [(e.resident_id, e.voted, e.issued) for e in voted.electors] == [
        (world.rid("M04"), True, True)
    ]
    not_voted = await find_electors(session, ADMIN, ballot_id, voted=False, limit=10**6)
    assert not_voted.total == total - 1 and not_voted.limit == MAX_PAGE_SIZE
    seven = await find_electors(session, ADMIN, ballot_id, building="7", limit=100)
    assert seven.total == 60 and len(seven.electors) == 60
    household = await find_electors(session, ADMIN, ballot_id, household="3-101")
    assert {e.household for e in household.electors} == {"3-101"}
    buildings = {b.building: b for b in await count_by_building(session, ADMIN, ballot_id)}
    assert (buildings["3"].voted, buildings["7"].electors, buildings["7"].issued) == (1, 60, 60)
    assert buildings["3"].replaceable == buildings["3"].issued - 1
    everyone = await count_selection(session, ADMIN, ballot_id)
    assert (everyone.electors, everyone.voted, everyone.replaceable) == (total, 1, total - 1)


async def test_a_household_vote_marks_every_member_voted(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(
        session, world, draft(voting_unit="household")
    )
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M05")], VOTE)
    await session.commit()
    page = await find_electors(session, ADMIN, ballot_id, household="5-301")
    assert [e.voted for e in page.electors] == [True, True]
    reprint = await reprint_invitations(session, ADMIN, KEY, BASE_URL, ballot_id, household="5-301")
    assert (reprint.invitations, reprint.replaced, reprint.already_voted) == ([], 0, 2)
