"""One reconciled count per ballot: phone, paper and proxy votes against the electorate, and
publishing refused with the reason while the count does not balance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import cast_ballot
from ballots.lifecycle import close_ballot, get_ballot, publish_ballot
from ballots.meetings.checkin import check_in_at_door
from ballots.meetings.proxies import record_proxy
from ballots.models import Elector, PaperIssue
from ballots.paper.entry import enter_paper
from ballots.paper.errors import PaperNotReady
from ballots.paper.issuing import issue_paper
from ballots.paper.printing import print_paper
from ballots.reconciliation import CountDoesNotBalance, reconcile
from tests.ballots.factories import ADMIN, KEY
from tests.ballots.meetings.world import START, meeting_world
from tests.ballots.paper.world import chair_actor, paper_world

NOW = START + timedelta(minutes=5)


async def test_phone_votes_alone_balance_and_publish(session: AsyncSession) -> None:
    w = await paper_world(session)
    for voter in ("M01", "M02"):
        await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid(voter)], {"q1": ["a"]})
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()
    found = await reconcile(session, await get_ballot(session, w.ballot_id))
    assert (found.electorate, found.phone, found.paper_issued, found.counted, found.not_voted) == (
        5,
        2,
        0,
        2,
        3,
    )
    assert found.present is None  # held at no meeting
    assert found.balanced
    await publish_ballot(session, ADMIN, w.ballot_id)


async def test_paper_ballots_not_entered_twice_block_publishing(session: AsyncSession) -> None:
    w = await paper_world(session)
    await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid("M01")], {"q1": ["a"]})
    for serial, voter in ((1, "M02"), (2, "M04")):
        await issue_paper(
            session, w.first, KEY, w.ballot_id, serial=serial, resident_id=w.rid(voter)
        )
    await session.commit()
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()
    await enter_paper(session, w.first, w.ballot_id, 1, answers={"q1": ["b"]})
    await enter_paper(session, w.second, w.ballot_id, 1, answers={"q1": ["c"]})
    await session.commit()
    found = await reconcile(session, await get_ballot(session, w.ballot_id))
    assert (found.phone, found.paper_issued, found.paper_returned, found.paper_valid) == (
        1,
        2,
        1,
        0,
    )
    assert not found.paper_agreed
    assert not found.balanced
    assert "do not agree" in found.imbalances[0].message
    with pytest.raises((PaperNotReady, CountDoesNotBalance)):
        await publish_ballot(session, ADMIN, w.ballot_id)


async def test_a_voter_counted_by_phone_and_given_paper_does_not_balance(
    session: AsyncSession,
) -> None:
    """Should a fault ever let both through, the reconciliation names it."""
    w = await paper_world(session)
    await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid("M01")], {"q1": ["a"]})
    await session.commit()
    elector = await session.scalar(
        select(Elector.id).where(
            Elector.ballot_id == w.ballot_id, Elector.resident_id == w.rid("M01")
        )
    )
    await session.execute(
        insert(PaperIssue).values(
            ballot_id=w.ballot_id, serial=9, count_key=f"r{w.rid('M01')}", elector_id=elector
        )
    )
    await session.commit()
    found = await reconcile(session, await get_ballot(session, w.ballot_id))
    assert any("counted by phone although" in i.message for i in found.imbalances)


async def test_an_in_person_ballot_shows_presence_and_proxy_votes(session: AsyncSession) -> None:
    w = await meeting_world(session)
    chair = await chair_actor(session, "主持人", w.world.area_id)
    for who in ("M01", "M04"):
        await check_in_at_door(session, chair, KEY, w.meeting_id, resident_id=w.world.rid(who))
    await record_proxy(
        session,
        chair,
        w.meeting_id,
        grantor_id=w.world.rid("M05"),
        holder_id=w.world.rid("M04"),
    )
    await session.commit()
    for who in ("M01", "M05"):  # 赵志强 (M05) votes through 王海燕, who holds his proxy
        await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.world.rid(who)], {"q1": ["a"]})
    await print_paper(session, ADMIN, w.ballot_id, 5)
    await issue_paper(session, chair, KEY, w.ballot_id, serial=1, resident_id=w.world.rid("M04"))
    await session.commit()
    found = await reconcile(session, await get_ballot(session, w.ballot_id))
    assert (found.electorate, found.present, found.represented) == (5, 3, 1)
    assert (found.phone, found.proxy, found.paper_printed, found.paper_issued) == (2, 1, 5, 1)
    assert not found.balanced  # the paper ballot is neither entered nor counted yet
