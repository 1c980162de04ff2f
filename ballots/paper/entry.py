"""Each chair's entry of a returned paper ballot, and its correction.

After the ballot closes, two different chairs each enter every returned sheet by its number:
its answers (checked like a phone vote's, :func:`tally.check_answers`) or invalid (无效票).
A chair enters a sheet once and corrects only their own entry; a third chair cannot enter a
sheet two others have entered. Nothing is recorded on a refusal; the caller commits.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import audit
from ballots.access import Actor, require
from ballots.casting import check_answers
from ballots.lifecycle import ballot_spec, ballot_unit, lock_ballot
from ballots.models import Ballot, PaperEntry, PaperIssue
from ballots.paper.errors import (
    AlreadyEntered,
    ChairOnly,
    EnteredByTwo,
    InvalidWithAnswers,
    NotEnteredYet,
    PaperNotEntering,
    SerialNotIssued,
)


class Entered(msgspec.Struct, frozen=True):
    """What a chair entered for sheet ``serial``."""

    serial: int
    invalid: bool
    answers: tally.Answers
    corrected: bool = False


def canonical(spec: tally.BallotSpec, answers: tally.Answers) -> tally.Answers:
    """The answers in a form two readings can be compared in: questions without a choice
    dropped, choices in option order except where the order is the answer (ranked)."""
    kinds = {question.id: question for question in spec.questions}
    result: tally.Answers = {}
    for question_id in sorted(answers):
        chosen = answers[question_id]
        if not chosen:
            continue
        question = kinds.get(question_id)
        if question is not None and question.kind != "ranked":
            order = {option.id: index for index, option in enumerate(question.options)}
            chosen = sorted(chosen, key=lambda choice: (order.get(choice, len(order)), choice))
        result[question_id] = list(chosen)
    return result


async def _entering(session: AsyncSession, actor: Actor, ballot_id: int) -> tuple[Ballot, int]:
    ballot = await lock_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if actor.chair_id is None:
        raise ChairOnly()
    if ballot.state != "closed" or ballot.paper_counted_at is not None:
        state = "counted" if ballot.paper_counted_at is not None else ballot.state
        raise PaperNotEntering(state=state)
    return ballot, unit.id


async def enter_paper(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    serial: int,
    *,
    answers: tally.Answers | None = None,
    invalid: bool = False,
    correct: bool = False,
) -> Entered:
    """Enter (or, with ``correct``, correct one's own entry of) paper ballot ``serial``."""
    ballot, unit_id = await _entering(session, actor, ballot_id)
    if await session.get(PaperIssue, (ballot.id, serial)) is None:
        raise SerialNotIssued(serial=serial)
    given = answers or {}
    if invalid and any(given.values()):
        raise InvalidWithAnswers()
    spec = ballot_spec(ballot)
    if not invalid:
        check_answers(spec, given)
    stored = "" if invalid else msgspec.json.encode(canonical(spec, given)).decode()
    entries = list(
        await session.scalars(
            select(PaperEntry).where(PaperEntry.ballot_id == ballot.id, PaperEntry.serial == serial)
        )
    )
    own = next((entry for entry in entries if entry.chair_id == actor.chair_id), None)
    if correct:
        if own is None:
            raise NotEnteredYet(serial=serial)
        own.invalid, own.answers = invalid, stored
    else:
        if own is not None:
            raise AlreadyEntered(serial=serial)
        if len(entries) >= 2:
            raise EnteredByTwo(serial=serial)
        assert actor.chair_id is not None
        session.add(
            PaperEntry(
                ballot_id=ballot.id,
                chair_id=actor.chair_id,
                serial=serial,
                invalid=invalid,
                answers=stored,
            )
        )
    await session.flush()
    audit.record(
        session,
        actor,
        "paper.correct" if correct else "paper.enter",
        f"ballot:{ballot.id}",
        unit_id,
        serial=serial,
    )
    return Entered(
        serial=serial,
        invalid=invalid,
        answers={} if invalid else canonical(spec, given),
        corrected=correct,
    )
