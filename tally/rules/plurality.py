"""Plurality for single-choice questions, with an optional absolute-majority requirement.

Parameters: ``winners`` (default 1) and ``majority`` (default false). With ``majority`` the top
option must hold more than half of the valid weight; otherwise the result is ``runoff`` between
the top two ("no majority: runoff between A and B").
"""

from __future__ import annotations

from fractions import Fraction

from tally.result import QuestionResult, check
from tally.rules.common import Context, approvals, join, option_results, top


def plurality(context: Context) -> QuestionResult:
    """Count a single-choice question by plurality."""
    context.allow("winners", "majority")
    seats = context.integer("winners", 1, 1, len(context.question.options))
    need_majority = context.flag("majority", False)
    votes, ballots = approvals(context.profile)
    if context.profile.valid == 0:
        return context.result(
            "plurality",
            "no-valid-votes",
            "no valid votes",
            [],
            option_results(context, votes, ballots),
        )
    ranking = top(context, votes, seats if not need_majority else 2, "plurality order")
    if need_majority and seats == 1:
        leader = ranking[0]
        majority = check(
            "absolute-majority",
            votes.get(leader, 0.0),
            context.profile.valid_weight,
            Fraction(1, 2),
            True,
        )
        if not majority.passed:
            runoff = ranking[:2]
            result = context.result(
                "plurality",
                "runoff",
                f"no majority: runoff between {join(context, runoff)}",
                [],
                option_results(context, votes, ballots),
            )
            result.runoff = runoff
            result.checks = [majority]
            result.ranking = ranking
            return result
        checks = [majority]
    else:
        checks = []
    winners = ranking[:seats]
    result = context.result(
        "plurality",
        "elected",
        f"elected: {join(context, winners)}",
        winners,
        option_results(context, votes, ballots, winners),
    )
    result.ranking = ranking
    result.checks = checks
    return result
