"""Budget questions (实事项目): greedy by votes, and the Method of Equal Shares.

A budget answer approves projects (each option has a ``cost``; the question has a
``budget_limit``). Projects nobody approved are never funded.

``greedy`` (default, as CONSUL and Decidim do): projects in order of votes (weighted approvals);
each is funded if it fits in what is left, otherwise skipped and the next one is tried.

``mes``: the Method of Equal Shares (Peters, Pierczyński, Skowron). Every ballot (blank ones too)
gets an equal share of the budget, in proportion to its weight. In each round, for every project
whose supporters can still pay for it, find the smallest price ρ such that the supporters paying
``min(their money, ρ × utility)`` cover its cost; fund the project with the smallest ρ, charge its
supporters, repeat until no project is affordable. Parameters:

- ``utility``: ``"cost"`` (default; a voter's utility from a project is its cost) or
  ``"cardinality"`` (every approved project is worth 1);
- ``completion``: ``"increase"`` (default) reruns MES with the budget raised by ``budget_step``
  while the outcome still fits the real limit (stopping when it is exhaustive, when every
  approved project is funded, or at ``max_steps``), then fills what is left greedily;
  ``"greedy"`` only fills greedily; ``"none"`` keeps the plain MES outcome;
- ``budget_step``: default 1% of the limit; ``max_steps``: default 1000.

The greedy fill after MES orders projects by votes (utility ``cost``) or votes per yuan
(utility ``cardinality``). Draws in every run of the budget increase are listed, since each
run's outcome decides whether the increase goes on. Prices within a relative 1e-9 of each other are ties and are drawn.
"""

from __future__ import annotations

from tally.profile import Answer
from tally.result import Outcome, QuestionResult, Round
from tally.rules.common import Context, approvals, join, option_results
from tally.ties import TieBreaker

RELATIVE_TIE = 1e-9


def greedy(context: Context) -> QuestionResult:
    """Fund projects by votes within the budget limit."""
    context.allow()
    votes, ballots = approvals(context.profile)
    limit = float(context.question.budget_limit or 0)
    costs = {option.id: float(option.cost or 0) for option in context.question.options}
    selected, rounds = _greedy_fill(context.ties, votes, costs, limit, [], votes, "greedy order")
    return _finish(context, "greedy", selected, rounds, votes, ballots, "")


def _greedy_fill(
    ties: TieBreaker,
    votes: dict[str, float],
    costs: dict[str, float],
    limit: float,
    already: list[str],
    density: dict[str, float],
    step: str,
    first_round: int = 1,
) -> tuple[list[str], list[Round]]:
    """Add approved projects in order of ``density`` while they fit; one round per project tried."""
    selected = list(already)
    remaining = limit - sum(costs[project] for project in selected)
    candidates = {
        project: density[project]
        for project in costs
        if project not in selected and votes.get(project, 0.0) > 0
    }
    rounds: list[Round] = []
    for project in ties.rank(candidates, step):
        current = Round(
            number=first_round + len(rounds), tallies={project: votes[project]}, note=""
        )
        if costs[project] <= remaining:
            selected.append(project)
            remaining -= costs[project]
            current.elected = [project]
        else:
            current.note = f"skipped: costs {costs[project]:g}, {remaining:g} left"
        current.remaining = remaining
        rounds.append(current)
    return selected, rounds


def _finish(
    context: Context,
    rule: str,
    selected: list[str],
    rounds: list[Round],
    votes: dict[str, float],
    ballots: dict[str, int],
    note: str,
) -> QuestionResult:
    costs = {option.id: float(option.cost or 0) for option in context.question.options}
    options = option_results(context, votes, ballots, selected)
    outcome: Outcome = "elected" if context.profile.valid else "no-valid-votes"
    spent = sum(costs[project] for project in selected)
    message = f"funded: {join(context, selected)}" if selected else "nothing funded"
    if note:
        message += f" ({note})"
    result = context.result(rule, outcome, message, selected, options)
    result.rounds = rounds
    result.ranking = list(selected)
    result.spent = spent
    return result


