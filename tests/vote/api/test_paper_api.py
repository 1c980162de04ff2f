"""The paper-ballot API, as a chair's script uses it: print, hand out by code or by name, a phone
vote then refused, close, two chairs' entries, the mismatch in words blocking publication, the
correction, the count into the result, publish; refusals as problems that change nothing."""

from __future__ import annotations

from typing import Any

from tests.vote.helpers import (
    Client,
    World,
    assert_problem,
    bearer,
    login,
    zh,
)


def paper(ballot_id: int, rest: str = "") -> str:
    return f"/api/v1/ballots/{ballot_id}/paper{rest}"


async def options_of(client: Client, headers: dict[str, str], ballot_id: int) -> list[str]:
    found = await client.get(f"/api/v1/ballots/{ballot_id}/manage", headers=headers)
    assert found.status_code == 200, found.text
    return [option["id"] for option in found.json()["spec"]["questions"][0]["options"]]


async def second_chair(client: Client, world: World) -> dict[str, str]:
    secret = await world.add_chair("clerk", "area_chair", "maoming")
    return bearer(await login(client, "clerk", secret))


async def test_from_printing_to_the_published_count(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot = world.firm_id
    firm = await options_of(client, chair_headers, ballot)
    printed = await client.post(paper(ballot, "/print"), json={"count": 5}, headers=chair_headers)
    assert printed.status_code == 201, printed.text
    assert printed.json() == {"ballot_id": ballot, "first": 1, "last": 5}
    code = world.credential(ballot, 0)
    given = await client.post(
        paper(ballot, "/issues"), json={"serial": 1, "credential": code}, headers=chair_headers
    )
    assert given.status_code == 201, given.text
    name = given.json()["name"]
    refused = await client.post(
        f"/api/v1/ballots/{ballot}/casts",
        json={"credential": code, "answers": {"firm": [firm[0]]}},
    )
    assert_problem(refused, 409, "voted-on-paper")
    again = await client.post(
        paper(ballot, "/issues"), json={"serial": 2, "credential": code}, headers=chair_headers
    )
    assert_problem(again, 409, "already-holds-paper")
    closed = await client.post(f"/api/v1/ballots/{ballot}/close", headers=chair_headers)
    assert closed.status_code == 200, closed.text
    clerk = await second_chair(client, world)
    for headers, choice in ((chair_headers, firm[0]), (clerk, firm[1])):
        entered = await client.post(
            paper(ballot, "/entries"),
            json={"serial": 1, "answers": {"firm": [choice]}},
            headers=headers,
        )
        assert entered.status_code == 201, entered.text
    twice = await client.post(
        paper(ballot, "/entries"), json={"serial": 1, "invalid": True}, headers=clerk
    )
    assert_problem(twice, 409, "already-entered")
    status = (await client.get(paper(ballot), headers=chair_headers)).json()
    assert status["agreed"] is False and status["returned"] == 1
    [mismatch] = status["mismatches"]
    assert mismatch["text"].startswith("第 1 号：")
    assert status["publish_block"]
    blocked = await client.post(
        f"/api/v1/ballots/{ballot}/publish?confirm=true", headers=chair_headers
    )
    assert_problem(blocked, 409, "paper-not-ready")
    not_yet = await client.post(paper(ballot, "/count"), headers=chair_headers)
    assert_problem(not_yet, 409, "paper-not-ready")
    fixed = await client.post(
        paper(ballot, "/entries"),
        json={"serial": 1, "answers": {"firm": [firm[0]]}, "correct": True},
        headers=clerk,
    )
    assert fixed.status_code == 201, fixed.text
    counted = await client.post(paper(ballot, "/count"), headers=chair_headers)
    assert counted.status_code == 200, counted.text
    body: dict[str, Any] = counted.json()
    assert (body["issued"], body["returned"], body["valid"], body["invalid"]) == (1, 1, 1, 0)
    assert body["counted_at"] and body["publish_block"] is None
    published = await client.post(
        f"/api/v1/ballots/{ballot}/publish?confirm=true", headers=chair_headers
    )
    assert published.status_code == 200, published.text
    board = await client.get(f"/api/v1/ballots/{ballot}/board")
    assert b"luwan-vote-board/2" in board.content.splitlines()[0]
    assert b"paper_batch" in board.content
    assert name  # the console shows who holds it; the board never does
    assert name.encode() not in board.content


async def test_bad_requests_are_refused_and_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot = world.firm_id
    for body in ({"count": 0}, {"count": 501}, {"count": "x"}, {}):
        response = await client.post(paper(ballot, "/print"), json=body, headers=chair_headers)
        assert response.status_code == 400, (body, response.text)
    none = await client.post(paper(ballot, "/issues"), json={"serial": 1}, headers=chair_headers)
    assert_problem(none, 422, "no-voter-given")
    unprinted = await client.post(
        paper(ballot, "/issues"),
        json={"serial": 1, "credential": world.credential(ballot, 0)},
        headers=chair_headers,
    )
    body = assert_problem(unprinted, 422, "serial-not-printed")
    assert body["detail"] == zh(
        "Paper ballot number {serial} was not printed: the numbers printed are 1 to {printed}."
    ).format(serial=1, printed=0)
    early = await client.post(
        paper(ballot, "/entries"), json={"serial": 1, "invalid": True}, headers=chair_headers
    )
    assert_problem(early, 409, "paper-not-entering")
    status = (await client.get(paper(ballot), headers=chair_headers)).json()
    assert (status["printed"], status["issued"]) == (0, 0)
    anonymous = await client.get(paper(ballot))
    assert anonymous.status_code == 401
