"""Reading a board's leaves: their hashes and the log, then each event in order, with every cast.

What it finds is kept in a :class:`Scan` for the checks that follow (:mod:`._checks`).
Casts are kept column-wise in arrays, and identical answers are decoded and checked once, so a
board of a million ballots fits in memory and verifies in seconds.
"""

from __future__ import annotations

import math
import operator
from array import array
from datetime import datetime

import msgspec

from tally.board._findings import Findings
from tally.board._format import (
    FAST_EVENT_DECODER,
    FORMAT_PAPER,
    MAX_TEXT,
    TIE_SEED_SOURCE,
    Cancel,
    Close,
    FastCast,
    PaperBatch,
    Participation,
    ResultEvent,
    Setup,
    check_reason,
    field_message,
    parse_time,
)
from tally.board._read import Board
from tally.count import rule_name
from tally.merkle import HASH_SIZE, MerkleLog, leaf_hash
from tally.result import Record
from tally.spec import AnswerError, Answers, SpecError, check_answers, check_spec

_PHASES = (
    "before the setup",
    "while voting",
    "after close",
    "after the result",
    "after the cancellation",
)


class Scan:
    """The events of a board as read in order, and its casts column by column."""

    def __init__(self, board: Board, findings: Findings) -> None:
        self.board = board
        self.findings = findings
        self.log = MerkleLog()
        self.setup: Setup | None = None
        self.events_ok = True
        self.close: Close | None = None
        self.close_index = -1
        self.paper: PaperBatch | None = None
        self.paper_index = -1
        self.paper_records: list[Record] = []
        """The batch's valid paper ballots as ``tally`` records (filled by the ``paper`` check)."""
        self.participation: Participation | None = None
        self.result: ResultEvent | None = None
        self.result_index = -1
        self.cancel: Cancel | None = None
        self.cancel_index = -1
        # Casts, in leaf order: cast number -> tracker, unit, leaf index, answer id, weight.
        self.cast_trackers: list[str] = []
        self.cast_units: list[str] = []
        self.cast_leaves = array("q")
        self.cast_answers = array("q")
        self.cast_weights = array("d")
        self.tracker_cast: dict[str, int] = {}
        self.unit_cast: dict[str, int] = {}
        """Each voting unit's counted (last) cast number."""
        self.answer_ids: dict[bytes, int] = {}
        self.answer_table: list[Answers | None] = []
        """Distinct answers by answer id; ``None`` where they break the manifest."""
        self.max_hour: datetime | None = None
        self.hours: dict[str, datetime | None] = {}

    @property
    def counted(self) -> int:
        """The number of counted cast ballots: one per voting unit (what ``close`` says)."""
        return len(self.unit_cast)

    @property
    def total_counted(self) -> int:
        """Every counted ballot: the casts' and the paper batch's valid sheets."""
        return len(self.unit_cast) + len(self.paper_records)

    def fail(self, name: str, message: str) -> None:
        """Record a failure of check ``name``."""
        self.findings.fail(name, message)


def scan_board(board: Board, findings: Findings) -> Scan:
    """Check the leaf hashes, build the log, and read every event in order."""
    scan = Scan(board, findings)
    scan.log = _hash_leaves(board, findings)
    _read_events(scan)
    return scan


def _hash_leaves(board: Board, findings: Findings) -> MerkleLog:
    """Check each leaf line's index and hash; the log is built from the recomputed hashes."""
    leaves = board.leaves
    size = len(leaves)
    computed = b"".join(map(leaf_hash, leaves))
    indexes = board.leaf_indexes
    if board.leaf_hashes != computed or not all(map(operator.eq, indexes, range(size))):
        lines = board.leaf_lines
        claimed = board.leaf_hashes
        for index in range(size):
            digest = computed[index * HASH_SIZE : (index + 1) * HASH_SIZE]
            if indexes[index] != index:
                findings.fail(
                    "leaf-hashes",
                    f"line {lines[index]}: leaf index {indexes[index]}, expected {index}",
                )
                break
            if claimed[index * HASH_SIZE : (index + 1) * HASH_SIZE] != digest:
                findings.fail(
                    "leaf-hashes",
                    f"line {lines[index]}: leaf {index}: the hash field is not "
                    f"SHA-256(0x00 ‖ data) = {digest.hex()}",
                )
                break
    findings.outcome(
        "leaf-hashes",
        f"{size} leaf hashes are SHA-256(0x00 ‖ data), indexes 0..{size - 1}",
    )
    return MerkleLog.from_hash_bytes(computed)


