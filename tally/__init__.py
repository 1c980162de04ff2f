"""tally: pure counting rules, the ballot spec, the Merkle log and the bulletin board.

``count(spec, records, electorate=None) -> BallotResult`` is the entry point (see
``docs/counting.md``); ``count_weighted`` takes ``(record, multiplicity)`` pairs and
``count_lines`` the bytes of a JSON Lines records file, collapsing identical lines before
decoding them. A spec's ``Validity`` (quorum, absolute majority) decides whether each question's
result stands; each ``QuestionResult`` carries its ``turnout``, ``drawn`` and ``warnings``.

``tally.merkle`` is the RFC 9162 Merkle log; ``tally.board`` builds, reads and verifies the public
bulletin board (``verify_board``, ``tally verify BOARD``; see ``docs/bulletin-board.md``).
``tally.receipts`` writes a cast's tracker as the 26-digit receipt code residents read aloud
(``receipt_code``) and reads either form back, however typed (``read_receipt``).

Nothing here imports from ``ballots`` or ``vote``, a web framework or a database: an outside
auditor can install this package alone and recount published data.
"""

from tally.board import (
    Board,
    BoardFormatError,
    BoardWriter,
    CheckResult,
    Header,
    TreeHead,
    VerifyReport,
    cast_event,
    close_event,
    make_header,
    participation_event,
    read_board,
    read_tree_head,
    result_event,
    setup_event,
    sign_tree_head,
    tree_head_message,
    verify_board,
    write_board,
)
from tally.count import count, count_weighted
from tally.lines import LineError, count_lines, read_lines
from tally.merkle import MemoryNodeStore, MerkleLog, NodeStore
from tally.receipts import ReceiptCodeError, read_receipt, receipt_code
from tally.result import (
    BallotResult,
    Check,
    CloseMargin,
    CloseToThreshold,
    DecidedByLot,
    Electorate,
    LowTurnout,
    NoMajority,
    NoQuorum,
    OptionResult,
    QuestionResult,
    Record,
    ResultWarning,
    Round,
    Turnout,
)
from tally.spec import (
    AnswerError,
    Answers,
    BallotSpec,
    Option,
    Question,
    SpecError,
    Validity,
    check_answers,
    check_spec,
)
from tally.ties import TieBreak

__all__ = [
    "AnswerError",
    "Answers",
    "BallotResult",
    "BallotSpec",
    "Board",
    "BoardFormatError",
    "BoardWriter",
    "Check",
    "CheckResult",
    "CloseMargin",
    "CloseToThreshold",
    "DecidedByLot",
    "Electorate",
    "Header",
    "LineError",
    "LowTurnout",
    "MemoryNodeStore",
    "MerkleLog",
    "NoMajority",
    "NoQuorum",
    "NodeStore",
    "Option",
    "OptionResult",
    "Question",
    "QuestionResult",
    "ReceiptCodeError",
    "Record",
    "ResultWarning",
    "Round",
    "SpecError",
    "TieBreak",
    "TreeHead",
    "Turnout",
    "Validity",
    "VerifyReport",
    "cast_event",
    "check_answers",
    "check_spec",
    "close_event",
    "count",
    "count_lines",
    "count_weighted",
    "make_header",
    "participation_event",
    "read_board",
    "read_lines",
    "read_receipt",
    "read_tree_head",
    "receipt_code",
    "result_event",
    "setup_event",
    "sign_tree_head",
    "tree_head_message",
    "verify_board",
    "write_board",
]
