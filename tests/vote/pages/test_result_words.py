"""A counted result in words: one sentence per question for every outcome and question kind, in
Chinese and English; every percentage named by its base; the checks as words with a tick or a
cross; the warnings; and the bar chart's text alternative. The results are counted by ``tally``
from real records, as the server counts them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

import tally
from vote.i18n import current_locale
from vote.pages.result_words import QuestionWords, percent, question_words, result_words

YESNO_OPTIONS = [
    {"id": "yes", "label": "yes"},
    {"id": "no", "label": "no"},
    {"id": "abstain", "label": "abstain"},
]
FIRMS = [{"id": f"f{i}", "label": f"Firm {i}"} for i in (1, 2, 3, 4)]
LEVELS = [
    {"id": "s", "label": "满意", "score": 3},
    {"id": "b", "label": "基本满意", "score": 2},
    {"id": "u", "label": "不满意", "score": 1},
]
RAW_CHECK_NAMES = re.compile(
    r"yes-of-|quorum-|participation-|approval-|absolute-majority|satisfaction-rate|mean-score"
)


@pytest.fixture(params=["zh_CN", "en"])
def locale(request: pytest.FixtureRequest) -> Iterator[str]:
    token = current_locale.set(request.param)
    yield request.param
    current_locale.reset(token)


def count(
    spec: dict[str, Any],
    answers: list[list[str]],
    *,
    electorate: int | None = None,
    area: float = 0.0,
    weights: list[float] | None = None,
    units: list[str] | None = None,
) -> tuple[tally.BallotSpec, tally.BallotResult]:
    """Count ``answers`` (one list of option ids per ballot) to the spec's only question."""
    typed = msgspec.convert(spec, tally.BallotSpec)
    question = typed.questions[0].id
    records = [
        tally.Record(
            answers={question: answer},
            weight=weights[index] if weights else 1.0,
            unit=units[index] if units else "",
        )
        for index, answer in enumerate(answers)
    ]
    voters = tally.Electorate(size=electorate, area=area) if electorate else None
    return typed, tally.count(typed, records, electorate=voters)


def words(
    spec: dict[str, Any], answers: list[list[str]], **kwargs: Any
) -> tuple[QuestionWords, tally.QuestionResult]:
    typed, result = count(spec, answers, **kwargs)
    said = question_words(
        typed.questions[0],
        result.questions[0],
        voting_unit=typed.voting_unit,
        weighted=typed.weighting == "area",
    )
    return said, result.questions[0]


def said(locale: str, zh: str, en: str) -> str:
    return zh if locale == "zh_CN" else en


def plain(text: QuestionWords) -> str:
    """Everything a resident reads about the question, as one text."""
    parts = [text.sentence, *(c.text + c.verdict for c in text.checks), *text.warnings]
    return " ".join([*parts, *text.notes, text.chart_label])


def yesno(rule: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "questions": [
            {
                "id": "q",
                "kind": "yesno",
                "prompt": "修缮屋顶？",
                "options": YESNO_OPTIONS,
                "rule": rule or {},
            }
        ]
    }


def firms(validity: dict[str, Any] | None = None, seed: str = "77aa") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "voting_unit": "household",
        "tie_seed": seed,
        "questions": [{"id": "firm", "kind": "single", "prompt": "选定评估公司", "options": FIRMS}],
    }
    if validity is not None:
        spec["validity"] = validity
    return spec


# --- yes/no -----------------------------------------------------------------------------------


def test_a_passed_yes_no_says_yes_votes_of_the_valid_votes(locale: str) -> None:
    text, result = words(yesno(), [["yes"]] * 10 + [["no"], ["abstain"]])
    assert result.outcome == "passed"
    assert text.sentence == said(
        locale,
        "赞成 10 票，占有效票 90.9%，超过半数，通过。",
        "Yes: 10 votes, 90.9% of the valid votes — more than half: passed.",
    )
    assert text.tone == "ok"
    # the table shows the same 90.9% for yes, and leaves the abstention out of the valid votes
    assert [row.share for row in text.rows][:2] == ["90.9%", "9.1%"]
    assert text.rows[2].share == said(locale, "不计入", "not counted")
    assert [c.text for c in text.checks] == [
        said(
            locale,
            "赞成票：占有效票 90.9%，要求超过半数",
            "Yes votes: 90.9% of the valid votes; more than half needed",
        )
    ]
    assert text.checks[0].verdict == said(locale, "✔ 达到", "✔ met")
    assert said(
        locale, "弃权算作参与了投票，但不计入有效票", "An abstention counts as"
    ) in " ".join(text.notes)


