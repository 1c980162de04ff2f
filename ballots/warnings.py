"""What a counted result asks a chair to see before it is published.

:func:`publish_warnings` lists, question by question, the warnings ``tally`` counted (no quorum,
no majority, low turnout, decided by lot, a close margin or threshold) and every question left
without a decision. Every front end publishes through ``lifecycle.move_ballot``, which refuses
with :class:`PublishNeedsConfirmation` until the chair has confirmed them.
"""

from __future__ import annotations

import msgspec

import tally
from ballots.errors import N_, DomainError
from ballots.models import Ballot


class PublishNeedsConfirmation(DomainError):
    type = "publish-needs-confirmation"
    status = 409
    title = N_("Please confirm what the result says")
    detail_template = N_(
        "This result has warnings ({codes}). Read them, then publish again with confirmation."
    )

    def __init__(self, warnings: list[dict[str, object]]) -> None:
        codes = ", ".join(sorted({str(w["code"]) for w in warnings}))
        super().__init__(codes=codes)
        self.errors = warnings


def counted_result(ballot: Ballot) -> tally.BallotResult | None:
    """The ballot's stored result, once it has been counted."""
    if ballot.result is None:
        return None
    return msgspec.json.decode(ballot.result, type=tally.BallotResult)


def publish_warnings(ballot: Ballot) -> list[dict[str, object]]:
    """What publishing this ballot's result must be confirmed against, question by question.

    Each item is a warning of ``tally`` (``code`` and its figures) with the ``question`` it is
    about; a question without a decision (``no-quorum``, ``runoff``, ``failed``) always has one.
    """
    result = counted_result(ballot)
    if result is None:
        return []
    found: list[dict[str, object]] = []
    for question in result.questions:
        for warning in question.warnings:
            found.append({"question": question.question, **msgspec.to_builtins(warning)})
        if question.outcome in ("no-quorum", "runoff", "failed") and not question.warnings:
            found.append({"question": question.question, "code": question.outcome})
    return found
