"""Domain refusals reach a zh-CN reader in Chinese: problem details from the meetings, notices
and agency APIs, a console form's error, and a field helper whose field word is translated too;
an English reader gets the English message ids."""

from __future__ import annotations

import pytest

from ballots.errors import InvalidInput
from ballots.meetings.speakers import _clean_text
from tests.vote.helpers import Client, World, assert_problem
from vote.i18n import current_locale
from vote.pages.console.layout import message_of

PLAN = {
    "title": "   ",
    "starts_at": "2026-12-05T18:00:00+08:00",
    "ends_at": "2026-12-05T20:00:00+08:00",
    "venue": "活动室",
    "agenda": [],
    "proxy_limit": 2,
}
NOTICE = {
    "title": "评估机构选定公示",
    "body": "",
    "template": "selection",
    "starts_at": "2026-12-01T09:00:00+08:00",
    "ends_at": "2027-12-31T17:00:00+08:00",
    "collects": "opinions",
}


async def test_api_refusals_are_in_chinese(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    blank = await client.post(
        f"/api/v1/matters/{matter_id}/meetings", json=PLAN, headers=chair_headers
    )
    assert assert_problem(blank, 422, "invalid-input")["detail"] == "请填写标题。"
    english = await client.post(
        f"/api/v1/matters/{matter_id}/meetings",
        json=PLAN,
        headers=chair_headers | {"Accept-Language": "en"},
    )
    assert assert_problem(english, 422, "invalid-input")["detail"] == "Please give a title."

    created = await client.post(
        f"/api/v1/matters/{matter_id}/notices", json=NOTICE, headers=chair_headers
    )
    notice_id = created.json()["id"]
    draft_withdrawn = await client.post(
        f"/api/v1/notices/{notice_id}/withdraw", headers=chair_headers
    )
    detail = assert_problem(draft_withdrawn, 422, "invalid-input")["detail"]
    assert detail == "只有已发布的公示才能撤回。"
    published = await client.post(f"/api/v1/notices/{notice_id}/publish", headers=chair_headers)
    assert published.status_code == 200, published.text
    again = await client.post(f"/api/v1/notices/{notice_id}/publish", headers=chair_headers)
    assert assert_problem(again, 422, "invalid-input")["detail"] == "这份公示已经发布。"

    quarter = await client.get(
        f"/api/v1/agency/stats?unit_id={world.units['maoming']}&kind=quarter&year=2026&number=5",
        headers=chair_headers,
    )
    assert assert_problem(quarter, 422, "invalid-input")["detail"] == "季度必须是 1 到 4。"


def test_a_form_error_names_its_field_in_chinese() -> None:
    with pytest.raises(InvalidInput) as refused:
        _clean_text("话" * 300, "topic", 200, required=False)
    with pytest.raises(InvalidInput) as empty:
        _clean_text("  ", "name", 50, required=True)
    token = current_locale.set("zh_CN")
    try:
        assert message_of(refused.value) == "发言主题最多 200 个字。"
        assert message_of(empty.value) == "请填写姓名。"
    finally:
        current_locale.reset(token)
    token = current_locale.set("en")
    try:
        assert message_of(refused.value) == "The topic must be at most 200 characters."
    finally:
        current_locale.reset(token)
