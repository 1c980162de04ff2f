"""Casting a ballot with a credential, and the receipt the voter gets back.

The guarantees: only an open ballot accepts votes; the credential must be current and in the
frozen electorate; every answer must satisfy its question; a retried submission returns the
first receipt; and however many phones submit at once for one person or household, exactly one
ballot counts (the ``participation`` primary key decides). The stored cast carries no voter
identity and only the hour it arrived.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import weakref
from datetime import UTC, datetime

import msgspec
from sqlalchemy import Connection, Engine, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

import tally
from ballots import board
from ballots.credentials import credential_hash
from ballots.db import sqlite_writer
from ballots.errors import (
    N_,
    AlreadyVoted,
    BallotNotOpen,
    HouseholdAlreadyVoted,
    InvalidAnswer,
    MistypedCredential,
    NotCheckedIn,
    NotFound,
    UnknownCredential,
    VotedOnPaper,
)
from ballots.fast_sql import Statement, driver_of
from ballots.lifecycle import decode_spec
from ballots.models import (
    Attendance,
    Ballot,
    Cast,
    Elector,
    PaperIssue,
    Participation,
    Proxy,
)
from ballots.signing import Signer
from tally import board as tally_board
from tally.receipts import receipt_code, tracker_and_code

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
    """What a voter keeps: the tracker finds their ballot on the public board.

    ``receipt_code`` is the tracker as residents read it aloud (26 digits in groups of four,
    :func:`tally.receipts.receipt_code`); ``leaf_index`` is its position on the board;
    ``tree_head`` a signed head that includes it.
    """

    ballot_id: int
    tracker: str
    cast_hour: datetime
    receipt_code: str = ""
    replaced_earlier: bool = False
    leaf_index: int | None = None
    tree_head: tally_board.TreeHead | None = None


class VoterStatus(msgspec.Struct):
    """What a valid credential may learn before voting: whether they (or their household) voted,
    whether a paper ballot was issued for their vote (its serial), and whether they must first
    check in at the meeting the ballot is held at."""

    ballot_id: int
    ballot_state: str
    has_voted: bool
    household_has_voted: bool
    revoting: bool
    paper_serial: int | None = None
    needs_checkin: bool = False


def new_tracker() -> str:
    """A random 80-bit tracker, like ``k3xq-7hfa-2mvd-p9sa``."""
    return new_tracker_and_code()[0]


def new_tracker_and_code() -> tuple[str, str]:
    """A random 80-bit tracker and its receipt code."""
    return tracker_and_code(secrets.randbits(80))


def _submission_key(
    key: bytes, elector_id: int, submission_id: str, answers: tally.Answers
) -> bytes:
    basis = submission_id or msgspec.json.encode(answers, order="sorted").decode()
    message = f"submission:{elector_id}:{basis}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


async def _find_elector(
    session: AsyncSession, key: bytes, ballot_id: int, credential: str
) -> tuple[Elector, Ballot]:
    hashed = credential_hash(key, credential)
    query = select(Ballot).where(Ballot.id == ballot_id)
    ballot = await session.scalar(query.execution_options(populate_existing=True))
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    if hashed is None:
        raise MistypedCredential()
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
    elector, ballot = await _find_elector(session, key, ballot_id, credential)
    taken = await session.scalar(
        select(Participation.elector_id).where(
            Participation.ballot_id == ballot_id, Participation.count_key == elector.count_key
        )
    )
    paper_serial = await session.scalar(
        select(PaperIssue.serial).where(
            PaperIssue.ballot_id == ballot_id, PaperIssue.count_key == elector.count_key
        )
    )
    needs_checkin = False
    if ballot.requires_checkin and ballot.meeting_id is not None:
        present = await session.scalar(
            _PRESENT, {"meeting": ballot.meeting_id, "resident": elector.resident_id}
        )
        needs_checkin = not present
    return VoterStatus(
        ballot_id=ballot.id,
        ballot_state=ballot.state,
        has_voted=taken == elector.id,
        household_has_voted=taken is not None and taken != elector.id,
        revoting=ballot.revoting,
        paper_serial=paper_serial,
        needs_checkin=needs_checkin,
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
    signer: Signer | None = None,
) -> Receipt:
    """:func:`cast_vote` on the session's database, committing the session's own pending work
    (if any) first."""
    if session.in_transaction():
        await session.commit()
    engine = session.bind
    assert isinstance(engine, AsyncEngine), "cast_ballot needs a session bound to an engine"
    return await cast_vote(
        engine,
        key,
        ballot_id,
        credential,
        answers,
        submission_id=submission_id,
        channel=channel,
        signer=signer,
    )


async def cast_vote(
    engine: AsyncEngine,
    key: bytes,
    ballot_id: int,
    credential: str,
    answers: tally.Answers,
    *,
    submission_id: str = "",
    channel: str = "online",
    signer: Signer | None = None,
) -> Receipt:
    """Record a vote and commit it; return its receipt (the same one on a retry).

    The vote goes onto the ballot's public board in the same transaction; with a ``signer`` the
    receipt carries a signed tree head that includes it.

    The work is one short transaction of plain statements (:func:`_cast_in`). On SQLite it runs
    on the dedicated writer thread; elsewhere on a connection of its own.
    """
    hashed = credential_hash(key, credential)

    def work(connection: Connection) -> tuple[Receipt, int, bytes]:
        return _cast_in(connection, key, ballot_id, hashed, answers, submission_id, channel)

    heads = _heads_of(engine)

    def committed(done: tuple[Receipt, int, bytes]) -> None:
        heads.committed(ballot_id, done[1], done[2])

    def signed(done: tuple[Receipt, int, bytes]) -> Receipt:
        # Signed after the transaction, so the writer is free for the next vote meanwhile.
        receipt, size, _ = done
        if signer is not None and size:
            receipt.tree_head = heads.head(signer, ballot_id)
        return receipt

    writer = sqlite_writer(engine)
    for attempt in range(3):
        try:
            if writer is not None:
                return signed(await writer.run(work, committed))
            async with engine.connect() as connection:
                done = await connection.run_sync(work)
                await connection.commit()
            committed(done)
            return signed(done)
        except IntegrityError:
            # Another request for the same person or household won the race; look again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class _Heads:
    """The newest committed state of each ballot's board that this process knows of (on one
    database), and the head signed for it: the receipts of votes committed together share one
    signature instead of one each. Every head signed here is of a committed state, and of a
    size that includes the vote of the receipt it goes on."""

    def __init__(self) -> None:
        self._committed: dict[int, tuple[int, bytes]] = {}
        self._signed: dict[int, tuple[int, Signer, tally_board.TreeHead]] = {}

    def committed(self, ballot_id: int, size: int, edge: bytes) -> None:
        known = self._committed.get(ballot_id)
        if known is None or size > known[0]:
            self._committed[ballot_id] = (size, edge)

    def head(self, signer: Signer, ballot_id: int) -> tally_board.TreeHead:
        size, edge = self._committed[ballot_id]
        signed = self._signed.get(ballot_id)
        if signed is not None and signed[0] == size and signed[1] is signer:
            return signed[2]
        head = board.sign_head(signer, ballot_id, size, board.root_of(size, edge))
        self._signed[ballot_id] = (size, signer, head)
        return head


_HEADS: weakref.WeakKeyDictionary[Engine, _Heads] = weakref.WeakKeyDictionary()


def _heads_of(engine: AsyncEngine) -> _Heads:
    """The signed heads of the boards in ``engine``'s database, as this process knows them."""
    heads = _HEADS.get(engine.sync_engine)
    if heads is None:
        heads = _HEADS[engine.sync_engine] = _Heads()
    return heads


