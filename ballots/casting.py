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
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

import tally
from ballots import board
from ballots.credentials import credential_hash
from ballots.db import committer_of
from ballots.errors import (
    N_,
    AlreadyVoted,
    BallotNotOpen,
    DomainError,
    HouseholdAlreadyVoted,
    InvalidAnswer,
    MistypedCredential,
    NotCheckedIn,
    NotFound,
    UnknownCredential,
    VotedOnPaper,
)
from ballots.fast_sql import Db, Statement, driver_of
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


def check_answers(spec: tally.BallotSpec, answers: tally.Answers) -> None:
    """Raise :class:`InvalidAnswer` (with the resident's wording) unless ``answers`` fit."""
    try:
        tally.check_answers(spec, answers)
    except tally.AnswerError as error:
        raise InvalidAnswer(
            ANSWER_MESSAGES.get(error.code, error.message),
            code=error.code,
            question=error.question,
            **error.params,
        ) from error


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

    Votes arriving together are cast together (:func:`_cast_many` in one transaction, see
    :func:`ballots.db.committer_of`): on SQLite on the writer thread, elsewhere on one pooled
    connection per batch.
    """
    vote = _Vote(key, ballot_id, credential_hash(key, credential), answers, submission_id, channel)
    heads = _heads_of(engine)

    def committed(done: _Cast) -> None:
        heads.committed(ballot_id, done[1], done[2])

    committer = committer_of(engine)
    for attempt in range(3):
        try:
            receipt, size, _ = await committer.run_grouped(_cast_many, vote, committed)
        except IntegrityError:
            # Another request for the same person or household won the race; look again.
            if attempt == 2:
                raise
            continue
        # Signed after the transaction, so the writer is free for the next votes meanwhile.
        if signer is not None and size:
            receipt.tree_head = heads.head(signer, ballot_id)
        return receipt
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
)
# Many credentials' rows in one statement, each row ending with its hash. The ballot is
# compared as ``ballot_id + 0`` so that no index can serve that term: SQLite's planner, which has
# no statistics, would otherwise walk the ballot's whole roll instead of looking each hash up.
_LOOKUP_MANY = Statement(
    _LOOKUP_QUERY.add_columns(Elector.credential_hash).where(
        Elector.credential_hash.in_(bindparam("hashes", expanding=True)),
        Elector.ballot_id + literal_column("0") == bindparam("ballot"),
    ),
    times=(8, 15),
)
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
    insert(Cast),
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
# Participation points at a cast found by its tracker (unique), so that a batch's casts and
# participation go as one statement each, with no round trip for the casts' ids in between.
_CAST_BY_TRACKER = select(Cast.id).where(Cast.tracker == bindparam("tracker")).scalar_subquery()
_INSERT_PARTICIPATION = Statement(
    insert(Participation).from_select(
        ["ballot_id", "count_key", "elector_id", "cast_id"],
        select(
            bindparam("ballot_id", type_=Integer),
            bindparam("count_key", type_=String),
            bindparam("elector_id", type_=Integer),
            _CAST_BY_TRACKER,
        ),
    )
)
_COUNT_CAST = Statement(
    update(Participation)
    .where(
        Participation.ballot_id == bindparam("ballot"),
        Participation.count_key == bindparam("key"),
    )
    .values(cast_id=_CAST_BY_TRACKER)
)

# Every write of a batch of casts on PostgreSQL in one statement (one round trip): the board's
# leaves and nodes, the log's new state (only if it is still the state the batch read: a lost
# race fails the batch instead of forking the log), the casts, and participation, new or moved to
# the new cast. Constraints are checked at the end of the statement, when all of it is in.
_WRITE_ON_POSTGRES = text(
    """
