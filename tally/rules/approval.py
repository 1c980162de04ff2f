"""Approval voting for multiple-choice questions: the ``winners`` options with most approvals.

Parameters: ``winners`` (default 1). How many options a voter may approve is the question's
``min_choices``/``max_choices`` (checked when the ballot is cast). Shares are approvals over the
valid weight, i.e. the fraction of voters approving each option.
"""

from __future__ import annotations

from tally.result import QuestionResult
from tally.rules.common import Context, approvals, join, option_results, top


def approval(context: Context) -> QuestionResult:
    """Count a multiple-choice question by approval with k winners."""
    context.allow("winners")
    seats = context.integer("winners", 1, 1, len(context.question.options))
    votes, ballots = approvals(context.profile)
    if context.profile.valid == 0:
        return context.result(
            "approval",
            "no-valid-votes",
            "no valid votes",
            [],
            option_results(context, votes, ballots),
        )
    ranking = top(context, votes, seats, "approval order")
    winners = ranking[:seats]
    result = context.result(
        "approval",
        "elected",
        f"elected: {join(context, winners)}",
        winners,
        option_results(context, votes, ballots, winners),
    )
    result.ranking = ranking
    return result
