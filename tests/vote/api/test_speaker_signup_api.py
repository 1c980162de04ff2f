"""Residents' own sign-up to speak over the API: the public queue shows places and topics, never
names; a resident signs up once with their voting code (again: the topic changes or the place is
told) and withdraws only their own place; the chair's queue shows who signed up by phone; every
refusal is a problem that changes nothing; the per-address cap holds back floods, not a room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ballots.credentials import new_credential
from ballots.models import MatterEvent, Speaker
from tests.vote.helpers import Client, World, assert_problem
from vote.api import speaker_signup as signup_api


async def plan(client: Client, headers: dict[str, str], world: World) -> int:
    """A hearing tomorrow on the practical-projects matter (its roll: that ballot's)."""
    starts = datetime.now(UTC) + timedelta(days=1)
    response = await client.post(
        f"/api/v1/matters/{world.matters[world.practical_id]}/meetings",
        json={
            "title": "2027年实事项目听证会",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "venue": "瑞金二路街道活动室",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def sign_up(client: Client, meeting_id: int, **body: Any) -> Any:
    return await client.post(f"/api/v1/meetings/{meeting_id}/speaker-sign-ups", json=body)


async def withdraw(client: Client, meeting_id: int, credential: str) -> Any:
    return await client.post(
        f"/api/v1/meetings/{meeting_id}/speaker-sign-ups/withdraw", json={"credential": credential}
    )


async def test_residents_sign_up_and_withdraw_and_the_chair_sees_them(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    meeting_id = await plan(client, chair_headers, world)
    empty = await client.get(f"/api/v1/meetings/{meeting_id}/speaker-queue")
    assert empty.status_code == 200
    assert empty.json()["open"] is True and empty.json()["waiting"] == []
    first_code, second_code = (
        world.credential(world.practical_id, 0),
        world.credential(world.practical_id, 1),
    )
    first = await sign_up(client, meeting_id, credential=first_code, topic="绿化")
    assert first.status_code == 200, first.text
    assert first.json() == {
        "meeting_id": meeting_id,
        "place": 1,
        "topic": "绿化",
        "outcome": "added",
    }
    second = await sign_up(
        client, meeting_id, credential=second_code, topic="停车", call_me="5号楼老陈"
    )
    assert (second.json()["place"], second.json()["outcome"]) == (2, "added")
    again = await sign_up(client, meeting_id, credential=first_code, topic="绿化")
    assert (again.json()["place"], again.json()["outcome"]) == (1, "already")
    changed = await sign_up(client, meeting_id, credential=first_code, topic="健身器材")
    assert (changed.json()["place"], changed.json()["outcome"]) == (1, "updated")

    chair_view = await client.get(f"/api/v1/meetings/{meeting_id}/speakers", headers=chair_headers)
    rows = chair_view.json()
    assert [(r["topic"], r["self_signed"]) for r in rows] == [("健身器材", True), ("停车", True)]
    assert rows[1]["name"] == "5号楼老陈" and rows[0]["name"]  # the roll's name, for the chair
    public = await client.get(f"/api/v1/meetings/{meeting_id}/speaker-queue")
    assert public.json()["waiting"] == [
        {"place": 1, "topic": "健身器材"},
        {"place": 2, "topic": "停车"},
    ]
    assert rows[0]["name"] not in public.text and "老陈" not in public.text

    withdrawn = await withdraw(client, meeting_id, first_code)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    assert_problem(await withdraw(client, meeting_id, first_code), 409, "not-signed-up")
    public = await client.get(f"/api/v1/meetings/{meeting_id}/speaker-queue")
    assert public.json()["waiting"] == [{"place": 1, "topic": "停车"}]
    # the chair marks as today, and a chair-added speaker is not marked self-signed
    marked = await client.put(
        f"/api/v1/meetings/{meeting_id}/speakers/{rows[1]['id']}",
        json={"state": "spoken"},
        headers=chair_headers,
    )
    assert marked.json()["state"] == "spoken"
    added = await client.post(
        f"/api/v1/meetings/{meeting_id}/speakers", json={"name": "王阿姨"}, headers=chair_headers
    )
    assert added.status_code == 201 and added.json()["self_signed"] is False
    events = await world.db.count(MatterEvent, MatterEvent.kind == "meeting.speaker_signed_up")
    assert events == 2


async def test_refusals_are_problems_that_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    meeting_id = await plan(client, chair_headers, world)
    code = world.credential(world.practical_id)
    before = await world.db.snapshot(), await world.db.count(Speaker)
    assert_problem(await sign_up(client, 10**6, credential=code, topic="t"), 404, "not-found")
    assert_problem(
        await sign_up(client, meeting_id, credential="123", topic="t"), 422, "mistyped-credential"
    )
    assert_problem(
        await sign_up(client, meeting_id, credential=new_credential(), topic="t"),
        403,
        "unknown-credential",
    )
    assert_problem(
        await sign_up(client, meeting_id, credential=code, topic="  "),
        422,
        "invalid-speaker-sign-up",
    )
    too_long = await sign_up(client, meeting_id, credential=code, topic="话" * 601)
    assert too_long.status_code == 400
    unknown_field = await sign_up(client, meeting_id, credential=code, topic="t", name="张三")
    assert unknown_field.status_code == 400
    assert_problem(await withdraw(client, meeting_id, code), 409, "not-signed-up")
    # a resident of the matter's ballot is on the roll; once the meeting ends, nobody is
    ended = await client.post(f"/api/v1/meetings/{meeting_id}/end", headers=chair_headers)
    assert ended.json()["state"] == "ended"
    before = await world.db.snapshot(), await world.db.count(Speaker)
    assert_problem(
        await sign_up(client, meeting_id, credential=code, topic="t"),
        409,
        "speaker-sign-up-closed",
    )
    assert_problem(await withdraw(client, meeting_id, code), 409, "speaker-sign-up-closed")
    queue = await client.get(f"/api/v1/meetings/{meeting_id}/speaker-queue")
    assert queue.json()["open"] is False
    assert (await world.db.snapshot(), await world.db.count(Speaker)) == before


async def test_a_flood_from_one_address_is_held_back_per_meeting(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    meeting_id = await plan(client, chair_headers, world)
    other_meeting = await plan(client, chair_headers, world)
    code = world.credential(world.practical_id)
    for _ in range(signup_api.PER_MINUTE):
        response = await sign_up(client, meeting_id, credential=code, topic="绿化")
        assert response.status_code == 200, response.text
    refused = await sign_up(client, meeting_id, credential=code, topic="绿化")
    assert_problem(refused, 429, "too-many-speaker-sign-ups")
    assert int(refused.headers["retry-after"]) >= 1
    # another meeting from the same room is not held back
    assert (await sign_up(client, other_meeting, credential=code, topic="绿化")).status_code == 200


async def test_the_document_declares_the_public_operations(client: Client, world: World) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    base = "/api/v1/meetings/{meeting_id}/speaker-sign-ups"
    for path in (base, base + "/withdraw"):
        operation = doc["paths"][path]["post"]
        assert operation["security"] == []
        assert {"400", "403", "404", "409", "413", "422", "429"} <= set(operation["responses"])
    schemas = doc["components"]["schemas"]
    sign_up_in = schemas["SignUpIn"]
    assert sign_up_in["additionalProperties"] is False
    assert sign_up_in["properties"]["topic"]["maxLength"] == 600
    assert sign_up_in["properties"]["call_me"]["maxLength"] == 200
    queue = doc["paths"]["/api/v1/meetings/{meeting_id}/speaker-queue"]["get"]
    assert queue["security"] == [] and "404" in queue["responses"]
