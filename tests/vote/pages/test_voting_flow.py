"""Voting without JavaScript: every mistake beside its question at once, a budget refused over its
limit, ranked questions with a place per candidate, and the review step before the vote is cast."""

from __future__ import annotations

import re

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Cast
from tests.vote.helpers import Client, World, zh
from tests.vote.pages.voting_helpers import (
    as_form,
    box_values,
    hidden_fields,
    open_ballot,
    question_block,
    text_of,
)


async def test_a_vote_is_reviewed_in_words_before_it_is_cast(client: Client, world: World) -> None:
    credential = world.credential(world.practical_id)
    before = await world.db.snapshot()
    review = await client.post(
        f"/v/{world.practical_id}",
        data={"code": credential.split("-"), "q:projects": ["p2", "p6"], "action": "review"},
    )
    assert review.status_code == 200, review.text
    shown = text_of(review.text)
    assert "请核对您的选择" in shown
    assert "加装消防设备（25 万元）" in shown
    assert "弄堂路灯更新（8 万元）" in shown
    assert "合计 33 万元，预算 120 万元" in shown
    assert "p2" not in shown and "projects" not in shown
    assert await world.db.snapshot() == before  # nothing is cast by the review
    assert "no-store" in review.headers["cache-control"]  # the page holds the code: not kept
    fields = hidden_fields(review.text)
    assert ("credential", credential) in fields  # the code travels in the form's body
    assert 'action="/v/1"' in review.text and "?credential" not in review.text
    assert ("q:projects", "p2") in fields and ("q:projects", "p6") in fields

    cast = await client.post(f"/v/{world.practical_id}", data=as_form(fields, action="cast"))
    assert cast.status_code == 200, cast.text
    assert zh("Your receipt code") in cast.text
    assert await world.casts(world.practical_id) == 1
    again = await client.post(f"/v/{world.practical_id}", data=as_form(fields, action="cast"))
    assert again.status_code == 200  # a second tap on "confirm" returns the same receipt
    assert await world.casts(world.practical_id) == 1


async def test_going_back_from_the_review_keeps_the_choices_and_the_code(
    client: Client, world: World
) -> None:
    credential = world.credential(world.practical_id)
    review = await client.post(
        f"/v/{world.practical_id}",
        data={"credential": credential, "q:projects": ["p3", "p4"], "action": "review"},
    )
    back = await client.post(
        f"/v/{world.practical_id}", data=as_form(hidden_fields(review.text), action="edit")
    )
    assert back.status_code == 200
    block = question_block(back.text, 1)
    assert re.search(r'value="p3"[^>]*checked', block)
    assert re.search(r'value="p4"[^>]*checked', block)
    assert not re.search(r'value="p1"[^>]*checked', block)
    assert box_values(back.text) == credential.split("-")
    assert 'role="alert"' not in back.text
    assert await world.casts(world.practical_id) == 0


async def test_an_over_budget_choice_is_refused_beside_its_question(
    client: Client, world: World
) -> None:
    credential = world.credential(world.practical_id)
    before = await world.db.snapshot()
    for action in ("review", "cast"):
        response = await client.post(
            f"/v/{world.practical_id}",
            data={"credential": credential, "q:projects": ["p1", "p2", "p5"], "action": action},
        )
        assert response.status_code == 422, response.text
        block = text_of(question_block(response.text, 1))
        assert "您选的项目共需 130 万元，超过了预算 120 万元。请少选一项。" in block
        assert "projects" not in text_of(response.text)
        assert "1300000" not in response.text
        for kept in ("p1", "p2", "p5"):
            assert re.search(rf'value="{kept}"[^>]*checked', response.text)
    assert await world.db.snapshot() == before


