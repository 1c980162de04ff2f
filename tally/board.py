"""The public bulletin board of one ballot (format ``luwan-vote-board/1``): build, read, verify.

A board is a JSON Lines file: a header line (format, ballot id, the service's Ed25519 public key),
then *leaf* lines and signed *tree head* lines. Each leaf holds the exact bytes of one event (as
a JSON string, hashed as UTF-8, never re-serialised): ``setup`` (the manifest), ``cast``,
``close``, ``participation`` (公示, optional) and ``result``. The leaves form an RFC 9162 Merkle
log (:mod:`tally.merkle`); tree heads sign its root at a size. ``docs/bulletin-board.md`` is the
specification, precise enough to write another verifier from.

The server builds boards with the same code: ``setup_event`` … ``result_event`` make event bytes,
``tree_head_message`` the bytes to sign, ``leaf_line``/``tree_head_line``/:class:`BoardWriter`/
:func:`write_board` the file. :func:`read_board` parses a file with line-numbered errors and
:func:`verify_board` runs every check in order and reports each one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import math
import os
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Literal

import msgspec

from tally.count import count, count_weighted, rule_name
from tally.merkle import MemoryNodeStore, MerkleLog, verify_consistency, verify_inclusion
from tally.result import BallotResult, Electorate, Record
from tally.rules import UNIT_RULES
from tally.spec import AnswerError, Answers, BallotSpec, SpecError, check_answers, check_spec

if TYPE_CHECKING:  # Ed25519 comes from `cryptography`, imported only when signatures are checked,
    # so counting (`tally count`) needs nothing beyond msgspec.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

FORMAT = "luwan-vote-board/1"
TIE_SEED_SOURCE = "root-after-close"
"""The manifest's ``tie_seed``: the seed is the hex root hash of the tree ending with ``close``."""
TREE_HEAD_DOMAIN = "luwan-vote-board/1 tree-head"
MAX_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEX64 = re.compile(r"[0-9a-f]{64}")

# --- Line and event types --------------------------------------------------------------------


class Header(msgspec.Struct, tag_field="kind", tag="header", forbid_unknown_fields=True):
    """The first line: ``format``, ``ballot_id``, ``public_key`` (raw 32 bytes, base64), ``key_id``."""

    format: str
    ballot_id: str
    public_key: str
    key_id: str


class Leaf(msgspec.Struct, tag_field="kind", tag="leaf", forbid_unknown_fields=True):
    """A leaf line: its ``index``, ``hash`` (hex leaf hash) and ``data`` (the event JSON text)."""

    index: int
    hash: str
    data: str


class TreeHead(msgspec.Struct, tag_field="kind", tag="tree_head", forbid_unknown_fields=True):
    """A signed tree head: root of the first ``tree_size`` leaves at ``timestamp`` (ms, UTC)."""

    tree_size: int
    root_hash: str
    timestamp: int
    signature: str


class ParticipationEntry(msgspec.Struct, forbid_unknown_fields=True):
    """One participant of a 公示 list, masked: ``{"name": "张*明", "address": "3号楼201"}``."""

    name: str
    address: str


class Setup(msgspec.Struct, tag_field="type", tag="setup", forbid_unknown_fields=True):
    """The ballot manifest, always leaf 0."""

    ballot_id: str
    title: str
    spec: BallotSpec
    electorate: Electorate
    opened_at: str
    closes_at: str | None
    revoting: bool
    participation: bool
    tie_seed: str


class Cast(
    msgspec.Struct, tag_field="type", tag="cast", forbid_unknown_fields=True, omit_defaults=True
):
    """One cast ballot: no voter identity, only a per-ballot pseudonym of its voting unit."""

    tracker: str
    answers: Answers
    unit: str
    weight: float
    channel: str
    hour: str
    replaces: str | None = None


class _FastCast(
    msgspec.Struct, tag_field="type", tag="cast", forbid_unknown_fields=True, omit_defaults=True
):
    """:class:`Cast` with the answers kept as raw JSON, so identical answers are checked once."""

    tracker: str
    answers: msgspec.Raw
    unit: str
    weight: float
    channel: str
    hour: str
    replaces: str | None = None


class Close(msgspec.Struct, tag_field="type", tag="close", forbid_unknown_fields=True):
    """Voting closed at ``closed_at``; ``counted`` ballots count."""

    closed_at: str
    counted: int


class Participation(
    msgspec.Struct, tag_field="type", tag="participation", forbid_unknown_fields=True
):
    """The published (masked) list of who took part, one entry per counted ballot."""

    entries: list[ParticipationEntry]


class ResultEvent(msgspec.Struct, tag_field="type", tag="result", forbid_unknown_fields=True):
    """The published result (``msgspec.json.encode(tally.count(...))``) and its tie seed."""

    tie_seed: str
    result: msgspec.Raw


Event = Setup | Cast | Close | Participation | ResultEvent
_LineDecoder = msgspec.json.Decoder(Header | Leaf | TreeHead)
_EventDecoder = msgspec.json.Decoder(Setup | Cast | Close | Participation | ResultEvent)
_FastEventDecoder = msgspec.json.Decoder(Setup | _FastCast | Close | Participation | ResultEvent)
_encode = msgspec.json.encode


def decode_event(data: bytes) -> Event:
    """Decode one leaf's event bytes (:class:`msgspec.ValidationError`/``DecodeError`` if bad)."""
    event: Event = _EventDecoder.decode(data)
    return event


# --- Builders (deterministic bytes) ------------------------------------------------------------


