"""answer_errors: every broken rule at once, one per question, the first being check_answers'."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tally.spec import (
    AnswerError,
    Answers,
    BallotSpec,
    Option,
    Question,
    answer_errors,
    check_answers,
)

SPEC = BallotSpec(
    questions=[
        Question(
            id="firm",
            kind="single",
            prompt="Which firm?",
            options=[Option(id="o1", label="A"), Option(id="o2", label="B")],
        ),
        Question(
            id="projects",
            kind="budget",
            prompt="Which projects?",
            options=[
                Option(id="p1", label="Roofs", cost=600_000),
                Option(id="p2", label="Lifts", cost=450_000),
                Option(id="p3", label="Lamps", cost=250_000),
            ],
            budget_limit=1_200_000,
        ),
        Question(
            id="order",
            kind="ranked",
            prompt="Your order?",
            options=[Option(id=x, label=x.upper()) for x in "abcd"],
            max_choices=3,
        ),
    ]
)


def test_every_question_is_reported_at_once() -> None:
    errors = answer_errors(SPEC, {"projects": ["p1", "p2", "p3"], "order": ["a", "a"]})
    assert [(e.question, e.code) for e in errors] == [
        ("firm", "missing-answer"),
        ("projects", "over-budget"),
        ("order", "duplicate-choice"),
    ]
    assert errors[1].params == {"total": 1_300_000, "limit": 1_200_000}


def test_good_answers_have_no_errors() -> None:
    answers = {"firm": ["o2"], "projects": ["p1", "p3"], "order": ["c", "a"]}
    assert answer_errors(SPEC, answers) == []
    check_answers(SPEC, answers)


def test_an_unknown_question_comes_first() -> None:
    errors = answer_errors(SPEC, {"nope": [], "firm": ["o1"]})
    assert [(e.question, e.code) for e in errors][:2] == [
        ("nope", "unknown-question"),
        ("projects", "missing-answer"),
    ]


OPTION_IDS = st.sampled_from(["o1", "o2", "p1", "p2", "p3", "a", "b", "c", "d", "zz"])
ANSWERS = st.dictionaries(
    st.sampled_from(["firm", "projects", "order", "other"]),
    st.lists(OPTION_IDS, max_size=5),
    max_size=4,
)


@given(ANSWERS)
def test_check_answers_raises_the_first_of_them(answers: Answers) -> None:
    errors = answer_errors(SPEC, answers)
    if not errors:
        check_answers(SPEC, answers)
        return
    with pytest.raises(AnswerError) as raised:
        check_answers(SPEC, answers)
    assert (raised.value.question, raised.value.code, raised.value.params) == (
        errors[0].question,
        errors[0].code,
        errors[0].params,
    )
    assert len({e.question for e in errors}) == len(errors)  # one per question
