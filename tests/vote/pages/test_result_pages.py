"""The public result page reads as words, its audit material has a page of its own, and the
decision record tells a matter's story: ballots run for real through the chair API (open, vote,
close, publish), then read as a resident would, in Chinese and English."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.vote.helpers import Client, World, create_draft, zh

BEIJING = ZoneInfo("Asia/Shanghai")
HEX_HASH = re.compile(r"\b[0-9a-f]{32,}\b")
RAW_CHECK_NAMES = re.compile(r"yes-of-|quorum-heads|absolute-majority|participation-|approval-")


def text_of(page: str) -> str:
    """The page's main content as a resident reads it: no tags, no attributes."""
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", main)))


def firm_draft(validity: dict[str, Any], title: str = "选定物业服务企业") -> dict[str, Any]:
    return {
        "title": title,
        "voting_unit": "household",
        "validity": validity,
        "questions": [
            {
                "id": "firm",
                "kind": "single",
                "prompt": "请选择物业服务企业",
                "options": [
                    {"id": "a", "label": "古北物业"},
                    {"id": "b", "label": "永业物业"},
                    {"id": "c", "label": "陆家嘴物业"},
                ],
            }
        ],
    }


YESNO: dict[str, Any] = {
    "title": "弄堂口花园表决",
    "questions": [
        {
            "id": "garden",
            "kind": "yesno",
            "prompt": "是否在弄堂口建设社区花园？",
            "options": [
                {"id": "yes", "label": "yes"},
                {"id": "no", "label": "no"},
                {"id": "abstain", "label": "abstain"},
            ],
        }
    ],
}


async def run_ballot(
    client: Client,
    headers: dict[str, str],
    matter_id: int,
    draft: dict[str, Any],
    choices: list[list[str]],
) -> int:
    """Open ``draft`` on ``matter_id``, cast one vote per entry of ``choices`` (each with its own
    household's code), close it and publish it; return the ballot's id."""
    ballot_id = await create_draft(client, headers, matter_id, draft)
    opened = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=headers)
    assert opened.status_code == 200, opened.text
    issued = await client.post(f"/api/v1/ballots/{ballot_id}/invitations", headers=headers)
    codes = [invitation["credential"] for invitation in issued.json()]
    question = draft["questions"][0]["id"]
    seen: set[str] = set()
    voted = 0
    for code in codes:
        if voted == len(choices):
            break
        cast = await client.post(
            f"/api/v1/ballots/{ballot_id}/casts",
            json={"credential": code, "answers": {question: choices[voted]}},
        )
        if cast.status_code == 409:  # another member of that household already voted
            continue
        assert cast.status_code == 201, cast.text
        seen.add(code)
        voted += 1
    assert voted == len(choices)
    closed = await client.post(f"/api/v1/ballots/{ballot_id}/close", headers=headers)
    assert closed.status_code == 200, closed.text
    published = await client.post(
        f"/api/v1/ballots/{ballot_id}/publish?confirm=true", headers=headers
    )
    assert published.status_code == 200, published.text
    return ballot_id


