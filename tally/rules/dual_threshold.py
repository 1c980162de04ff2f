"""Civil Code art. 278 owner decisions: two thresholds at once, by floor area and by heads.

For a yes/no/abstain question with ``rule: {"name": "dual_threshold"}``:

1. participation: owners taking part hold at least 2/3 of the electorate's exclusive floor area
   *and* are at least 2/3 of the electorate's owners (三分之二以上);
2. approval, of the participants' area *and* heads: more than half (过半数) for general
   matters, or at least 3/4 (四分之三以上) when ``major`` is true (art. 278 items 6-8:
   raising or using maintenance funds, rebuilding, changing common parts' use).

Each record's ``weight`` is its unit's exclusive area and its ``unit`` is the owner id: an owner
of several units counts as one head with the summed area. A co-owned unit casts one record.
When one owner's records disagree, each record's area follows its own answer, and the head takes
part without approving (reported as ``split`` in the round note). Abstentions take part and do
not approve. The electorate (owners and total area) comes from ``count(..., electorate=...)``
or the rule's ``electorate_size``/``electorate_area``.
"""

from __future__ import annotations

from fractions import Fraction

from tally.result import Outcome, QuestionResult, check
from tally.rules.common import Context, electorate, first_choices, option_results

PARTICIPATION = Fraction(2, 3)
GENERAL = (Fraction(1, 2), True)
MAJOR = (Fraction(3, 4), False)


def dual_threshold(context: Context) -> QuestionResult:
    """Count an owners' decision under Civil Code art. 278."""
    context.allow("major", "electorate_size", "electorate_area")
    major = context.flag("major", False)
    voters = electorate(context, required=True)
    assert voters is not None
    units = context.profile.units or {}
    heads: dict[str, int] = {}
    split = 0
    for by_answer in units.values():
        answers = {answer for answer, _area in by_answer.items()}
        if len(answers) == 1:
            (answer,) = answers
            key = answer[0] if answer else ""
            heads[key] = heads.get(key, 0) + 1
        else:
            split += 1
    votes, ballots = first_choices(context.profile)
    area_taking_part = context.profile.valid_weight + context.profile.blank_weight
    heads_taking_part = len(units)
    required, strict = MAJOR if major else GENERAL
    checks = [
        check("participation-area", area_taking_part, voters.area, PARTICIPATION, False),
        check("participation-heads", heads_taking_part, voters.size, PARTICIPATION, False),
        check("approval-area", votes.get("yes", 0.0), area_taking_part, required, strict),
        check("approval-heads", heads.get("yes", 0), heads_taking_part, required, strict),
    ]
    outcome: Outcome
    if not (checks[0].passed and checks[1].passed):
        outcome, message = "no-quorum", "not enough owners took part (2/3 of area and of heads)"
    elif checks[2].passed and checks[3].passed:
        outcome, message = "passed", "passed by area and by heads"
    else:
        failed = [item.name for item in checks[2:] if not item.passed]
        outcome, message = "rejected", f"rejected: {' and '.join(failed)} not reached"
    winners = ["yes"] if outcome == "passed" else []
    options = option_results(context, votes, ballots, winners)
    for option in options:
        option.heads = heads.get(option.id, 0)
    result = context.result("dual_threshold", outcome, message, winners, options)
    result.checks = checks
    result.heads = heads_taking_part
    if split:
        result.message += (
            f" ({split} owners cast disagreeing ballots: split, counted as not approving)"
        )
    return result
