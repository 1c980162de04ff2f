"""Instant runoff: the published Tennessee example, transfers, exhaustion and ties."""

from __future__ import annotations

from tally import count
from tests.tally.rules.rule_helpers import records_of, spec_of

TENNESSEE = records_of(
    (42, ["memphis", "nashville", "chattanooga", "knoxville"]),
    (26, ["nashville", "chattanooga", "knoxville", "memphis"]),
    (15, ["chattanooga", "knoxville", "nashville", "memphis"]),
    (17, ["knoxville", "chattanooga", "nashville", "memphis"]),
)
CITIES = ["memphis", "nashville", "chattanooga", "knoxville"]


def test_tennessee_capital_elects_knoxville_in_three_rounds() -> None:
    result = count(spec_of("ranked", CITIES), TENNESSEE).questions[0]
    assert result.rule == "irv"
    assert result.winners == ["knoxville"]
    assert [r.tallies for r in result.rounds] == [
        {"memphis": 42, "nashville": 26, "chattanooga": 15, "knoxville": 17},
        {"memphis": 42, "nashville": 26, "knoxville": 32},
        {"memphis": 42, "knoxville": 58},
    ]
    assert [r.eliminated for r in result.rounds] == [["chattanooga"], ["nashville"], []]
    assert result.rounds[0].transfers == {"knoxville": 15}
    assert result.rounds[1].transfers == {"knoxville": 26}
    assert result.rounds[2].elected == ["knoxville"]
    assert result.ranking == ["knoxville", "memphis", "nashville", "chattanooga"]
    assert result.tie_breaks == []
    assert [o.votes for o in result.options] == [42, 26, 15, 17]


def test_truncated_ballots_exhaust() -> None:
    records = records_of((4, ["a"]), (3, ["b", "c"]), (2, ["c"]), (2, ["d", "b"]))
    result = count(spec_of("ranked", "abcd", min_choices=1), records).questions[0]
    # Round 1: a4 b3 c2 d2; tie c/d broken by draw; later rounds check exhaustion.
    assert result.rounds[0].tallies == {"a": 4, "b": 3, "c": 2, "d": 2}
    assert len(result.tie_breaks) == 1
    assert result.tie_breaks[0].tied == ["c", "d"]
    assert result.winners in (["b"], ["a"])
    last = result.rounds[-1]
    total = sum(last.tallies.values()) + last.exhausted
    assert total == 11


def test_tie_for_last_looks_back_past_an_equal_round() -> None:
    # Round 1: a6 b4 c3 d1 e2 -> d out, to c. Round 2: a6 b4 c4 e2 -> e out, exhausted.
    # Round 3: a6 b4 c4: b and c tie; round 2 ties them too, round 1 separates them (c had 3).
    records = records_of((6, ["a"]), (4, ["b"]), (3, ["c"]), (1, ["d", "c"]), (2, ["e"]))
    result = count(spec_of("ranked", "abcde", min_choices=1), records).questions[0]
    assert result.rounds[1].tallies == {"a": 6, "b": 4, "c": 4, "e": 2}
    assert result.rounds[1].transfers == {"exhausted": 2}
    assert result.rounds[2].tallies == {"a": 6, "b": 4, "c": 4}
    assert result.rounds[2].eliminated == ["c"]
    assert result.tie_breaks[0].method == "fewest votes in round 1"
    assert result.rounds[3].tallies == {"a": 6, "b": 4}
    assert result.rounds[3].exhausted == 6
    assert result.winners == ["a"]


def test_backward_tie_break_is_recorded() -> None:
    records = records_of((5, ["a"]), (3, ["b"]), (2, ["c", "b"]), (3, ["d"]), (1, ["e", "c"]))
    result = count(spec_of("ranked", "abcde", min_choices=1), records).questions[0]
    # Round 1: a5 b3 c2 d3 e1 -> e out to c: c3. Round 2: a5 b3 c3 d3, three-way tie;
    # round 1 had b3 c2 d3 so c is eliminated by the earlier round.
    assert result.rounds[1].eliminated == ["c"]
    assert result.tie_breaks[0].method == "fewest votes in round 1"


def test_same_seed_same_draw_and_seed_matters() -> None:
    records = records_of((1, ["a"]), (1, ["b"]))
    draws = {
        count(spec_of("ranked", "ab", seed=seed, min_choices=1), records).questions[0].winners[0]
        for seed in ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8")
    }
    assert draws == {"a", "b"}
    first = count(spec_of("ranked", "ab", seed="x", min_choices=1), records).questions[0]
    again = count(spec_of("ranked", "ab", seed="x", min_choices=1), records).questions[0]
    assert first.winners == again.winners
    assert first.tie_breaks == again.tie_breaks


def test_weighted_irv() -> None:
    records = records_of((2, ["a", "b"], 10.0), (3, ["b", "a"], 5.0), (1, ["c", "b"], 12.0))
    result = count(spec_of("ranked", "abc", weighting="area"), records).questions[0]
    assert result.rounds[0].tallies == {"a": 20, "b": 15, "c": 12}
    assert result.winners == ["b"]


def test_no_valid_votes() -> None:
    result = count(spec_of("ranked", "ab", min_choices=0), records_of((3, []))).questions[0]
    assert result.outcome == "no-valid-votes"
    assert result.blank == 3
