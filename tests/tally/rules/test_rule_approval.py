"""Approval with k winners."""

from __future__ import annotations

from tally import count
from tests.tally.rules.rule_helpers import records_of, spec_of


def test_two_winners_by_approvals() -> None:
    spec = spec_of("multiple", "abcd", {"winners": 2}, max_choices=3)
    records = records_of((3, ["a", "b"]), (2, ["b", "c"]), (2, ["c", "d", "a"]), (1, []))
    question = count(spec, records).questions[0]
    assert question.rule == "approval"
    assert question.winners == ["a", "b"]
    assert {o.id: o.votes for o in question.options} == {"a": 5, "b": 5, "c": 4, "d": 2}
    assert question.valid == 7
    assert question.blank == 1
    assert question.options[0].share == 5 / 7
    assert question.tie_breaks == []  # a and b tie but both are elected


def test_tie_at_the_cut_is_drawn() -> None:
    spec = spec_of("multiple", "abc", {"winners": 2})
    question = count(spec, records_of((2, ["a"]), (1, ["b"]), (1, ["c"]))).questions[0]
    assert question.winners[0] == "a"
    assert question.tie_breaks[0].tied == ["b", "c"]