WITH new_leaves AS (
    INSERT INTO board_leaves (ballot_id, index, data, hash)
    SELECT :ballot, * FROM unnest(
        CAST(:leaf_index AS INTEGER[]), CAST(:leaf_data AS TEXT[]), CAST(:leaf_hash AS BYTEA[]))
), new_nodes AS (
    INSERT INTO board_nodes (ballot_id, level, index, hash)
    SELECT :ballot, * FROM unnest(
        CAST(:node_level AS INTEGER[]), CAST(:node_index AS INTEGER[]),
        CAST(:node_hash AS BYTEA[]))
), moved AS (
    UPDATE ballots SET log_size = :new_size, log_edge = :edge
    WHERE id = :ballot AND log_size = :old_size
    RETURNING id
), new_casts AS (
    INSERT INTO casts (ballot_id, tracker, answers, channel, cast_hour, submission_key, leaf_index)
    SELECT :ballot, * FROM unnest(
        CAST(:tracker AS TEXT[]), CAST(:answers AS TEXT[]), CAST(:channel AS TEXT[]),
        CAST(:cast_hour AS TIMESTAMP[]), CAST(:submission_key AS BYTEA[]),
        CAST(:cast_leaf AS INTEGER[]))
    RETURNING id, leaf_index
), added AS (
    INSERT INTO participation (ballot_id, count_key, elector_id, cast_id)
    SELECT :ballot, p.count_key, p.elector_id, new_casts.id
    FROM unnest(
        CAST(:added_key AS TEXT[]), CAST(:added_elector AS INTEGER[]),
        CAST(:added_leaf AS INTEGER[])) AS p (count_key, elector_id, leaf_index)
    JOIN new_casts ON new_casts.leaf_index = p.leaf_index
), changed AS (
    UPDATE participation SET cast_id = new_casts.id
    FROM unnest(CAST(:changed_key AS TEXT[]), CAST(:changed_leaf AS INTEGER[]))
        AS c (count_key, leaf_index)
    JOIN new_casts ON new_casts.leaf_index = c.leaf_index
    WHERE participation.ballot_id = :ballot AND participation.count_key = c.count_key
)
SELECT count(*) FROM moved
"""
)


def _past(deadline: datetime) -> bool:
    """True once ``deadline`` (stored in UTC; SQLite gives it back without a zone) is reached."""
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    return datetime.now(UTC) >= deadline


class _Vote(NamedTuple):
    key: bytes
    ballot_id: int
    hashed: bytes | None
    answers: tally.Answers
    submission_id: str
    channel: str


_Cast = tuple[Receipt, int, bytes]
"""A cast's receipt (unsigned), and the size and right edge of its board once it is in."""


class _CountedBallot(NamedTuple):
    """The ballot that counts for a voting unit: who cast it, and what they were told."""

    elector_id: int
    tracker: str
    hour: datetime
    submission_key: bytes
    leaf: int | None


def _cast_many(connection: Connection, votes: Sequence[_Vote]) -> list[_Cast | Exception]:
    """Cast ``votes`` within one open transaction; each one's receipt or refusal.

    Per ballot: its lock (on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises
    writers), one lookup, every decision in memory in arrival order (so two phones of one
    household in one batch are decided as if one after the other), then the writes of all the
    accepted votes at once: their board leaves and nodes, casts and participation. Refusals come
    before any write.
    """
    db = driver_of(connection)
    by_ballot: dict[int, list[int]] = {}
    for position, vote in enumerate(votes):
        by_ballot.setdefault(vote.ballot_id, []).append(position)
    outcomes: dict[int, _Cast | Exception] = {}
    for ballot_id in sorted(by_ballot):  # one order of locks, whatever the batch
        positions = by_ballot[ballot_id]
        decided = _BallotBatch(connection, db, ballot_id).cast([votes[p] for p in positions])
        outcomes.update(zip(positions, decided, strict=True))
    return [outcomes[position] for position in range(len(votes))]


