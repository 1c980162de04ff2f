"""The public bulletin board of one ballot (format ``luwan-vote-board/1``): build, read, verify.

A board is a JSON Lines file: a header line (format, ballot id, the service's Ed25519 public key),
then *leaf* lines and signed *tree head* lines. Each leaf holds the exact bytes of one event (as
a JSON string, hashed as UTF-8, never re-serialised): ``setup`` (the manifest), ``cast``,
``close``, ``paper_batch`` (format ``/2``: the counted paper ballots), ``participation`` (公示,
optional) and ``result`` — or a final ``cancel`` with its reason. The leaves form an RFC 9162 Merkle log (:mod:`tally.merkle`); tree heads sign its root at
a size. ``docs/bulletin-board.md`` is the specification, precise enough to write another verifier
from.

The server builds boards with the same code: ``setup_event`` … ``result_event`` and
``cancellation_event`` make event bytes, ``tree_head_message`` the bytes to sign,
``leaf_line``/``tree_head_line``/:class:`BoardWriter`/:func:`write_board` the file. :func:`read_board` parses a file with line-numbered errors and
:func:`verify_board` runs every check in order and reports each one.

Inside: ``_format`` (Structs and event bytes), ``_write``, ``_read``, and the verifier:
``_scan`` (hashes, log and events, leaf by leaf), ``_paper``, ``_checks`` and ``_recount``, run
by ``_verify``.
"""

from tally.board._findings import CHECKS, CheckResult, Status, VerifyReport
from tally.board._format import (
    FORMAT,
    FORMAT_PAPER,
    FORMATS,
    MAX_REASON,
    MAX_TEXT,
    TIE_SEED_SOURCE,
    TREE_HEAD_DOMAIN,
    Cancel,
    Cast,
    Close,
    Event,
    Header,
    Leaf,
    PaperBatch,
    PaperRecord,
    Participation,
    ParticipationEntry,
    ResultEvent,
    Setup,
    TreeHead,
    cancellation_event,
    cast_event,
    close_event,
    decode_event,
    iso_hour,
    iso_time,
    key_id,
    paper_batch_event,
    participation_event,
    result_event,
    setup_event,
    tree_head_message,
    unit_pseudonym,
)
from tally.board._read import Board, BoardFormatError, read_board, read_tree_head
from tally.board._verify import verify_board
from tally.board._write import (
    BoardWriter,
    header_line,
    leaf_line,
    make_header,
    now_ms,
    sign_tree_head,
    tree_head_line,
    write_board,
)

__all__ = [
    "CHECKS",
    "FORMAT",
    "FORMATS",
    "FORMAT_PAPER",
    "MAX_REASON",
    "MAX_TEXT",
    "TIE_SEED_SOURCE",
    "TREE_HEAD_DOMAIN",
    "Board",
    "BoardFormatError",
    "BoardWriter",
    "Cancel",
    "Cast",
    "CheckResult",
    "Close",
    "Event",
    "Header",
    "Leaf",
    "PaperBatch",
    "PaperRecord",
    "Participation",
    "ParticipationEntry",
    "ResultEvent",
    "Setup",
    "Status",
    "TreeHead",
    "VerifyReport",
    "cancellation_event",
    "cast_event",
    "close_event",
    "decode_event",
    "header_line",
    "iso_hour",
    "iso_time",
    "key_id",
    "leaf_line",
    "make_header",
    "now_ms",
    "paper_batch_event",
    "participation_event",
    "read_board",
    "read_tree_head",
    "result_event",
    "setup_event",
    "sign_tree_head",
    "tree_head_line",
    "tree_head_message",
    "unit_pseudonym",
    "verify_board",
    "write_board",
]
