"""Double entry of returned paper ballots: two different chairs each enter every sheet; the
comparison names each mismatch in words; a chair resolves one by correcting their own entry;
returned never exceeds issued."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.errors import DomainError, InvalidAnswer, OutsideUnit
from ballots.lifecycle import close_ballot, get_ballot
from ballots.models import PaperEntry
from ballots.paper.entry import enter_paper
from ballots.paper.errors import (
    AlreadyEntered,
    ChairOnly,
    EnteredByTwo,
    InvalidWithAnswers,
    NotEnteredYet,
    PaperNotEntering,
    SerialNotIssued,
)
from ballots.paper.issuing import issue_paper
from ballots.paper.status import mismatch_words, paper_status
from tests.ballots.factories import ADMIN, KEY, option, single
from tests.ballots.paper.world import PaperWorld, chair_actor, paper_world

ZH = {
    "No. {serial}: {first} entered {first_answers}, {second} entered {second_answers}.": (
        "第 {serial} 号：{first}录入 {first_answers}，{second}录入 {second_answers}"
    ),
    "No. {serial} was entered by only one chair ({name}).": "第 {serial} 号只有一人录入（{name}）",
    "invalid": "无效票",
    "blank": "空白",
}


def zh(message: str) -> str:
    return ZH.get(message, message)


def multiple(question_id: str, options: tuple[str, ...], maximum: int) -> tally.Question:
    return tally.Question(
        id=question_id,
        kind="multiple",
        prompt="选几个？",
        options=[option(o) for o in options],
        max_choices=maximum,
    )


async def issued_and_closed(session: AsyncSession, w: PaperWorld, *voters: str) -> None:
    for serial, voter in enumerate(voters, start=1):
        await issue_paper(
            session, w.first, KEY, w.ballot_id, serial=serial, resident_id=w.rid(voter)
        )
    await session.commit()
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()


async def entries(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(PaperEntry)) or 0)


async def test_two_chairs_agree_and_the_totals_add_up(session: AsyncSession) -> None:
    w = await paper_world(session)
    await issued_and_closed(session, w, "M01", "M02", "M04")
    for actor in (w.first, w.second):
        await enter_paper(session, actor, w.ballot_id, 1, answers={"q1": ["a"]})
        await enter_paper(session, actor, w.ballot_id, 2, invalid=True)
        await session.commit()
    status = await paper_status(session, await get_ballot(session, w.ballot_id))
    assert (status.printed, status.issued, status.returned, status.valid, status.invalid) == (
        10,
        3,
        2,
        1,
        1,
    )
    assert status.agreed and status.mismatches == [] and status.counted_at is None


async def test_a_mismatch_is_named_in_words_and_resolved_by_a_correction(
    session: AsyncSession,
) -> None:
    w = await paper_world(session)
    await issued_and_closed(session, w, "M01", "M02")
    await enter_paper(session, w.first, w.ballot_id, 1, answers={"q1": ["a"]})
    await enter_paper(session, w.second, w.ballot_id, 1, answers={"q1": ["b"]})
    await enter_paper(session, w.first, w.ballot_id, 2, invalid=True)
    await session.commit()
    ballot = await get_ballot(session, w.ballot_id)
    status = await paper_status(session, ballot)
    assert not status.agreed and status.returned == 1 and status.valid == 0
    words = [mismatch_words(ballot, mismatch, zh) for mismatch in status.mismatches]
    assert words == ["第 1 号：甲录入 a，乙录入 b", "第 2 号只有一人录入（甲）"]
    await enter_paper(session, w.second, w.ballot_id, 1, answers={"q1": ["a"]}, correct=True)
    await enter_paper(session, w.second, w.ballot_id, 2, invalid=True)
    await session.commit()
    status = await paper_status(session, ballot)
    assert status.agreed and (status.returned, status.valid, status.invalid) == (2, 1, 1)


async def test_several_questions_are_compared_whatever_the_order_of_choices(
    session: AsyncSession,
) -> None:
    w = await paper_world(session, single("q1"), multiple("q2", ("x", "y", "z"), maximum=2))
    await issued_and_closed(session, w, "M01")
    await enter_paper(session, w.first, w.ballot_id, 1, answers={"q1": ["a"], "q2": ["y", "x"]})
    await enter_paper(session, w.second, w.ballot_id, 1, answers={"q1": ["a"], "q2": ["x", "y"]})
    await session.commit()
    status = await paper_status(session, await get_ballot(session, w.ballot_id))
    assert status.agreed and status.valid == 1


async def test_wrong_entries_are_refused_with_a_reason_and_change_nothing(
    session: AsyncSession,
) -> None:
    w = await paper_world(session)
    await issue_paper(session, w.first, KEY, w.ballot_id, serial=1, resident_id=w.rid("M01"))
    await session.commit()
    with pytest.raises(PaperNotEntering):  # still open
        await enter_paper(session, w.first, w.ballot_id, 1, answers={"q1": ["a"]})
    await session.rollback()
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()
    await enter_paper(session, w.first, w.ballot_id, 1, answers={"q1": ["a"]})
    await session.commit()
    third = await chair_actor(session, "丙", w.world.area_id)
    outsider = await chair_actor(session, "丁", w.world.other_area_id)
    cases: list[tuple[object, dict[str, object], type[DomainError]]] = [
        (w.first, {"serial": 1, "answers": {"q1": ["b"]}}, AlreadyEntered),
        (w.second, {"serial": 2, "answers": {"q1": ["a"]}}, SerialNotIssued),
        (w.second, {"serial": 1, "answers": {"q1": ["a", "b"]}}, InvalidAnswer),
        (w.second, {"serial": 1, "answers": {"q1": ["zz"]}}, InvalidAnswer),
        (w.second, {"serial": 1, "answers": {"q1": ["a"]}, "invalid": True}, InvalidWithAnswers),
        (w.second, {"serial": 1, "answers": {"q1": ["a"]}, "correct": True}, NotEnteredYet),
        (ADMIN, {"serial": 1, "answers": {"q1": ["a"]}}, ChairOnly),
        (outsider, {"serial": 1, "answers": {"q1": ["a"]}}, OutsideUnit),
    ]
    for actor, params, refusal in cases:
        serial = params.pop("serial")
        with pytest.raises(refusal) as raised:
            await enter_paper(session, actor, w.ballot_id, serial, **params)  # type: ignore[arg-type]
        await session.rollback()
        assert raised.value.detail
    assert await entries(session) == 1
    await enter_paper(session, w.second, w.ballot_id, 1, answers={"q1": ["a"]})
    await session.commit()
    with pytest.raises(EnteredByTwo):
        await enter_paper(session, third, w.ballot_id, 1, answers={"q1": ["a"]})
    await session.rollback()
    status = await paper_status(session, await get_ballot(session, w.ballot_id))
    assert status.returned == 1 <= status.issued == 1
