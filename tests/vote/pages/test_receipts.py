"""The receipt and the check page: a receipt code in digits and the time in Beijing time; the
check page finds the code however it is typed, says in one plain sentence where the vote stands
(technical detail folded away), and explains a mistyped code beside the field."""

from __future__ import annotations

import html as html_lib
import itertools
import re
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.credentials import damm_digit
from ballots.models import Cast, Elector
from tally import board as tally_board
from tests.vote.helpers import YESNO_DRAFT, Client, World, create_draft, zh

CODE_SHAPE = re.compile(r"(\d{4} ){6}\d{2}")
COUNTS = (
    "It is in this ballot's published, signed list of votes, and it counts; anyone can check "
    "the list and count it again."
)
REPLACED = (
    "It is in this ballot's published, signed list of votes, but you voted again later with the "
    "same voting code, and only your last vote counts."
)
CANCELLED = (
    "It is in this ballot's published, signed list of votes, but this ballot was cancelled, so "
    "no vote is counted."
)
NOT_ON_BOARD = (
    "No vote with this receipt code is on this ballot's list. Please compare it with your "
    "receipt, and check that the receipt is for this ballot."
)


async def _cast(client: Client, world: World, index: int = 0) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/ballots/{world.practical_id}/casts",
        json={
            "credential": world.credential(world.practical_id, index),
            "answers": {"projects": ["p2", "p3"]},
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _code_of(tracker: str) -> str:
    code = tally.receipt_code(tracker)
    assert code is not None and CODE_SHAPE.fullmatch(code), (tracker, code)
    return code


def visible_text(page: str) -> str:
    """What a resident reads without opening anything: the page's main text with the folded
    <details>, scripts and tags (and so attributes) taken out."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<details.*?</details>", " ", main, flags=re.S)
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", main))


def field_value(page: str) -> str:
    found = re.search(r'<input[^>]*id="tracker"[^>]*value="([^"]*)"', page)
    assert found, page
    return html_lib.unescape(found.group(1))


def assert_plain(text: str, tracker: str) -> None:
    """No hash, key, tracker, internal id or jargon where a resident reads."""
    assert not re.search(r"[0-9a-f]{16,}", text), text
    assert tracker not in text
    assert "{" not in text and "%(" not in text
    for jargon in ("哈希", "签名的根哈希", "tally", "hash", "tracker", "Merkle", "UTC"):
        assert jargon not in text, jargon


# --- the receipt ---------------------------------------------------------------------------


async def test_the_receipt_shows_digits_beijing_time_and_save_advice(
    client: Client, world: World
) -> None:
    data = {"credential": world.credential(world.firm_id), "q:firm": "o2", "submission_id": "r1"}
    response = await client.post(f"/v/{world.firm_id}", data=data)
    assert response.status_code == 200, response.text
    page = response.text
    code = re.search(r'<p class="tracker receipt-code" id="receipt-code">([^<]*)</p>', page)
    assert code and CODE_SHAPE.fullmatch(code.group(1)), page
    tracker = tally.read_receipt(code.group(1))

    async def cast_hour(session: AsyncSession) -> Any:
        return await session.scalar(select(Cast.cast_hour).where(Cast.tracker == tracker))

    hour = (await world.db.run(cast_hour)).replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Shanghai"))
    text = visible_text(page)
    beijing = f"{hour.year}年{hour.month}月{hour.day}日 {hour:%H}:00（北京时间）"
    assert f"收到时间：{beijing}起的一小时内" in text.replace(" 起", "起"), text
    assert zh("Please take a screenshot or save this page.") == "请截图或保存本页。"
    assert "请截图或保存本页" in text and zh("Or write the receipt code down on paper.") in text
    # No QR code of the page itself, and no advice to scan one.
    assert "<svg" not in page and "扫描" not in page and "receipt-qr" not in page
    assert f'href="/ballots/{world.firm_id}/check?tracker={tracker}"' in page
    assert_plain(text, tracker)
    assert tracker in page.split("<details", 1)[1]  # for auditors, folded away
    again = await client.post(f"/v/{world.firm_id}", data=data)  # a resent form: the same code
    assert code.group(1) in again.text


async def test_the_receipt_in_english(client: Client, world: World) -> None:
    response = await client.post(
        f"/v/{world.firm_id}",
        data={"credential": world.credential(world.firm_id, 1), "q:firm": "o1"},
        headers={"Accept-Language": "en"},
    )
    text = visible_text(response.text)
    assert "Please take a screenshot or save this page." in text
    assert re.search(
        r"Received in the hour from \d{1,2} \w+ \d{4}, \d\d:00 \(Beijing time\)\.", text
    )
    assert "UTC" not in response.text


# --- the check page: typed forms -------------------------------------------------------------


def _variants(tracker: str) -> list[str]:
    code = _code_of(tracker)
    full_width = code.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"} | {32: 0x3000})
    return [
        code,
        code.replace(" ", ""),
        code.replace(" ", "-"),
        f"  {code.replace(' ', ' - ')}  ",
        full_width,
        full_width.replace("\u3000", ""),
        f"回执查询码：{code}",
        tracker,  # the older receipts' form, and the link on the receipt
        tracker.upper(),
        tracker.replace("-", " "),
    ]


async def test_the_check_page_finds_the_code_however_it_is_typed(
    client: Client, world: World
) -> None:
    receipt = await _cast(client, world)
    tracker = receipt["tracker"]
    code = _code_of(tracker)
    for typed in _variants(tracker):
        page = await client.get(f"/ballots/{world.practical_id}/check", params={"tracker": typed})
        assert page.status_code == 200, (typed, page.text)
        # Typed into the page's form, the code is posted: it stays out of the address.
        posted = await client.post(f"/ballots/{world.practical_id}/check", data={"tracker": typed})
        assert posted.status_code == 200, (typed, posted.text)
        assert zh("Your vote was found.") in visible_text(posted.text), typed
        text = visible_text(page.text)
        assert zh("Your vote was found.") in text, typed
        assert zh(COUNTS) in text, typed
        assert field_value(page.text) == code  # shown back as the receipt shows it
        assert f'data-tracker="{tracker}"' in page.text
        assert f'data-receipt-code="{code}"' in page.text
        assert 'role="alert"' not in page.text


async def test_the_check_page_says_what_was_checked_without_jargon(
    client: Client, world: World
) -> None:
    receipt = await _cast(client, world)
    tracker = receipt["tracker"]
    page = await client.get(
        f"/ballots/{world.practical_id}/check", params={"tracker": _code_of(tracker)}
    )
    text = visible_text(page.text)
    assert_plain(text, tracker)
    assert (
        zh(COUNTS)
        == "它在本次表决公开并签名的选票名单里，会计入结果；任何人都可以核对这份名单、重新计票。"
    )
    # The technical detail is there, folded in one <details>: the entry, the tracker, the way
    # to check on another computer with the published key.
    folded = re.search(r"<details class=\"technical\">(.*?)</details>", page.text, flags=re.S)
    assert folded, page.text
    details = html_lib.unescape(folded.group(1))
    size = receipt["tree_head"]["tree_size"]
    assert f"您的选票是公示栏 {size} 条记录中的第 {receipt['leaf_index'] + 1} 条" in details
    assert tracker in details
    key = (await client.get("/api/v1/board/key")).json()
    assert (
        f'tally verify board.jsonl --key {key["public_key"]} --receipt "{_code_of(tracker)}"'
        in details
    )
    assert key["key_id"] in details
    assert 'id="proof-check-steps"' in details and 'id="proof-check-details"' in details


async def test_the_check_page_in_english(client: Client, world: World) -> None:
    receipt = await _cast(client, world)
    page = await client.get(
        f"/ballots/{world.practical_id}/check",
        params={"tracker": _code_of(receipt["tracker"]), "lang": "en"},
    )
    text = visible_text(page.text)
    assert "Your vote was found." in text and COUNTS in text
    assert "The 26 digits on the page shown after you voted." in text


async def test_the_typed_code_is_posted_never_put_in_the_address(
    client: Client, world: World
) -> None:
    page = await client.get(f"/ballots/{world.practical_id}/check")
    assert f'<form method="post" action="/ballots/{world.practical_id}/check"' in page.text


async def test_an_empty_check_page_shows_the_form_only(client: Client, world: World) -> None:
    for params in ({}, {"tracker": "   "}):
        page = await client.get(f"/ballots/{world.practical_id}/check", params=params)
        assert page.status_code == 200
        assert 'role="alert"' not in page.text and "aria-invalid" not in page.text
        assert 'inputmode="numeric"' in page.text
        assert "/static/verify.js" not in page.text


# --- the check page: mistyped codes ----------------------------------------------------------


def _mistyped(code: str) -> str:
    digits = code.replace(" ", "")
    wrong = digits[:9] + str((int(digits[9]) + 1) % 10) + digits[10:]
    return " ".join(wrong[i : i + 4] for i in range(0, 26, 4))


def _swapped(code: str) -> str:
    digits = code.replace(" ", "")
    position = next(i for i in range(25) if digits[i] != digits[i + 1])
    return digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]


async def test_mistyped_codes_get_a_plain_message_beside_the_field(
    client: Client, world: World
) -> None:
    receipt = await _cast(client, world)
    code = _code_of(receipt["tracker"])
    short = code.replace(" ", "")[:-1]
    if damm_digit(short) == "0":  # it would read as a voting code; leave off two digits
        short = short[:-1]
    voting_code = world.credential(world.practical_id, 1)
    cases = [
        (
            _mistyped(code),
            422,
            zh(
                "A digit of this receipt code is wrong, or two are swapped. "
                "Please compare it with your receipt, group by group."
            ),
        ),
        (
            _swapped(code),
            422,
            zh(
                "A digit of this receipt code is wrong, or two are swapped. "
                "Please compare it with your receipt, group by group."
            ),
        ),
        (short, 422, f"回执查询码有 26 位数字，您输入了 {len(short)} 位。"),
        (code + " 1", 422, "回执查询码有 26 位数字，您输入了 27 位。"),
        (voting_code, 422, "这看起来是通知单上的投票码，不是回执查询码。"),
        ("abcd 1234", 422, "回执查询码由 26 位数字组成。"),
        ("——", 422, "请输入回执上的回执查询码（26 位数字）。"),
        (_code_of("aaaa-bbbb-cccc-dddd"), 404, zh(NOT_ON_BOARD)),
    ]
    before = await world.db.snapshot()
    for (typed, status, message), method in itertools.product(cases, ("get", "post")):
        if method == "get":
            page = await client.get(
                f"/ballots/{world.practical_id}/check", params={"tracker": typed}
            )
        else:
            page = await client.post(
                f"/ballots/{world.practical_id}/check", data={"tracker": typed}
            )
        assert page.status_code == status, (typed, page.text)
        error = re.search(
            r'aria-describedby="tracker-hint tracker-error" aria-invalid="true">\s*'
            r'<p class="field-error" id="tracker-error" role="alert">([^<]*)</p>',
            page.text,
        )
        assert error, (typed, page.text)
        assert message in html_lib.unescape(error.group(1)), (typed, error.group(1))
        assert "{" not in error.group(1)
        assert "/static/verify.js" not in page.text  # nothing to check
        assert zh("Your vote was found.") not in page.text
        if typed == voting_code:
            assert field_value(page.text) == ""  # a voting code is not shown back
            main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
            assert re.sub(r"\D", "", voting_code) not in re.sub(r"\D", "", main)
        else:
            assert field_value(page.text) == typed.strip()  # kept, to correct one digit
    assert await world.db.snapshot() == before


async def test_mistyped_code_message_in_english(client: Client, world: World) -> None:
    page = await client.get(
        f"/ballots/{world.practical_id}/check", params={"tracker": "1234 5678", "lang": "en"}
    )
    assert page.status_code == 422
    assert "A receipt code has 26 digits; this has 8." in page.text


# --- where the vote stands ---------------------------------------------------------------


async def test_a_vote_replaced_by_a_later_one_is_found_but_does_not_count(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft = {**YESNO_DRAFT, "title": "社区花园建设表决（可改票）", "revoting": True}
    ballot_id = await create_draft(client, chair_headers, world.matters[world.practical_id], draft)
    opened = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=chair_headers)
    assert opened.status_code == 200, opened.text

    async def a_resident(session: AsyncSession) -> int:
        found = await session.scalar(
            select(Elector.resident_id).where(Elector.ballot_id == ballot_id).limit(1)
        )
        assert found is not None
        return int(found)

    credential = await world.reissue(ballot_id, await world.db.run(a_resident))
    trackers = []
    for answer in ("yes", "no"):
        cast = await client.post(
            f"/api/v1/ballots/{ballot_id}/casts",
            json={"credential": credential, "answers": {"garden": [answer]}},
        )
        assert cast.status_code == 201, cast.text
        trackers.append(cast.json()["tracker"])
    first = await client.get(
        f"/ballots/{ballot_id}/check", params={"tracker": _code_of(trackers[0])}
    )
    assert zh("Your vote was found.") in first.text and zh(REPLACED) in visible_text(first.text)
    assert zh(COUNTS) not in first.text
    last = await client.get(
        f"/ballots/{ballot_id}/check", params={"tracker": _code_of(trackers[1])}
    )
    assert zh(COUNTS) in visible_text(last.text) and zh(REPLACED) not in last.text


async def test_a_vote_on_a_cancelled_ballot_is_found_and_not_counted(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    receipt = await _cast(client, world)
    cancelled = await client.post(
        f"/api/v1/ballots/{world.practical_id}/cancel",
        json={"reason": "施工方案变更，重新听证"},
        headers=chair_headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    page = await client.get(
        f"/ballots/{world.practical_id}/check", params={"tracker": _code_of(receipt["tracker"])}
    )
    text = visible_text(page.text)
    assert zh("Your vote was found.") in text and zh(CANCELLED) in text
    assert zh(COUNTS) not in text


# --- the board is unchanged ----------------------------------------------------------------


async def test_the_exported_board_verifies_with_the_receipt_code(
    client: Client, world: World
) -> None:
    receipt = await _cast(client, world)
    board = await client.get(f"/api/v1/ballots/{world.practical_id}/board")
    parsed = tally_board.read_board(board.content)
    # The board stores the tracker; the receipt code is only how the pages write it.
    assert receipt["tracker"].encode() in board.content
    code = _code_of(receipt["tracker"])
    assert code.encode() not in board.content
    for typed in (code, code.replace(" ", ""), receipt["tracker"]):
        report = tally_board.verify_board(parsed, receipt=typed)
        assert report.ok, (typed, report.first_failure)
        assert report.receipt_index == receipt["leaf_index"]
