"""Borda count for ranked questions.

Parameters: ``winners`` (default 1) and ``points``: ``"standard"`` (default; with m options the
option ranked i-th, counting from 0, gets m - 1 - i points) or ``"dowdall"`` (1 / (i + 1)).
Unranked options get no points, so a voter who ranks fewer options gives fewer points.
Points are multiplied by the ballot weight.
"""

from __future__ import annotations

from tally.result import QuestionResult
from tally.rules.common import Context, first_choices, join, option_results, top


def borda(context: Context) -> QuestionResult:
    """Count a ranked question by Borda points."""
    context.allow("winners", "points")
    seats = context.integer("winners", 1, 1, len(context.question.options))
    scheme = context.choice("points", "standard", ("standard", "dowdall"))
    m = len(context.question.options)
    scale = (
        [float(m - 1 - i) for i in range(m)]
        if scheme == "standard"
        else [1.0 / (i + 1) for i in range(m)]
    )
    points = {option.id: 0.0 for option in context.question.options}
    for answer, weight in context.profile.weights.items():
        for position, option in enumerate(answer):
            points[option] += scale[position] * weight
    votes, ballots = first_choices(context.profile)
    options = option_results(context, votes, ballots)
    if context.profile.valid == 0:
        return context.result("borda", "no-valid-votes", "no valid votes", [], options)
    ranking = top(context, points, seats, "borda order")
    winners = ranking[:seats]
    for figures in options:
        figures.points = points[figures.id]
        figures.elected = figures.id in winners
    result = context.result(
        "borda", "elected", f"elected: {join(context, winners)}", winners, options
    )
    result.ranking = ranking
    return result
