"""Casting a ballot with a credential, and the receipt the voter gets back.

The guarantees: only an open ballot accepts votes; the credential must be current and in the
frozen electorate; every answer must satisfy its question; a retried submission returns the
first receipt; and however many phones submit at once for one person or household, exactly one
ballot counts (the ``participation`` primary key decides). The stored cast carries no voter
identity and only the hour it arrived.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import msgspec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.credentials import credential_hash
from ballots.errors import (
    N_,
    AlreadyVoted,
    BallotNotOpen,
    HouseholdAlreadyVoted,
    InvalidAnswer,
    NotFound,
    UnknownCredential,
)
from ballots.lifecycle import ballot_spec
from ballots.models import Ballot, Cast, Elector, Participation

ANSWER_MESSAGES = {
    "unknown-question": N_("There is no question {question} on this ballot."),
    "missing-answer": N_("Question {question} is not answered."),
    "unknown-option": N_("Question {question} has no option {option}."),
    "duplicate-choice": N_("Question {question}: an option is chosen more than once."),
    "too-few-choices": N_("Question {question}: choose at least {minimum} (you chose {given})."),
    "too-many-choices": N_("Question {question}: choose at most {maximum} (you chose {given})."),
    "over-budget": N_(
        "Question {question}: the chosen projects cost {total}, over the limit of {limit}."
    ),
}


class Receipt(msgspec.Struct):
    """What a voter keeps: the tracker finds their ballot on the public board later."""

    ballot_id: int
    tracker: str
    cast_hour: datetime
    replaced_earlier: bool = False


class VoterStatus(msgspec.Struct):
    """What a valid credential may learn before voting."""

    ballot_id: int
    ballot_state: str
    has_voted: bool
    household_has_voted: bool
    revoting: bool


def new_tracker() -> str:
    """A random 80-bit tracker, like ``k3xq-7hfa-2mvd-p9sa``."""
    text = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def _submission_key(
    key: bytes, elector_id: int, submission_id: str, answers: tally.Answers
) -> bytes:
    basis = submission_id or msgspec.json.encode(answers, order="sorted").decode()
    message = f"submission:{elector_id}:{basis}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


async def _find_elector(
    session: AsyncSession, key: bytes, ballot_id: int, credential: str, *, lock: bool
) -> tuple[Elector, Ballot]:
    hashed = credential_hash(key, credential)
    query = select(Ballot).where(Ballot.id == ballot_id)
    if lock:
        # Share-lock the ballot row so a concurrent close waits for this cast (PostgreSQL).
        query = query.with_for_update(read=True)
    ballot = await session.scalar(query.execution_options(populate_existing=True))
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    elector = None
    if hashed is not None:
        elector = await session.scalar(
            select(Elector).where(Elector.credential_hash == hashed, Elector.ballot_id == ballot_id)
        )
    if elector is None:
        raise UnknownCredential()
    return elector, ballot


async def voter_status(
    session: AsyncSession, key: bytes, ballot_id: int, credential: str
) -> VoterStatus:
    """Tell a credential holder whether they (or their household) have voted."""
    elector, ballot = await _find_elector(session, key, ballot_id, credential, lock=False)
    taken = await session.scalar(
        select(Participation.elector_id).where(
            Participation.ballot_id == ballot_id, Participation.count_key == elector.count_key
        )
    )
    return VoterStatus(
        ballot_id=ballot.id,
        ballot_state=ballot.state,
        has_voted=taken == elector.id,
        household_has_voted=taken is not None and taken != elector.id,
        revoting=ballot.revoting,
    )


async def cast_ballot(
    session: AsyncSession,
    key: bytes,
    ballot_id: int,
    credential: str,
    answers: tally.Answers,
    *,
    submission_id: str = "",
    channel: str = "online",
) -> Receipt:
    """Record a vote and commit it; return its receipt (the same one on a retry)."""
    for attempt in range(3):
        try:
            receipt = await _cast_once(
                session, key, ballot_id, credential, answers, submission_id, channel
            )
            await session.commit()
            return receipt
        except IntegrityError:
            # Another request for the same person or household won the race; look again.
            await session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            await session.rollback()
            raise
    raise AssertionError("unreachable")


async def _cast_once(
    session: AsyncSession,
    key: bytes,
    ballot_id: int,
    credential: str,
    answers: tally.Answers,
    submission_id: str,
    channel: str,
) -> Receipt:
    elector, ballot = await _find_elector(session, key, ballot_id, credential, lock=True)
    submission_key = _submission_key(key, elector.id, submission_id, answers)
    earlier = await session.scalar(
        select(Cast).where(Cast.ballot_id == ballot_id, Cast.submission_key == submission_key)
    )
    if earlier is not None:
        replaced = False
        if not submission_id and ballot.revoting and ballot.state == "open":
            # Same answers as an earlier, since replaced, ballot: the voter changed back to it.
            replaced = (
                await session.execute(
                    update(Participation)
                    .where(
                        Participation.ballot_id == ballot_id,
                        Participation.count_key == elector.count_key,
                        Participation.elector_id == elector.id,
                        Participation.cast_id != earlier.id,
                    )
                    .values(cast_id=earlier.id)
                )
            ).rowcount == 1  # type: ignore[attr-defined]
        return Receipt(
            ballot_id=ballot_id,
            tracker=earlier.tracker,
            cast_hour=earlier.cast_hour,
            replaced_earlier=replaced,
        )
    if ballot.state != "open":
        raise BallotNotOpen(state=ballot.state)
    try:
        tally.check_answers(ballot_spec(ballot), answers)
    except tally.AnswerError as error:
        raise InvalidAnswer(
            ANSWER_MESSAGES.get(error.code, error.message),
            code=error.code,
            question=error.question,
            **error.params,
        ) from error
    taken_by = await session.scalar(
        select(Participation.elector_id).where(
            Participation.ballot_id == ballot_id, Participation.count_key == elector.count_key
        )
    )
    if taken_by is not None and taken_by != elector.id:
        raise HouseholdAlreadyVoted()
    if taken_by is not None and not ballot.revoting:
        # An identical request may have committed since we looked: give it its receipt.
        earlier = await session.scalar(
            select(Cast).where(Cast.ballot_id == ballot_id, Cast.submission_key == submission_key)
        )
        if earlier is not None:
            return Receipt(
                ballot_id=ballot_id, tracker=earlier.tracker, cast_hour=earlier.cast_hour
            )
        raise AlreadyVoted()
    now = datetime.now(UTC)
    cast = Cast(
        ballot_id=ballot_id,
        tracker=new_tracker(),
        answers=msgspec.json.encode(answers).decode(),
        channel=channel,
        cast_hour=now.replace(minute=0, second=0, microsecond=0),
        submission_key=submission_key,
    )
    session.add(cast)
    await session.flush()
    if taken_by is None:
        session.add(
            Participation(
                ballot_id=ballot_id,
                count_key=elector.count_key,
                elector_id=elector.id,
                cast_id=cast.id,
            )
        )
        await session.flush()
    else:
        await session.execute(
            update(Participation)
            .where(
                Participation.ballot_id == ballot_id,
                Participation.count_key == elector.count_key,
                Participation.elector_id == elector.id,
            )
            .values(cast_id=cast.id)
        )
    return Receipt(
        ballot_id=ballot_id,
        tracker=cast.tracker,
        cast_hour=cast.cast_hour,
        replaced_earlier=taken_by is not None,
    )
