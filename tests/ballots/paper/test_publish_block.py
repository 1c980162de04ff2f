"""Publishing waits for the paper ballots: while a sheet was issued and the entries are missing,
disagree or are not counted, the refusal says which in words; a ballot without paper is not
affected."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.lifecycle import close_ballot, get_ballot, move_ballot, publish_ballot
from ballots.paper.counting import count_paper
from ballots.paper.entry import enter_paper
from ballots.paper.errors import PaperNotReady
from ballots.paper.issuing import issue_paper
from tests.ballots.factories import ADMIN, KEY
from tests.ballots.paper.world import paper_world


async def test_a_mismatch_blocks_publishing_until_resolved_and_counted(
    session: AsyncSession,
) -> None:
    w = await paper_world(session)
    await issue_paper(session, w.first, KEY, w.ballot_id, serial=5, resident_id=w.rid("M01"))
    await session.commit()
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()
    with pytest.raises(PaperNotReady) as nothing:
        await move_ballot(session, ADMIN, w.ballot_id, "publish", confirmed=True)
    await session.rollback()
    assert "none is entered yet" in nothing.value.detail
    await enter_paper(session, w.first, w.ballot_id, 5, answers={"q1": ["a"]})
    await enter_paper(session, w.second, w.ballot_id, 5, answers={"q1": ["c"]})
    await session.commit()
    for confirmed in (False, True):
        with pytest.raises(PaperNotReady) as differ:
            await move_ballot(session, ADMIN, w.ballot_id, "publish", confirmed=confirmed)
        await session.rollback()
        assert "do not agree yet (numbers 5)" in differ.value.detail
    await enter_paper(session, w.second, w.ballot_id, 5, answers={"q1": ["a"]}, correct=True)
    await session.commit()
    with pytest.raises(PaperNotReady) as uncounted:
        await publish_ballot(session, ADMIN, w.ballot_id)
    await session.rollback()
    assert "not counted yet" in uncounted.value.detail
    assert (await get_ballot(session, w.ballot_id)).state == "closed"
    await count_paper(session, w.first, KEY, w.ballot_id)
    await session.commit()
    await move_ballot(session, ADMIN, w.ballot_id, "publish", confirmed=True)
    await session.commit()
    assert (await get_ballot(session, w.ballot_id)).state == "published"


async def test_a_ballot_with_printed_but_no_issued_paper_publishes(session: AsyncSession) -> None:
    w = await paper_world(session)
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()
    await move_ballot(session, ADMIN, w.ballot_id, "publish", confirmed=True)
    await session.commit()
    assert (await get_ballot(session, w.ballot_id)).state == "published"
