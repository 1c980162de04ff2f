"""tally: pure counting rules, the ballot spec and (later) the bulletin-board verifier.

``count(spec, records, electorate=None) -> BallotResult`` is the entry point (see
``docs/counting.md``); ``count_weighted`` takes ``(record, multiplicity)`` pairs and
``count_lines`` the bytes of a JSON Lines records file, collapsing identical lines before
decoding them.

Nothing here imports from ``ballots`` or ``vote``, a web framework or a database: an outside
auditor can install this package alone and recount published data.
"""

from tally.count import count, count_weighted
from tally.lines import LineError, count_lines, read_lines
from tally.result import (
    BallotResult,
    Check,
    Electorate,
    OptionResult,
    QuestionResult,
    Record,
    Round,
)
from tally.spec import (
    AnswerError,
    Answers,
    BallotSpec,
    Option,
    Question,
    SpecError,
    check_answers,
    check_spec,
)
from tally.ties import TieBreak

__all__ = [
    "AnswerError",
    "Answers",
    "BallotResult",
    "BallotSpec",
    "Check",
    "Electorate",
    "LineError",
    "Option",
    "OptionResult",
    "Question",
    "QuestionResult",
    "Record",
    "Round",
    "SpecError",
    "TieBreak",
    "check_answers",
    "check_spec",
    "count",
    "count_lines",
    "count_weighted",
    "read_lines",
]
