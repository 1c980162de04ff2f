"""Instant runoff (IRV) for ranked questions, with every round's tallies and transfers.

Each round counts every ballot for its highest-ranked continuing option. An option holding more
than half of the continuing votes is elected; otherwise the option with the fewest votes is
eliminated and its ballots move to their next continuing preference (or are exhausted). Options
with no votes at all are eliminated together (unless no option has any, as when every ballot
weighs 0). A tie for last place is broken by the most recent earlier round in which the tied
options had different tallies, and failing that by the public draw. No parameters.

Ballots are collapsed into distinct rankings first, so a million ballots over eight options cost
little more than the 40,320 possible rankings.
"""

from __future__ import annotations

from tally.profile import Answer
from tally.result import QuestionResult, Round
from tally.rules.common import Context, join, option_results
from tally.ties import TieBreak

EXHAUSTED = "exhausted"


def irv(context: Context) -> QuestionResult:
    """Count a ranked question by instant runoff."""
    context.allow()
    profile = context.profile
    order = [option.id for option in context.question.options]
    # piles[option] = {ranking: weight} of ballots now counting for ``option`` (their first
    # continuing preference). Moved ballots are cut down to their continuing preferences, so
    # rankings that differ only in eliminated options merge and later rounds get cheaper.
    piles: dict[str, dict[Answer, float]] = {option: {} for option in order}
    firsts: dict[str, int] = dict.fromkeys(order, 0)
    counts = profile.counts
    for answer, weight in profile.weights.items():
        if answer:
            first = answer[0]
            piles[first][answer] = weight
            firsts[first] += counts[answer]
    tallies = {option: sum(piles[option].values()) for option in order}
    continuing = set(order)
    rounds: list[Round] = []
    eliminated_order: list[str] = []
    history: list[dict[str, float]] = []
    exhausted = 0.0
    # First preferences, as first_choices() gives them (same sums in the same order).
    votes = {option: tallies[option] for option in order if piles[option]}
    ballots = {option: firsts[option] for option in order if piles[option]}
    if profile.valid == 0:
        return context.result(
            "irv", "no-valid-votes", "no valid votes", [], option_results(context, votes, ballots)
        )
    winner = ""
    while True:
        standing = {option: tallies[option] for option in order if option in continuing}
        history.append(standing)
        active = sum(standing.values())
        current = Round(number=len(rounds) + 1, tallies=standing, exhausted=exhausted)
        rounds.append(current)
        leader = max(standing.values())
        leaders = [option for option, value in standing.items() if value == leader]
        if len(continuing) == 1 or (len(leaders) == 1 and leader * 2 > active):
            winner = leaders[0]
            current.elected = [winner]
            break
        lowest = min(standing.values())
        if lowest == 0 and leader > 0:
            out = sorted(option for option, value in standing.items() if value == 0)
        else:
            tied = [option for option, value in standing.items() if value == lowest]
            out = [_last(context, tied, history, current.number)]
        current.eliminated = out
        transfers: dict[str, float] = {}
        continuing.difference_update(out)
        for option in out:
            del tallies[option]
            keep = continuing.__contains__
            for answer, weight in piles.pop(option).items():
                rest = tuple(filter(keep, answer))
                if rest:
                    destination = rest[0]
                    pile = piles[destination]
                    pile[rest] = pile.get(rest, 0.0) + weight
                    tallies[destination] += weight
                else:
                    exhausted += weight
                    destination = EXHAUSTED
                transfers[destination] = transfers.get(destination, 0.0) + weight
        current.transfers = transfers
        eliminated_order.extend(out)
    runner_up = sorted(
        (option for option in continuing if option != winner),
        key=lambda option: -history[-1].get(option, 0.0),
    )
    ranking = [winner, *runner_up, *reversed(eliminated_order)]
    result = context.result(
        "irv",
        "elected",
        f"elected: {join(context, [winner])} in round {len(rounds)}",
        [winner],
        option_results(context, votes, ballots, [winner]),
    )
    result.rounds = rounds
    result.ranking = ranking
    return result


def _last(context: Context, tied: list[str], history: list[dict[str, float]], number: int) -> str:
    """The option to eliminate among ``tied``: fewest votes in the latest earlier round that
    separates them, else the public draw (last in the drawn order is eliminated)."""
    candidates = sorted(tied)
    for earlier in range(len(history) - 2, -1, -1):
        tallies = history[earlier]
        fewest = min(tallies[option] for option in candidates)
        behind = [option for option in candidates if tallies[option] == fewest]
        if len(behind) < len(candidates):
            survivors = [option for option in candidates if option not in behind]
            context.ties.draws.append(
                TieBreak(
                    step=f"round {number} elimination",
                    tied=sorted(tied),
                    order=survivors + behind,
                    method=f"fewest votes in round {earlier + 1}",
                )
            )
            candidates = behind
            if len(candidates) == 1:
                return candidates[0]
    order = context.ties.order(candidates, f"round {number} elimination")
    return order[-1]
