"""Rating scales (政务评议): counts per level, satisfaction rate, mean score, pass or fail.

A rating question's options are the levels, each with a ``score`` (for example 满意 = 3,
基本满意 = 2, 不满意 = 1). Parameters:

- ``satisfied``: the option ids that count as satisfied; default the two levels with the highest
  scores (满意 + 基本满意). Satisfaction rate = weight of satisfied answers / valid weight;
- ``pass_rate``: optional; the result passes when the satisfaction rate is at least this;
- ``pass_mean``: optional; the result passes when the mean score is at least this.

With neither threshold the outcome is ``reported``; otherwise ``passed`` when every given
threshold is met, else ``failed``.
"""

from __future__ import annotations

from fractions import Fraction

from tally.result import Outcome, QuestionResult, check
from tally.rules.common import Context, first_choices, option_results, share


def satisfaction(context: Context) -> QuestionResult:
    """Count a rating question."""
    context.allow("satisfied", "pass_rate", "pass_mean")
    levels = sorted(context.question.options, key=lambda option: -(option.score or 0.0))
    satisfied = context.option_ids("satisfied", [option.id for option in levels[:2]])
    pass_rate = context.number("pass_rate", None, 0.0, 1.0)
    pass_mean = context.number("pass_mean", None, float("-inf"), float("inf"))
    votes, ballots = first_choices(context.profile)
    valid = context.profile.valid_weight
    scores = {option.id: option.score or 0.0 for option in context.question.options}
    satisfied_weight = sum(votes.get(option_id, 0.0) for option_id in satisfied)
    rate = share(satisfied_weight, valid)
    mean = share(sum(scores[option_id] * weight for option_id, weight in votes.items()), valid)
    checks = []
    if pass_rate is not None:
        checks.append(check("satisfaction-rate", satisfied_weight, valid, _exact(pass_rate), False))
    if pass_mean is not None:
        checks.append(check("mean-score", mean, 1.0, _exact(pass_mean), False))
    outcome: Outcome
    if valid <= 0:
        outcome, message = "no-valid-votes", "no valid votes"
    elif not checks:
        outcome, message = "reported", f"satisfaction {rate:.1%}, mean score {mean:.2f}"
    elif all(item.passed for item in checks):
        outcome, message = "passed", f"passed: satisfaction {rate:.1%}, mean score {mean:.2f}"
    else:
        outcome, message = "failed", f"failed: satisfaction {rate:.1%}, mean score {mean:.2f}"
    result = context.result(
        "satisfaction", outcome, message, [], option_results(context, votes, ballots)
    )
    result.checks = checks
    result.satisfaction_rate = rate
    result.mean_score = mean
    return result


def _exact(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1_000_000)
