"""Plurality with and without the absolute-majority requirement."""

from __future__ import annotations

from tally import count
from tests.tally.rules.rule_helpers import records_of, spec_of


def test_plurality_is_the_default_for_single() -> None:
    result = count(spec_of("single", "abc"), records_of((4, ["a"]), (3, ["b"]), (2, ["c"])))
    question = result.questions[0]
    assert question.rule == "plurality"
    assert question.winners == ["a"]
    assert question.outcome == "elected"
    assert [o.share for o in question.options] == [4 / 9, 3 / 9, 2 / 9]


def test_no_majority_calls_a_runoff_between_the_top_two() -> None:
    spec = spec_of("single", "abc", {"majority": True})
    question = count(spec, records_of((4, ["a"]), (3, ["b"]), (2, ["c"]))).questions[0]
    assert question.outcome == "runoff"
    assert question.winners == []
    assert question.runoff == ["a", "b"]
    assert question.message == "no majority: runoff between a and b"
    assert question.checks[0].name == "absolute-majority"
    assert not question.checks[0].passed


def test_majority_reached() -> None:
    spec = spec_of("single", "abc", {"majority": True})
    question = count(spec, records_of((5, ["a"]), (3, ["b"]), (1, ["c"]))).questions[0]
    assert question.outcome == "elected"
    assert question.winners == ["a"]


def test_exactly_half_is_not_a_majority() -> None:
    spec = spec_of("single", "ab", {"majority": True})
    question = count(spec, records_of((2, ["a"]), (2, ["b"]))).questions[0]
    assert question.outcome == "runoff"
    assert sorted(question.runoff) == ["a", "b"]


def test_tie_for_first_is_drawn() -> None:
    question = count(spec_of("single", "abc"), records_of((2, ["a"]), (2, ["b"]))).questions[0]
    assert len(question.tie_breaks) == 1
    assert question.tie_breaks[0].tied == ["a", "b"]
    assert question.winners == question.tie_breaks[0].order[:1]


def test_area_weighting() -> None:
    spec = spec_of("single", "ab", weighting="area")
    question = count(spec, records_of((3, ["a"], 50.0), (1, ["b"], 200.0))).questions[0]
    assert question.winners == ["b"]
    assert question.options[0].ballots == 3
    assert question.options[0].votes == 150.0
