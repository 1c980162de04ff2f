"""Ballot templates: every one gives a valid draft with the rules its legal basis asks for."""

from __future__ import annotations

import msgspec
import pytest

from ballots.lifecycle import _spec_from_draft
from ballots.templates import TEMPLATES, TemplateInput, build_draft

CHOICES = {
    "selection": "甲公司\n乙公司",
    "projects": "加装消防设备, 25万\n弄堂路灯更新，80000",
    "evaluation": "物业服务\n平改坡工程",
}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_gives_a_valid_spec(template: str) -> None:
    typed = TemplateInput(
        template=template,
        title="测试表决",
        prompt="是否同意？",
        choices=CHOICES.get(template, ""),
        budget="120万",
        quorum="simple",
    )
    draft, errors = build_draft(typed)
    assert errors == {} and draft is not None
    spec = msgspec.json.decode(_spec_from_draft(draft))
    assert spec["questions"]


def test_the_templates_follow_their_legal_basis() -> None:
    firm, _ = build_draft(TemplateInput("selection", "选定", "?", "甲\n乙", quorum="simple"))
    assert firm is not None and firm.voting_unit == "household"
    assert firm.validity is not None and firm.validity.majority == "valid"
    major, _ = build_draft(TemplateInput("owners-major", "电梯", "?", ""))
    assert major is not None and major.weighting == "area"
    assert major.questions[0].rule == {"name": "dual_threshold", "major": True}
    projects, _ = build_draft(
        TemplateInput("projects", "实事", "?", "路灯, 8万", budget="1,200,000")
    )
    assert projects is not None
    assert projects.questions[0].budget_limit == 1_200_000
    assert projects.questions[0].options[0].cost == 80_000


def test_a_selection_needs_two_choices() -> None:
    draft, errors = build_draft(TemplateInput("selection", "选定", "?", "只有一家", quorum=""))
    assert draft is None and "choices" in errors