class _BallotBatch:
    """The votes of one batch on one ballot, decided in order against the ballot's state and
    what was decided before them, then written together."""

    def __init__(self, connection: Connection, db: Db, ballot_id: int) -> None:
        self.connection, self.db, self.ballot_id = connection, db, ballot_id
        self.exists: bool | None = None
        self.counted: dict[str, _CountedBallot | None] = {}  # by count key, as decided so far
        self.new_by_key: dict[bytes, tuple[str, datetime, int]] = {}  # this batch's casts
        self.leaves: list[bytes] = []
        self.casts: list[dict[str, Any]] = []
        self.participation: dict[str, tuple[bool, int, int]] = {}  # key: (new?, elector, cast)
        self.size, self.edge = 0, b""

    def cast(self, votes: Sequence[_Vote]) -> list[_Cast | Exception]:
        if self.connection.dialect.name != "sqlite":
            self.connection.execute(_LOCK_BALLOT, {"ballot": self.ballot_id})
        rows = self._lookup([vote.hashed for vote in votes if vote.hashed is not None])
        if rows:
            first = next(iter(rows.values()))
            self.size, self.edge = first[6], first[7]  # the ballot's log_size and log_edge
        decided: list[Receipt | Exception] = []
        for vote in votes:
            try:
                decided.append(self._decide(vote, rows))
            except DomainError as refusal:
                decided.append(refusal)
        size, edge = self._write() if self.leaves else (self.size, self.edge)
        return [o if isinstance(o, Exception) else (o, size, edge) for o in decided]

    def _lookup(self, hashes: list[bytes]) -> dict[bytes, tuple[Any, ...]]:
        """The lookup row of each credential hash found on this ballot."""
        if not hashes:
            return {}
        unique = list(dict.fromkeys(hashes))
        found = _LOOKUP_MANY.rows_in(self.db, "hashes", unique, {"ballot": self.ballot_id})
        return {row[-1]: row[:-1] for row in found}

    def _refuse_missing(self, refusal: DomainError) -> DomainError:
        if self.exists is None:
            self.exists = _BALLOT_EXISTS.first(self.db, {"ballot": self.ballot_id}) is not None
        return refusal if self.exists else NotFound(what="ballot", id=self.ballot_id)

    def _decide(self, vote: _Vote, rows: dict[bytes, tuple[Any, ...]]) -> Receipt:
        """One vote's receipt, or its refusal raised.

        A submission is a retry (answered with its first receipt) when it carries the
        ``submission_id`` of an earlier cast, or, without one, when its answers equal those of
        the ballot that counts now. With revoting, any other submission replaces the counted
        ballot — including a change back to earlier answers.
        """
        if vote.hashed is None:
            raise self._refuse_missing(MistypedCredential())
        row = rows.get(vote.hashed)
        if row is None:
            raise self._refuse_missing(UnknownCredential())
        (
            elector_id,
            count_key,
            weight,
            state,
            spec_text,
            revoting,
            _size,
            _edge,
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
        if count_key in self.counted:
            counted = self.counted[count_key]
        elif taken_by is not None:
            counted = _CountedBallot(
                taken_by, counted_tracker, counted_hour, counted_key, counted_leaf
            )
        else:
            counted = None
        submission_key = _submission_key(vote.key, elector_id, vote.submission_id, vote.answers)
        if counted is not None and counted.elector_id == elector_id:
            if counted.submission_key == submission_key:
                return self._receipt(counted.tracker, counted.hour, counted.leaf)
            if vote.submission_id:
                earlier = self.new_by_key.get(submission_key) or _EARLIER.first(
                    self.db, {"ballot": self.ballot_id, "submission_key": submission_key}
                )
                if earlier is not None:
                    tracker, hour, leaf = earlier
                    return self._receipt(tracker, hour, leaf)
        if state != "open":
            raise BallotNotOpen(state=state)
        if closes_at is not None and _past(closes_at):
            # The deadline residents were shown has passed; the scheduler closes the ballot soon.
            raise BallotNotOpen(state="closed")
        if paper_serial is not None:
            raise VotedOnPaper(serial=paper_serial)
        if requires_checkin:
            present = _PRESENT_NOW.first(self.db, {"meeting": meeting_id, "resident": resident_id})
            if not (present and present[0]):
                raise NotCheckedIn()
        spec = decode_spec(spec_text)
        check_answers(spec, vote.answers)
        if counted is not None and counted.elector_id != elector_id:
            raise HouseholdAlreadyVoted()
        if counted is not None and not revoting:
            raise AlreadyVoted()
        tracker, code = new_tracker_and_code()
        cast_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.leaves.append(
            tally_board.cast_event(
                tracker=tracker,
                answers=vote.answers,
                unit=tally_board.unit_pseudonym(
                    vote.key, board.board_ballot_id(self.ballot_id), count_key
                ),
                hour=cast_hour,
                weight=weight if spec.weighting == "area" else 1.0,
                channel=vote.channel,
                replaces=counted.tracker if counted is not None else None,
            )
        )
        leaf_index = self.size + len(self.casts)
        position = len(self.casts)
        self.casts.append(
            {
                "ballot_id": self.ballot_id,
                "tracker": tracker,
                "answers": msgspec.json.encode(vote.answers).decode(),
                "channel": vote.channel,
                "cast_hour": cast_hour,
                "submission_key": submission_key,
                "leaf_index": leaf_index,
            }
        )
        earlier_in_batch = self.participation.get(count_key)
        is_new = taken_by is None if earlier_in_batch is None else earlier_in_batch[0]
        self.participation[count_key] = (is_new, elector_id, position)
        self.counted[count_key] = _CountedBallot(
            elector_id, tracker, cast_hour, submission_key, leaf_index
        )
        self.new_by_key[submission_key] = (tracker, cast_hour, leaf_index)
        receipt = self._receipt(tracker, cast_hour, leaf_index, code)
        receipt.replaced_earlier = counted is not None
        return receipt

    def _receipt(self, tracker: str, hour: datetime, leaf: int | None, code: str = "") -> Receipt:
        return Receipt(
            ballot_id=self.ballot_id,
            tracker=tracker,
            cast_hour=hour,
            receipt_code=code or receipt_code(tracker) or "",
            leaf_index=leaf,
        )

    def _write(self) -> tuple[int, bytes]:
        """Write the batch's new casts: board leaves and nodes, casts, then participation."""
        db = self.db
        if isinstance(db, Connection) and db.dialect.name == "postgresql":
            return self._write_on_postgres(db)
        indexes, size, edge = board.append_events(
            db, self.ballot_id, self.size, self.edge, self.leaves
        )
        assert indexes == [cast["leaf_index"] for cast in self.casts]
        added = []
        changed = []
        for count_key, (is_new, elector_id, position) in self.participation.items():
            tracker = self.casts[position]["tracker"]
            if is_new:
                added.append(
                    {
                        "ballot_id": self.ballot_id,
                        "count_key": count_key,
                        "elector_id": elector_id,
                        "tracker": tracker,
                    }
                )
            else:
                changed.append({"ballot": self.ballot_id, "key": count_key, "tracker": tracker})
        for statement, rows in (
            (_INSERT_CAST, self.casts),
            (_INSERT_PARTICIPATION, added),
            (_COUNT_CAST, changed),
        ):
            if len(rows) == 1:  # one row goes as one statement, not through executemany
                statement.run(db, rows[0])
            elif rows:
                statement.run_many(db, rows)
        return size, edge

    def _write_on_postgres(self, connection: Connection) -> tuple[int, bytes]:
        """The same writes as one statement: one round trip for the whole batch."""
        plan = board.plan_append(self.ballot_id, self.size, self.edge, self.leaves)
        casts = self.casts
        added = [(k, e, p) for k, (new, e, p) in self.participation.items() if new]
        changed = [(k, p) for k, (new, _, p) in self.participation.items() if not new]
        moved = connection.execute(
            _WRITE_ON_POSTGRES,
            {
                "ballot": self.ballot_id,
                "leaf_index": plan.indexes,
                "leaf_data": [leaf["data"] for leaf in plan.leaves],
                "leaf_hash": [leaf["hash"] for leaf in plan.leaves],
                "node_level": [node["level"] for node in plan.nodes],
                "node_index": [node["index"] for node in plan.nodes],
                "node_hash": [node["hash"] for node in plan.nodes],
                "old_size": self.size,
                "new_size": plan.size,
                "edge": plan.edge,
                "tracker": [cast["tracker"] for cast in casts],
                "answers": [cast["answers"] for cast in casts],
                "channel": [cast["channel"] for cast in casts],
                # Stored as naive UTC, as UTCDateTime does.
                "cast_hour": [cast["cast_hour"].replace(tzinfo=None) for cast in casts],
                "submission_key": [cast["submission_key"] for cast in casts],
                "cast_leaf": [cast["leaf_index"] for cast in casts],
                "added_key": [key for key, _, _ in added],
                "added_elector": [elector for _, elector, _ in added],
                "added_leaf": [casts[position]["leaf_index"] for _, _, position in added],
                "changed_key": [key for key, _ in changed],
                "changed_leaf": [casts[position]["leaf_index"] for _, position in changed],
            },
        ).scalar_one()
        if moved != 1:
            raise board.LogMoved(self.ballot_id)
        return plan.size, plan.edge
