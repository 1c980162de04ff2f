"""Civil Code art. 278 dual thresholds, on a worked case of 1000 owners and 150,000 m²."""

from __future__ import annotations

import pytest

from tally import Electorate, Record, SpecError, count
from tally.spec import yesno_options
from tests.tally.rules.rule_helpers import spec_of

ESTATE = Electorate(size=1000, area=150_000.0)


def estate_votes() -> list[Record]:
    """700 owners take part holding 105,000 m².

    690 owners have one 150 m² flat: 360 yes, 250 no, 80 abstain. Ten owners have two 75 m²
    flats each (two records, one owner id) and all vote yes: ten heads, 1,500 m².
    """
    records = []
    for number in range(690):
        answer = "yes" if number < 360 else "no" if number < 610 else "abstain"
        records.append(Record(answers={"q": [answer]}, weight=150.0, unit=f"owner-{number}"))
    for number in range(10):
        for _flat in range(2):
            records.append(Record(answers={"q": ["yes"]}, weight=75.0, unit=f"multi-{number}"))
    return records


def spec(major: bool = False) -> object:
    return spec_of("yesno", yesno_options(), {"name": "dual_threshold", "major": major})


def test_general_matter_passes_by_area_and_heads() -> None:
    question = count(spec(), estate_votes(), ESTATE).questions[0]  # type: ignore[arg-type]
    assert question.rule == "dual_threshold"
    assert question.heads == 700
    checks = {c.name: c for c in question.checks}
    assert checks["participation-area"].value == 105_000
    assert checks["participation-area"].ratio == pytest.approx(0.7)
    assert checks["participation-heads"].value == 700
    assert checks["approval-area"].value == 55_500
    assert checks["approval-area"].base == 105_000
    assert checks["approval-area"].comparison == ">"
    assert checks["approval-heads"].value == 370
    assert checks["approval-heads"].base == 700
    assert all(c.passed for c in question.checks)
    assert question.outcome == "passed"
    assert question.winners == ["yes"]
    heads = {o.id: o.heads for o in question.options}
    assert heads == {"yes": 370, "no": 250, "abstain": 80}
    ballots = {o.id: o.ballots for o in question.options}
    assert ballots == {"yes": 380, "no": 250, "abstain": 80}


def test_major_matter_needs_three_quarters() -> None:
    question = count(spec(major=True), estate_votes(), ESTATE).questions[0]  # type: ignore[arg-type]
    checks = {c.name: c for c in question.checks}
    assert checks["approval-area"].required == 0.75
    assert checks["approval-area"].comparison == ">="
    assert question.outcome == "rejected"
    assert "approval-area and approval-heads" in question.message


def test_too_few_owners_is_no_quorum() -> None:
    question = count(spec(), estate_votes(), Electorate(size=1051, area=150_000.0)).questions[0]  # type: ignore[arg-type]
    assert question.outcome == "no-quorum"
    checks = {c.name: c.passed for c in question.checks}
    assert checks == {
        "participation-area": True,
        "participation-heads": False,
        "approval-area": True,
        "approval-heads": True,
    }


def test_exactly_two_thirds_takes_part() -> None:
    question = count(spec(), estate_votes(), Electorate(size=1050, area=157_500.0)).questions[0]  # type: ignore[arg-type]
    assert question.checks[0].passed and question.checks[1].passed


def test_exactly_half_is_not_more_than_half() -> None:
    records = [
        Record(answers={"q": ["yes"]}, weight=100.0, unit="a"),
        Record(answers={"q": ["no"]}, weight=100.0, unit="b"),
    ]
    question = count(spec(), records, Electorate(size=2, area=200.0)).questions[0]  # type: ignore[arg-type]
    assert question.outcome == "rejected"


def test_owner_with_disagreeing_flats_takes_part_without_approving() -> None:
    records = [
        Record(answers={"q": ["yes"]}, weight=100.0, unit="a"),
        Record(answers={"q": ["no"]}, weight=50.0, unit="a"),
        Record(answers={"q": ["yes"]}, weight=60.0, unit="b"),
    ]
    question = count(spec(), records, Electorate(size=2, area=210.0)).questions[0]  # type: ignore[arg-type]
    checks = {c.name: c for c in question.checks}
    assert checks["approval-heads"].value == 1
    assert checks["approval-heads"].base == 2
    assert checks["approval-area"].value == 160
    assert "split" in question.message


def test_electorate_from_rule_parameters() -> None:
    rule = {"name": "dual_threshold", "electorate_size": 1000, "electorate_area": 150000}
    question = count(spec_of("yesno", yesno_options(), rule), estate_votes()).questions[0]
    assert question.outcome == "passed"
    assert question.params["electorate_size"] == 1000


def test_missing_electorate_names_the_parameter() -> None:
    with pytest.raises(SpecError) as caught:
        count(spec(), estate_votes())  # type: ignore[arg-type]
    assert caught.value.field == "questions[0].rule.electorate_size"


def test_weighting_none_still_uses_area() -> None:
    question = count(spec(), estate_votes(), ESTATE).questions[0]  # type: ignore[arg-type]
    assert question.valid_weight == 105_000
