"""``count_weighted`` and ``count_lines`` give what ``count`` gives, and bad lines are named.

Property tests build random multi-question ballots (ranked, multiple, budget, yes/no with dual
thresholds), random records with repeats, weights and units, and compare the JSON of the three
entry points byte for byte. The Method of Equal Shares (which groups voters by funded-project
pattern) is also checked against a plain per-voter implementation.
"""

from __future__ import annotations

from collections import Counter

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tally import (
    BallotSpec,
    Electorate,
    LineError,
    Option,
    Question,
    Record,
    count,
    count_lines,
    count_weighted,
    read_lines,
)
from tally.rules.budget import RELATIVE_TIE, _EqualShares
from tally.spec import yesno_options
from tally.ties import TieBreaker

SETTINGS = settings(max_examples=80, deadline=None)
RANKED = [f"r{i}" for i in range(4)]
PROJECTS = [f"p{i}" for i in range(5)]
COSTS = [30, 50, 20, 40, 60]


def spec_for(weighting: str, budget_rule: str) -> BallotSpec:
    return BallotSpec(
        tie_seed="seed",
        weighting=weighting,  # type: ignore[arg-type]
        questions=[
            Question(
                id="rank",
                kind="ranked",
                prompt="?",
                options=[Option(id=o, label=o) for o in RANKED],
                min_choices=0,
            ),
            Question(
                id="pick",
                kind="multiple",
                prompt="?",
                options=[Option(id=o, label=o) for o in RANKED],
                min_choices=0,
                rule={"winners": 2},
            ),
            Question(
                id="fund",
                kind="budget",
                prompt="?",
                options=[
                    Option(id=o, label=o, cost=cost)
                    for o, cost in zip(PROJECTS, COSTS, strict=True)
                ],
                min_choices=0,
                budget_limit=100,
                rule={"name": budget_rule},
            ),
            Question(
                id="owners",
                kind="yesno",
                prompt="?",
                options=yesno_options(),
                rule={"name": "dual_threshold"},
            ),
        ],
    )


@st.composite
def answers(draw: st.DrawFn) -> dict[str, list[str]]:
    ranking = draw(st.permutations(RANKED))
    funded: list[str] = []
    for project in draw(st.lists(st.sampled_from(PROJECTS), unique=True, max_size=3)):
        total = sum(COSTS[PROJECTS.index(p)] for p in [*funded, project])
        if total <= 100:
            funded.append(project)
    return {
        "rank": list(ranking[: draw(st.integers(0, len(RANKED)))]),
        "pick": draw(st.lists(st.sampled_from(RANKED), unique=True, max_size=3)),
        "fund": funded,
        "owners": [draw(st.sampled_from(["yes", "no", "abstain"]))],
    }


@st.composite
def record_lists(draw: st.DrawFn) -> list[Record]:
    """Records drawn from a few distinct ones, so that many repeat."""
    distinct = draw(
        st.lists(
            st.builds(
                Record,
                answers=answers(),
                weight=st.sampled_from([1.0, 0.1, 75.3, 120.0, 0.0, 33.33]),
                unit=st.sampled_from(["", "", "u1", "u2", "u3"]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), min_size=1, max_size=40))
    return [distinct[i] for i in picks]


def encoded(result: object) -> bytes:
    return msgspec.json.encode(result)


@SETTINGS
@given(
    records=record_lists(),
    weighting=st.sampled_from(["none", "area"]),
    budget_rule=st.sampled_from(["greedy", "mes"]),
)
def test_every_entry_point_gives_the_same_result(
    records: list[Record], weighting: str, budget_rule: str
) -> None:
    spec = spec_for(weighting, budget_rule)
    electorate = Electorate(size=100, area=10_000.0)
    expected = encoded(count(spec, records, electorate))
    # Collapsed into (record, multiplicity) pairs.
    lines = [msgspec.json.encode(record) for record in records]
    pairs = [(msgspec.json.decode(line, type=Record), n) for line, n in Counter(lines).items()]
    assert encoded(count_weighted(spec, pairs, electorate)) == expected
    # From the bytes of a JSON Lines file, with a blank line and CRLF line ends mixed in.
    data = b"\n".join(lines) + b"\n\n"
    assert encoded(count_lines(spec, data, electorate)) == expected
    assert encoded(count_lines(spec, data.replace(b"\n", b"\r\n"), electorate)) == expected


def test_read_lines_counts_identical_lines() -> None:
    spec = spec_for("none", "greedy")
    line = b'{"answers": {"rank": ["r1"], "pick": [], "fund": [], "owners": ["yes"]}}'
    other = b'{"answers": {"rank": [], "pick": ["r0"], "fund": ["p2"], "owners": ["no"]}}'
    counted = read_lines(spec, b"\n".join([line, other, line, b"", line]))
    assert [(record.answers["owners"], n) for record, n in counted] == [(["yes"], 3), (["no"], 1)]


SIMPLE = BallotSpec(
    questions=[
        Question(
            id="q",
            kind="single",
            prompt="?",
            options=[Option(id="a", label="A"), Option(id="b", label="B")],
        )
    ]
)
GOOD = b'{"answers": {"q": ["a"]}}'


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        ([GOOD, GOOD, b'{"answers": {"q": ["c"]}}'], 3, "answers.q: no such option 'c'"),
        ([GOOD, b"", b"{", GOOD, b"{"], 3, "not valid JSON"),
        ([GOOD, b'{"answers": {"q": ["a", "b"]}}', b"nope"], 2, "answers.q: choose at most 1"),
        ([b'{"answers": {"q": ["a"]}, "weight": -1}', GOOD], 1, "weight: must be a finite"),
        ([GOOD, b'{"answers": {"q": ["a"]}, "weight": "x"}'], 2, "weight: Expected `float`"),
        ([GOOD, b'{"answers": {"q": ["a"]}} {"answers": {"q": ["a"]}}'], 2, "not valid JSON"),
    ],
)
def test_first_bad_line_is_named(lines: list[bytes], line: int, message: str) -> None:
    for separator in (b"\n", b"\r\n", b"\r"):
        with pytest.raises(LineError) as raised:
            read_lines(SIMPLE, separator.join(lines) + separator)
        assert raised.value.line == line
        assert message in raised.value.message