def test_a_rejected_yes_no_on_the_participants(locale: str) -> None:
    text, result = words(
        yesno({"base": "participants", "threshold": "two_thirds"}),
        [["yes"]] * 5 + [["no"]] * 2 + [["abstain"]] * 2,
    )
    assert result.outcome == "rejected"
    assert text.sentence == said(
        locale,
        "赞成 5 票，占参与投票人数 55.6%，不到三分之二，未通过。",
        "Yes: 5 votes, 55.6% of the people who took part — less than two thirds: not passed.",
    )
    assert text.tone == "bad"
    assert text.share_header == said(locale, "占参与投票人数", "Of the people who took part")
    assert text.rows[2].share == "22.2%"  # abstentions count on this base
    assert text.checks[0].verdict == said(locale, "✘ 未达到", "✘ not met")


def test_a_yes_no_with_only_abstentions_has_no_valid_votes(locale: str) -> None:
    text, result = words(yesno(), [["abstain"]] * 3)
    assert result.outcome == "no-valid-votes"
    assert text.sentence == said(
        locale,
        "没有人投赞成票或反对票，无法作出决定。",
        "Nobody voted yes or no, so nothing was decided.",
    )


def test_a_yes_no_rule_quorum_that_failed(locale: str) -> None:
    text, result = words(yesno({"quorum": 0.5}), [["yes"]] * 6, electorate=16)
    assert result.outcome == "no-quorum"
    assert text.sentence == said(
        locale,
        "参与人数不到半数（6 人，占全部有投票资格人数 37.5%），本次表决无效。",
        "People taking part: 6 people, 37.5% of all eligible people — less than half. "
        "This vote does not count.",
    )
    assert text.checks[0].text == said(
        locale,
        "投票率：占全部有投票资格人数 37.5%，要求达到半数",
        "Turnout: 37.5% of all eligible people; at least half needed",
    )


OWNERS: dict[str, Any] = {
    "weighting": "area",
    "questions": [
        {
            "id": "roof",
            "kind": "yesno",
            "prompt": "动用维修资金平改坡？",
            "rule": {"name": "dual_threshold", "major": True},
            "options": YESNO_OPTIONS,
        }
    ],
}


def test_an_owners_decision_under_art_278(locale: str) -> None:
    text, result = words(
        OWNERS,
        [["yes"], ["yes"], ["yes"], ["yes"], ["no"]],
        electorate=6,
        area=600,
        weights=[100, 60, 60, 90, 100],
        units=["o1", "o2", "o2", "o3", "o4"],
    )
    assert result.outcome == "passed"
    assert text.sentence == said(
        locale,
        "赞成：3 位业主，占参与表决业主人数 75%；专有面积 310 平方米，占参与表决专有面积 75.6%。"
        "两项都须达到四分之三：通过。",
        "In favour: 3 owners, 75% of the owners who took part, holding 310 m², 75.6% of the "
        "floor area taking part. Both had to be at least three quarters: passed.",
    )
    assert [c.passed for c in text.checks] == [True, True, True, True]
    assert text.checks[1].text == said(
        locale,
        "参与表决的业主人数：占全体业主人数 66.7%，要求达到三分之二",
        "Owners taking part: 66.7% of all owners; at least two thirds needed",
    )
    assert [row.votes_text for row in text.rows][:2] == (
        ["310 平方米", "100 平方米"] if locale == "zh_CN" else ["310 m²", "100 m²"]
    )
    assert [row.extra for row in text.rows] == ["3", "1", "0"]  # owners behind each answer


def test_an_owners_decision_without_participation(locale: str) -> None:
    text, result = words(
        OWNERS, [["yes"], ["no"]], electorate=6, area=600, weights=[100, 60], units=["o1", "o2"]
    )
    assert result.outcome == "no-quorum"
    assert text.sentence == said(
        locale,
        "参与表决的专有面积不到三分之二（160 平方米，占全部专有面积 26.7%），本次表决无效。",
        "Floor area taking part: 160 m², 26.7% of all the floor area — less than two thirds. "
        "This vote does not count.",
    )