async def test_every_mistake_is_shown_at_once_beside_its_question(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, codes = await open_ballot(client, chair_headers, world)
    before = await world.db.snapshot()
    response = await client.post(
        f"/v/{ballot_id}",
        data={
            "credential": codes[0],
            # firm: not answered; projects: over the budget; order: two in place 1;
            # services: three where two at most; garden: fine; quality: not answered
            "q:projects": ["p1", "p4", "p2"],
            "q:order:rank:a": "1",
            "q:order:rank:c": "1",
            "q:services": ["s1", "s2", "s3"],
            "q:garden": "yes",
            "action": "review",
        },
    )
    assert response.status_code == 422, response.text
    html = response.text
    assert text_of(question_block(html, 1)).count("请选择一项。") == 1
    assert "您选的项目共需 130 万元，超过了预算 120 万元。" in text_of(question_block(html, 2))
    assert "“方案甲”和“方案丙”都排在第 1 位。每个名次只能给一个候选。" in text_of(
        question_block(html, 3)
    )
    assert "最多只能选 2 项，您选了 3 项。" in text_of(question_block(html, 4))
    assert "field-error" not in question_block(html, 5)
    assert "请选择一项。" in text_of(question_block(html, 6))
    summary = re.search(r'<div class="notice error" role="alert".*?</div>', html, re.S)
    assert summary
    assert summary.group(0).count("<li>") == 5  # one line per question to correct
    assert "第 1 题“请选择物业公司”：请选择一项。" in text_of(summary.group(0))
    assert 'href="#q3"' in summary.group(0)  # each line leads to its question
    for internal in ("firm", "projects", "services", "order"):
        assert internal not in text_of(html)
    # Every choice is kept, the two first places too.
    assert re.search(r'name="q:order:rank:a".*?value="1" selected', html, re.S)
    assert re.search(r'name="q:order:rank:c".*?value="1" selected', html, re.S)
    assert re.search(r'value="s3"[^>]*checked', html)
    assert re.search(r'value="yes"[^>]*checked', html)
    assert box_values(html) == codes[0].split("-")
    assert await world.db.snapshot() == before


async def test_the_mistakes_read_in_english(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, codes = await open_ballot(client, chair_headers, world)
    response = await client.post(
        f"/v/{ballot_id}?lang=en",
        data={
            "credential": codes[0],
            "q:projects": ["p1", "p4", "p2"],
            "q:order:rank:a": "2",
            "q:order:rank:b": "2",
            "action": "review",
        },
    )
    assert response.status_code == 422
    shown = text_of(response.text)
    assert "Please choose one." in shown
    assert (
        "The projects you chose cost ¥1,300,000 together, more than the budget of ¥1,200,000."
        in shown
    )
    assert "“方案甲” and “方案乙” are all in place 2." in shown
    assert "Please choose at least 1." in shown  # nothing chosen for the services


async def test_ranked_questions_show_every_candidate_with_its_place(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, _ = await open_ballot(client, chair_headers, world)
    page = await client.get(f"/v/{ballot_id}")
    block = question_block(page.text, 3)
    for label in ("方案甲", "方案乙", "方案丙", "方案丁"):
        assert f">{label}<" in block  # every candidate in view, each with its own select
    assert block.count("<select") == 4
    assert block.count(">第 3 位<") == 4 and ">第 4 位<" not in block  # three places at most
    assert block.count(">不排名<") == 4


async def test_a_ranked_vote_is_reviewed_in_order_and_cast_in_that_order(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, codes = await open_ballot(client, chair_headers, world)
    review = await client.post(
        f"/v/{ballot_id}",
        data={
            "credential": codes[1],
            "q:firm": "f2",
            "q:projects": ["p2"],
            "q:order:rank:a": "3",
            "q:order:rank:c": "1",
            "q:order:rank:d": "2",
            "q:order:rank:b": "",
            "q:services": ["s1"],
            "q:garden": "abstain",
            "q:quality": "fair",
            "action": "review",
        },
    )
    assert review.status_code == 200, review.text
    shown = text_of(review.text)
    assert "第 1 位：方案丙 第 2 位：方案丁 第 3 位：方案甲" in shown
    assert "上海和美物业" in shown and "弃权" in shown and "助老餐" in shown and "基本满意" in shown
    cast = await client.post(
        f"/v/{ballot_id}", data=as_form(hidden_fields(review.text), action="cast")
    )
    assert cast.status_code == 200, cast.text

    async def answers(session: AsyncSession) -> dict[str, list[str]]:
        stored = await session.scalar(select(Cast.answers).where(Cast.ballot_id == ballot_id))
        assert stored is not None
        found: dict[str, list[str]] = msgspec.json.decode(stored)
        return found

    assert (await world.db.run(answers))["order"] == ["c", "d", "a"]


async def test_a_place_out_of_range_is_refused_beside_its_question(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, codes = await open_ballot(client, chair_headers, world)
    before = await world.db.snapshot()
    response = await client.post(
        f"/v/{ballot_id}",
        data={"credential": codes[0], "q:order:rank:a": "first", "action": "cast"},
    )
    assert response.status_code == 422
    assert "请从列表中为每个候选选择名次" in text_of(question_block(response.text, 3))
    assert await world.db.snapshot() == before


async def test_a_form_from_before_the_places_per_candidate_still_counts(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, codes = await open_ballot(client, chair_headers, world)
    response = await client.post(
        f"/v/{ballot_id}",
        data={
            "credential": codes[2],
            "q:firm": "f1",
            "q:projects": "p3",
            "q:order:0": "b",
            "q:order:1": "a",
            "q:services": "s2",
            "q:garden": "no",
            "q:quality": "good",
            "action": "review",
        },
    )
    assert response.status_code == 200, response.text
    assert "第 1 位：方案乙 第 2 位：方案甲" in text_of(response.text)


async def test_the_code_is_typed_in_five_boxes_or_pasted_into_the_first(
    client: Client, world: World
) -> None:
    credential = world.credential(world.practical_id)
    page = await client.get(f"/v/{world.practical_id}")
    assert len(box_values(page.text)) == 5
    assert 'inputmode="numeric"' in page.text
    assert "投票码第 1 组（共 5 组）" in page.text
    pasted = await client.post(  # the whole code pasted into the first box, no JavaScript
        f"/v/{world.practical_id}",
        data={"code": [credential, "", "", "", ""], "q:projects": "p2", "action": "review"},
    )
    assert pasted.status_code == 200, pasted.text
    assert ("credential", credential) in hidden_fields(pasted.text)
    wide = await client.post(  # full-width digits, as a Chinese input method types them
        f"/v/{world.practical_id}",
        data={
            "code": [
                g.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
                for g in credential.split("-")
            ],
            "q:projects": "p2",
            "action": "review",
        },
    )
    assert wide.status_code == 200, wide.text


async def test_checking_the_code_alone_keeps_the_choices(client: Client, world: World) -> None:
    credential = world.credential(world.practical_id)
    response = await client.post(
        f"/v/{world.practical_id}",
        data={"code": credential.split("-"), "q:projects": "p3", "action": "check"},
    )
    assert response.status_code == 200
    assert "投票码正确。请回答下面的问题。" in response.text
    assert re.search(r'value="p3"[^>]*checked', response.text)
    mistyped = credential[:-1] + str((int(credential[-1]) + 1) % 10)
    wrong = await client.post(
        f"/v/{world.practical_id}", data={"credential": mistyped, "action": "check"}
    )
    assert wrong.status_code == 422
    assert zh(
        "This is not a complete voting code: a digit is missing, extra or mistyped. Please "
        "compare it with your invitation, group by group."
    ) in text_of(wrong.text)
    empty = await client.post(f"/v/{world.practical_id}", data={"action": "review"})
    assert empty.status_code == 422
    assert "请输入邀请函上的 25 位投票码。" in empty.text
    assert await world.casts(world.practical_id) == 0


async def test_the_top_of_the_page_says_who_asks_and_until_when(
    client: Client, world: World
) -> None:
    page = text_of((await client.get(f"/v/{world.firm_id}")).text)
    assert "发起单位 茂名居民区" in page
    assert "事项 茂名居民区动迁评估公司选定" in page
    english = text_of((await client.get(f"/v/{world.firm_id}?lang=en")).text)
    assert "Asked by 茂名居民区" in english
    assert "Next: check my choices" in english


async def test_the_language_links_never_carry_the_code(client: Client, world: World) -> None:
    credential = world.credential(world.practical_id)
    review = await client.post(
        f"/v/{world.practical_id}",
        data={"credential": credential, "q:projects": "p2", "action": "review"},
    )
    links = re.findall(r'href="(/lang/[^"]*)"', review.text)
    assert links and all(credential not in link and "credential" not in link for link in links)
