"""Helpers for the voting page tests: a ballot of every question kind, and reading the pages."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from tests.vote.helpers import Client, World, create_draft

EVERY_KIND: dict[str, Any] = {
    "title": "2027年社区议事综合表决",
    "revoting": True,
    "questions": [
        {
            "id": "firm",
            "kind": "single",
            "prompt": "请选择物业公司",
            "options": [
                {"id": "f1", "label": "上海安居物业"},
                {"id": "f2", "label": "上海和美物业"},
            ],
        },
        {
            "id": "projects",
            "kind": "budget",
            "prompt": "请选择实事项目（预算120万元）",
            "budget_limit": 1_200_000,
            "min_choices": 1,
            "options": [
                {"id": "p1", "label": "老旧小区平改坡", "cost": 600_000},
                {"id": "p2", "label": "加装消防设备", "cost": 250_000},
                {"id": "p3", "label": "老虎灶改造", "cost": 150_000},
                {"id": "p4", "label": "加装电梯试点", "cost": 450_000},
            ],
        },
        {
            "id": "order",
            "kind": "ranked",
            "prompt": "请给三个方案排序",
            "max_choices": 3,
            "options": [
                {"id": "a", "label": "方案甲"},
                {"id": "b", "label": "方案乙"},
                {"id": "c", "label": "方案丙"},
                {"id": "d", "label": "方案丁"},
            ],
        },
        {
            "id": "services",
            "kind": "multiple",
            "prompt": "您最需要哪些便民服务",
            "max_choices": 2,
            "options": [
                {"id": "s1", "label": "助老餐"},
                {"id": "s2", "label": "理发"},
                {"id": "s3", "label": "修鞋"},
            ],
        },
        {
            "id": "garden",
            "kind": "yesno",
            "prompt": "是否建设社区花园",
            "options": [
                {"id": "yes", "label": "yes"},
                {"id": "no", "label": "no"},
                {"id": "abstain", "label": "abstain"},
            ],
        },
        {
            "id": "quality",
            "kind": "rating",
            "prompt": "您对物业服务的评价",
            "options": [
                {"id": "good", "label": "满意", "score": 3},
                {"id": "fair", "label": "基本满意", "score": 2},
                {"id": "poor", "label": "不满意", "score": 1},
            ],
        },
    ],
}


async def open_ballot(
    client: Client, headers: dict[str, str], world: World, draft: dict[str, Any] | None = None
) -> tuple[int, list[str]]:
    """Create, open and invite a ballot on the street's matter; return its id and codes."""
    ballot_id = await create_draft(
        client, headers, world.matters[world.practical_id], draft or EVERY_KIND
    )
    opened = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=headers)
    assert opened.status_code == 200, opened.text
    issued = await client.post(f"/api/v1/ballots/{ballot_id}/invitations", headers=headers)
    assert issued.status_code == 201, issued.text
    return ballot_id, [invitation["credential"] for invitation in issued.json()]


def hidden_fields(html: str, form_id: str = "review-form") -> list[tuple[str, str]]:
    """The hidden fields of the form ``form_id``, as a browser would post them."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert form, html
    return [
        (html_lib.unescape(name), html_lib.unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(0)
        )
    ]


def question_block(html: str, number: int) -> str:
    """The fieldset of question ``number`` (1-based) on the voting page."""
    found = re.search(rf'<fieldset class="question[^"]*" id="q{number}".*?</fieldset>', html, re.S)
    assert found, html
    return found.group(0)


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces squeezed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def box_values(html: str) -> list[str]:
    """The five code boxes' values."""
    return re.findall(
        r'<input class="code" type="text" name="code"[^>]*?value="([^"]*)"', html, re.S
    )


def as_form(fields: list[tuple[str, str]], **more: str) -> dict[str, list[str]]:
    """``fields`` (and ``more``) as the client's form data, repeated names kept in order."""
    data: dict[str, list[str]] = {}
    for name, value in [*fields, *more.items()]:
        data.setdefault(name, []).append(value)
    return data
