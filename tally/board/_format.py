"""The board format ``luwan-vote-board/1`` (and ``/2``, which adds the paper batch): line and
event Structs, and the exact event bytes.

Each leaf holds the bytes of one event, made here and never re-serialised: ``setup`` (the
manifest), ``cast``, ``close``, ``paper_batch`` (format ``/2`` only: the counted paper ballots),
``participation`` (公示, optional) and ``result``; or, instead of ``close`` and what follows, a
final ``cancel`` with its reason. A tree head
signs :func:`tree_head_message`. ``docs/bulletin-board.md`` is the specification.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import msgspec

from tally.result import BallotResult, Electorate
from tally.spec import Answers, BallotSpec

FORMAT = "luwan-vote-board/1"
FORMAT_PAPER = "luwan-vote-board/2"
"""A board with a ``paper_batch`` event; otherwise the same as ``/1`` (a ``/1`` board is a valid
``/2`` board without a batch). Tree heads of both sign :data:`TREE_HEAD_DOMAIN`."""
FORMATS = (FORMAT, FORMAT_PAPER)
TIE_SEED_SOURCE = "root-after-close"
"""The manifest's ``tie_seed``: the seed is the hex root hash of the tree ending with ``close``."""
TREE_HEAD_DOMAIN = "luwan-vote-board/1 tree-head"
MAX_TEXT = 200
MAX_REASON = 500
"""The longest cancellation reason, in characters."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEX64 = re.compile(r"[0-9a-f]{64}")

# --- Lines ------------------------------------------------------------------------------------


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


# --- Events -----------------------------------------------------------------------------------


class ParticipationEntry(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One participant of a 公示 list, masked: ``{"name": "张*明", "address": "3号楼201"}``.

    ``proxy`` is ``true`` (and present only then) when a proxy holder voted for them (委托).
    """

    name: str
    address: str
    proxy: bool = False


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