def iso_time(moment: datetime) -> str:
    """``2024-05-01T09:30:15Z``: a timezone-aware moment in UTC, whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("times on the board must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_hour(moment: datetime) -> str:
    """``2024-05-01T09:00:00Z``: the hour a ballot was cast (minutes and seconds dropped)."""
    return iso_time(moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0))


def setup_event(
    *,
    ballot_id: str,
    title: str,
    spec: BallotSpec,
    electorate: Electorate,
    opened_at: datetime,
    closes_at: datetime | None = None,
    revoting: bool = False,
    participation: bool = False,
) -> bytes:
    """The manifest event. ``spec.tie_seed`` must be empty: the seed is the root after close."""
    if spec.tie_seed:
        raise ValueError("the manifest's spec has no tie_seed: the board supplies it at close")
    return _encode(
        Setup(
            ballot_id=ballot_id,
            title=title,
            spec=spec,
            electorate=electorate,
            opened_at=iso_time(opened_at),
            closes_at=None if closes_at is None else iso_time(closes_at),
            revoting=revoting,
            participation=participation,
            tie_seed=TIE_SEED_SOURCE,
        )
    )


def cast_event(
    *,
    tracker: str,
    answers: Answers,
    unit: str,
    hour: datetime,
    weight: float = 1.0,
    channel: str = "online",
    replaces: str | None = None,
) -> bytes:
    """A cast ballot. ``unit`` is a per-ballot pseudonym (see :func:`unit_pseudonym`)."""
    return _encode(
        Cast(
            tracker=tracker,
            answers=answers,
            unit=unit,
            weight=float(weight),
            channel=channel,
            hour=iso_hour(hour),
            replaces=replaces,
        )
    )


def close_event(*, closed_at: datetime, counted: int) -> bytes:
    """Voting closed; ``counted`` ballots count (the last cast of each unit)."""
    return _encode(Close(closed_at=iso_time(closed_at), counted=counted))


def participation_event(
    entries: Iterable[ParticipationEntry | tuple[str, str] | Mapping[str, str]],
) -> bytes:
    """The masked participation list, for ballots whose manifest says ``participation``."""
    built = []
    for entry in entries:
        if isinstance(entry, ParticipationEntry):
            built.append(entry)
        elif isinstance(entry, tuple):
            built.append(ParticipationEntry(name=entry[0], address=entry[1]))
        else:
            built.append(ParticipationEntry(name=entry["name"], address=entry["address"]))
    return _encode(Participation(entries=built))


def result_event(*, result: BallotResult | bytes, tie_seed: str) -> bytes:
    """The result event: ``result`` as :func:`tally.count` gave it (or its JSON bytes)."""
    raw = result if isinstance(result, bytes) else _encode(result)
    return _encode(ResultEvent(tie_seed=tie_seed, result=msgspec.Raw(raw)))


def unit_pseudonym(secret: bytes, ballot_id: str, unit: str) -> str:
    """A per-ballot pseudonym of a voting unit: HMAC-SHA-256 keyed by the server, 128 bits hex.

    The same unit gets the same pseudonym within a ballot (so revotes and dual thresholds can be
    checked) and unrelated ones across ballots. Any such keyed function will do; this is one.
    """
    message = f"unit\x1f{ballot_id}\x1f{unit}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def key_id(public_key: bytes) -> str:
    """The key id: the first 16 hex digits of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def make_header(ballot_id: str, public_key: bytes) -> Header:
    """The header for ``ballot_id`` signed by the raw 32-byte Ed25519 ``public_key``."""
    _check_ballot_id(ballot_id)
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Header(
        format=FORMAT,
        ballot_id=ballot_id,
        public_key=base64.b64encode(public_key).decode("ascii"),
        key_id=key_id(public_key),
    )


def tree_head_message(
    *, ballot_id: str, tree_size: int, root_hash: bytes | str, timestamp: int
) -> bytes:
    """The exact bytes a tree head's Ed25519 signature covers (UTF-8, each line ends in LF)::

    luwan-vote-board/1 tree-head
    <ballot id>
    <tree size, decimal>
    <root hash, 64 lowercase hex digits>
    <timestamp, decimal milliseconds since 1970-01-01T00:00:00Z>
    """
    _check_ballot_id(ballot_id)
    root = root_hash.hex() if isinstance(root_hash, bytes) else root_hash
    if not _HEX64.fullmatch(root):
        raise ValueError("the root hash is 32 bytes (64 lowercase hex digits)")
    if tree_size < 0 or timestamp < 0:
        raise ValueError("tree size and timestamp are not negative")
    text = f"{TREE_HEAD_DOMAIN}\n{ballot_id}\n{tree_size}\n{root}\n{timestamp}\n"
    return text.encode("utf-8")


def sign_tree_head(
    private_key: Ed25519PrivateKey,
    *,
    ballot_id: str,
    tree_size: int,
    root_hash: bytes,
    timestamp: int,
) -> TreeHead:
    """A tree head signed with ``private_key`` (the server may sign :func:`tree_head_message` itself)."""
    message = tree_head_message(
        ballot_id=ballot_id, tree_size=tree_size, root_hash=root_hash, timestamp=timestamp
    )
    signature = base64.b64encode(private_key.sign(message)).decode("ascii")
    return TreeHead(
        tree_size=tree_size, root_hash=root_hash.hex(), timestamp=timestamp, signature=signature
    )


def now_ms() -> int:
    """Milliseconds since the epoch, now: a tree head's ``timestamp``."""
    return int(datetime.now(UTC).timestamp() * 1000)


def header_line(header: Header) -> bytes:
    """The header line, newline included."""
    return _encode(header) + b"\n"


def leaf_line(index: int, data: bytes) -> bytes:
    """The line of leaf ``index`` holding the event bytes ``data`` (UTF-8), newline included."""
    digest = hashlib.sha256(b"\x00" + data).hexdigest()
    return _encode(Leaf(index=index, hash=digest, data=data.decode("utf-8"))) + b"\n"


