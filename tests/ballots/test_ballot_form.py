"""The ballot editor's form: every template's draft shown in the form and read back is the same
ballot, and what cannot be used is named by field."""

from __future__ import annotations

import msgspec
import pytest

import tally
from ballots.ballot_form import draft_from_form, form_from_draft
from ballots.lifecycle import BallotDraft
from ballots.templates import TEMPLATES, TemplateInput, build_draft

TYPED = {
    "selection": "甲评估公司\n乙评估公司\n丙评估公司",
    "projects": "加装消防设备, 25万\n修缮屋顶, 60万\n增设晾衣架, 1.2万",
    "evaluation": "物业服务\n保洁服务",
    "hearing": "",
    "owners": "",
    "owners-major": "",
}


def meaning(draft: BallotDraft) -> object:
    """The draft without its generated ids: what residents see and how it is counted."""
    questions = [
        (
            question.kind,
            question.prompt,
            [(o.label, o.description, o.cost, o.score) for o in question.options],
            question.choice_bounds,
            question.budget_limit,
            question.rule,
            question.validity,
        )
        for question in draft.questions
    ]
    return (
        draft.title,
        questions,
        draft.voting_unit,
        draft.weighting,
        draft.revoting,
        draft.publish_participation,
        msgspec.to_builtins(draft.validity),
        msgspec.to_builtins(draft.eligibility),
    )


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_every_templates_draft_survives_the_editor(template: str) -> None:
    draft, problems = build_draft(
        TemplateInput(
            template=template,
            title="试验表决",
            prompt="请表态",
            choices=TYPED[template],
            budget="80万",
            buildings="1号楼，2号楼",
            min_age="18",
            quorum="two_thirds",
        )
    )
    assert draft is not None, problems
    again, errors = draft_from_form(form_from_draft(draft, []), [])
    assert errors == {}
    assert again is not None
    assert meaning(again) == meaning(draft)


def test_settings_the_editor_does_not_show_are_kept() -> None:
    question = tally.Question(
        id="q1",
        kind="yesno",
        prompt="是否同意？",
        options=tally.spec.yesno_options("同意", "不同意", "弃权"),
        rule={"threshold": 0.6, "base": "participants"},
        validity=tally.Validity(quorum=0.5),
    )
    draft = BallotDraft(title="特别规则", questions=[question])
    form = form_from_draft(draft, [])
    again, errors = draft_from_form(form, [])
    assert errors == {} and again is not None
    assert again.questions[0].rule == {"threshold": 0.6, "base": "participants"}
    assert again.questions[0].validity == tally.Validity(quorum=0.5)
    form["q1_extra"] = "{not json"
    assert draft_from_form(form, [])[1] == {
        "q1_extra": ("These kept settings cannot be read; reload the editor.", {})
    }


def test_unit_choices_only_count_the_units_offered() -> None:
    form = {"title": "分区表决", "q1_kind": "yesno", "q1_prompt": "同意吗？"}
    form |= {"unit_4": "on", "unit_9": "on", "unit_77": "on"}
    draft, errors = draft_from_form(form, [4, 9])
    assert errors == {} and draft is not None
    assert draft.eligibility.units == [4, 9]


def test_a_spec_problem_is_named_at_its_question() -> None:
    form = {
        "title": "两道题",
        "questions": "2",
        "q1_kind": "yesno",
        "q1_prompt": "同意吗？",
        "q2_kind": "multiple",
        "q2_prompt": "选哪些？",
        "q2_options": "甲\n乙\n丙",
        "q2_min": "3",
        "q2_max": "2",
    }
    draft, errors = draft_from_form(form, [])
    assert draft is None
    assert errors == {"q2_max": ("At most cannot be below at least.", {})}
