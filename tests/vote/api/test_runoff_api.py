"""The second round through the API: a ballot that asks for an absolute majority and gets none
is counted as a runoff, and one request drafts the runoff between the leading options."""

from __future__ import annotations

from typing import Any

from tests.vote.helpers import Client, World, assert_problem, create_draft

MAJORITY_DRAFT: dict[str, Any] = {
    "title": "弄堂绿化方案",
    "questions": [
        {
            "id": "plan",
            "kind": "single",
            "prompt": "选择哪个绿化方案？",
            "options": [
                {"id": "a", "label": "方案甲"},
                {"id": "b", "label": "方案乙"},
                {"id": "c", "label": "方案丙"},
            ],
        }
    ],
    "validity": {"majority": "valid"},
}


async def test_no_majority_drafts_a_second_round(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id = await create_draft(
        client, chair_headers, world.matters[world.practical_id], MAJORITY_DRAFT
    )
    opened = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=chair_headers)
    assert opened.status_code == 200, opened.text
    issued = await client.post(f"/api/v1/ballots/{ballot_id}/invitations", headers=chair_headers)
    codes = [invitation["credential"] for invitation in issued.json()]
    assert len(codes) >= 5
    for code, choice in zip(codes, ["a", "a", "b", "b", "c"], strict=False):
        vote = await client.post(
            f"/api/v1/ballots/{ballot_id}/casts",
            json={"credential": code, "answers": {"plan": [choice]}},
        )
        assert vote.status_code == 201, vote.text
    closed = await client.post(f"/api/v1/ballots/{ballot_id}/close", headers=chair_headers)
    question = closed.json()["result"]["questions"][0]
    assert question["outcome"] == "runoff"

    refused = assert_problem(
        await client.post(f"/api/v1/ballots/{ballot_id}/publish", headers=chair_headers),
        409,
        "publish-needs-confirmation",
    )
    assert "no-majority" in {item["code"] for item in refused["errors"]}

    second = await client.post(f"/api/v1/ballots/{ballot_id}/runoff", headers=chair_headers)
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["ballot"]["state"] == "draft"
    assert [o["id"] for o in body["spec"]["questions"][0]["options"]] == ["a", "b"]
    assert body["eligibility"] == {"electorate_of": ballot_id}
    opened = await client.post(
        f"/api/v1/ballots/{body['ballot']['id']}/open", headers=chair_headers
    )
    assert opened.json()["ballot"]["electorate_size"] == closed.json()["ballot"]["electorate_size"]


async def test_a_ballot_without_a_runoff_outcome_refuses_one(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    assert_problem(
        await client.post(f"/api/v1/ballots/{world.published_id}/runoff", headers=chair_headers),
        409,
        "no-runoff",
    )