def tree_head_line(head: TreeHead) -> bytes:
    """A tree head line, newline included."""
    return _encode(head) + b"\n"


class BoardWriter:
    """Writes a board as a stream: the header at once, then leaves and tree heads in order.

    A tree head may be written once every leaf it covers is written.
    """

    def __init__(self, stream: IO[bytes], header: Header) -> None:
        self.stream = stream
        self.size = 0
        stream.write(header_line(header))

    def leaf(self, data: bytes) -> int:
        """Write the next leaf; return its index."""
        index = self.size
        self.stream.write(leaf_line(index, data))
        self.size += 1
        return index

    def tree_head(self, head: TreeHead) -> None:
        """Write a tree head covering leaves already written."""
        if head.tree_size > self.size:
            raise ValueError(f"tree head of size {head.tree_size} after {self.size} leaves")
        self.stream.write(tree_head_line(head))


def write_board(header: Header, leaves: Iterable[bytes], tree_heads: Iterable[TreeHead]) -> bytes:
    """The whole board; each tree head is placed right after the last leaf it covers."""
    heads = sorted(tree_heads, key=lambda head: (head.tree_size, head.timestamp))
    out = io.BytesIO()
    writer = BoardWriter(out, header)
    position = 0
    while position < len(heads) and heads[position].tree_size == 0:
        writer.tree_head(heads[position])
        position += 1
    for data in leaves:
        writer.leaf(data)
        while position < len(heads) and heads[position].tree_size == writer.size:
            writer.tree_head(heads[position])
            position += 1
    if position < len(heads):
        raise ValueError(f"a tree head covers {heads[position].tree_size} leaves, beyond the board")
    return out.getvalue()


def _check_ballot_id(ballot_id: str) -> None:
    if not ballot_id or len(ballot_id) > MAX_TEXT or _CONTROL.search(ballot_id):
        raise ValueError("a ballot id is 1 to 200 characters without control characters")


# --- Reading -----------------------------------------------------------------------------------


