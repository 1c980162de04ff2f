"""Invitations: issued once per voter, reissued or revoked when lost, never on a closed ballot."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import cast_ballot, voter_status
from ballots.eligibility import Eligibility
from ballots.errors import NotFound, TransitionNotAllowed, UnknownCredential
from ballots.invitations import issue_invitations, reissue_credential, revoke_credential
from ballots.lifecycle import close_ballot, open_ballot
from ballots.models import AuditEntry, Elector
from tests.ballots.factories import (
    ADMIN,
    BASE_URL,
    KEY,
    build_world,
    draft,
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
