"""Rating (评议): counts per level, satisfaction rate, mean score, pass or fail."""

from __future__ import annotations

from tally import Option, count
from tests.tally.rules.rule_helpers import records_of, spec_of

LEVELS = [
    Option(id="satisfied", label="满意", score=3),
    Option(id="basically", label="基本满意", score=2),
    Option(id="unsatisfied", label="不满意", score=1),
]
VOTES = records_of((50, ["satisfied"]), (30, ["basically"]), (20, ["unsatisfied"]))


def test_satisfaction_rate_is_top_two_levels_over_valid() -> None:
    question = count(spec_of("rating", LEVELS), VOTES).questions[0]
    assert question.rule == "satisfaction"
    assert question.outcome == "reported"
    assert question.satisfaction_rate == 0.8
    assert question.mean_score == 2.3
    assert [o.votes for o in question.options] == [50, 30, 20]
    assert [o.score for o in question.options] == [3, 2, 1]
    assert question.params["satisfied"] == ["satisfied", "basically"]


def test_pass_and_fail_against_thresholds() -> None:
    passed = count(spec_of("rating", LEVELS, {"pass_rate": 0.8}), VOTES).questions[0]
    assert passed.outcome == "passed"
    failed = count(spec_of("rating", LEVELS, {"pass_rate": 0.81}), VOTES).questions[0]
    assert failed.outcome == "failed"
    mean = count(spec_of("rating", LEVELS, {"pass_rate": 0.5, "pass_mean": 2.5}), VOTES)
    assert mean.questions[0].outcome == "failed"


def test_satisfied_levels_can_be_chosen() -> None:
    question = count(spec_of("rating", LEVELS, {"satisfied": ["satisfied"]}), VOTES).questions[0]
    assert question.satisfaction_rate == 0.5


def test_area_weighted_rating() -> None:
    records = records_of((1, ["satisfied"], 300.0), (3, ["unsatisfied"], 100.0))
    question = count(spec_of("rating", LEVELS, weighting="area"), records).questions[0]
    assert question.satisfaction_rate == 0.5
    assert question.mean_score == 2.0