def equal_shares(context: Context) -> QuestionResult:
    """Fund projects by the Method of Equal Shares, with completion."""
    context.allow("utility", "completion", "budget_step", "max_steps")
    limit = float(context.question.budget_limit or 0)
    utility = context.choice("utility", "cost", ("cost", "cardinality"))
    completion = context.choice("completion", "increase", ("increase", "greedy", "none"))
    step = context.number("budget_step", limit / 100, 1e-9, float("inf")) or limit / 100
    max_steps = context.integer("max_steps", 1000, 0, 1_000_000)
    votes, ballots = approvals(context.profile)
    costs = {option.id: float(option.cost or 0) for option in context.question.options}
    mes = _EqualShares(context.profile.weights, costs, utility)
    if mes.total_weight <= 0:
        return _finish(context, "mes", [], [], votes, ballots, "")
    # Every run's draws are listed: each run's feasibility decides where the increase stops.
    selected, rounds = mes.run(limit, context.ties)
    virtual = limit
    if completion == "increase":
        approved = {project for project, value in votes.items() if value > 0}
        for count in range(1, max_steps + 1):
            remaining = limit - sum(costs[project] for project in selected)
            exhaustive = all(
                costs[project] > remaining for project in costs if project not in selected
            )
            if exhaustive or approved.issubset(selected):
                break
            trial_budget = limit + count * step
            trial, trial_rounds = mes.run(trial_budget, context.ties)
            if sum(costs[project] for project in trial) > limit:
                break
            selected, rounds, virtual = trial, trial_rounds, trial_budget
    note = "" if virtual == limit else f"equal shares run with a virtual budget of {virtual:g}"
    if completion != "none":
        density = (
            votes
            if utility == "cost"
            else {project: votes.get(project, 0.0) / costs[project] for project in costs}
        )
        selected, extra = _greedy_fill(
            context.ties,
            votes,
            costs,
            limit,
            selected,
            density,
            "completion order",
            len(rounds) + 1,
        )
        for item in extra:
            item.note = ("completion: " + item.note).rstrip(": ")
        rounds.extend(extra)
    spent = 0.0
    for item in rounds:
        spent += sum(costs[project] for project in item.elected)
        if item.remaining is None:
            item.remaining = limit - spent
    return _finish(context, "mes", selected, rounds, votes, ballots, note)


