"""Schulze: the 45-voter example from the method's Wikipedia article, and ties."""

from __future__ import annotations

from tally import count
from tests.tally.rules.rule_helpers import records_of, spec_of

WIKIPEDIA = records_of(
    (5, list("ACBED")),
    (5, list("ADECB")),
    (8, list("BEDAC")),
    (3, list("CABED")),
    (7, list("CAEBD")),
    (2, list("CBADE")),
    (7, list("DCEBA")),
    (8, list("EBADC")),
)


def test_wikipedia_example_ranks_e_a_c_b_d() -> None:
    result = count(spec_of("ranked", "ABCDE", {"name": "schulze"}), WIKIPEDIA).questions[0]
    assert result.rule == "schulze"
    assert result.winners == ["E"]
    assert result.ranking == ["E", "A", "C", "B", "D"]
    assert result.tie_breaks == []
    assert result.pairwise is not None and result.strongest_paths is not None
    d = result.pairwise
    assert [d["A"][x] for x in "BCDE"] == [20, 26, 30, 22]
    assert [d["B"][x] for x in "ACDE"] == [25, 16, 33, 18]
    assert [d["C"][x] for x in "ABDE"] == [19, 29, 17, 24]
    assert [d["D"][x] for x in "ABCE"] == [15, 12, 28, 14]
    assert [d["E"][x] for x in "ABCD"] == [23, 27, 21, 31]
    p = result.strongest_paths
    assert [p["A"][x] for x in "BCDE"] == [28, 28, 30, 24]
    assert [p["B"][x] for x in "ACDE"] == [25, 28, 33, 24]
    assert [p["C"][x] for x in "ABDE"] == [25, 29, 29, 24]
    assert [p["D"][x] for x in "ABCE"] == [25, 28, 28, 24]
    assert [p["E"][x] for x in "ABCD"] == [25, 28, 28, 31]


def test_condorcet_winner_of_tennessee_is_nashville() -> None:
    records = records_of(
        (42, ["m", "n", "c", "k"]),
        (26, ["n", "c", "k", "m"]),
        (15, ["c", "k", "n", "m"]),
        (17, ["k", "c", "n", "m"]),
    )
    result = count(spec_of("ranked", "mnck", {"name": "schulze"}), records).questions[0]
    assert result.ranking == ["n", "c", "k", "m"]


def test_unranked_options_lose_to_ranked_ones() -> None:
    records = records_of((2, ["a"]), (1, ["b", "c"]))
    spec = spec_of("ranked", "abc", {"name": "schulze"}, min_choices=1)
    result = count(spec, records).questions[0]
    assert result.pairwise == {
        "a": {"b": 2, "c": 2},
        "b": {"a": 1, "c": 1},
        "c": {"a": 1, "b": 0},
    }
    assert result.winners == ["a"]


def test_cycle_tie_is_drawn_and_recorded() -> None:
    records = records_of((1, list("abc")), (1, list("bca")), (1, list("cab")))
    spec = spec_of("ranked", "abc", {"name": "schulze", "winners": 1})
    result = count(spec, records).questions[0]
    assert len(result.winners) == 1
    assert result.tie_breaks and result.tie_breaks[0].tied == ["a", "b", "c"]
