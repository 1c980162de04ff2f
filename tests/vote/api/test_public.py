"""The public JSON API: ballots, casting a vote, results and matters, with problem details for
every kind of bad input, each of which changes nothing."""

from __future__ import annotations

import re
from typing import Any

from ballots.credentials import damm_digit, format_credential
from tally.receipts import read_receipt
from tests.vote.helpers import Client, World, assert_problem, create_draft

TRACKER = re.compile(r"^[a-z2-7]{4}(-[a-z2-7]{4}){3}$")
GOOD_PROJECTS = {"projects": ["p2", "p3"]}


def cast_url(ballot_id: int) -> str:
    return f"/api/v1/ballots/{ballot_id}/casts"


async def cast(client: Client, ballot_id: int, credential: str, answers: Any, **extra: Any) -> Any:
    body = {"credential": credential, "answers": answers, **extra}
    return await client.post(cast_url(ballot_id), json=body)


async def test_open_ballot_shows_its_questions(client: Client, world: World) -> None:
    response = await client.get(f"/api/v1/ballots/{world.practical_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["ballot"]["state"] == "open"
    question = body["spec"]["questions"][0]
    assert question["kind"] == "budget"
    assert question["budget_limit"] == 1_200_000
    assert body["result"] is None


async def test_draft_ballot_is_not_found(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    assert_problem(await client.get(f"/api/v1/ballots/{draft_id}"), 404, "not-found")
    assert_problem(await client.get(f"/api/v1/ballots/{draft_id}/result"), 404, "not-found")


async def test_cast_answers_a_receipt_with_a_tracker(client: Client, world: World) -> None:
    before = await world.casts(world.practical_id)
    response = await cast(
        client, world.practical_id, world.credential(world.practical_id), GOOD_PROJECTS
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert TRACKER.match(receipt["tracker"]), receipt
    # The code a resident reads aloud: 26 digits in groups of four, the same tracker.
    assert re.fullmatch(r"\d{4}( \d{4}){5} \d{2}", receipt["receipt_code"]), receipt
    assert read_receipt(receipt["receipt_code"]) == receipt["tracker"]
    assert receipt["ballot_id"] == world.practical_id
    assert receipt["cast_hour"].endswith(":00:00Z")
    assert await world.casts(world.practical_id) == before + 1


async def test_retry_with_same_submission_id_returns_same_receipt(
    client: Client, world: World
) -> None:
    credential = world.credential(world.practical_id)
    first = await cast(client, world.practical_id, credential, GOOD_PROJECTS, submission_id="tap-1")
    second = await cast(
        client, world.practical_id, credential, GOOD_PROJECTS, submission_id="tap-1"
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["tracker"] == second.json()["tracker"]
    assert await world.casts(world.practical_id) == 1


async def test_unknown_credential(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await cast(
        client, world.practical_id, "00000-00000-00000-00000-00000", GOOD_PROJECTS
    )
    body = assert_problem(response, 403, "unknown-credential")
    assert body["detail"]
    assert body["instance"] == cast_url(world.practical_id)
    assert await world.db.snapshot() == before


async def test_closed_ballot_refuses_votes(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    closed = await client.post(f"/api/v1/ballots/{world.practical_id}/close", headers=chair_headers)
    assert closed.status_code == 200, closed.text
    before = await world.db.snapshot()
    response = await cast(
        client, world.practical_id, world.credential(world.practical_id), GOOD_PROJECTS
    )
    body = assert_problem(response, 409, "ballot-not-open")
    assert (
        "closed" in body["detail"]
        or "关闭" in body["detail"]
        or body["params"]["state"] == "closed"
    )
    assert await world.db.snapshot() == before


async def test_already_voted(client: Client, world: World) -> None:
    credential = world.credential(world.practical_id)
    assert (await cast(client, world.practical_id, credential, GOOD_PROJECTS)).status_code == 201
    before = await world.db.snapshot()
    response = await cast(client, world.practical_id, credential, {"projects": ["p1"]})
    assert_problem(response, 409, "already-voted")
    assert await world.db.snapshot() == before


async def test_household_already_voted(client: Client, world: World) -> None:
    first, second = await world.household_pair(world.firm_id)
    assert (await cast(client, world.firm_id, first, {"firm": ["o1"]})).status_code == 201
    before = await world.db.snapshot()
    response = await cast(client, world.firm_id, second, {"firm": ["o2"]})
    assert_problem(response, 409, "household-already-voted")
    assert await world.db.snapshot() == before


async def test_wrong_option_id(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await cast(client, world.firm_id, world.credential(world.firm_id), {"firm": ["o9"]})
    body = assert_problem(response, 422, "invalid-answer")
    assert body["params"]["code"] == "unknown-option"
    assert "o9" in body["detail"]
    assert await world.db.snapshot() == before


async def test_too_many_choices(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    answers = {"firm": ["o1", "o2"]}
    response = await cast(client, world.firm_id, world.credential(world.firm_id), answers)
    body = assert_problem(response, 422, "invalid-answer")
    assert body["params"]["code"] == "too-many-choices"
    assert await world.db.snapshot() == before


async def test_over_budget(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    answers = {"projects": ["p1", "p5", "p2"]}  # 60 + 45 + 25 万 > 120 万
    response = await cast(client, world.practical_id, world.credential(world.practical_id), answers)
    body = assert_problem(response, 422, "invalid-answer")
    assert body["params"]["code"] == "over-budget"
    assert await world.db.snapshot() == before


async def test_malformed_json(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await client.post(
        cast_url(world.practical_id),
        content=b'{"credential": "12345", "answers": ',
        headers={"content-type": "application/json"},
    )
    body = assert_problem(response, 400, "malformed-json")
    assert body["detail"]
    assert await world.db.snapshot() == before


async def test_body_missing_fields(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    response = await client.post(
        cast_url(world.practical_id), json={"credential": world.credential(world.practical_id)}
    )
    body = assert_problem(response, 400, "invalid-body")
    assert "answers" in body["detail"]
    assert any("answers" in error["message"] for error in body["errors"])
    assert await world.db.snapshot() == before


async def test_oversized_body(client: Client, world: World) -> None:
    before = await world.db.snapshot()
    padding = "x" * (65 * 1024)
    body_json = {
        "credential": world.credential(world.practical_id),
        "answers": GOOD_PROJECTS,
        "submission_id": padding,
    }
    response = await client.post(cast_url(world.practical_id), json=body_json)
    assert_problem(response, 413, "body-too-large")
    assert await world.db.snapshot() == before


async def test_result_is_409_until_published(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    url = f"/api/v1/ballots/{world.practical_id}/result"
    assert_problem(await client.get(url), 409, "result-not-published")
    await client.post(f"/api/v1/ballots/{world.practical_id}/close", headers=chair_headers)
    assert_problem(await client.get(url), 409, "result-not-published")
    publish = f"/api/v1/ballots/{world.practical_id}/publish"
    # Nobody voted: the chair must confirm the warnings before the result goes public.
    refused = assert_problem(
        await client.post(publish, headers=chair_headers), 409, "publish-needs-confirmation"
    )
    assert "low-turnout" in {item["code"] for item in refused["errors"]}
    assert_problem(await client.get(url), 409, "result-not-published")
    published = await client.post(publish + "?confirm=true", headers=chair_headers)
    assert published.status_code == 200, published.text
    assert (await client.get(url)).status_code == 200


async def test_published_result(client: Client, world: World) -> None:
    response = await client.get(f"/api/v1/ballots/{world.published_id}/result")
    assert response.status_code == 200
    result = response.json()
    assert result["ballots"] > 0
    assert len(result["questions"]) == 2
    shown = (await client.get(f"/api/v1/ballots/{world.published_id}")).json()
    assert shown["result"] == result


async def test_matter_hides_drafts_and_unpublished_results(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    draft_id = await create_draft(client, chair_headers, matter_id)
    await client.post(f"/api/v1/ballots/{world.practical_id}/close", headers=chair_headers)

    matter = (await client.get(f"/api/v1/matters/{matter_id}")).json()
    assert [b["id"] for b in matter["ballots"]] == [world.practical_id]
    kinds = [event["kind"] for event in matter["timeline"]]
    assert "ballot_closed" in kinds
    assert "ballot_result" not in kinds
    assert all(event["ballot_id"] != draft_id for event in matter["timeline"])

    await client.post(
        f"/api/v1/ballots/{world.practical_id}/publish?confirm=true", headers=chair_headers
    )
    matter = (await client.get(f"/api/v1/matters/{matter_id}")).json()
    assert "ballot_result" in [event["kind"] for event in matter["timeline"]]
    assert draft_id not in [b["id"] for b in matter["ballots"]]


async def test_unknown_matter_is_a_problem(client: Client, world: World) -> None:
    assert_problem(await client.get("/api/v1/matters/99999"), 404, "not-found")


async def test_wrong_codes_are_rate_limited(client: Client, world: World) -> None:
    for attempt in range(30):
        digits = f"{attempt:05d}1111122222333334444"
        wrong = format_credential(digits + damm_digit(digits))  # well formed, but unknown
        response = await cast(client, world.practical_id, wrong, GOOD_PROJECTS)
        assert response.status_code == 403
    before = await world.db.snapshot()
    response = await cast(
        client, world.practical_id, world.credential(world.practical_id), GOOD_PROJECTS
    )
    assert_problem(response, 429, "too-many-failed-codes")
    assert await world.db.snapshot() == before


async def test_voter_status_tells_a_household_member(client: Client, world: World) -> None:
    first, second = await world.household_pair(world.firm_id)
    await cast(client, world.firm_id, first, {"firm": ["o1"]})
    response = await client.post(
        f"/api/v1/ballots/{world.firm_id}/voter-status", json={"credential": second}
    )
    assert response.status_code == 200
    assert response.json()["household_has_voted"] is True
    assert response.json()["has_voted"] is False