def _read_events(scan: Scan) -> None:
    """Decode each event and check the order: setup, casts, close, [participation], result."""
    board = scan.board
    lines = board.leaf_lines
    decode = FAST_EVENT_DECODER.decode
    phase = 0  # 0 expect setup, 1 casts, 2 after close, 3 after result, 4 after cancellation
    for index, data in enumerate(board.leaves):
        try:
            event = decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            message = (
                field_message(error)
                if isinstance(error, msgspec.ValidationError)
                else f"not valid JSON: {error}"
            )
            if index == 0:
                scan.fail("manifest", f"line {lines[0]}: leaf 0 is not a setup event: {message}")
            scan.fail("events", f"line {lines[index]}: leaf {index}: {message}")
            scan.events_ok = False
            break
        kind = type(event)
        if kind is FastCast:
            if phase != 1:
                _order_error(scan, index, "cast", phase)
                break
            _add_cast(scan, index, event)
        elif kind is Setup:
            if phase != 0:
                _order_error(scan, index, "setup", phase)
                break
            phase = 1
            scan.setup = event
            _check_setup(scan, event)
        elif kind is Close:
            if phase != 1:
                _order_error(scan, index, "close", phase)
                break
            phase = 2
            scan.close = event
            scan.close_index = index
        elif kind is PaperBatch:
            if phase != 2 or scan.paper is not None or scan.participation is not None:
                _order_error(scan, index, "paper_batch", phase)
                break
            if board.header.format != FORMAT_PAPER:
                scan.fail(
                    "events",
                    f"line {lines[index]}: leaf {index}: a paper_batch needs the board format "
                    f"{FORMAT_PAPER}",
                )
                scan.events_ok = False
                break
            scan.paper = event
            scan.paper_index = index
        elif kind is Participation:
            if phase != 2 or scan.participation is not None:
                _order_error(scan, index, "participation", phase)
                break
            scan.participation = event
        elif kind is Cancel:
            if phase != 1:
                _order_error(scan, index, "cancel", phase)
                break
            phase = 4
            scan.cancel = event
            scan.cancel_index = index
            _check_cancel(scan, event, index)
        else:
            if phase != 2:
                _order_error(scan, index, "result", phase)
                break
            phase = 3
            scan.result = event
            scan.result_index = index
    if board.leaves and phase == 0 and scan.events_ok:
        scan.fail("manifest", f"line {lines[0]}: leaf 0 is not a setup event")
    setup = scan.setup
    findings = scan.findings
    if setup is None:
        findings.outcome("manifest", "")
    else:
        findings.outcome(
            "manifest",
            f"ballot {setup.ballot_id!r}, {len(setup.spec.questions)} question(s), "
            f"electorate {setup.electorate.size}, key {board.header.key_id}",
        )
    findings.outcome(
        "events",
        "setup, casts, close, paper batch, participation, result in order"
        if scan.result is not None and scan.paper is not None
        else "setup, casts, close, participation, result in order"
        if scan.result is not None
        else "setup, casts, cancel in order: the ballot was cancelled, nothing follows"
        if scan.cancel is not None
        else "setup and casts in order; the ballot is not closed yet"
        if scan.close is None
        else "setup, casts, close in order; no result yet",
    )


def _order_error(scan: Scan, index: int, kind: str, phase: int) -> None:
    line = scan.board.leaf_lines[index]
    scan.fail(
        "events", f"line {line}: leaf {index}: a {kind} event is not allowed {_PHASES[phase]}"
    )
    scan.events_ok = False


def _check_setup(scan: Scan, setup: Setup) -> None:
    """The manifest: its ballot id, spec, tie seed, electorate and times."""
    header = scan.board.header
    if setup.ballot_id != header.ballot_id:
        scan.fail(
            "manifest",
            f"setup ballot_id {setup.ballot_id!r} is not the header's {header.ballot_id!r}",
        )
    try:
        check_spec(setup.spec)
        for index, question in enumerate(setup.spec.questions):
            rule_name(question, index)
    except SpecError as error:
        scan.fail("manifest", f"spec: {error}")
    if setup.spec.tie_seed:
        scan.fail("manifest", "spec.tie_seed must be empty (the seed is the root after close)")
    if setup.tie_seed != TIE_SEED_SOURCE:
        scan.fail("manifest", f"tie_seed must be {TIE_SEED_SOURCE!r}")
    electorate = setup.electorate
    if electorate.size <= 0 or not (electorate.area >= 0 and math.isfinite(electorate.area)):
        scan.fail("manifest", "electorate: size must be positive and area not negative")
    if parse_time(setup.opened_at) is None:
        scan.fail("manifest", "opened_at: not an ISO 8601 time with a time zone")
    if setup.closes_at is not None and parse_time(setup.closes_at) is None:
        scan.fail("manifest", "closes_at: not an ISO 8601 time with a time zone")


def _check_cancel(scan: Scan, cancel: Cancel, index: int) -> None:
    """The cancellation: a time with a zone, not before opening, and a reason."""
    where = _where(scan, index)
    problem = check_reason(cancel.reason)
    if problem is not None:
        scan.fail("events", f"{where}: {problem}")
    cancelled = parse_time(cancel.cancelled_at)
    opened = None if scan.setup is None else parse_time(scan.setup.opened_at)
    if cancelled is None:
        scan.fail("events", f"{where}: cancelled_at: not an ISO 8601 time with a time zone")
    elif opened is not None and cancelled < opened:
        scan.fail("events", f"{where}: cancelled_at is before opened_at")


