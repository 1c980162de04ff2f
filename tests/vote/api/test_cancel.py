"""Cancelling a ballot through the API: a reason is required (bad ones change nothing), and an
open ballot's downloaded board ends with the cancellation and verifies as cancelled."""

from __future__ import annotations

from ballots.models import Ballot
from tally import board as tally_board
from tests.vote.helpers import Client, World, assert_problem, create_draft


async def test_cancel_needs_a_reason_and_a_bad_one_changes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    url = f"/api/v1/ballots/{world.practical_id}/cancel"
    before = await world.db.snapshot()
    assert (await client.post(url, headers=chair_headers)).status_code == 400
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "a\x00b"}, {"why": "x"}):
        response = await client.post(url, json=body, headers=chair_headers)
        assert response.status_code == 400, (body, response.text)
    for body in ({"reason": "   "}, {"reason": "\n"}):
        assert_problem(
            await client.post(url, json=body, headers=chair_headers), 422, "invalid-reason"
        )
    assert await world.db.snapshot() == before


async def test_cancelling_an_open_ballot_ends_its_board_with_the_reason(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id = world.practical_id
    response = await client.post(
        f"/api/v1/ballots/{ballot_id}/cancel",
        json={"reason": "施工方案变更,重新听证"},
        headers=chair_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["ballot"]["state"] == "cancelled"
    board = await client.get(f"/api/v1/ballots/{ballot_id}/board")
    report = tally_board.verify_board(tally_board.read_board(board.content))
    assert report.ok, report.first_failure
    assert report.cancel_reason == "施工方案变更,重新听证"
    again = await client.post(
        f"/api/v1/ballots/{ballot_id}/cancel", json={"reason": "again"}, headers=chair_headers
    )
    assert_problem(again, 409, "transition-not-allowed")


async def test_cancelling_a_draft_leaves_it_without_a_board(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    response = await client.post(
        f"/api/v1/ballots/{draft_id}/cancel", json={"reason": "重复创建"}, headers=chair_headers
    )
    assert response.status_code == 200, response.text
    assert await world.db.count(Ballot, Ballot.id == draft_id, Ballot.log_size == 0) == 1
    # It never had a board, so there is none to download: no empty file that tally verify rejects.
    for path in ("board", "board/head", "board/leaves"):
        assert_problem(await client.get(f"/api/v1/ballots/{draft_id}/{path}"), 404, "not-found")
