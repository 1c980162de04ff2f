"""Console: the full ballot editor — every question kind and eligibility rule, questions added
and removed without JavaScript, a draft edited and saved, the live eligible count, errors beside
their fields with the typing kept and nothing changed, drafts only, other units refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ballots.models import Ballot
from tests.vote.helpers import Client, World, csrf_of, page_login, zh

BEIJING = ZoneInfo("Asia/Shanghai")


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


def editor(world: World) -> str:
    return f"/chair/matters/{world.matters[world.practical_id]}/ballots/custom"


async def ballot_titled(world: World, title: str) -> Ballot:
    async def work(session):  # type: ignore[no-untyped-def]
        return await session.scalar(select(Ballot).where(Ballot.title == title))

    ballot: Ballot = await world.db.run(work)
    return ballot


def every_kind(csrf: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "action": "save",
        "title": "2027年实事项目与服务评议",
        "voting_unit": "person",
        "weighting": "none",
        "revoting": "on",
        "quorum": "percent",
        "quorum_percent": "40",
        "quorum_by": "heads",
        "majority": "valid",
        "role_owner": "on",
        "role_tenant": "on",
        "min_age": "18",
        "questions": "6",
        "q1_kind": "single",
        "q1_prompt": "物业公司选哪家？",
        "q1_options": "甲物业 | 现有物业\n乙物业",
        "q2_kind": "multiple",
        "q2_prompt": "最关心哪些问题？",
        "q2_options": "停车\n绿化\n电梯",
        "q2_min": "1",
        "q2_max": "2",
        "q2_winners": "2",
        "q3_kind": "ranked",
        "q3_prompt": "请排序",
        "q3_options": "甲\n乙\n丙",
        "q3_method_ranked": "schulze",
        "q4_kind": "budget",
        "q4_prompt": "实事项目",
        "q4_options": "加装消防设备, 25万\n修缮屋顶，60万\n增设晾衣架, 12000",
        "q4_budget": "80万",
        "q4_method_budget": "mes",
        "q5_kind": "rating",
        "q5_prompt": "对物业服务的评价",
        "q5_pass_rate": "60",
        "q6_kind": "yesno",
        "q6_prompt": "是否同意加装电梯？",
        "q6_method_yesno": "majority",
    }


async def test_every_question_kind_becomes_a_draft(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    page = await client.get(editor(world))
    assert page.status_code == 200
    assert zh("Put in order of preference") in page.text
    assert "符合条件" in page.text  # the count for the rules as they stand
    closes = (datetime.now(UTC) + timedelta(days=5)).replace(second=0, microsecond=0)
    typed = every_kind(csrf) | {"closes_at": f"{closes.astimezone(BEIJING):%Y-%m-%dT%H:%M}"}
    saved = await client.post(editor(world), data=typed)
    assert saved.status_code == 200, saved.text
    ballot = await ballot_titled(world, "2027年实事项目与服务评议")
    assert ballot.state == "draft" and ballot.revoting
    assert ballot.closes_at is not None and ballot.closes_at.replace(tzinfo=UTC) == closes
    assert ballot.eligibility == {"roles": ["owner", "tenant"], "min_age": 18}
    spec = json.loads(ballot.spec)
    assert spec["validity"] == {"quorum": 0.4, "majority": "valid"}
    kinds = [q["kind"] for q in spec["questions"]]
    assert kinds == ["single", "multiple", "ranked", "budget", "rating", "yesno"]
    single, multiple, ranked, budget, rating, yesno = spec["questions"]
    assert single["options"][0] == {"id": "o1", "label": "甲物业", "description": "现有物业"}
    assert multiple["max_choices"] == 2 and multiple["rule"] == {"winners": 2}
    assert ranked["rule"] == {"name": "schulze"}
    assert budget["budget_limit"] == 800_000 and budget["rule"] == {"name": "mes"}
    assert [o["cost"] for o in budget["options"]] == [250_000, 600_000, 12_000]
    assert [o["label"] for o in rating["options"]] == ["满意", "基本满意", "不满意"]
    assert rating["rule"] == {"pass_rate": 0.6}
    assert [o["id"] for o in yesno["options"]] == ["yes", "no", "abstain"]


async def test_a_draft_is_edited_and_shown_back_as_typed(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    await client.post(editor(world), data=every_kind(csrf))
    ballot = await ballot_titled(world, "2027年实事项目与服务评议")
    form = await client.get(f"/chair/ballots/{ballot.id}/edit")
    assert form.status_code == 200
    assert "加装消防设备, 250000" in form.text
    assert 'value="schulze" selected' in form.text
    assert 'name="role_owner" value="on" checked' in form.text
    changed = every_kind(csrf) | {
        "title": "2027年实事项目（修改）",
        "q4_budget": "100万",
        "weighting": "area",
        "q6_method_yesno": "dual_threshold",
        "q6_major": "on",
        "quorum_by": "both",
    }
    saved = await client.post(f"/chair/ballots/{ballot.id}/edit", data=changed)
    assert saved.status_code == 200, saved.text
    assert zh("The draft “%(title)s” is saved.") % {"title": "2027年实事项目（修改）"} in saved.text
    edited = await ballot_titled(world, "2027年实事项目（修改）")
    assert edited.id == ballot.id
    spec = json.loads(edited.spec)
    assert spec["weighting"] == "area"
    assert spec["questions"][3]["budget_limit"] == 1_000_000
    assert spec["questions"][5]["rule"] == {"name": "dual_threshold", "major": True}


async def test_questions_are_added_and_removed_without_javascript(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    before = await world.db.snapshot()
    typed = every_kind(csrf)
    added = await client.post(editor(world), data=typed | {"action": "add"})
    assert added.status_code == 200
    assert zh("Question %(n)s") % {"n": 7} in added.text
    assert 'name="questions" value="7"' in added.text
    removed = await client.post(editor(world), data=typed | {"action": "remove:2"})
    assert 'name="questions" value="5"' in removed.text
    assert "最关心哪些问题？" not in removed.text  # question 2 is gone
    assert 'value="请排序"' in removed.text  # question 3 moved up, kept as typed
    assert await world.db.snapshot() == before


async def test_bad_input_is_named_beside_each_field_and_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    before = await world.db.snapshot()
    typed = every_kind(csrf) | {
        "title": "",
        "quorum_percent": "140",
        "quorum_by": "area",
        "min_age": "两百",
        "q1_options": "只有一个",
        "q2_max": "9",
        "q4_options": "修缮屋顶, 60万\n加装消防设备 25万",
        "q4_budget": "很多",
        "q5_pass_rate": "0",
        "q3_kind": "lottery",
    }
    response = await client.post(editor(world), data=typed)
    assert response.status_code == 422
    expected = {
        "title": zh("Please fill this in."),
        "quorum_percent": zh("A whole number from 1 to 100, please."),
        "quorum_by": zh("Floor area can only be counted when the ballot is weighed by floor area."),
        "min_age": zh("A whole number of years from 0 to 150, please."),
        "q1_options": zh("Give between 2 and 50 choices, one per line."),
        "q2_max": zh("A whole number from 1 to %(n)s, please.") % {"n": 3},
        "q4_options": zh("Line %(n)s: a project, a comma, its cost (e.g. 加装消防设备, 25万).")
        % {"n": 2},
        "q4_budget": zh("The budget in yuan, e.g. 1200000 or 120万."),
        "q5_pass_rate": zh("A whole number from 1 to 100, please."),
        "q3_kind": zh("Choose one of the listed answers."),
    }
    for field, message in expected.items():
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in response.text, field
    assert "加装消防设备 25万" in response.text  # kept as typed
    assert await world.db.snapshot() == before


async def test_the_eligible_count_follows_the_rules_as_typed(client: Client, world: World) -> None:
    await logged_in(client, world)
    url = f"/chair/matters/{world.matters[world.practical_id]}/eligible"
    everyone = (await client.get(url)).json()
    owners = (await client.get(url, params={"role_owner": "on"})).json()
    households = (await client.get(url, params={"voting_unit": "household"})).json()
    nobody = (await client.get(url, params={"buildings": "没有这栋楼"})).json()
    assert everyone["people"] > owners["people"] > 0
    assert households["votes"] < everyone["votes"]
    assert households["people"] == everyone["people"]
    assert nobody == {
        "people": 0,
        "votes": 0,
        "text": zh("Eligible now: %(people)s residents, %(votes)s votes.")
        % {"people": 0, "votes": 0},
        "errors": {},
    }
    wrong = (await client.get(url, params={"min_age": "-3"})).json()
    assert wrong["errors"] == {"min_age": zh("A whole number of years from 0 to 150, please.")}


async def test_only_a_draft_is_edited(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    before = await world.db.snapshot()
    shown = await client.get(f"/chair/ballots/{world.firm_id}/edit")
    assert shown.status_code == 409
    assert 'value="save"' not in shown.text  # nothing to save: only a draft changes
    refused = await client.post(
        f"/chair/ballots/{world.firm_id}/edit",
        data=every_kind(csrf),
    )
    assert refused.status_code == 409
    assert await world.db.snapshot() == before


async def test_another_units_matter_is_refused(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    assert (await page_login(client, "sinan-chair", secret)).status_code in (302, 303)
    for url in (
        editor(world),
        f"/chair/matters/{world.matters[world.practical_id]}/eligible",
        f"/chair/ballots/{world.firm_id}/edit",
    ):
        assert (await client.get(url)).status_code == 403, url


async def test_huge_ids_are_not_found(client: Client, world: World) -> None:
    await logged_in(client, world)
    for number in (999_999, 2**31, 2**63):
        response: Any = await client.get(f"/chair/ballots/{number}/edit")
        assert response.status_code in (400, 404)
        response = await client.get(f"/chair/matters/{number}/ballots/custom")
        assert response.status_code in (400, 404)