def test_an_owners_decision_rejected(locale: str) -> None:
    text, result = words(
        OWNERS,
        [["yes"], ["yes"], ["no"], ["no"]],
        electorate=4,
        area=400,
        weights=[100, 100, 100, 100],
        units=["o1", "o2", "o3", "o4"],
    )
    assert result.outcome == "rejected"
    assert text.sentence.endswith(said(locale, "两项都须达到四分之三：未通过。", ": not passed."))


# --- single choice ----------------------------------------------------------------------------


def test_no_quorum_says_the_vote_does_not_count(locale: str) -> None:
    text, result = words(
        firms({"quorum": "simple", "majority": "valid"}), [["f1"], ["f2"]], electorate=39
    )
    assert result.outcome == "no-quorum"
    assert text.sentence == said(
        locale,
        "参与户数未超过半数（2 户，占全部有投票资格户数 5.1%），本次表决无效。",
        "Households taking part: 2 households, 5.1% of all eligible households — not more than "
        "half. This vote does not count.",
    )
    assert text.tone == "bad"
    assert text.checks[0].text == said(
        locale,
        "投票率：占全部有投票资格户数 5.1%，要求超过半数",
        "Turnout: 5.1% of all eligible households; more than half needed",
    )
    assert not text.checks[0].passed


def test_a_runoff_names_the_leader_and_the_second_round(locale: str) -> None:
    text, result = words(
        firms({"quorum": "simple", "majority": "valid"}),
        [["f1"]] * 3 + [["f2"]] * 2 + [["f3"]] * 2,
        electorate=9,
    )
    assert result.outcome == "runoff"
    assert text.sentence == said(
        locale,
        "没有选项得票超过半数：领先的“Firm 1”得 3 票，占有效票 42.9%。"
        "需要在“Firm 1”、“Firm 2”和“Firm 3”之间进行第二轮投票。",
        "No option has more than half: the leader, “Firm 1”, has 3 votes, 42.9% of the valid "
        "votes. A second round between “Firm 1”, “Firm 2” and “Firm 3” is needed.",
    )
    assert text.tone == "warn"
    # seven of nine took part: three fewer and there would have been no quorum
    assert text.warnings == [
        said(
            locale,
            "离要求很近（投票率：占全部有投票资格户数 77.8%，要求超过半数），少 3 户就达不到了。",
            "Close to the line: Turnout: 77.8% of all eligible households; more than half "
            "needed. With 3 households fewer it would not have been met.",
        )
    ]


def test_no_majority_and_nobody_to_run_off_against(locale: str) -> None:
    text, result = words(firms({"majority": "participants"}), [["f1"], [], []], electorate=3)
    assert result.outcome == "failed"
    assert text.sentence == said(
        locale,
        "“Firm 1”得 1 票，占参与投票户数 33.3%，未超过半数，也没有其他选项得票可以进行第二轮：未选出。",
        "“Firm 1” has 1 vote, 33.3% of the households that took part — not more than half — "
        "and no other option got votes for a second round: nothing was chosen.",
    )


def test_chosen_with_an_absolute_majority(locale: str) -> None:
    text, result = words(
        firms({"quorum": "simple", "majority": "valid"}),
        [["f2"]] * 5 + [["f1"]] * 3 + [["f3"]],
        electorate=12,
    )
    assert result.outcome == "elected"
    assert text.sentence == said(
        locale,
        "“Firm 2”当选：得 5 票，占有效票 55.6%，超过半数。",
        "“Firm 2” is chosen: 5 votes, 55.6% of the valid votes — more than half.",
    )
    assert [row.mark for row in text.rows] == ["", said(locale, "当选", "chosen"), "", ""]
    assert [c.verdict for c in text.checks] == [said(locale, "✔ 达到", "✔ met")] * 2