# The cast path's statements, built once: building and keying them per vote costs more than
# running them.
_Counted = aliased(Cast)
_LOOKUP_QUERY = (
    select(
        Elector.id,
        Elector.count_key,
        Elector.weight,
        Ballot.state,
        Ballot.spec,
        Ballot.revoting,
        Ballot.log_size,
        Ballot.log_edge,
        Ballot.closes_at,
        Ballot.requires_checkin,
        Ballot.meeting_id,
        Elector.resident_id,
        PaperIssue.serial,
        Participation.elector_id,
        _Counted.tracker,
        _Counted.cast_hour,
        _Counted.submission_key,
        _Counted.leaf_index,
    )
    .select_from(Elector)
    .join(Ballot, Ballot.id == Elector.ballot_id)
    .outerjoin(
        Participation,
        and_(
            Participation.ballot_id == Elector.ballot_id,
            Participation.count_key == Elector.count_key,
        ),
    )
    .outerjoin(_Counted, _Counted.id == Participation.cast_id)
    .outerjoin(
        PaperIssue,
        and_(PaperIssue.ballot_id == Elector.ballot_id, PaperIssue.count_key == Elector.count_key),
    )
    .where(Elector.credential_hash == bindparam("hashed"), Elector.ballot_id == bindparam("ballot"))
)
_LOOKUP = Statement(_LOOKUP_QUERY, times=(8, 15))  # closes_at, the counted cast's hour
# Lock the ballot row before the lookup: casts append to its board one at a time, and a close
# waits for them (SQLite's BEGIN IMMEDIATE already serialises writers). The lock is its own
# statement so that the lookup after it sees what the previous holder committed: a single
# ``SELECT ... FOR UPDATE OF ballots`` re-reads only the locked row after waiting, and would pair
# the fresh ballot with stale participation and cast rows (PostgreSQL's READ COMMITTED).
_LOCK_BALLOT = select(Ballot.id).where(Ballot.id == bindparam("ballot")).with_for_update()
_BALLOT_EXISTS = Statement(select(Ballot.id).where(Ballot.id == bindparam("ballot")))
_EARLIER = Statement(
    select(Cast.tracker, Cast.cast_hour, Cast.leaf_index).where(
        Cast.ballot_id == bindparam("ballot"), Cast.submission_key == bindparam("submission_key")
    ),
    times=(1,),
)
# An in-person ballot: the voter is checked in, or holds an active proxy's grantor whose holder is.
_ATTENDING = select(Attendance.resident_id).where(Attendance.meeting_id == bindparam("meeting"))
_PRESENT = select(
    or_(
        exists().where(
            Attendance.meeting_id == bindparam("meeting"),
            Attendance.resident_id == bindparam("resident"),
        ),
        exists().where(
            Proxy.meeting_id == bindparam("meeting"),
            Proxy.grantor_id == bindparam("resident"),
            Proxy.revoked_at.is_(None),
            Proxy.holder_id.in_(_ATTENDING),
        ),
    )
)
_PRESENT_NOW = Statement(_PRESENT)
_INSERT_CAST = Statement(
    insert(Cast).returning(Cast.id),
    binds_times=True,
    columns=(
        "ballot_id",
        "tracker",
        "answers",
        "channel",
        "cast_hour",
        "submission_key",
        "leaf_index",
    ),
)
_INSERT_PARTICIPATION = Statement(
    insert(Participation), columns=("ballot_id", "count_key", "elector_id", "cast_id")
)
_COUNT_CAST = Statement(
    update(Participation)
    .where(
        Participation.ballot_id == bindparam("ballot"),
        Participation.count_key == bindparam("key"),
    )
    .values(cast_id=bindparam("cast"))
)