def _add_cast(scan: Scan, index: int, cast: FastCast) -> None:
    """Check one cast against the manifest and the revoting rule, and keep it."""
    setup = scan.setup
    assert setup is not None
    number = len(scan.cast_trackers)
    tracker = cast.tracker
    if not tracker or len(tracker) > MAX_TEXT:
        scan.fail("casts", f"{_where(scan, index)}: tracker is empty or too long")
    if tracker in scan.tracker_cast:
        scan.fail("casts", f"{_where(scan, index)}: tracker {tracker!r} is used twice")
    else:
        scan.tracker_cast[tracker] = number
    raw = bytes(cast.answers)
    answer_id = scan.answer_ids.get(raw)
    if answer_id is None:
        answer_id = _add_answers(scan, raw, index)
    elif scan.answer_table[answer_id] is None:
        scan.fail("casts", f"{_where(scan, index)}: answers break the manifest")
    weight = cast.weight
    if not (weight >= 0 and math.isfinite(weight)):
        scan.fail("casts", f"{_where(scan, index)}: weight must be a finite number >= 0")
    elif weight != 1.0 and setup.spec.weighting != "area":
        scan.fail("casts", f"{_where(scan, index)}: weight must be 1 (weighting is none)")
    if not cast.unit or len(cast.unit) > MAX_TEXT:
        scan.fail("casts", f"{_where(scan, index)}: unit is empty or too long")
    if not cast.channel or len(cast.channel) > MAX_TEXT:
        scan.fail("casts", f"{_where(scan, index)}: channel is empty or too long")
    hours = scan.hours
    hour = hours[cast.hour] if cast.hour in hours else _check_hour(scan, cast.hour, index)
    if hour is not None and (scan.max_hour is None or hour > scan.max_hour):
        scan.max_hour = hour
    unit = cast.unit
    if cast.replaces is not None or unit in scan.unit_cast:
        _check_revote(scan, cast, index)
    scan.unit_cast[unit] = number
    scan.cast_trackers.append(tracker)
    scan.cast_units.append(unit)
    scan.cast_leaves.append(index)
    scan.cast_answers.append(answer_id)
    scan.cast_weights.append(weight)


def _where(scan: Scan, index: int) -> str:
    """``line N: leaf I``, for messages (made only when something is wrong)."""
    return f"line {scan.board.leaf_lines[index]}: leaf {index}"


def _add_answers(scan: Scan, raw: bytes, index: int) -> int:
    """Decode and check answers seen for the first time; return their answer id."""
    where = _where(scan, index)
    setup = scan.setup
    assert setup is not None
    answer_id = len(scan.answer_table)
    scan.answer_ids[raw] = answer_id
    answers: Answers | None
    try:
        answers = msgspec.json.decode(raw, type=Answers)
        check_answers(setup.spec, answers)
    except msgspec.ValidationError as error:
        answers = None
        scan.fail("casts", f"{where}: answers: {error}")
    except AnswerError as error:
        answers = None
        scan.fail("casts", f"{where}: answers.{error.question}: {error.message}")
    scan.answer_table.append(answers)
    return answer_id


def _check_revote(scan: Scan, cast: FastCast, index: int) -> None:
    """A unit's last cast counts; a later one must name the one it replaces."""
    where = _where(scan, index)
    setup = scan.setup
    assert setup is not None
    current = scan.unit_cast.get(cast.unit)
    if current is None:
        if cast.replaces is not None:
            scan.fail(
                "revoting",
                f"{where}: replaces {cast.replaces!r}, but its unit has no earlier cast",
            )
    elif not setup.revoting:
        scan.fail(
            "revoting",
            f"{where}: a second cast for one voting unit, and the manifest does not allow revoting",
        )
    elif cast.replaces != scan.cast_trackers[current]:
        scan.fail(
            "revoting",
            f"{where}: a second cast for one voting unit must replace its last cast "
            f"{scan.cast_trackers[current]!r}, not {cast.replaces!r}",
        )


def _check_hour(scan: Scan, text: str, index: int) -> datetime | None:
    """A cast's hour, parsed once per distinct text: a whole hour, not before opening."""
    where = _where(scan, index)
    moment = parse_time(text)
    setup = scan.setup
    assert setup is not None
    opened = parse_time(setup.opened_at)
    if moment is None or moment.minute or moment.second or moment.microsecond:
        scan.fail("casts", f"{where}: hour {text!r} is not a whole hour")
        moment = None
    elif opened is not None and moment < opened.replace(minute=0, second=0, microsecond=0):
        scan.fail("casts", f"{where}: hour {text!r} is before opened_at")
    scan.hours[text] = moment
    return moment