def test_a_winner_by_lot_says_so_and_how(locale: str) -> None:
    text, result = words(
        firms({"quorum": "simple"}, seed="e41c"),
        [["f1"]] * 4 + [["f2"]] * 4 + [["f3"]],
        electorate=9,
    )
    assert result.outcome == "elected" and result.drawn
    assert text.sentence == said(
        locale,
        "“Firm 2”得票最多，当选：4 票，占有效票 44.4%。“Firm 1”和“Firm 2”打成平手，由公开抽签决定。",
        "“Firm 2” has the most votes and is chosen: 4 votes, 44.4% of the valid votes. "
        "“Firm 1” and “Firm 2” were tied, and a public draw decided.",
    )
    assert text.warnings == [
        said(
            locale,
            "“Firm 1”和“Firm 2”打成平手，由公开抽签决定，抽签结果依次为“Firm 2”、“Firm 1”。"
            "抽签用的是投票结束后才产生的数字（公开记录的指纹），谁也无法事先操纵，任何人都可以重复抽签核对。",
            "“Firm 1” and “Firm 2” were tied; a public draw decided, in the order “Firm 2”, then "
            "“Firm 1”. The draw uses a number that exists only once voting has closed (the "
            "fingerprint of the public record), so nobody could steer it, and anyone can repeat "
            "it.",
        )
    ]


def test_low_turnout_is_a_warning_when_the_result_still_counts(locale: str) -> None:
    text, result = words(firms(), [["f1"]] * 3 + [["f2"]], electorate=10)
    assert result.outcome == "elected"
    assert text.warnings[0] == said(
        locale,
        "参与的不到一半：有投票资格的 10 户中，只有 4 户参与，占全部有投票资格户数 40%。"
        "按本次表决的规则，结果仍然有效，但只代表参与者的意见。",
        "Fewer than half took part: 4 households out of 10 households, 40% of all eligible "
        "households. By this ballot's rules the result still counts, but it speaks only for "
        "those who took part.",
    )
    assert text.warnings[1] == said(
        locale,
        "差距很小：“Firm 1”只比“Firm 2”多 2 票。",
        "A close result: “Firm 1” is only 2 votes ahead of “Firm 2”.",
    )


def test_no_valid_votes(locale: str) -> None:
    text, result = words(firms(), [[], []])
    assert result.outcome == "no-valid-votes"
    assert text.sentence == said(
        locale, "没有有效票，无法作出决定。", "No valid votes were cast, so nothing was decided."
    )


# --- several winners, ranked, budget, rating ---------------------------------------------------


def test_several_chosen_from_a_multiple_choice(locale: str) -> None:
    spec = {
        "questions": [
            {
                "id": "m",
                "kind": "multiple",
                "prompt": "选两项",
                "max_choices": 2,
                "rule": {"winners": 2},
                "options": [{"id": x, "label": x.upper()} for x in "abc"],
            }
        ]
    }
    text, result = words(spec, [["a", "b"]] * 5 + [["c"]] * 2 + [[]])
    assert result.outcome == "elected"
    assert text.sentence == said(
        locale,
        "得票最多的 2 项当选：“A”（5 票，占有效票 71.4%）和“B”（5 票，占有效票 71.4%）。",
        "The 2 options with the most votes are chosen: “A” (5 votes, 71.4% of the valid votes) "
        "and “B” (5 votes, 71.4% of the valid votes).",
    )
    assert said(locale, "相加会超过一百", "add up to more than a hundred") in " ".join(text.notes)


RANKED: dict[str, Any] = {
    "tie_seed": "seed",
    "questions": [
        {
            "id": "firm",
            "kind": "ranked",
            "min_choices": 1,
            "prompt": "给评估公司排序",
            "options": [{"id": x, "label": f"Firm {x.upper()}"} for x in "abc"],
        }
    ],
}
RANKINGS = [["a", "b"], ["a"], ["b", "c"], ["c", "b"], ["c", "b"]]


def ranked(rule: dict[str, Any]) -> dict[str, Any]:
    spec = msgspec.json.decode(msgspec.json.encode(RANKED))
    spec["questions"][0]["rule"] = rule
    return dict(spec)


def test_instant_runoff_says_the_round(locale: str) -> None:
    text, result = words(ranked({}), RANKINGS)
    assert result.outcome == "elected"
    assert text.sentence == said(
        locale,
        "“Firm C”在第 2 轮计票中当选：得 3 票，占该轮仍计入的选票 60%。",
        "“Firm C” is chosen in round 2 of the count with 3 votes, 60% of the votes still in "
        "the count.",
    )
    assert text.votes_header == said(locale, "第一选择票数", "First choices")