class _EqualShares:
    """The Method of Equal Shares on distinct approval sets (weights summed per set).

    Voters who support the same funded projects have paid the same prices, so they hold the
    same money: a run only needs the approval sets grouped by which of the funded projects they
    contain (a *pattern*), with each group's summed weight per project. Those groups depend on
    the set of funded projects, not on the budget, so they are built once and shared by every
    run of the budget increase; a run then costs a few steps per pattern, however many ballots
    there are.
    """

    def __init__(self, weights: dict[Answer, float], costs: dict[str, float], utility: str) -> None:
        self.total_weight = sum(weights.values())
        self.costs = costs
        self.utility = {
            project: (cost if utility == "cost" else 1.0) for project, cost in costs.items()
        }
        self.groups = [(frozenset(answer), weight) for answer, weight in weights.items() if answer]
        self.partitions: dict[frozenset[str], _Partition] = {
            frozenset(): _Partition({frozenset(): list(range(len(self.groups)))}, self.groups)
        }

    def run(self, budget: float, ties: TieBreaker) -> tuple[list[str], list[Round]]:
        """One MES run with ``budget`` shared out; the funded projects and one round each."""
        funded: frozenset[str] = frozenset()
        partition = self.partitions[funded]
        # Money per unit of weight held by the voters of each pattern.
        money: dict[frozenset[str], float] = {funded: budget / self.total_weight}
        candidates = [project for project in self.costs if partition.support.get(project)]
        selected: list[str] = []
        rounds: list[Round] = []
        while candidates:
            prices: dict[str, float] = {}
            still = []
            for project in candidates:
                price = self._price(project, partition.support[project], money)
                if price is not None:
                    prices[project] = price
                    still.append(project)
            candidates = still
            if not prices:
                break
            best = min(prices.values())
            tied = [
                project for project, price in prices.items() if price <= best * (1 + RELATIVE_TIE)
            ]
            chosen = ties.first(tied, f"equal shares budget {budget:g} round {len(rounds) + 1}")
            pay = prices[chosen] * self.utility[chosen]
            for pattern, _ in partition.support[chosen]:
                left = money[pattern]
                money[pattern | {chosen}] = left - pay if left > pay else 0.0
            funded = funded | {chosen}
            following = self.partitions.get(funded)
            if following is None:
                following = self.partitions[funded] = partition.split(chosen, self.groups)
            partition = following
            selected.append(chosen)
            candidates.remove(chosen)
            rounds.append(Round(number=len(rounds) + 1, tallies=prices, elected=[chosen]))
        return selected, rounds

    def _price(
        self,
        project: str,
        support: list[tuple[frozenset[str], float]],
        money: dict[frozenset[str], float],
    ) -> float | None:
        """The smallest ρ at which the project's supporters can pay its cost, or None."""
        pools: dict[float, float] = {}
        for pattern, weight in support:
            left = money[pattern]
            pools[left] = pools.get(left, 0.0) + weight
        cost = self.costs[project]
        available = sum(left * weight for left, weight in pools.items())
        if available < cost * (1 - 1e-12):
            return None
        utility = self.utility[project]
        paid = 0.0
        weight_left = sum(pools.values())
        for left in sorted(pools):
            price = (cost - paid) / (weight_left * utility)
            if left >= price * utility:
                return price
            paid += left * pools[left]
            weight_left -= pools[left]
        return max(pools) / utility  # only reached through rounding at the affordability edge


class _Partition:
    """The approval sets grouped by pattern (which funded projects they contain).

    ``members[pattern]`` lists the approval sets (indexes, in profile order) of a pattern;
    ``support[project]`` lists, per pattern holding supporters of ``project``, their summed
    weight.
    """

    def __init__(
        self,
        members: dict[frozenset[str], list[int]],
        groups: list[tuple[frozenset[str], float]],
        support: dict[str, list[tuple[frozenset[str], float]]] | None = None,
    ) -> None:
        self.members = members
        if support is None:
            support = {}
            for pattern, indexes in members.items():
                for project, weight in _weights(indexes, groups).items():
                    support.setdefault(project, []).append((pattern, weight))
        self.support = support

    def split(self, chosen: str, groups: list[tuple[frozenset[str], float]]) -> _Partition:
        """The partition once ``chosen`` is funded too: its supporters move to new patterns."""
        touched = {pattern for pattern, _ in self.support[chosen]}
        members = {
            pattern: indexes for pattern, indexes in self.members.items() if pattern not in touched
        }
        changed: dict[frozenset[str], list[int]] = {}
        for pattern in touched:
            stay: list[int] = []
            move: list[int] = []
            for index in self.members[pattern]:
                (move if chosen in groups[index][0] else stay).append(index)
            if stay:
                changed[pattern] = stay
            changed[pattern | {chosen}] = move
        members.update(changed)
        support: dict[str, list[tuple[frozenset[str], float]]] = {}
        for project, entries in self.support.items():
            kept = [(pattern, weight) for pattern, weight in entries if pattern not in touched]
            if kept:
                support[project] = kept
        for pattern, indexes in changed.items():
            for project, weight in _weights(indexes, groups).items():
                support.setdefault(project, []).append((pattern, weight))
        return _Partition(members, groups, support)


def _weights(indexes: list[int], groups: list[tuple[frozenset[str], float]]) -> dict[str, float]:
    """Summed weight per project over the approval sets ``indexes`` (in order)."""
    weights: dict[str, float] = {}
    for index in indexes:
        answer, weight = groups[index]
        for project in answer:
            weights[project] = weights.get(project, 0.0) + weight
    return weights
