"""A tie draw's step in the reader's language.

``tally`` names each draw's step in fixed English ("plurality order (score 4)", "round 2
elimination"), because the step text is part of what the draw hashes and must stay the same
everywhere. The audit page shows the step in words a resident reads, from the forms ``tally``
writes; a form it does not know is shown as it is.
"""

from __future__ import annotations

import re

from ballots.errors import N_
from vote.i18n import gettext_

_NUMBER = r"-?[0-9][0-9.e+-]*"

# Each form ``tally`` writes, and the words for it (``%(score)s`` and ``%(n)s`` come from the step).
STEP_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(rf"plurality order \(score (?P<score>{_NUMBER})\)"),
        N_("ranking by votes: tied at %(score)s votes each"),
    ),
    (
        re.compile(rf"approval order \(score (?P<score>{_NUMBER})\)"),
        N_("ranking by approvals: tied at %(score)s approvals each"),
    ),
    (
        re.compile(rf"borda order \(score (?P<score>{_NUMBER})\)"),
        N_("ranking by Borda points: tied at %(score)s points each"),
    ),
    (
        re.compile(rf"schulze order \(score {_NUMBER}\)"),
        N_("ranking by head-to-head comparisons (Schulze method): tied"),
    ),
    (
        re.compile(rf"greedy order \(score (?P<score>{_NUMBER})\)"),
        N_("funding projects in order of votes: tied at %(score)s votes each"),
    ),
    (
        re.compile(rf"completion order \(score {_NUMBER}\)"),
        N_("filling the rest of the budget in order of votes per yuan: tied"),
    ),
    (
        re.compile(r"round (?P<n>[0-9]+) elimination"),
        N_("round %(n)s of the count: which option is eliminated"),
    ),
    (
        re.compile(rf"equal shares budget {_NUMBER} round (?P<n>[0-9]+)"),
        N_("equal shares method, round %(n)s: which project is funded next"),
    ),
)


def step_words(step: str) -> str:
    """``step`` (as ``tally`` wrote it) in the current language; an unknown form unchanged."""
    for pattern, message in STEP_FORMS:
        match = pattern.fullmatch(step)
        if match:
            return gettext_(message) % match.groupdict()
    return step