def test_borda_and_schulze(locale: str) -> None:
    borda, _ = words(ranked({"name": "borda"}), RANKINGS)
    assert borda.sentence.startswith(
        said(
            locale,
            "“Firm C”得分最高，当选：5 分。",
            "“Firm C” has the most points and is chosen: 5 points.",
        )
    )
    assert borda.extra_header == said(locale, "得分", "Points")
    clear = [["c", "a", "b"]] * 3 + [["a", "c", "b"]] * 2 + [["b", "c", "a"]]
    schulze, _ = words(ranked({"name": "schulze"}), clear)
    assert schulze.sentence == said(
        locale,
        "“Firm C”当选：与其他选项逐一比较，排在第一。",
        "“Firm C” is chosen: compared with every other option in turn, it comes first.",
    )
    two, _ = words(ranked({"name": "schulze", "winners": 2}), clear)
    assert two.sentence == said(
        locale, "按名次当选：“Firm C”和“Firm A”。", "Chosen, in order: “Firm C” and “Firm A”."
    )


def budget(rule: str) -> dict[str, Any]:
    return {
        "questions": [
            {
                "id": "projects",
                "kind": "budget",
                "prompt": "选择实事项目",
                "budget_limit": 1_000_000,
                "rule": {"name": rule},
                "options": [
                    {"id": "roof", "label": "平改坡", "cost": 600_000},
                    {"id": "fire", "label": "消防设备", "cost": 300_000},
                    {"id": "bench", "label": "座椅", "cost": 200_000},
                ],
            }
        ]
    }


def test_budget_projects_funded(locale: str) -> None:
    text, result = words(
        budget("greedy"),
        [["roof", "fire"], ["roof"], ["roof", "fire"], ["roof", "bench"], ["fire"]],
    )
    assert result.outcome == "elected"
    assert text.sentence == said(
        locale,
        "2 个项目入选，共需 90 万元（预算 100 万元）：“平改坡”和“消防设备”。",
        "2 projects are funded, costing ¥900,000 of the ¥1,000,000 budget: “平改坡” and “消防设备”.",
    )
    assert [row.extra for row in text.rows] == (
        ["60 万元", "30 万元", "20 万元"]
        if locale == "zh_CN"
        else ["¥600,000", "¥300,000", "¥200,000"]
    )
    assert [row.mark for row in text.rows] == [said(locale, "入选", "funded")] * 2 + [""]
    one, _ = words(budget("mes"), [["roof"]] * 3)
    assert one.sentence == said(
        locale,
        "1 个项目入选，共需 60 万元（预算 100 万元）：“平改坡”。",
        "One project is funded, costing ¥600,000 of the ¥1,000,000 budget: “平改坡”.",
    )


def rating(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "questions": [
            {
                "id": "fire",
                "kind": "rating",
                "prompt": "消防设备改造",
                "rule": rule,
                "options": LEVELS,
            }
        ]
    }


def test_rating_reported_passed_and_failed(locale: str) -> None:
    reported, result = words(rating({}), [["s"], ["s"], ["b"], ["b"], ["u"]])
    assert result.outcome == "reported"
    assert reported.sentence == said(
        locale,
        "选择“满意”或“基本满意”的占有效票 80%，平均分 2.2。",
        "“满意” or “基本满意”: 80% of the valid votes; mean score 2.2.",
    )
    assert reported.tone == "info"
    passed, result = words(rating({"pass_rate": 0.8}), [["s"], ["s"], ["b"], ["b"], ["u"]])
    assert result.outcome == "passed"
    assert passed.sentence == said(
        locale,
        "选择“满意”或“基本满意”的占有效票 80%，达到 80%，通过。",
        "“满意” or “基本满意”: 80% of the valid votes — at least 80%: passed.",
    )
    failed, result = words(rating({"pass_rate": 0.8}), [["s"], ["u"], ["b"], ["b"], ["u"]])
    assert result.outcome == "failed"
    assert failed.sentence == said(
        locale,
        "选择“满意”或“基本满意”的占有效票 60%，不到 80%，未通过。",
        "“满意” or “基本满意”: 60% of the valid votes — less than 80%: not passed.",
    )
    mean, result = words(rating({"pass_mean": 2.5}), [["s"], ["b"], ["u"]])
    assert result.outcome == "failed"
    assert mean.sentence == said(
        locale, "平均分 2，不到 2.5，未通过。", "Mean score 2 — less than 2.5: not passed."
    )
    assert mean.checks[0].text == said(
        locale, "平均分：2，要求达到 2.5", "Mean score: 2; at least 2.5 needed"
    )


