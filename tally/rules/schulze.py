"""The Schulze method for ranked questions (winning votes).

``pairwise[a][b]`` is the weight of ballots ranking a above b (a ranked option is above every
unranked one; two unranked options are not compared). A link a→b is as strong as
``pairwise[a][b]`` when a beats b, else 0; ``strongest_paths[a][b]`` is the strength of the
strongest path (widest path, Floyd–Warshall). a ranks above b when
``strongest_paths[a][b] > strongest_paths[b][a]``; options with no one above them are the
Schulze winners and ties among them are drawn. Parameter ``winners`` (default 1) takes the top of
the Schulze ranking.
"""

from __future__ import annotations

from tally.result import QuestionResult
from tally.rules.common import Context, first_choices, join, option_results


def schulze(context: Context) -> QuestionResult:
    """Count a ranked question by the Schulze method."""
    context.allow("winners")
    seats = context.integer("winners", 1, 1, len(context.question.options))
    ids = [option.id for option in context.question.options]
    index = {option: i for i, option in enumerate(ids)}
    m = len(ids)
    d = [[0.0] * m for _ in range(m)]
    everyone = set(range(m))
    for answer, weight in context.profile.weights.items():
        positions = [index[option] for option in answer]
        unranked = everyone.difference(positions)
        for i, a in enumerate(positions):
            row = d[a]
            for b in positions[i + 1 :]:
                row[b] += weight
            for b in unranked:
                row[b] += weight
    p = [[d[i][j] if d[i][j] > d[j][i] else 0.0 for j in range(m)] for i in range(m)]
    for k in range(m):
        pk = p[k]
        for i in range(m):
            if i == k:
                continue
            pi, pik = p[i], p[i][k]
            if pik == 0:
                continue
            for j in range(m):
                if j != i and j != k:
                    through = pik if pik < pk[j] else pk[j]
                    if through > pi[j]:
                        pi[j] = through
    beaten_by = {ids[i]: sum(1 for j in range(m) if p[j][i] > p[i][j]) for i in range(m)}
    wins = {ids[i]: float(sum(1 for j in range(m) if p[i][j] > p[j][i])) for i in range(m)}
    votes, ballots = first_choices(context.profile)
    options = option_results(context, votes, ballots)
    if context.profile.valid == 0:
        return context.result("schulze", "no-valid-votes", "no valid votes", [], options)
    # The Schulze relation is a strict weak order's refinement: sort by wins, draw equal groups
    # that straddle the cut. Unbeaten options come first.
    ranking = context.ties.rank(
        {option: wins[option] - m * beaten_by[option] for option in ids},
        "schulze order",
        places=seats,
    )
    winners = ranking[:seats]
    for option in options:
        option.elected = option.id in winners
    result = context.result(
        "schulze", "elected", f"elected: {join(context, winners)}", winners, options
    )
    result.ranking = ranking
    result.pairwise = {ids[i]: {ids[j]: d[i][j] for j in range(m) if j != i} for i in range(m)}
    result.strongest_paths = {
        ids[i]: {ids[j]: p[i][j] for j in range(m) if j != i} for i in range(m)
    }
    return result
