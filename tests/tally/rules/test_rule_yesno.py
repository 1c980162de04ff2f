"""Yes/no/abstain: thresholds, bases, quorum and how abstentions count."""

from __future__ import annotations

import pytest

from tally import Electorate, SpecError, count
from tally.spec import yesno_options
from tests.tally.rules.rule_helpers import records_of, spec_of

VOTES = records_of((60, ["yes"]), (40, ["no"]), (30, ["abstain"]))


def question_for(rule: dict[str, object], electorate: Electorate | None = None) -> object:
    return count(spec_of("yesno", yesno_options(), rule), VOTES, electorate).questions[0]


def test_default_is_simple_majority_of_valid_votes() -> None:
    question = question_for({})
    assert question.rule == "majority"  # type: ignore[attr-defined]
    assert question.outcome == "passed"  # type: ignore[attr-defined]
    check = question.checks[0]  # type: ignore[attr-defined]
    assert (check.name, check.value, check.base, check.comparison) == ("yes-of-valid", 60, 100, ">")


def test_abstentions_count_against_when_the_base_is_participants() -> None:
    question = question_for({"base": "participants"})
    assert question.outcome == "rejected"  # type: ignore[attr-defined]
    assert question.checks[0].base == 130  # type: ignore[attr-defined]


def test_two_thirds_and_three_quarters() -> None:
    assert question_for({"threshold": "two_thirds"}).outcome == "rejected"  # type: ignore[attr-defined]
    records = records_of((2, ["yes"]), (1, ["no"]))
    spec = spec_of("yesno", yesno_options(), {"threshold": "two_thirds"})
    assert count(spec, records).questions[0].outcome == "passed"
    spec = spec_of("yesno", yesno_options(), {"threshold": "three_quarters"})
    assert count(spec, records).questions[0].outcome == "rejected"


def test_numeric_threshold_strict_or_not() -> None:
    assert question_for({"threshold": 0.6}).outcome == "passed"  # type: ignore[attr-defined]
    assert question_for({"threshold": 0.6, "strict": True}).outcome == "rejected"  # type: ignore[attr-defined]


def test_quorum_of_the_electorate() -> None:
    assert question_for({"quorum": 0.5}, Electorate(size=300)).outcome == "no-quorum"  # type: ignore[attr-defined]
    passed = question_for({"quorum": 0.5}, Electorate(size=260))
    assert passed.outcome == "passed"  # type: ignore[attr-defined]
    assert passed.checks[0].name == "quorum"  # type: ignore[attr-defined]


def test_base_electorate() -> None:
    question = question_for({"base": "electorate"}, Electorate(size=200))
    assert question.outcome == "rejected"  # type: ignore[attr-defined]
    assert question.checks[0].base == 200  # type: ignore[attr-defined]


def test_quorum_without_electorate_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="electorate"):
        question_for({"quorum": 0.5})


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"threshold": "most"}, "questions[0].rule.threshold"),
        ({"threshold": 1.5}, "questions[0].rule.threshold"),
        ({"base": "everyone"}, "questions[0].rule.base"),
        ({"quorom": 0.5}, "questions[0].rule.quorom"),
        ({"name": "borda"}, "questions[0].rule.name"),
    ],
)
def test_bad_rule_parameters_name_the_field(rule: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError) as caught:
        question_for(rule)
    assert caught.value.field == field