# --- across every case ------------------------------------------------------------------------


def test_no_words_name_a_check_by_its_code(locale: str) -> None:
    cases = [
        words(yesno({"base": "electorate", "quorum": 0.3}), [["yes"]] * 4 + [["no"]], electorate=8),
        words(firms({"quorum": "simple", "majority": "electorate"}), [["f1"]] * 4, electorate=5),
        words(
            OWNERS, [["yes"]] * 3, electorate=3, area=300, weights=[100] * 3, units=["a", "b", "c"]
        ),
        words(rating({"pass_rate": 0.5, "pass_mean": 2}), [["s"], ["u"]]),
    ]
    for text, result in cases:
        assert result.checks, result
        assert not RAW_CHECK_NAMES.search(plain(text)), plain(text)
        for line in text.checks:
            assert line.verdict in (
                said(locale, "✔ 达到", "✔ met"),
                said(locale, "✘ 未达到", "✘ not met"),
            )


def test_every_percentage_is_named_by_its_base(locale: str) -> None:
    text, _ = words(firms({"quorum": "simple", "majority": "valid"}), [["f1"]] * 4, electorate=5)
    for sentence in [text.sentence, *(c.text for c in text.checks)]:
        for found in re.finditer(r"\d+(?:\.\d+)?%", sentence):
            before = sentence[: found.start()]
            after = sentence[found.end() :]
            if locale == "zh_CN":
                assert re.search(r"占[^，；：%]+ $", before), sentence
            else:
                assert after.startswith(" of "), sentence


def test_the_whole_ballot_says_who_took_part(locale: str) -> None:
    spec, result = count(firms({"quorum": "simple"}), [["f1"]] * 24, electorate=39)
    whole = result_words(spec, msgspec.to_builtins(result), None)
    assert whole.took_part == said(
        locale,
        "参与投票：有投票资格的 39 户中，24 户参与，占全部有投票资格户数 61.5%。",
        "Took part: 24 households out of 39 households eligible — 61.5% of all eligible "
        "households.",
    )
    assert len(whole.questions) == 1


def test_the_chart_is_an_image_with_its_figures_as_text(locale: str) -> None:
    text, _ = words(yesno(), [["yes"]] * 10 + [["no"], ["abstain"]])
    svg = str(text.chart("c1"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    title = re.search(r'<title id="c1-q-title">([^<]+)</title>', svg)
    assert title is not None and 'aria-labelledby="c1-q-title"' in svg
    assert title.group(1) == said(
        locale,
        "条形图：修缮屋顶？。赞成：10 票，占有效票 90.9%；反对：1 票，占有效票 9.1%；弃权：1 票，不计入有效票。",
        "Bar chart: 修缮屋顶？. Yes: 10 votes, 90.9% of the valid votes; No: 1 vote, 9.1% of "
        "the valid votes; Abstain: 1 vote, not counted as a valid vote.",
    )
    assert "<script" not in svg


def test_the_chart_escapes_labels() -> None:
    spec = yesno()
    spec["questions"][0]["prompt"] = "<b>prompt</b>"
    spec["questions"][0]["options"] = [
        {"id": "yes", "label": "<script>x</script>"},
        {"id": "no", "label": "no"},
        {"id": "abstain", "label": "abstain"},
    ]
    text, _ = words(spec, [["yes"]])
    svg = str(text.chart())
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_percentages_show_enough_digits_to_differ_from_the_line() -> None:
    assert percent(0.909090909) == "90.9%"
    assert percent(0.5) == "50%"
    assert percent(0.49996, against=0.5) == "49.996%"
    assert percent(0.5, against=0.5) == "50%"
    assert percent(2 / 3, against=2 / 3) == "66.7%"
