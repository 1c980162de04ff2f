"""The board through HTTP: download and verify it, prove a receipt, prove the board only grows."""

from __future__ import annotations

from typing import Any

from tally import board as tally_board
from tally.merkle import verify_consistency, verify_inclusion
from tests.vote.helpers import Client, World, assert_problem, create_draft

PRACTICAL_ANSWER = {"projects": ["p2", "p3"]}


async def _cast(client: Client, world: World, index: int = 0) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/ballots/{world.practical_id}/casts",
        json={
            "credential": world.credential(world.practical_id, index),
            "answers": PRACTICAL_ANSWER,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_published_board_downloads_and_verifies(client: Client, world: World) -> None:
    response = await client.get(f"/api/v1/ballots/{world.published_id}/board")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    key = (await client.get("/api/v1/board/key")).json()
    parsed = tally_board.read_board(response.content)
    assert parsed.header.public_key == key["public_key"]
    report = tally_board.verify_board(parsed)
    assert report.ok, [c for c in report.checks if c.status == "fail"]
    assert report.closed and report.counted and report.counted > 0


async def test_a_receipt_is_proven_on_the_board(client: Client, world: World) -> None:
    receipt = await _cast(client, world)
    assert receipt["leaf_index"] >= 1 and receipt["tree_head"]["tree_size"] > receipt["leaf_index"]
    response = await client.get(
        f"/api/v1/ballots/{world.practical_id}/board/proof",
        params={"tracker": receipt["tracker"]},
    )
    assert response.status_code == 200, response.text
    proof = response.json()
    assert proof["leaf_index"] == receipt["leaf_index"]
    assert verify_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["hashes"]],
        bytes.fromhex(proof["tree_head"]["root_hash"]),
    )
    board = tally_board.read_board(
        (await client.get(f"/api/v1/ballots/{world.practical_id}/board")).content
    )
    report = tally_board.verify_board(board, receipt=receipt["tracker"])
    assert report.ok and report.receipt_index == receipt["leaf_index"]


async def test_the_board_only_grows(client: Client, world: World) -> None:
    first = await _cast(client, world, 0)
    await _cast(client, world, 1)
    old = first["tree_head"]
    response = await client.get(
        f"/api/v1/ballots/{world.practical_id}/board/consistency",
        params={"first": old["tree_size"]},
    )
    assert response.status_code == 200, response.text
    proof = response.json()
    assert proof["tree_size"] == old["tree_size"] + 1
    assert verify_consistency(
        old["tree_size"],
        proof["tree_size"],
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(proof["tree_head"]["root_hash"]),
        [bytes.fromhex(h) for h in proof["hashes"]],
    )


async def test_unknown_tracker_and_bad_sizes_are_problems(client: Client, world: World) -> None:
    base = f"/api/v1/ballots/{world.practical_id}/board"
    missing = await client.get(f"{base}/proof", params={"tracker": "aaaa-bbbb-cccc-dddd"})
    assert_problem(missing, 404, "tracker-not-on-board")
    too_big = await client.get(f"{base}/consistency", params={"first": 10_000})
    assert_problem(too_big, 422, "bad-tree-size")


async def test_drafts_have_no_public_board(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    assert_problem(await client.get(f"/api/v1/ballots/{draft_id}/board"), 404, "not-found")


async def test_leaves_start_with_the_manifest(client: Client, world: World) -> None:
    response = await client.get(
        f"/api/v1/ballots/{world.practical_id}/board/leaves", params={"count": 1}
    )
    (leaf,) = response.json()
    event = tally_board.decode_event(leaf["data"].encode())
    assert leaf["index"] == 0 and isinstance(event, tally_board.Setup)
    assert event.ballot_id == str(world.practical_id)


async def test_check_page_confirms_a_receipt(client: Client, world: World) -> None:
    receipt = await _cast(client, world)
    page = await client.get(
        f"/ballots/{world.practical_id}/check", params={"tracker": receipt["tracker"]}
    )
    assert page.status_code == 200
    assert (
        f"您的选票是公示栏 {receipt['tree_head']['tree_size']} 条记录中的第 {receipt['leaf_index'] + 1} 条"
        in page.text
    )
    assert (
        "/static/verify.js" in page.text
        and "/static/vendor/tweetnacl/nacl-fast.min.js" in page.text
    )
    # The phone's key is the published one, carried by the page and not by the proof it checks.
    key = (await client.get("/api/v1/board/key")).json()
    assert f'data-public-key="{key["public_key"]}"' in page.text
    assert f'data-board-ballot-id="{world.practical_id}"' in page.text
    unknown = await client.get(
        f"/ballots/{world.practical_id}/check", params={"tracker": "zzzz-zzzz-zzzz-zzzz"}
    )
    assert unknown.status_code == 404
    assert "本次表决的选票名单里没有这个回执查询码" in unknown.text


async def test_the_audit_page_shows_the_signed_fingerprint(client: Client, world: World) -> None:
    head = (await client.get(f"/api/v1/ballots/{world.published_id}/board/head")).json()
    result = await client.get(f"/ballots/{world.published_id}")
    assert head["root_hash"] not in result.text  # residents read no hash on the result page
    assert f"/ballots/{world.published_id}/audit" in result.text
    page = await client.get(f"/ballots/{world.published_id}/audit")
    assert head["root_hash"] in page.text
    assert f"/api/v1/ballots/{world.published_id}/board" in page.text


async def test_published_ballot_page_lists_participants_masked(
    client: Client, world: World
) -> None:
    page = await client.get(f"/ballots/{world.published_id}")
    assert "参与投票名单（公示）" in page.text
    cells = page.text.split("显示名单", 1)[1].split("</table>", 1)[0]
    assert "*" in cells
