"""The resident's voting page: questions in the reader's language, a vote by form, a receipt."""

from __future__ import annotations

import re

from tests.vote.helpers import Client, World, create_draft, zh

SUBMIT_EN = "Next: check my choices"


def box_values(html: str) -> list[str]:
    return re.findall(
        r'<input class="code" type="text" name="code"[^>]*?value="([^"]*)"', html, re.S
    )


async def test_vote_page_is_chinese_by_default(client: Client, world: World) -> None:
    response = await client.get(f"/v/{world.firm_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert zh(SUBMIT_EN) in html
    assert zh("Voting code (printed on your invitation)") in html
    assert "请选择您信任的评估公司" in html  # the question
    assert "上海申信房地产估价有限公司" in html  # an option
    assert SUBMIT_EN not in html


async def test_vote_page_in_english_by_accept_language(client: Client, world: World) -> None:
    response = await client.get(
        f"/v/{world.firm_id}", headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert '<html lang="en">' in response.text
    assert SUBMIT_EN in response.text
    assert "Choose one." in response.text
    assert zh(SUBMIT_EN) not in response.text


async def test_vote_page_in_english_by_query(client: Client, world: World) -> None:
    response = await client.get(f"/v/{world.firm_id}?lang=en")
    assert SUBMIT_EN in response.text


async def test_language_switch_sets_a_cookie(client: Client, world: World) -> None:
    switch = await client.get(f"/lang/en?next=/v/{world.firm_id}", follow_redirects=False)
    assert switch.status_code in (301, 302, 303, 307)
    assert switch.headers["location"] == f"/v/{world.firm_id}"
    assert "lang=en" in switch.headers["set-cookie"]
    page = await client.get(f"/v/{world.firm_id}")
    assert SUBMIT_EN in page.text
    back = await client.get(f"/lang/zh-CN?next=/v/{world.firm_id}")
    assert zh(SUBMIT_EN) in back.text


async def test_language_switch_does_not_redirect_off_site(client: Client, world: World) -> None:
    switch = await client.get("/lang/en?next=//evil.example/", follow_redirects=False)
    assert switch.headers["location"] == "/"


async def test_form_vote_gives_a_receipt(client: Client, world: World) -> None:
    response = await client.post(
        f"/v/{world.firm_id}",
        data={
            "credential": world.credential(world.firm_id),
            "q:firm": "o2",
            "submission_id": "s1",
            "action": "cast",
        },
    )
    assert response.status_code == 200, response.text
    assert zh("Your receipt code") in response.text
    tracker = re.search(r'<p class="tracker[^"]*"[^>]*>([^<]+)</p>', response.text)
    assert tracker, response.text
    assert await world.casts(world.firm_id) == 1
    again = await client.post(
        f"/v/{world.firm_id}",
        data={"credential": world.credential(world.firm_id), "q:firm": "o2", "submission_id": "s1"},
    )
    assert tracker.group(1) in again.text  # a resent form returns the same receipt
    assert await world.casts(world.firm_id) == 1


async def test_a_mistyped_code_is_kept_to_correct(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await client.post(
        f"/v/{world.firm_id}", data={"credential": "12345-12345-12345-12345-12345", "q:firm": "o1"}
    )
    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html
    assert (
        zh("Please check the digits") in html
        or zh(
            "This is not a complete voting code: a digit is missing, extra or mistyped. Please "
            "compare it with your invitation, group by group."
        )
        in html
    )
    assert box_values(html) == ["12345"] * 5  # kept in its boxes, so one digit can be fixed
    assert await world.db.snapshot() == before


async def test_bad_code_rerenders_the_form_with_an_error(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await client.post(
        f"/v/{world.firm_id}", data={"credential": "00000-00000-00000-00000-00000", "q:firm": "o1"}
    )
    assert response.status_code == 403
    html = response.text
    assert 'role="alert"' in html
    assert (
        zh(
            "This voting code is not valid for this ballot. It may be mistyped, or it was replaced "
            "by a new invitation."
        )
        in html
    )
    assert 'id="vote-form"' in html
    assert "00000-00000-00000-00000-00000" not in html  # the wrong code is not echoed back
    assert re.search(r'value="o1"[^>]*checked', html)  # the choice is kept
    assert await world.db.snapshot() == before


async def test_missing_answer_keeps_the_code(client: Client, world: World) -> None:
    credential = world.credential(world.firm_id)
    before = await world.db.snapshot()
    response = await client.post(f"/v/{world.firm_id}", data={"credential": credential})
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert box_values(response.text) == credential.split("-")
    assert await world.db.snapshot() == before


async def test_oversized_form_is_refused(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await client.post(
        f"/v/{world.firm_id}",
        data={"credential": world.credential(world.firm_id), "q:firm": "o1", "pad": "x" * 70_000},
    )
    assert response.status_code == 413
    assert await world.db.snapshot() == before


async def test_closed_ballot_page_says_so(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    await client.post(f"/api/v1/ballots/{world.firm_id}/close", headers=chair_headers)
    response = await client.get(f"/v/{world.firm_id}")
    assert response.status_code == 200
    assert zh("Voting has closed") in response.text
    assert 'id="vote-form"' not in response.text


async def test_draft_ballot_has_no_vote_page(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    response = await client.get(f"/v/{draft_id}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "社区花园" not in response.text
