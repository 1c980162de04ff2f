"""Counting the paper ballots: when both entries agree, the valid sheets join the count as one
board event after the close; the result counts phone and paper; the board verifies with
``tally verify``; publishing is then allowed; nothing is counted twice."""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.board import board_file
from ballots.casting import cast_ballot
from ballots.lifecycle import close_ballot, get_ballot, move_ballot
from ballots.models import AuditEntry, Cast, Participation
from ballots.paper.counting import count_paper
from ballots.paper.entry import enter_paper
from ballots.paper.errors import PaperAlreadyCounted, PaperNotEntering, PaperNotReady
from ballots.paper.issuing import issue_paper
from ballots.signing import signer_from_seed
from tally.board import FORMAT_PAPER, read_board, verify_board
from tests.ballots.factories import ADMIN, KEY
from tests.ballots.paper.world import PaperWorld, paper_world

SIGNER = signer_from_seed(bytes(range(32)))


async def both_enter(
    session: AsyncSession, w: PaperWorld, serial: int, answers: tally.Answers | None
) -> None:
    for actor in (w.first, w.second):
        if answers is None:
            await enter_paper(session, actor, w.ballot_id, serial, invalid=True)
        else:
            await enter_paper(session, actor, w.ballot_id, serial, answers=answers)
    await session.commit()


async def phone_and_paper(session: AsyncSession) -> PaperWorld:
    """Two phone votes for a; three sheets issued, closed."""
    w = await paper_world(session)
    for voter in ("M01", "M02"):
        await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid(voter)], {"q1": ["a"]})
    for serial, voter in enumerate(("M04", "M05", "M06"), start=1):
        await issue_paper(
            session, w.first, KEY, w.ballot_id, serial=serial, resident_id=w.rid(voter)
        )
    await session.commit()
    await close_ballot(session, ADMIN, w.ballot_id, SIGNER)
    await session.commit()
    return w


async def test_the_result_counts_phone_and_paper_and_the_board_verifies(
    session: AsyncSession,
) -> None:
    w = await phone_and_paper(session)
    ballot = await get_ballot(session, w.ballot_id)
    provisional = msgspec.json.decode(ballot.result or "{}")
    assert provisional["ballots"] == 2  # the phone votes only, not on the board
    await both_enter(session, w, 1, {"q1": ["b"]})
    await both_enter(session, w, 2, {"q1": ["b"]})
    await both_enter(session, w, 3, None)
    status = await count_paper(session, w.first, KEY, w.ballot_id, SIGNER)
    await session.commit()
    assert (status.issued, status.returned, status.valid, status.invalid) == (3, 3, 2, 1)
    assert status.counted_at is not None
    ballot = await get_ballot(session, w.ballot_id)
    result = msgspec.json.decode(ballot.result or "{}", type=tally.BallotResult)
    assert result.ballots == 4
    assert result.tie_seed == provisional["tie_seed"]
    votes = {option.id: option.votes for option in result.questions[0].options}
    assert votes == {"a": 2.0, "b": 2.0, "c": 0.0}
    channels = sorted(await session.scalars(select(Cast.channel)))
    assert channels == ["online", "online", "paper", "paper"]
    assert await session.scalar(select(func.count()).select_from(Participation)) == 4
    session.expire_all()  # the board's size moved in statements the identity map did not see
    data = await board_file(session, SIGNER, w.ballot_id)
    assert FORMAT_PAPER.encode() in data.splitlines()[0]
    report = verify_board(read_board(data))
    assert report.ok, report.first_failure
    assert report.counted == 4
    assert report.check("paper").status == "pass"
    await move_ballot(session, ADMIN, w.ballot_id, "publish", confirmed=True)
    await session.commit()
    assert (await get_ballot(session, w.ballot_id)).state == "published"
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert "paper.count" in actions


async def test_counting_waits_for_agreement_and_happens_once(session: AsyncSession) -> None:
    w = await phone_and_paper(session)
    await enter_paper(session, w.first, w.ballot_id, 1, answers={"q1": ["b"]})
    await session.commit()
    with pytest.raises(PaperNotReady) as refused:
        await count_paper(session, w.first, KEY, w.ballot_id, SIGNER)
    await session.rollback()
    assert "numbers 1" in refused.value.detail
    await enter_paper(session, w.second, w.ballot_id, 1, answers={"q1": ["b"]})
    await session.commit()
    await count_paper(session, w.first, KEY, w.ballot_id, SIGNER)
    await session.commit()
    with pytest.raises(PaperAlreadyCounted):
        await count_paper(session, w.second, KEY, w.ballot_id, SIGNER)
    await session.rollback()
    with pytest.raises(PaperNotEntering):  # no entry after the count
        await enter_paper(session, w.first, w.ballot_id, 2, answers={"q1": ["a"]})
    await session.rollback()
    session.expire_all()
    report = verify_board(read_board(await board_file(session, SIGNER, w.ballot_id)))
    assert report.ok, report.first_failure
    assert report.check("paper").detail.startswith("3 paper ballots issued, 1 returned")


async def test_a_ballot_without_paper_closes_as_before(session: AsyncSession) -> None:
    w = await paper_world(session)
    await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid("M01")], {"q1": ["a"]})
    await close_ballot(session, ADMIN, w.ballot_id, SIGNER)
    await session.commit()
    with pytest.raises(PaperNotReady):
        await count_paper(session, w.first, KEY, w.ballot_id, SIGNER)
    await session.rollback()
    data = await board_file(session, SIGNER, w.ballot_id)
    assert b"luwan-vote-board/1" in data.splitlines()[0]
    assert verify_board(read_board(data)).ok
