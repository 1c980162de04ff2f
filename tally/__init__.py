"""tally: pure counting rules, the ballot spec and (later) the bulletin-board verifier.

Nothing here imports from ``ballots`` or ``vote``, a web framework or a database: an outside
auditor can install this package alone and recount published data.
"""

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

__all__ = [
    "AnswerError",
    "Answers",
    "BallotSpec",
    "Option",
    "Question",
    "SpecError",
    "check_answers",
    "check_spec",
]
