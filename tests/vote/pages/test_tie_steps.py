"""A tie draw's step, as tally writes it, in the reader's language on the audit page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vote.i18n import current_locale
from vote.pages.tie_steps import step_words

STEPS = [
    (
        "plurality order (score 4)",
        "按得票排序：同为 4 票",
        "ranking by votes: tied at 4 votes each",
    ),
    (
        "approval order (score 3)",
        "按赞成票排序：同为 3 票",
        "ranking by approvals: tied at 3 approvals each",
    ),
    (
        "borda order (score 7.5)",
        "按博达计分排序：同为 7.5 分",
        "ranking by Borda points: tied at 7.5 points each",
    ),
    (
        "schulze order (score -6)",
        "按两两比较（舒尔茨法）排序：不分先后",
        "ranking by head-to-head comparisons (Schulze method): tied",
    ),
    (
        "greedy order (score 12)",
        "按得票依次资助项目：同为 12 票",
        "funding projects in order of votes: tied at 12 votes each",
    ),
    (
        "completion order (score 1.5e-05)",
        "按每元得票依次用完剩余预算：不分先后",
        "filling the rest of the budget in order of votes per yuan: tied",
    ),
    (
        "round 2 elimination",
        "第 2 轮计票：决定淘汰哪个选项",
        "round 2 of the count: which option is eliminated",
    ),
    (
        "equal shares budget 1.2e+06 round 3",
        "平均分摊法第 3 轮：决定下一个资助哪个项目",
        "equal shares method, round 3: which project is funded next",
    ),
]


@pytest.fixture(params=["zh_CN", "en"])
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    token = current_locale.set(request.param)
    yield request.param
    current_locale.reset(token)


@pytest.mark.parametrize(("step", "chinese", "english"), STEPS)
def test_each_step_tally_writes_reads_in_the_readers_language(
    locale: str, step: str, chinese: str, english: str
) -> None:
    assert step_words(step) == (chinese if locale == "zh_CN" else english)


def test_a_step_of_an_unknown_form_is_shown_as_it_is(locale: str) -> None:
    assert step_words("coin toss") == "coin toss"
    assert step_words("plurality order (score 4) again") == "plurality order (score 4) again"