class FastCast(
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


class PaperRecord(msgspec.Struct, forbid_unknown_fields=True):
    """One returned paper ballot of a batch: its ``serial`` number, its voting unit's pseudonym,
    ``weight``, and ``answers`` as both chairs entered them (empty when ``invalid``)."""

    serial: int
    unit: str
    weight: float
    invalid: bool
    answers: Answers


class PaperBatch(msgspec.Struct, tag_field="type", tag="paper_batch", forbid_unknown_fields=True):
    """The paper ballots, counted at ``counted_at`` after the close: every returned sheet (entered
    alike by two chairs) and the totals: ``issued`` ≥ ``returned`` = ``valid`` + ``invalid``."""

    counted_at: str
    issued: int
    returned: int
    valid: int
    invalid: int
    records: list[PaperRecord]


class Participation(
    msgspec.Struct, tag_field="type", tag="participation", forbid_unknown_fields=True
):
    """The published (masked) list of who took part, one entry per counted ballot."""

    entries: list[ParticipationEntry]


class ResultEvent(msgspec.Struct, tag_field="type", tag="result", forbid_unknown_fields=True):
    """The published result (``msgspec.json.encode(tally.count(...))``) and its tie seed."""

    tie_seed: str
    result: msgspec.Raw


class Cancel(msgspec.Struct, tag_field="type", tag="cancel", forbid_unknown_fields=True):
    """The ballot was cancelled at ``cancelled_at`` for ``reason``: the final event, no result."""

    cancelled_at: str
    reason: str


Event = Setup | Cast | Close | PaperBatch | Participation | ResultEvent | Cancel
LINE_DECODER = msgspec.json.Decoder(Header | Leaf | TreeHead)
FAST_EVENT_DECODER = msgspec.json.Decoder(
    Setup | FastCast | Close | PaperBatch | Participation | ResultEvent | Cancel
)
_EVENT_DECODER = msgspec.json.Decoder(
    Setup | Cast | Close | PaperBatch | Participation | ResultEvent | Cancel
)
encode = msgspec.json.encode


def decode_event(data: bytes) -> Event:
    """Decode one leaf's event bytes (:class:`msgspec.ValidationError`/``DecodeError`` if bad)."""
    event: Event = _EVENT_DECODER.decode(data)
    return event


def field_message(error: msgspec.ValidationError) -> str:
    """``path.to.field: what is wrong``, from msgspec's ``... - at `$.path` `` message."""
    text = str(error)
    message, marker, path = text.rpartition(" - at `")
    if not marker:
        return text
    where = path.rstrip("`").removeprefix("$").removeprefix(".") or "line"
    return f"{where}: {message}"


# --- Event bytes (deterministic) --------------------------------------------------------------


def iso_time(moment: datetime) -> str:
    """``2024-05-01T09:30:15Z``: a timezone-aware moment in UTC, whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("times on the board must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_hour(moment: datetime) -> str:
    """``2024-05-01T09:00:00Z``: the hour a ballot was cast (minutes and seconds dropped)."""
    return iso_time(moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0))


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time with a time zone, or ``None``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment


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
    return encode(
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
    return encode(
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
    return encode(Close(closed_at=iso_time(closed_at), counted=counted))


def paper_batch_event(
    *,
    counted_at: datetime,
    issued: int,
    records: Iterable[PaperRecord],
) -> bytes:
    """The counted paper ballots, after the close (format ``/2``): the totals follow from the
    records (``returned`` = records, ``valid`` = those not ``invalid``) and ``issued``."""
    built = list(records)
    invalid = sum(1 for record in built if record.invalid)
    return encode(
        PaperBatch(
            counted_at=iso_time(counted_at),
            issued=issued,
            returned=len(built),
            valid=len(built) - invalid,
            invalid=invalid,
            records=built,
        )
    )


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
            built.append(
                ParticipationEntry(
                    name=entry["name"], address=entry["address"], proxy=bool(entry.get("proxy"))
                )
            )
    return encode(Participation(entries=built))


def result_event(*, result: BallotResult | bytes, tie_seed: str) -> bytes:
    """The result event: ``result`` as :func:`tally.count` gave it (or its JSON bytes)."""
    raw = result if isinstance(result, bytes) else encode(result)
    return encode(ResultEvent(tie_seed=tie_seed, result=msgspec.Raw(raw)))


def check_reason(reason: str) -> str | None:
    """What is wrong with a cancellation reason (empty, too long, a NUL), or ``None``."""
    if not reason.strip():
        return "the reason must not be empty"
    if len(reason) > MAX_REASON:
        return f"the reason is longer than {MAX_REASON} characters"
    if "\x00" in reason:
        return "the reason must not contain NUL characters"
    return None


def cancellation_event(*, cancelled_at: datetime, reason: str) -> bytes:
    """The ballot was cancelled: the board's final event (a non-empty ``reason``, no result)."""
    problem = check_reason(reason)
    if problem is not None:
        raise ValueError(problem)
    return encode(Cancel(cancelled_at=iso_time(cancelled_at), reason=reason))


def unit_pseudonym(secret: bytes, ballot_id: str, unit: str) -> str:
    """A per-ballot pseudonym of a voting unit: HMAC-SHA-256 keyed by the server, 128 bits hex.

    The same unit gets the same pseudonym within a ballot (so revotes and dual thresholds can be
    checked) and unrelated ones across ballots. Any such keyed function will do; this is one.
    """
    message = f"unit\x1f{ballot_id}\x1f{unit}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


# --- Keys and tree heads ----------------------------------------------------------------------


def key_id(public_key: bytes) -> str:
    """The key id: the first 16 hex digits of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def check_ballot_id(ballot_id: str) -> None:
    """Raise :class:`ValueError` unless ``ballot_id`` is 1 to 200 characters, no control ones."""
    if not ballot_id or len(ballot_id) > MAX_TEXT or _CONTROL.search(ballot_id):
        raise ValueError("a ballot id is 1 to 200 characters without control characters")


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
    check_ballot_id(ballot_id)
    root = root_hash.hex() if isinstance(root_hash, bytes) else root_hash
    if not _HEX64.fullmatch(root):
        raise ValueError("the root hash is 32 bytes (64 lowercase hex digits)")
    if tree_size < 0 or timestamp < 0:
        raise ValueError("tree size and timestamp are not negative")
    text = f"{TREE_HEAD_DOMAIN}\n{ballot_id}\n{tree_size}\n{root}\n{timestamp}\n"
    return text.encode("utf-8")
