"""Yes/no/abstain questions: an optional quorum and a threshold over an explicit base.

Parameters:

- ``threshold``: ``"simple"`` (more than half, the default), ``"two_thirds"`` (at least 2/3),
  ``"three_quarters"`` (at least 3/4) or a fraction such as ``0.6`` (at least, or more than
  when ``strict`` is true);
- ``base``: what the yes votes are a share of: ``"valid"`` (yes + no; abstentions are not
  counted, the default), ``"participants"`` (everyone who cast a ballot, so an abstention
  counts like a no) or ``"electorate"`` (everyone eligible);
- ``quorum``: the fraction of the electorate that must take part (abstentions take part);
  checked on heads, or on area when the spec weighs by area.

The electorate comes from ``count(..., electorate=...)`` or ``electorate_size``/``electorate_area``.
"""

from __future__ import annotations

from fractions import Fraction

from tally.result import Outcome, QuestionResult, check
from tally.rules.common import Context, electorate, first_choices, option_results


def majority(context: Context) -> QuestionResult:
    """Count a yes/no/abstain question."""
    context.allow("threshold", "strict", "base", "quorum", "electorate_size", "electorate_area")
    required, strict = context.threshold("threshold", "simple")
    base_name = context.choice("base", "valid", ("valid", "participants", "electorate"))
    quorum = context.number("quorum", None, 0.0, 1.0)
    voters = electorate(context, required=quorum is not None or base_name == "electorate")
    votes, ballots = first_choices(context.profile)
    yes, no = votes.get("yes", 0.0), votes.get("no", 0.0)
    participants = context.profile.valid_weight + context.profile.blank_weight
    eligible = 0.0
    if voters is not None:
        eligible = voters.area if context.weighted else float(voters.size)
    checks = []
    if quorum is not None:
        quorum_check = check(
            "quorum", participants, eligible, Fraction(quorum).limit_denominator(10_000), False
        )
        checks.append(quorum_check)
    base = {"valid": yes + no, "participants": participants, "electorate": eligible}[base_name]
    approval = check(f"yes-of-{base_name}", yes, base, required, strict)
    checks.append(approval)
    options = option_results(context, votes, ballots)
    outcome: Outcome
    winners: list[str]
    if quorum is not None and not checks[0].passed:
        outcome, message, winners = "no-quorum", "no quorum: too few took part", []
    elif base <= 0:
        outcome, message, winners = "no-valid-votes", "no valid votes", []
    elif approval.passed:
        outcome, message, winners = "passed", "passed", ["yes"]
    else:
        outcome, message, winners = "rejected", "rejected", []
    for option in options:
        option.elected = option.id in winners
    result = context.result("majority", outcome, message, winners, options)
    result.checks = checks
    return result