async def result_of(client: Client, ballot_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/ballots/{ballot_id}/result")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


async def test_a_published_result_reads_as_words(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    ballot_id = await run_ballot(
        client, chair_headers, matter_id, YESNO, [["yes"]] * 10 + [["no"], ["abstain"]]
    )
    page = await client.get(f"/ballots/{ballot_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "赞成 10 票，占有效票 90.9%，超过半数，通过。" in text
    # the table's yes share is the one of the sentence; the abstention is not a valid vote
    assert "占有效票" in text and "90.9%" in text and "不计入" in text
    assert "赞成票：占有效票 90.9%，要求超过半数 ✔ 达到" in text
    assert re.search(r"参与投票：有投票资格的 \d+ 人中，12 人参与，占全部有投票资格人数", text)
    assert "弃权算作参与了投票，但不计入有效票" in text  # why the percentages differ
    assert not RAW_CHECK_NAMES.search(text)
    # the chart is an image with its figures as text; the table stays
    assert re.search(r'<svg class="chart"[^>]* role="img" aria-labelledby="[^"]+"', page.text)
    assert "<title id=" in page.text and "条形图：是否在弄堂口建设社区花园？" in page.text
    assert '<td class="num">10</td>' in page.text
    # no hashes, keys or install steps on the result page: they are one link away
    assert not HEX_HASH.search(page.text)
    assert "pip install" not in page.text and "tally verify" not in page.text
    assert zh("Public board") not in text
    assert f'href="/ballots/{ballot_id}/audit"' in page.text
    assert zh("Audit material: how anyone can check the count") in text

    english = text_of((await client.get(f"/ballots/{ballot_id}?lang=en")).text)
    assert "Yes: 10 votes, 90.9% of the valid votes — more than half: passed." in english
    assert "Yes votes: 90.9% of the valid votes; more than half needed ✔ met" in english


async def test_the_audit_page_holds_the_material_for_checking(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    ballot_id = await run_ballot(client, chair_headers, matter_id, YESNO, [["yes"], ["no"]])
    head = (await client.get(f"/api/v1/ballots/{ballot_id}/board/head")).json()
    key = (await client.get("/api/v1/board/key")).json()
    result = await result_of(client, ballot_id)
    page = await client.get(f"/ballots/{ballot_id}/audit")
    assert page.status_code == 200
    html = page.text
    assert head["root_hash"] in html and head["signature"] in html
    assert key["public_key"] in html and key["key_id"] in html
    assert result["tie_seed"] in html
    assert f'href="/api/v1/ballots/{ballot_id}/board"' in html
    assert f'href="/api/v1/ballots/{ballot_id}/result"' in html
    assert "pip install './tally[signatures]'" in html_lib.unescape(html)
    assert f"tally verify ballot-{ballot_id}-board.jsonl --key {key['public_key']}" in html
    assert zh("No tie had to be drawn in this ballot.") in html
    assert "北京时间" in html  # when the head was signed, in local time
    english = await client.get(f"/ballots/{ballot_id}/audit?lang=en")
    assert "Audit material" in english.text and "How ties are drawn" in english.text
    interface = text_of(english.text).replace(YESNO["title"], "")
    assert not re.search(r"[\u4e00-\u9fff]", interface), interface  # only the title is Chinese


async def test_a_result_without_a_quorum_says_it_does_not_count(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    ballot_id = await run_ballot(
        client,
        chair_headers,
        matter_id,
        firm_draft({"quorum": "simple", "majority": "valid"}),
        [["a"], ["b"]],
    )
    result = await result_of(client, ballot_id)
    question = result["questions"][0]
    assert question["outcome"] == "no-quorum"
    eligible = result["electorate"]["size"]
    share = f"{2 / eligible * 100:.1f}".rstrip("0").rstrip(".")
    text = text_of((await client.get(f"/ballots/{ballot_id}")).text)
    assert f"参与户数未超过半数（2 户，占全部有投票资格户数 {share}%），本次表决无效。" in text
    assert f"投票率：占全部有投票资格户数 {share}%，要求超过半数 ✘ 未达到" in text
    assert "当选" not in text  # nobody is named as chosen
    english = text_of((await client.get(f"/ballots/{ballot_id}?lang=en")).text)
    assert (
        f"Households taking part: 2 households, {share}% of all eligible households — not more "
        "than half. This vote does not count."
    ) in english
    assert "✘ not met" in english


async def test_a_runoff_result_names_the_second_round(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    ballot_id = await run_ballot(
        client,
        chair_headers,
        matter_id,
        firm_draft({"majority": "valid"}),
        [["a"], ["a"], ["b"], ["b"], ["c"]],
    )
    assert (await result_of(client, ballot_id))["questions"][0]["outcome"] == "runoff"
    text = text_of((await client.get(f"/ballots/{ballot_id}")).text)
    assert (
        "没有选项得票超过半数：领先的“古北物业”得 2 票，占有效票 40%。"
        "需要在“古北物业”和“永业物业”之间进行第二轮投票。"
    ) in text
    assert "领先选项的得票：占有效票 40%，要求超过半数 ✘ 未达到" in text
    assert "参与的不到一半" in text  # five households of many: a low-turnout warning


async def test_a_drawn_result_says_how_the_draw_was_made(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    ballot_id = await run_ballot(
        client, chair_headers, matter_id, firm_draft({}), [["a"], ["a"], ["b"], ["b"]]
    )
    result = await result_of(client, ballot_id)
    question = result["questions"][0]
    assert question["outcome"] == "elected" and question["drawn"]
    winner = {"a": "古北物业", "b": "永业物业"}[question["winners"][0]]
    text = text_of((await client.get(f"/ballots/{ballot_id}")).text)
    assert f"“{winner}”得票最多，当选：2 票，占有效票 50%。" in text
    assert "“古北物业”和“永业物业”打成平手，由公开抽签决定。" in text
    assert "抽签用的是投票结束后才产生的数字（公开记录的指纹）" in text
    assert result["tie_seed"] not in (await client.get(f"/ballots/{ballot_id}")).text
    audit = (await client.get(f"/ballots/{ballot_id}/audit")).text
    assert result["tie_seed"] in audit
    order = "、".join(
        {"a": "古北物业", "b": "永业物业"}[option] for option in question["tie_breaks"][0]["order"]
    )
    assert f"抽签结果依次为{order}" in text_of(audit)
    # The draw's step in the reader's language; tally's own wording only as the hashed text.
    without_code = text_of(re.sub(r"<code>.*?</code>", " ", audit, flags=re.S))
    assert "步骤：按得票排序：同为 2 票" in without_code
    assert "plurality order" not in without_code and "score" not in without_code
    assert "<code>plurality order (score 2)</code>" in audit
    english = text_of((await client.get(f"/ballots/{ballot_id}/audit?lang=en")).text)
    assert "Step: ranking by votes: tied at 2 votes each" in english


async def test_the_demo_evaluation_reads_as_words(client: Client, world: World) -> None:
    page = await client.get(f"/ballots/{world.published_id}")
    text = text_of(page.text)
    assert re.search(r"选择“满意”或“基本满意”的占有效票 [\d.]+%，平均分 [\d.]+。", text)
    assert "参与投票名单（公示）" in text  # the 公示 list stays on the result page
    assert not HEX_HASH.search(page.text)


async def test_the_decision_record_tells_the_story(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    created = await client.post(
        "/api/v1/matters",
        json={
            "unit_id": world.units["ruijin2"],
            "kind": "hearing",
            "title": "弄堂口社区花园",
            "description": "在弄堂口空地建设社区花园。\n由居民自治小组负责日常养护。",
        },
        headers=chair_headers,
    )
    assert created.status_code == 201, created.text
    matter_id = created.json()["id"]
    draft_id = await create_draft(client, chair_headers, matter_id, YESNO)
    day = (datetime.now(BEIJING) + timedelta(days=30)).date()
    scheduled = await client.put(
        f"/api/v1/ballots/{draft_id}/schedule",
        json={"closes_at": f"{day.isoformat()}T18:00:00+08:00"},
        headers=chair_headers,
    )
    assert scheduled.status_code == 200, scheduled.text
    await client.post(f"/api/v1/ballots/{draft_id}/open", headers=chair_headers)
    issued = await client.post(f"/api/v1/ballots/{draft_id}/invitations", headers=chair_headers)
    for code, choice in zip(
        [i["credential"] for i in issued.json()], ["yes"] * 3 + ["no"], strict=False
    ):
        cast = await client.post(
            f"/api/v1/ballots/{draft_id}/casts",
            json={"credential": code, "answers": {"garden": [choice]}},
        )
        assert cast.status_code == 201, cast.text
    await client.post(f"/api/v1/ballots/{draft_id}/close", headers=chair_headers)
    await client.post(f"/api/v1/ballots/{draft_id}/publish?confirm=true", headers=chair_headers)
    for note in ("开工：3月1日起施工，施工期间请绕行。", "评议：居民满意度 92%，养护良好。"):
        added = await client.post(
            f"/api/v1/matters/{matter_id}/notes", json={"text": note}, headers=chair_headers
        )
        assert added.status_code == 201, added.text

    page = await client.get(f"/matters/{matter_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    order = [
        text.index(part)
        for part in (
            "提出了什么",
            "在弄堂口空地建设社区花园。",
            "由居民自治小组负责日常养护。",
            "发出通知",
            "决定了什么",
            "赞成 3 票，占有效票 75%，超过半数，通过。",
            "经过",
            "记录了这件事项。",
            "准备了表决“弄堂口花园表决”。",
            f"发出表决“弄堂口花园表决”的通知：投票截止时间为 {day.year}年{day.month}月{day.day}日 "
            "18:00（北京时间）。",
            "表决“弄堂口花园表决”开始投票，有投票资格的共",
            "表决“弄堂口花园表决”投票结束，4 人参与。",
            "公布了“弄堂口花园表决”的结果。",
            "开工：3月1日起施工，施工期间请绕行。",
            "评议：居民满意度 92%，养护良好。",
        )
    ]
    assert order == sorted(order)
    assert text.count("（北京时间）") >= 7  # every step dated in local time
    assert "UTC" not in text
    assert "赞成票：占有效票 75%，要求超过半数 ✔ 达到" in text
    # the story never shows a hash, a seed or who pressed the buttons
    result = await result_of(client, draft_id)
    assert result["tie_seed"] not in page.text and not HEX_HASH.search(page.text)
    assert "chair" not in text
    # printable: the A4 print stylesheet is linked and the navigation hides in print
    assert '<link rel="stylesheet" href="/static/results.css">' in page.text
    css = (await client.get("/static/results.css")).text
    assert "@media print" in css and "size: A4" in css and "header.site" in css

    english = text_of((await client.get(f"/matters/{matter_id}?lang=en")).text)
    for part in (
        "What was proposed",
        f"Notice of the ballot “弄堂口花园表决”: voting closes {day.day} {day:%B} {day.year}, "
        "18:00 (Beijing time).",
        "Yes: 3 votes, 75% of the valid votes — more than half: passed.",
        "The result of “弄堂口花园表决” was published.",
    ):
        assert part in english


async def test_the_audit_page_of_an_unknown_or_draft_ballot_is_404(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    assert (await client.get("/ballots/4242/audit")).status_code == 404
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    assert (await client.get(f"/ballots/{draft_id}/audit")).status_code == 404


async def test_an_open_ballot_links_its_audit_page_without_a_result(
    client: Client, world: World
) -> None:
    page = await client.get(f"/ballots/{world.firm_id}")
    assert f'href="/ballots/{world.firm_id}/audit"' in page.text
    audit = await client.get(f"/ballots/{world.firm_id}/audit")
    assert audit.status_code == 200
    assert zh("Download the board") in audit.text
    assert zh("How ties are drawn") not in audit.text  # no result yet, so no draws to show
