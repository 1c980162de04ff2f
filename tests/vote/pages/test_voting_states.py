"""The voting page's own pages for each state: voted already (with or without changing), the
household voted, not open yet, closed, published, cancelled, and a link that leads nowhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.schedule import schedule_ballot
from tests.vote.helpers import Client, World, create_draft, zh
from tests.vote.pages.voting_helpers import (
    as_form,
    box_values,
    hidden_fields,
    open_ballot,
    text_of,
)
from vote.pages.times import deadline_time

FIRM_VOTE = {"q:firm": "o1"}


async def _vote(client: Client, ballot_id: int, credential: str, **answers: str) -> None:
    response = await client.post(
        f"/v/{ballot_id}", data={"credential": credential, "action": "cast", **answers}
    )
    assert response.status_code == 200, response.text


async def test_a_used_code_gets_a_kind_page_not_the_form(client: Client, world: World) -> None:
    credential = world.credential(world.firm_id)
    await _vote(client, world.firm_id, credential, **FIRM_VOTE)
    before = await world.db.snapshot()
    for action in ("check", "review", "cast"):
        response = await client.post(
            f"/v/{world.firm_id}", data={"credential": credential, "action": action, "q:firm": "o2"}
        )
        assert response.status_code == (200 if action == "check" else 409), response.text
        shown = text_of(response.text)
        assert "您已投票" in shown
        assert "您的投票已经计入。" in shown
        assert f'href="/ballots/{world.firm_id}/check"' in response.text  # check with the receipt
        assert 'id="vote-form"' not in response.text
        assert "field-error" not in response.text and 'role="alert"' not in response.text
        assert "修改我的选择" not in shown  # this ballot does not allow changing a vote
    assert await world.db.snapshot() == before


async def test_a_ballot_that_allows_changing_offers_to_change(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id, codes = await open_ballot(client, chair_headers, world)
    answers = {
        "q:firm": "f1",
        "q:projects": "p2",
        "q:order:rank:a": "1",
        "q:services": "s1",
        "q:garden": "yes",
        "q:quality": "poor",
    }
    await _vote(client, ballot_id, codes[0], **answers)
    voted = await client.post(f"/v/{ballot_id}", data={"credential": codes[0], "action": "check"})
    assert voted.status_code == 200
    assert "您已投票" in text_of(voted.text)
    assert "本次表决在截止前可以修改，只有最后一次投票有效。" in text_of(voted.text)
    change = re.search(r'<form [^>]*id="change-vote-form">.*?</form>', voted.text, re.S)
    assert change and "修改我的选择" in change.group(0)
    assert ("credential", codes[0]) in hidden_fields(
        voted.text, form_id="change-vote-form"
    )  # in the body
    form = await client.post(
        f"/v/{ballot_id}",
        data=as_form(hidden_fields(voted.text, form_id="change-vote-form"), action="edit"),
    )
    assert form.status_code == 200 and 'id="vote-form"' in form.text
    assert box_values(form.text) == codes[0].split("-")
    review = await client.post(
        f"/v/{ballot_id}",
        data={"credential": codes[0], **answers, "q:garden": "no", "action": "review"},
    )
    assert review.status_code == 200
    assert "确认后，这次的选择将替换之前的投票" in text_of(review.text)


async def test_the_household_page_does_not_say_who_voted(client: Client, world: World) -> None:
    first, second = await world.household_pair(world.firm_id)
    await _vote(client, world.firm_id, first, **FIRM_VOTE)
    before = await world.db.snapshot()
    for action in ("check", "review", "cast"):
        response = await client.post(
            f"/v/{world.firm_id}", data={"credential": second, "action": action, **FIRM_VOTE}
        )
        shown = text_of(response.text)
        assert "您家已经投过票了" in shown
        assert "本次表决一户一票，您家的票已经投出并计入。" in shown
        assert 'id="vote-form"' not in response.text
        assert first not in response.text and "回执" not in shown  # no trace of the other vote
    assert await world.db.snapshot() == before


async def test_a_closed_ballot_says_when_results_come(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    await client.post(f"/api/v1/ballots/{world.firm_id}/close", headers=chair_headers)
    response = await client.get(f"/v/{world.firm_id}")
    assert response.status_code == 200
    shown = text_of(response.text)
    assert "投票已经结束" in shown
    assert "投票已于 " in shown and "（北京时间）结束。" in shown
    assert "结果将在本次表决的页面和公告栏上公布" in shown
    assert 'id="vote-form"' not in response.text
    posted = await client.post(
        f"/v/{world.firm_id}",
        data={"credential": world.credential(world.firm_id), "action": "review", **FIRM_VOTE},
    )
    assert posted.status_code == 409
    assert "投票已经结束" in text_of(posted.text)
    back = await client.post(  # "返回修改" from a review page left open past the close
        f"/v/{world.firm_id}",
        data={"credential": world.credential(world.firm_id), "action": "edit", **FIRM_VOTE},
    )
    assert back.status_code == 409 and 'id="vote-form"' not in back.text
    cast = await client.post(
        f"/v/{world.firm_id}",
        data={"credential": world.credential(world.firm_id), "action": "cast", **FIRM_VOTE},
    )
    assert cast.status_code == 409
    assert "投票已经结束" in text_of(cast.text) and 'id="vote-form"' not in cast.text


async def test_a_published_ballot_links_to_its_result(client: Client, world: World) -> None:
    response = await client.get(f"/v/{world.published_id}")
    assert response.status_code == 200
    assert "投票已经结束，结果已经公布" in text_of(response.text)
    assert re.search(
        rf'<a class="button" href="/ballots/{world.published_id}">查看结果</a>', response.text
    )


async def test_a_cancelled_ballot_says_why(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    cancelled = await client.post(
        f"/api/v1/ballots/{world.firm_id}/cancel",
        json={"reason": "评估公司资质公示有误，重新公示后再投票"},
        headers=chair_headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    response = await client.get(f"/v/{world.firm_id}")
    shown = text_of(response.text)
    assert "本次表决已取消" in shown
    assert "取消原因：评估公司资质公示有误，重新公示后再投票" in shown
    english = text_of((await client.get(f"/v/{world.firm_id}?lang=en")).text)
    assert "This ballot was cancelled" in english and "Reason: 评估公司资质公示有误" in english


async def test_a_scheduled_ballot_says_when_it_opens(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    hidden = await client.get(f"/v/{draft_id}")
    assert hidden.status_code == 404  # a draft without a schedule stays private
    assert "社区花园" not in hidden.text
    assert "这个链接打不开投票" in text_of(hidden.text)
    opens = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)

    async def work(session: AsyncSession) -> None:
        await schedule_ballot(session, operator(), draft_id, opens, opens + timedelta(days=7))
        await session.commit()

    await world.db.run(work)
    response = await client.get(f"/v/{draft_id}")
    assert response.status_code == 200
    shown = text_of(response.text)
    assert "投票还没有开始" in shown
    assert f"投票开始：{deadline_time(opens)}" in shown or deadline_time(opens) in shown
    assert "（北京时间）" in shown
    assert 'id="vote-form"' not in response.text
    posted = await client.post(f"/v/{draft_id}", data={"action": "review"})
    assert posted.status_code == 409 and "投票还没有开始" in text_of(posted.text)


async def test_a_link_that_leads_nowhere_says_what_to_do(client: Client, world: World) -> None:
    for response in (await client.get("/v/9999"), await client.post("/v/9999", data={})):
        assert response.status_code == 404
        shown = text_of(response.text)
        assert "这个链接打不开投票" in shown
        assert "请再扫描一次邀请函上的二维码" in shown
        assert 'href="/"' in response.text


async def test_a_link_whose_code_does_not_work_gets_a_panel_for_the_script(
    client: Client, world: World
) -> None:
    page = await client.get(f"/v/{world.firm_id}")
    for state in ("voted", "voted-revote", "household", "invalid-code"):
        assert f'data-state="{state}" hidden' in page.text  # shown by vote.js when it applies
    assert zh("This voting code does not work") in page.text