def _past(deadline: datetime) -> bool:
    """True once ``deadline`` (stored in UTC; SQLite gives it back without a zone) is reached."""
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    return datetime.now(UTC) >= deadline


def _cast_in(
    connection: Connection,
    key: bytes,
    ballot_id: int,
    hashed: bytes | None,
    answers: tally.Answers,
    submission_id: str,
    channel: str,
) -> tuple[Receipt, int, bytes]:
    """Cast within an open transaction: one lookup, then the cast, its board leaf, participation.

    A submission is a retry (answered with its first receipt) when it carries the
    ``submission_id`` of an earlier cast, or, without one, when its answers equal those of the
    ballot that counts now. With revoting, any other submission replaces the counted ballot —
    including a change back to earlier answers. Returns the receipt (unsigned) and the board's
    size and right edge after it, for the caller to sign a tree head outside the transaction.
    """
    db = driver_of(connection)
    if hashed is None:
        if _BALLOT_EXISTS.first(db, {"ballot": ballot_id}) is None:
            raise NotFound(what="ballot", id=ballot_id)
        raise MistypedCredential()
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_BALLOT, {"ballot": ballot_id})
    row = _LOOKUP.first(db, {"hashed": hashed, "ballot": ballot_id})
    if row is None:
        if _BALLOT_EXISTS.first(db, {"ballot": ballot_id}) is None:
            raise NotFound(what="ballot", id=ballot_id)
        raise UnknownCredential()
    (
        elector_id,
        count_key,
        weight,
        state,
        spec_text,
        revoting,
        log_size,
        log_edge,
        closes_at,
        requires_checkin,
        meeting_id,
        resident_id,
        paper_serial,
        taken_by,
        counted_tracker,
        counted_hour,
        counted_key,
        counted_leaf,
    ) = row
    submission_key = _submission_key(key, elector_id, submission_id, answers)

    def receipt(
        tracker: str, hour: datetime, leaf: int | None, size: int, edge: bytes, code: str = ""
    ) -> tuple[Receipt, int, bytes]:
        made = Receipt(
            ballot_id=ballot_id,
            tracker=tracker,
            cast_hour=hour,
            receipt_code=code or receipt_code(tracker) or "",
            leaf_index=leaf,
        )
        return made, size, edge

    if taken_by == elector_id:
        if counted_key == submission_key:
            return receipt(counted_tracker, counted_hour, counted_leaf, log_size, log_edge)
        if submission_id:
            earlier = _EARLIER.first(db, {"ballot": ballot_id, "submission_key": submission_key})
            if earlier is not None:
                tracker, hour, leaf = earlier
                return receipt(tracker, hour, leaf, log_size, log_edge)
    if state != "open":
        raise BallotNotOpen(state=state)
    if closes_at is not None and _past(closes_at):
        # The deadline residents were shown has passed; the scheduler closes the ballot soon.
        raise BallotNotOpen(state="closed")
    if paper_serial is not None:
        raise VotedOnPaper(serial=paper_serial)
    if requires_checkin:
        present = _PRESENT_NOW.first(db, {"meeting": meeting_id, "resident": resident_id})
        if not (present and present[0]):
            raise NotCheckedIn()
    spec = decode_spec(spec_text)
    try:
        tally.check_answers(spec, answers)
    except tally.AnswerError as error:
        raise InvalidAnswer(
            ANSWER_MESSAGES.get(error.code, error.message),
            code=error.code,
            question=error.question,
            **error.params,
        ) from error
    if taken_by is not None and taken_by != elector_id:
        raise HouseholdAlreadyVoted()
    if taken_by is not None and not revoting:
        raise AlreadyVoted()
    tracker, code = new_tracker_and_code()
    cast_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    leaf = tally_board.cast_event(
        tracker=tracker,
        answers=answers,
        unit=tally_board.unit_pseudonym(key, board.board_ballot_id(ballot_id), count_key),
        hour=cast_hour,
        weight=weight if spec.weighting == "area" else 1.0,
        channel=channel,
        replaces=counted_tracker if taken_by is not None else None,
    )
    (leaf_index,), size, edge = board.append_events(db, ballot_id, log_size, log_edge, [leaf])
    inserted = _INSERT_CAST.first(
        db,
        {
            "ballot_id": ballot_id,
            "tracker": tracker,
            "answers": msgspec.json.encode(answers).decode(),
            "channel": channel,
            "cast_hour": cast_hour,
            "submission_key": submission_key,
            "leaf_index": leaf_index,
        },
    )
    assert inserted is not None
    cast_id = inserted[0]
    if taken_by is None:
        _INSERT_PARTICIPATION.run(
            db,
            {
                "ballot_id": ballot_id,
                "count_key": count_key,
                "elector_id": elector_id,
                "cast_id": cast_id,
            },
        )
    else:
        _COUNT_CAST.run(db, {"ballot": ballot_id, "key": count_key, "cast": cast_id})
    done = receipt(tracker, cast_hour, leaf_index, size, edge, code)
    done[0].replaced_earlier = taken_by is not None
    return done
