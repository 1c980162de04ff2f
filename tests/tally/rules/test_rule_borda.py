"""Borda: the Tennessee example's published points, truncated ballots, Dowdall, k winners."""

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


def test_tennessee_points() -> None:
    result = count(spec_of("ranked", CITIES, {"name": "borda"}), TENNESSEE).questions[0]
    assert {o.id: o.points for o in result.options} == {
        "memphis": 126,
        "nashville": 194,
        "chattanooga": 173,
        "knoxville": 107,
    }
    assert result.winners == ["nashville"]
    assert result.ranking == ["nashville", "chattanooga", "memphis", "knoxville"]


def test_two_winners() -> None:
    spec = spec_of("ranked", CITIES, {"name": "borda", "winners": 2})
    assert count(spec, TENNESSEE).questions[0].winners == ["nashville", "chattanooga"]


def test_truncated_ballot_gives_unranked_nothing() -> None:
    records = records_of((1, ["a"]), (1, ["b", "c"]))
    spec = spec_of("ranked", "abc", {"name": "borda"}, min_choices=1)
    points = {o.id: o.points for o in count(spec, records).questions[0].options}
    assert points == {"a": 2, "b": 2, "c": 1}


def test_dowdall_points() -> None:
    records = records_of((6, ["a", "b", "c"]), (4, ["b", "c", "a"]))
    spec = spec_of("ranked", "abc", {"name": "borda", "points": "dowdall"})
    points = {o.id: o.points for o in count(spec, records).questions[0].options}
    assert points == {"a": 6 + 4 / 3, "b": 3 + 4, "c": 2 + 2}
