"""In-person ballots and the live quorum: only those present (or represented by a present proxy
holder) may vote, and the quorum counts voting units present by head and by area."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import cast_ballot, voter_status
from ballots.errors import NotCheckedIn
from ballots.meetings.checkin import check_in_at_door
from ballots.meetings.meetings import get_meeting
from ballots.meetings.quorum import count_quorum
from ballots.models import Proxy
from tests.ballots.factories import ADMIN, KEY
from tests.ballots.meetings.world import START, meeting_world

NOW = START + timedelta(minutes=5)


async def test_only_residents_checked_in_may_vote_on_an_in_person_ballot(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    credential = w.credentials[w.world.rid("M01")]
    status = await voter_status(session, KEY, w.ballot_id, credential)
    assert status.needs_checkin
    with pytest.raises(NotCheckedIn):
        await cast_ballot(session, KEY, w.ballot_id, credential, {"q1": ["a"]})
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M01"), now=NOW
    )
    await session.commit()
    assert not (await voter_status(session, KEY, w.ballot_id, credential)).needs_checkin
    receipt = await cast_ballot(session, KEY, w.ballot_id, credential, {"q1": ["a"]})
    assert receipt.tracker


async def test_a_ballot_held_at_a_meeting_without_check_in_takes_every_elector(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session, requires_checkin=False)
    credential = w.credentials[w.world.rid("M05")]
    assert not (await voter_status(session, KEY, w.ballot_id, credential)).needs_checkin
    assert (await cast_ballot(session, KEY, w.ballot_id, credential, {"q1": ["b"]})).tracker


async def test_a_present_proxy_holder_lets_the_grantor_vote(session: AsyncSession) -> None:
    w = await meeting_world(session)
    grantor, holder = w.world.rid("M02"), w.world.rid("M04")
    session.add(Proxy(meeting_id=w.meeting_id, grantor_id=grantor, holder_id=holder))
    await session.commit()
    credential = w.credentials[grantor]
    with pytest.raises(NotCheckedIn):  # the holder is not in the room yet
        await cast_ballot(session, KEY, w.ballot_id, credential, {"q1": ["a"]})
    await check_in_at_door(session, ADMIN, KEY, w.meeting_id, resident_id=holder, now=NOW)
    await session.commit()
    assert (await cast_ballot(session, KEY, w.ballot_id, credential, {"q1": ["a"]})).tracker


async def test_the_quorum_counts_those_present_and_represented(session: AsyncSession) -> None:
    w = await meeting_world(session)
    # electorate: the five adults of 茂名 (the child is under 18)
    quorum = await count_quorum(session, await get_meeting(session, w.meeting_id))
    assert (quorum.checked_in, quorum.represented, quorum.roll) == (0, 0, 5)
    [held] = quorum.ballots
    assert (held.electorate, held.present, held.voted) == (5, 0, 0)
    for who in ("M01", "M04"):
        await check_in_at_door(
            session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid(who), now=NOW
        )
    session.add(
        Proxy(meeting_id=w.meeting_id, grantor_id=w.world.rid("M05"), holder_id=w.world.rid("M04"))
    )
    await session.commit()
    await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.world.rid("M01")], {"q1": ["a"]})
    quorum = await count_quorum(session, await get_meeting(session, w.meeting_id))
    assert (quorum.checked_in, quorum.represented) == (2, 1)
    [held] = quorum.ballots
    assert (held.electorate, held.present, held.voted, held.percent_present) == (5, 3, 1, 60.0)
    assert held.area_present is None  # counted by head