@pytest.mark.parametrize("multiplicity", [0, -2, 1.5, True])
def test_multiplicity_must_be_a_positive_integer(multiplicity: object) -> None:
    record = Record(answers={"q": ["a"]})
    with pytest.raises(ValueError, match="multiplicity must be a positive integer"):
        count_weighted(SIMPLE, [(record, multiplicity)])  # type: ignore[list-item]


def reference_mes(
    weights: dict[tuple[str, ...], float],
    costs: dict[str, float],
    budget: float,
    ties: TieBreaker,
) -> list[str]:
    """Plain MES (utility = cost) with one money balance per distinct approval set."""
    groups = list(weights)
    money = [budget / sum(weights.values())] * len(groups)
    candidates = [p for p in costs if any(p in g for g in groups)]
    selected: list[str] = []
    rounds = 0
    while candidates:
        prices: dict[str, float] = {}
        for project in list(candidates):
            pools: dict[float, float] = {}
            for index, group in enumerate(groups):
                if project in group:
                    pools[money[index]] = pools.get(money[index], 0.0) + weights[group]
            cost = costs[project]
            if sum(left * w for left, w in pools.items()) < cost * (1 - 1e-12):
                candidates.remove(project)
                continue
            paid, weight_left = 0.0, sum(pools.values())
            for left in sorted(pools):
                price = (cost - paid) / (weight_left * cost)
                if left >= price * cost:
                    break
                paid += left * pools[left]
                weight_left -= pools[left]
            else:
                price = max(pools) / cost
            prices[project] = price
        if not prices:
            break
        best = min(prices.values())
        tied = [p for p, price in prices.items() if price <= best * (1 + RELATIVE_TIE)]
        rounds += 1
        chosen = ties.first(tied, f"equal shares budget {budget:g} round {rounds}")
        pay = prices[chosen] * costs[chosen]
        for index, group in enumerate(groups):
            if chosen in group:
                money[index] = money[index] - pay if money[index] > pay else 0.0
        selected.append(chosen)
        candidates.remove(chosen)
    return selected


@SETTINGS
@given(
    profile=st.dictionaries(
        st.lists(st.sampled_from(PROJECTS), unique=True, max_size=4).map(tuple),
        st.integers(1, 30).map(float),
        min_size=1,
        max_size=12,
    ),
    budgets=st.lists(st.integers(50, 400), min_size=1, max_size=6),
)
def test_equal_shares_by_pattern_matches_per_voter_money(
    profile: dict[tuple[str, ...], float], budgets: list[int]
) -> None:
    costs = {p: float(c) for p, c in zip(PROJECTS, COSTS, strict=True)}
    mes = _EqualShares(profile, costs, "cost")
    for budget in budgets:  # several runs share the cached patterns
        ours, _ = mes.run(float(budget), TieBreaker("s", "q"))
        assert ours == reference_mes(profile, costs, float(budget), TieBreaker("s", "q"))
