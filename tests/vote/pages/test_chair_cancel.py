"""Cancelling from the chair's dashboard: the button sits apart from close, a confirmation page
asks for the reason (kept, with its error beside it, when refused), and the open ballot's public
board then ends with that reason and verifies as cancelled."""

from __future__ import annotations

from ballots.models import Ballot
from tally import board as tally_board
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def _token(client: Client, world: World) -> str:
    await page_login(client, "chair", world.info.totp_secret)
    response = await client.get("/chair/")
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


async def test_the_cancel_button_is_not_next_to_close(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    page = (await client.get("/chair/")).text
    close = f'action="/chair/ballots/{world.practical_id}/close"'
    cancel = f'action="/chair/ballots/{world.practical_id}/cancel"'
    section = page[page.index(close) :]
    section = section[: section.index("</section>")]
    actions, _, danger = section.partition('class="danger-zone"')
    assert cancel not in actions and cancel in danger
    assert zh("Cancel ballot…") in danger
    assert f'action="/chair/ballots/{world.published_id}/cancel"' not in page


async def test_cancelling_asks_for_a_reason_first_and_a_bad_one_changes_nothing(
    client: Client, world: World
) -> None:
    token = await _token(client, world)
    url = f"/chair/ballots/{world.practical_id}/cancel"
    before = await world.db.snapshot()
    asked = await client.post(url, data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    assert zh("Cancelling cannot be undone.") in asked.text
    assert '<textarea id="reason" name="reason"' in asked.text
    assert 'name="confirm" value="1"' in asked.text
    blank = await client.post(url, data={"csrf_token": token, "confirm": "1", "reason": "  "})
    assert blank.status_code == 422
    assert zh("Give the reason for cancelling the ballot.") in blank.text
    assert 'aria-invalid="true"' in blank.text
    long = "因" * 501
    refused = await client.post(url, data={"csrf_token": token, "confirm": "1", "reason": long})
    assert refused.status_code == 422
    assert zh("The reason may be at most {max} characters.").format(max=500) in refused.text
    assert f">{long}</textarea>" in refused.text  # what was typed is kept
    assert await world.db.snapshot() == before


async def test_cancelling_with_a_reason_ends_the_board_with_it(
    client: Client, world: World
) -> None:
    token = await _token(client, world)
    reason = "施工方案变更 <重新听证>"
    done = await client.post(
        f"/chair/ballots/{world.practical_id}/cancel",
        data={"csrf_token": token, "confirm": "1", "reason": reason},
    )
    assert done.status_code == 200, done.text
    assert zh("The ballot is cancelled.") in done.text
    assert (
        await world.db.count(Ballot, Ballot.id == world.practical_id, Ballot.state == "cancelled")
        == 1
    )
    board = await client.get(f"/api/v1/ballots/{world.practical_id}/board")
    report = tally_board.verify_board(tally_board.read_board(board.content))
    assert report.ok, report.first_failure
    assert report.cancel_reason == reason


async def test_a_published_ballot_cannot_be_cancelled_from_the_page(
    client: Client, world: World
) -> None:
    token = await _token(client, world)
    response = await client.post(
        f"/chair/ballots/{world.published_id}/cancel", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert (
        await world.db.count(Ballot, Ballot.id == world.published_id, Ballot.state == "published")
        == 1
    )