class BoardFormatError(ValueError):
    """A board file that cannot be read; ``line`` is the 1-based line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Board:
    """A board as read: the header, each leaf's event bytes, and the tree heads.

    ``leaf_hashes`` holds the ``hash`` field of every leaf line (32 bytes each, concatenated),
    ``leaf_indexes`` their ``index`` fields, ``leaf_lines``/``head_lines`` the line numbers.
    """

    header: Header
    leaves: list[bytes] = field(default_factory=list)
    leaf_hashes: bytearray = field(default_factory=bytearray)
    leaf_indexes: array[int] = field(default_factory=lambda: array("q"))
    leaf_lines: array[int] = field(default_factory=lambda: array("q"))
    tree_heads: list[TreeHead] = field(default_factory=list)
    head_lines: list[int] = field(default_factory=list)

    @property
    def latest(self) -> TreeHead | None:
        """The last tree head in the file."""
        return self.tree_heads[-1] if self.tree_heads else None


def read_board(source: bytes | str | os.PathLike[str] | IO[bytes]) -> Board:
    """Read a board from its bytes, a file path, or a binary stream.

    Raises :class:`BoardFormatError` naming the line for anything that is not a well-formed
    board file (bad JSON, unknown line kind, missing or wrong fields, a truncated last line).
    What the lines *mean* is checked by :func:`verify_board`.
    """
    if isinstance(source, bytes):
        return _read_lines(io.BytesIO(source))
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return _read_lines(stream)
    return _read_lines(source)


def _read_lines(stream: IO[bytes]) -> Board:
    lines = iter(stream)
    first = next(lines, b"")
    header = _read_header(first)
    board = Board(header=header)
    decode = _LineDecoder.decode
    leaves_append = board.leaves.append
    hashes = board.leaf_hashes
    indexes_append = board.leaf_indexes.append
    lines_append = board.leaf_lines.append
    number = 1
    for number, line in enumerate(lines, start=2):
        if not line.endswith(b"\n"):
            raise BoardFormatError(number, "truncated: the last line does not end with a newline")
        try:
            item = decode(line)
        except msgspec.ValidationError as error:
            raise BoardFormatError(number, _field_message(error)) from error
        except msgspec.DecodeError as error:
            if not line.strip():
                raise BoardFormatError(number, "empty line") from error
            raise BoardFormatError(number, f"not valid JSON: {error}") from error
        if type(item) is Leaf:
            try:
                data = item.data.encode("utf-8")
                digest = bytes.fromhex(item.hash)
            except UnicodeEncodeError as error:
                raise BoardFormatError(number, "data: not valid Unicode text") from error
            except ValueError as error:
                raise BoardFormatError(number, "hash: not hex") from error
            if len(digest) != 32:
                raise BoardFormatError(number, "hash: not 32 bytes")
            leaves_append(data)
            hashes += digest
            indexes_append(item.index)
            lines_append(number)
        elif type(item) is TreeHead:
            board.tree_heads.append(item)
            board.head_lines.append(number)
        else:
            raise BoardFormatError(number, "a second header line")
    return board


def _read_header(line: bytes) -> Header:
    if not line:
        raise BoardFormatError(1, "empty file: no header line")
    if not line.endswith(b"\n"):
        raise BoardFormatError(1, "truncated: the last line does not end with a newline")
    try:
        loose = msgspec.json.decode(line)
    except msgspec.DecodeError as error:
        raise BoardFormatError(1, f"not valid JSON: {error}") from error
    if not isinstance(loose, dict) or loose.get("kind") != "header":
        raise BoardFormatError(1, 'the first line must be the header ({"kind": "header", ...})')
    if loose.get("format") != FORMAT:
        raise BoardFormatError(
            1, f"format {loose.get('format')!r} is not supported (this verifier reads {FORMAT})"
        )
    try:
        return msgspec.json.decode(line, type=Header)
    except msgspec.ValidationError as error:
        raise BoardFormatError(1, _field_message(error)) from error


def _field_message(error: msgspec.ValidationError) -> str:
    text = str(error)
    message, marker, path = text.rpartition(" - at `")
    if not marker:
        return text
    where = path.rstrip("`").removeprefix("$").removeprefix(".") or "line"
    return f"{where}: {message}"


def read_tree_head(data: bytes | str) -> TreeHead:
    """A tree head saved earlier: a board ``tree_head`` line, or the same object as the server
    returns it with a receipt (``kind``, ``ballot_id`` and ``key_id`` are optional there).

    Raises :class:`ValueError` for anything else.
    """
    try:
        loose = msgspec.json.decode(data)
    except msgspec.DecodeError as error:
        raise ValueError(f"not valid JSON: {error}") from error
    if not isinstance(loose, dict):
        raise ValueError("a tree head is a JSON object")
    fields = {name: loose[name] for name in TreeHead.__struct_fields__ if name in loose}
    try:
        return msgspec.convert(fields, TreeHead)
    except msgspec.ValidationError as error:
        raise ValueError(_field_message(error)) from error


# --- Verification ------------------------------------------------------------------------------

Status = Literal["pass", "fail", "skip"]

CHECKS = (
    "format",
    "manifest",
    "leaf-hashes",
    "events",
    "root",
    "signatures",
    "casts",
    "revoting",
    "electorate",
    "close",
    "participation",
    "tie-seed",
    "recount",
    "receipt",
    "since",
)
"""Every check :func:`verify_board` runs, in order (``receipt`` and ``since`` when asked)."""


class CheckResult(msgspec.Struct):
    """One named check: ``pass``, ``fail`` or ``skip``, with a one-line ``detail``."""

    name: str
    status: Status
    detail: str


class VerifyReport(msgspec.Struct):
    """The outcome of :func:`verify_board`: every check in order, and what was found."""

    checks: list[CheckResult]
    ballot_id: str
    tree_size: int
    root_hash: str
    closed: bool
    counted: int | None = None
    receipt_index: int | None = None

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return all(check.status != "fail" for check in self.checks)

    @property
    def first_failure(self) -> CheckResult | None:
        """The first failed check, if any."""
        return next((check for check in self.checks if check.status == "fail"), None)

    def check(self, name: str) -> CheckResult:
        """The check called ``name``."""
        return next(check for check in self.checks if check.name == name)


def verify_board(
    board: Board,
    *,
    receipt: str | None = None,
    since: TreeHead | None = None,
    key: bytes | None = None,
) -> VerifyReport:
    """Run every check on ``board`` in order and report each (see ``docs/bulletin-board.md``).

    ``receipt``: a tracker whose inclusion to prove against the latest signed tree head.
    ``since``: a tree head saved earlier; the board must extend it (consistency proof).
    ``key``: the service's raw 32-byte public key, obtained elsewhere; the header must carry it.
    """
    return _Verifier(board, receipt=receipt, since=since, key=key).run()


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment


class _Verifier:
    def __init__(
        self, board: Board, *, receipt: str | None, since: TreeHead | None, key: bytes | None
    ) -> None:
        self.board = board
        self.receipt = receipt
        self.since = since
        self.key = key
        self.results: dict[str, tuple[Status, str]] = {}
        self.failed: dict[str, str] = {}
        self.log = MerkleLog(MemoryNodeStore())
        self.public_key: Ed25519PublicKey | None = None
        self.setup: Setup | None = None
        self.events_ok = True
        self.close: Close | None = None
        self.close_index = -1
        self.participation: Participation | None = None
        self.result: ResultEvent | None = None
        self.result_index = -1
        # Casts, in leaf order.
        self.cast_trackers: list[str] = []
        self.cast_units: list[str] = []
        self.cast_leaves = array("q")
        self.cast_answers = array("q")
        self.cast_weights = array("d")
        self.tracker_cast: dict[str, int] = {}
        self.unit_cast: dict[str, int] = {}
        self.answer_ids: dict[bytes, int] = {}
        self.answer_table: list[Answers | None] = []
        self.max_hour: datetime | None = None
        self.hours: dict[str, datetime | None] = {}
        self.receipt_index: int | None = None

    def fail(self, name: str, message: str) -> None:
        self.failed.setdefault(name, message)

    def outcome(self, name: str, detail: str) -> None:
        if name in self.failed:
            self.results[name] = ("fail", self.failed[name])
        else:
            self.results[name] = ("pass", detail)

    def skip(self, name: str, reason: str) -> None:
        self.results[name] = ("skip", reason)

    # -- the run --

    def run(self) -> VerifyReport:
        board = self.board
        self.results["format"] = ("pass", f"{FORMAT}, {len(board.leaves)} leaves")
        self.check_header()
        self.scan()
        self.check_root()
        self.check_signatures()
        self.finish_casts()
        self.check_close()
        self.check_participation()
        self.check_tie_seed()
        self.check_recount()
        if self.receipt is not None:
            self.check_receipt(self.receipt)
        if self.since is not None:
            self.check_since(self.since)
        checks = [
            CheckResult(name=name, status=self.results[name][0], detail=self.results[name][1])
            for name in CHECKS
            if name in self.results
        ]
        return VerifyReport(
            checks=checks,
            ballot_id=board.header.ballot_id,
            tree_size=len(board.leaves),
            root_hash=self.log.root().hex(),
            closed=self.close is not None,
            counted=len(self.unit_cast) if self.close is not None else None,
            receipt_index=self.receipt_index,
        )

    def check_header(self) -> None:
        header = self.board.header
        try:
            _check_ballot_id(header.ballot_id)
        except ValueError as error:
            self.fail("manifest", f"header ballot_id: {error}")
        try:
            raw = base64.b64decode(header.public_key, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            self.fail("manifest", "header public_key: not a base64 32-byte Ed25519 key")
        else:
            if header.key_id != key_id(raw):
                self.fail("manifest", f"header key_id: {header.key_id!r} is not {key_id(raw)!r}")
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            self.public_key = Ed25519PublicKey.from_public_bytes(raw)
            if self.key is not None and raw != self.key:
                self.fail(
                    "signatures",
                    f"the board's key {header.key_id} is not the key given ({key_id(self.key)})",
                )
        if not self.board.leaves:
            self.fail("manifest", "the board has no leaves: leaf 0 must be the setup event")

    def check_setup(self, setup: Setup) -> None:
        header = self.board.header
        if setup.ballot_id != header.ballot_id:
            self.fail(
                "manifest",
                f"setup ballot_id {setup.ballot_id!r} is not the header's {header.ballot_id!r}",
            )
        try:
            check_spec(setup.spec)
            for index, question in enumerate(setup.spec.questions):
                rule_name(question, index)
        except SpecError as error:
            self.fail("manifest", f"spec: {error}")
        if setup.spec.tie_seed:
            self.fail("manifest", "spec.tie_seed must be empty (the seed is the root after close)")
        if setup.tie_seed != TIE_SEED_SOURCE:
            self.fail("manifest", f"tie_seed must be {TIE_SEED_SOURCE!r}")
        electorate = setup.electorate
        if electorate.size <= 0 or not (electorate.area >= 0 and math.isfinite(electorate.area)):
            self.fail("manifest", "electorate: size must be positive and area not negative")
        if _parse_time(setup.opened_at) is None:
            self.fail("manifest", "opened_at: not an ISO 8601 time with a time zone")
        if setup.closes_at is not None and _parse_time(setup.closes_at) is None:
            self.fail("manifest", "closes_at: not an ISO 8601 time with a time zone")

    def scan(self) -> None:
        """One pass over the leaves: hashes, the log, event decoding and order, casts."""
        board = self.board
        claimed = board.leaf_hashes
        indexes = board.leaf_indexes
        lines = board.leaf_lines
        sha256 = hashlib.sha256
        compact = self.log.compact
        store = self.log.store
        assert isinstance(store, MemoryNodeStore)
        levels = store.levels
        decode = _FastEventDecoder.decode
        hash_ok = True
        phase = 0  # 0 expect setup, 1 casts, 2 after close, 3 after result
        for index, data in enumerate(board.leaves):
            digest = sha256(b"\x00" + data).digest()
            if hash_ok and (
                indexes[index] != index or claimed[index * 32 : index * 32 + 32] != digest
            ):
                hash_ok = False
                if indexes[index] != index:
                    self.fail(
                        "leaf-hashes",
                        f"line {lines[index]}: leaf index {indexes[index]}, expected {index}",
                    )
                else:
                    self.fail(
                        "leaf-hashes",
                        f"line {lines[index]}: leaf {index}: the hash field is not "
                        f"SHA-256(0x00 ‖ data) = {digest.hex()}",
                    )
            # Append to the log (inline CompactRange.append + MemoryNodeStore.put_nodes).
            position = compact.size
            if not levels:
                levels.append(bytearray())
            levels[0] += digest
            value = digest
            level = 0
            stack = compact.hashes
            while position & 1:
                value = sha256(b"\x01" + stack.pop() + value).digest()
                level += 1
                position >>= 1
                if len(levels) <= level:
                    levels.append(bytearray())
                levels[level] += value
            stack.append(value)
            compact.size += 1
            if not self.events_ok:
                continue
            try:
                event = decode(data)
            except (msgspec.ValidationError, msgspec.DecodeError) as error:
                message = (
                    _field_message(error)
                    if isinstance(error, msgspec.ValidationError)
                    else f"not valid JSON: {error}"
                )
                if index == 0:
                    self.fail(
                        "manifest", f"line {lines[0]}: leaf 0 is not a setup event: {message}"
                    )
                self.fail("events", f"line {lines[index]}: leaf {index}: {message}")
                self.events_ok = False
                continue
            kind = type(event)
            if kind is _FastCast:
                if phase != 1:
                    self.order_error(index, "cast", phase)
                    continue
                self.add_cast(index, event)
            elif kind is Setup:
                if phase != 0:
                    self.order_error(index, "setup", phase)
                    continue
                phase = 1
                self.setup = event
                self.check_setup(self.setup)
            elif kind is Close:
                if phase != 1:
                    self.order_error(index, "close", phase)
                    continue
                phase = 2
                self.close = event
                self.close_index = index
            elif kind is Participation:
                if phase != 2 or self.participation is not None:
                    self.order_error(index, "participation", phase)
                    continue
                self.participation = event
            else:
                if phase != 2:
                    self.order_error(index, "result", phase)
                    continue
                phase = 3
                self.result = event
                self.result_index = index
        if board.leaves and phase == 0 and self.events_ok:
            self.fail("manifest", f"line {lines[0]}: leaf 0 is not a setup event")
        self.outcome(
            "leaf-hashes",
            f"{len(board.leaves)} leaf hashes are SHA-256(0x00 ‖ data), indexes 0..{len(board.leaves) - 1}",
        )
        setup = self.setup
        if setup is None:
            self.outcome("manifest", "")
        else:
            self.outcome(
                "manifest",
                f"ballot {setup.ballot_id!r}, {len(setup.spec.questions)} question(s), "
                f"electorate {setup.electorate.size}, key {board.header.key_id}",
            )
        self.outcome(
            "events",
            "setup, casts, close, participation, result in order"
            if self.result is not None
            else "setup and casts in order; the ballot is not closed yet"
            if self.close is None
            else "setup, casts, close in order; no result yet",
        )

    def order_error(self, index: int, kind: str, phase: int) -> None:
        where = ("before the setup", "while voting", "after close", "after the result")[phase]
        self.fail(
            "events",
            f"line {self.board.leaf_lines[index]}: leaf {index}: a {kind} event is not allowed {where}",
        )
        self.events_ok = False

    def add_cast(self, index: int, cast: _FastCast) -> None:
        setup = self.setup
        assert setup is not None
        number = len(self.cast_trackers)
        tracker = cast.tracker
        line = self.board.leaf_lines[index]
        if not tracker or len(tracker) > MAX_TEXT:
            self.fail("casts", f"line {line}: leaf {index}: tracker is empty or too long")
        if tracker in self.tracker_cast:
            self.fail("casts", f"line {line}: leaf {index}: tracker {tracker!r} is used twice")
        else:
            self.tracker_cast[tracker] = number
        raw = bytes(cast.answers)
        answer_id = self.answer_ids.get(raw)
        if answer_id is None:
            answer_id = len(self.answer_table)
            self.answer_ids[raw] = answer_id
            answers: Answers | None
            try:
                answers = msgspec.json.decode(raw, type=Answers)
                check_answers(setup.spec, answers)
            except msgspec.ValidationError as error:
                answers = None
                self.fail("casts", f"line {line}: leaf {index}: answers: {error}")
            except AnswerError as error:
                answers = None
                self.fail(
                    "casts", f"line {line}: leaf {index}: answers.{error.question}: {error.message}"
                )
            self.answer_table.append(answers)
        elif self.answer_table[answer_id] is None:
            self.fail("casts", f"line {line}: leaf {index}: answers break the manifest")
        weight = cast.weight
        if not (weight >= 0 and math.isfinite(weight)):
            self.fail("casts", f"line {line}: leaf {index}: weight must be a finite number >= 0")
        elif setup.spec.weighting != "area" and weight != 1.0:
            self.fail("casts", f"line {line}: leaf {index}: weight must be 1 (weighting is none)")
        if not cast.unit or len(cast.unit) > MAX_TEXT:
            self.fail("casts", f"line {line}: leaf {index}: unit is empty or too long")
        if not cast.channel or len(cast.channel) > MAX_TEXT:
            self.fail("casts", f"line {line}: leaf {index}: channel is empty or too long")
        hours = self.hours
        hour = hours[cast.hour] if cast.hour in hours else self.check_hour(cast.hour, line, index)
        if hour is not None and (self.max_hour is None or hour > self.max_hour):
            self.max_hour = hour
        # Revoting: a unit's last cast counts; a later one must name the one it replaces.
        unit = cast.unit
        current = self.unit_cast.get(unit)
        if current is None:
            if cast.replaces is not None:
                self.fail(
                    "revoting",
                    f"line {line}: leaf {index}: replaces {cast.replaces!r}, but its unit has "
                    "no earlier cast",
                )
        elif not setup.revoting:
            self.fail(
                "revoting",
                f"line {line}: leaf {index}: a second cast for one voting unit, and the "
                "manifest does not allow revoting",
            )
        elif cast.replaces != self.cast_trackers[current]:
            self.fail(
                "revoting",
                f"line {line}: leaf {index}: a second cast for one voting unit must replace its "
                f"last cast {self.cast_trackers[current]!r}, not {cast.replaces!r}",
            )
        self.unit_cast[unit] = number
        self.cast_trackers.append(tracker)
        self.cast_units.append(unit)
        self.cast_leaves.append(index)
        self.cast_answers.append(answer_id)
        self.cast_weights.append(weight)

    def check_hour(self, text: str, line: int, index: int) -> datetime | None:
        moment = _parse_time(text)
        setup = self.setup
        assert setup is not None
        opened = _parse_time(setup.opened_at)
        if moment is None or moment.minute or moment.second or moment.microsecond:
            self.fail("casts", f"line {line}: leaf {index}: hour {text!r} is not a whole hour")
            moment = None
        elif opened is not None and moment < opened.replace(minute=0, second=0, microsecond=0):
            self.fail("casts", f"line {line}: leaf {index}: hour {text!r} is before opened_at")
        self.hours[text] = moment
        return moment

    def check_root(self) -> None:
        board = self.board
        heads = board.tree_heads
        size = len(board.leaves)
        if not heads:
            self.fail("root", "the board has no signed tree head")
        previous: TreeHead | None = None
        for head, line in zip(heads, board.head_lines, strict=True):
            if not 0 <= head.tree_size <= size:
                self.fail(
                    "root",
                    f"line {line}: tree head of size {head.tree_size}, but the board has {size} leaves",
                )
                continue
            if previous is not None and (
                head.tree_size < previous.tree_size or head.timestamp < previous.timestamp
            ):
                self.fail("root", f"line {line}: tree heads must not go back in size or time")
            previous = head
            root = self.log.root(head.tree_size).hex()
            if head.root_hash != root:
                self.fail(
                    "root",
                    f"line {line}: the tree head of size {head.tree_size} signs root "
                    f"{head.root_hash}, but the leaves give {root}",
                )
        latest = board.latest
        if latest is not None and latest.tree_size != size:
            self.fail(
                "root",
                f"the last tree head covers {latest.tree_size} leaves, the board has {size}",
            )
        self.outcome(
            "root",
            f"the root of all {size} leaves is {self.log.root().hex()}, as the last of "
            f"{len(heads)} tree head(s) signs; every tree head matches its prefix",
        )

    def signature_ok(self, head: TreeHead) -> bool:
        from cryptography.exceptions import InvalidSignature

        if self.public_key is None:
            return False
        try:
            signature = base64.b64decode(head.signature, validate=True)
            message = tree_head_message(
                ballot_id=self.board.header.ballot_id,
                tree_size=head.tree_size,
                root_hash=head.root_hash,
                timestamp=head.timestamp,
            )
            self.public_key.verify(signature, message)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def check_signatures(self) -> None:
        if self.public_key is None:
            self.skip("signatures", "no usable public key in the header")
            return
        for head, line in zip(self.board.tree_heads, self.board.head_lines, strict=True):
            if not self.signature_ok(head):
                self.fail(
                    "signatures",
                    f"line {line}: the signature of the tree head of size {head.tree_size} "
                    f"does not verify with key {self.board.header.key_id}",
                )
        given = "" if self.key is None else " (the key given)"
        self.outcome(
            "signatures",
            f"{len(self.board.tree_heads)} tree head signature(s) verify with key "
            f"{self.board.header.key_id}{given}",
        )

    def finish_casts(self) -> None:
        if self.setup is None:
            for name in ("casts", "revoting", "electorate"):
                self.skip(name, "no manifest")
            return
        setup = self.setup
        casts = len(self.cast_trackers)
        if self.max_hour is not None and self.close is not None:
            closed = _parse_time(self.close.closed_at)
            if closed is not None and self.max_hour > closed:
                self.fail("casts", f"a cast's hour {iso_time(self.max_hour)} is after closed_at")
        self.outcome(
            "casts",
            f"{casts} cast(s) valid under the manifest ({len(self.answer_table)} distinct answers)",
        )
        counted = len(self.unit_cast)
        self.outcome(
            "revoting",
            f"{counted} counted: the last cast of each voting unit"
            + (f", {casts - counted} replaced" if casts > counted else ""),
        )
        electorate = setup.electorate
        if counted > electorate.size:
            self.fail(
                "electorate",
                f"{counted} counted ballots exceed the electorate of {electorate.size}",
            )
        detail = f"{counted} counted ballots of an electorate of {electorate.size}"
        if setup.spec.weighting == "area":
            weights = self.cast_weights
            total = math.fsum(weights[number] for number in self.unit_cast.values())
            if total > electorate.area * (1 + 1e-9) + 1e-9:
                self.fail(
                    "electorate",
                    f"the counted weight {total:g} exceeds the electorate area {electorate.area:g}",
                )
            detail += f", weight {total:g} of {electorate.area:g}"
        self.outcome("electorate", detail)

    def check_close(self) -> None:
        close = self.close
        if close is None:
            self.skip("close", "the ballot is not closed yet")
            return
        counted = len(self.unit_cast)
        if close.counted != counted:
            self.fail(
                "close", f"close says {close.counted} counted ballots, the casts give {counted}"
            )
        closed = _parse_time(close.closed_at)
        opened = None if self.setup is None else _parse_time(self.setup.opened_at)
        if closed is None:
            self.fail("close", "closed_at: not an ISO 8601 time with a time zone")
        elif opened is not None and closed < opened:
            self.fail("close", "closed_at is before opened_at")
        self.outcome(
            "close", f"closed at {close.closed_at} (leaf {self.close_index}) with {counted} counted"
        )

    def check_participation(self) -> None:
        setup = self.setup
        if setup is None:
            self.skip("participation", "no manifest")
            return
        listed = self.participation
        if not setup.participation:
            if listed is not None:
                self.fail("participation", "a participation list the manifest does not announce")
                self.outcome("participation", "")
            else:
                self.skip("participation", "this ballot does not publish participation")
            return
        if self.close is None:
            self.skip("participation", "published at close")
            return
        if listed is None:
            if self.result is not None:
                self.fail(
                    "participation",
                    "the manifest announces a participation list; none is published",
                )
            else:
                self.skip("participation", "not published yet")
            self.outcome("participation", "")
            return
        counted = len(self.unit_cast)
        if len(listed.entries) != counted:
            self.fail(
                "participation",
                f"{len(listed.entries)} participants listed for {counted} counted ballots",
            )
        for number, entry in enumerate(listed.entries):
            if not entry.name.strip() or not entry.address.strip():
                self.fail("participation", f"entry {number}: name and address must not be empty")
                break
        self.outcome("participation", f"{len(listed.entries)} participants listed (masked)")

    def tie_seed(self) -> str:
        return self.log.root(self.close_index + 1).hex()

    def check_tie_seed(self) -> None:
        result = self.result
        if result is None:
            self.skip("tie-seed", "no result yet")
            return
        seed = self.tie_seed()
        if result.tie_seed != seed:
            self.fail(
                "tie-seed",
                f"the result's tie_seed {result.tie_seed} is not the root after close {seed}",
            )
        else:
            try:
                published = msgspec.json.decode(result.result)
            except msgspec.DecodeError:
                published = None
            inner = published.get("tie_seed") if isinstance(published, dict) else None
            if inner != seed:
                self.fail("tie-seed", f"the published result's tie_seed {inner!r} is not {seed}")
        self.outcome(
            "tie-seed", f"{seed}: the root of the {self.close_index + 1} leaves up to close"
        )

    def counted_records(self) -> Iterator[Record]:
        setup = self.setup
        assert setup is not None
        by_area = setup.spec.weighting == "area"
        table = self.answer_table
        answers = self.cast_answers
        weights = self.cast_weights
        units = self.cast_units
        for number in sorted(self.unit_cast.values()):
            chosen = table[answers[number]]
            assert chosen is not None
            yield Record(
                answers=chosen, weight=weights[number] if by_area else 1.0, unit=units[number]
            )

    def check_recount(self) -> None:
        result = self.result
        setup = self.setup
        if result is None or setup is None:
            self.skip("recount", "no result yet")
            return
        if "casts" in self.failed or "revoting" in self.failed:
            self.fail("recount", "not recounted: some casts are invalid")
            self.outcome("recount", "")
            return
        spec = msgspec.structs.replace(setup.spec, tie_seed=self.tie_seed())
        try:
            recounted = self.recount(spec, setup.electorate)
        except (SpecError, ValueError) as error:
            self.fail("recount", f"the manifest cannot be counted: {error}")
            self.outcome("recount", "")
            return
        try:
            published = msgspec.json.decode(result.result)
        except msgspec.DecodeError as error:
            self.fail("recount", f"the published result is not valid JSON: {error}")
            self.outcome("recount", "")
            return
        mine = msgspec.json.decode(_encode(recounted))
        difference = _first_difference(published, mine, "result")
        if difference is not None:
            self.fail("recount", f"recounting gives a different result: {difference}")
        winners = "; ".join(
            f"{question.question}: {question.outcome}"
            + (f" {', '.join(question.winners)}" if question.winners else "")
            for question in recounted.questions
        )
        self.outcome(
            "recount",
            f"recounting {recounted.ballots} ballots gives the published result ({winners})",
        )

    def recount(self, spec: BallotSpec, electorate: Electorate) -> BallotResult:
        """tally.count over the counted casts; identical records are grouped when no rule
        looks at voting units (the result is the same bit for bit, see count_weighted)."""
        uses_units = any(
            rule_name(question, index) in UNIT_RULES
            for index, question in enumerate(spec.questions)
        )
        if uses_units:
            return count(spec, self.counted_records(), electorate)
        by_area = spec.weighting == "area"
        groups: dict[tuple[int, float], int] = {}
        answers = self.cast_answers
        weights = self.cast_weights
        for number in self.unit_cast.values():
            key = (answers[number], weights[number] if by_area else 1.0)
            groups[key] = groups.get(key, 0) + 1
        table = self.answer_table
        pairs: list[tuple[Record, int]] = []
        for (answer_id, weight), multiplicity in groups.items():
            chosen = table[answer_id]
            assert chosen is not None
            pairs.append((Record(answers=chosen, weight=weight), multiplicity))
        return count_weighted(spec, pairs, electorate)

    def check_receipt(self, tracker: str) -> None:
        number = self.tracker_cast.get(tracker)
        latest = self.board.latest
        if number is None:
            self.fail("receipt", f"tracker {tracker!r} is not on the board")
            self.outcome("receipt", "")
            return
        if latest is None or "root" in self.failed or "signatures" in self.failed:
            self.fail("receipt", "no valid signed tree head to prove inclusion against")
            self.outcome("receipt", "")
            return
        index = self.cast_leaves[number]
        self.receipt_index = index
        proof = self.log.inclusion_proof(index, latest.tree_size)
        leaf = self.log.leaf_hash(index)
        if not verify_inclusion(
            index, latest.tree_size, leaf, proof, bytes.fromhex(latest.root_hash)
        ):
            self.fail("receipt", f"the inclusion proof of leaf {index} does not verify")
        counted_number = self.unit_cast[self.cast_units[number]]
        if counted_number == number:
            status = "it counts"
        else:
            status = (
                f"it was replaced by a later ballot of the same voter (tracker "
                f"{self.cast_trackers[counted_number]!r}, leaf {self.cast_leaves[counted_number]}), "
                "which counts instead"
            )
        self.outcome(
            "receipt",
            f"tracker {tracker!r} is leaf {index}; its inclusion proof ({len(proof)} hashes) "
            f"verifies against the signed tree head of size {latest.tree_size}; {status}",
        )

    def check_since(self, saved: TreeHead) -> None:
        latest = self.board.latest
        if not self.signature_ok(saved):
            self.fail(
                "since",
                f"the saved tree head (size {saved.tree_size}) is not signed by key "
                f"{self.board.header.key_id} for ballot {self.board.header.ballot_id!r}",
            )
        elif latest is None:
            self.fail("since", "the board has no tree head")
        elif saved.tree_size > latest.tree_size:
            self.fail(
                "since",
                f"the board ({latest.tree_size} leaves) is shorter than the saved tree head "
                f"({saved.tree_size}): it was rolled back",
            )
        else:
            proof = self.log.consistency_proof(saved.tree_size, latest.tree_size)
            try:
                old_root = bytes.fromhex(saved.root_hash)
            except ValueError:
                old_root = b""
            if not verify_consistency(
                saved.tree_size,
                latest.tree_size,
                old_root,
                bytes.fromhex(latest.root_hash),
                proof,
            ):
                self.fail(
                    "since",
                    f"the board is not an extension of the saved tree head of size "
                    f"{saved.tree_size}: the consistency proof fails (the board was rewritten)",
                )
            self.outcome(
                "since",
                f"the saved tree head of size {saved.tree_size} is a prefix of the board "
                f"(consistency proof of {len(proof)} hashes)",
            )
            return
        self.outcome("since", "")


def _first_difference(left: Any, right: Any, path: str) -> str | None:
    """Where two decoded JSON values first differ, e.g. ``result.questions[0].winners``."""
    if isinstance(left, dict) and isinstance(right, dict):
        for name in list(left) + [name for name in right if name not in left]:
            if name not in left or name not in right:
                return f"{path}.{name}: present in only one"
            found = _first_difference(left[name], right[name], f"{path}.{name}")
            if found is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for number, (a, b) in enumerate(zip(left, right, strict=False)):
            found = _first_difference(a, b, f"{path}[{number}]")
            if found is not None:
                return found
        if len(left) != len(right):
            return f"{path}: {len(left)} items published, {len(right)} recounted"
        return None
    if left != right or (
        type(left) is not type(right)
        and not (isinstance(left, int | float) and isinstance(right, int | float))
    ):
        return f"{path}: published {_short(left)}, recounted {_short(right)}"
    return None


def _short(value: Any) -> str:
    text = _encode(value).decode("utf-8")
    return text if len(text) <= 80 else text[:77] + "..."
