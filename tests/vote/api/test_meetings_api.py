"""The meetings API for chairs: plan, read, change and list meetings, open and end check-in,
minutes, hold a draft ballot at a meeting, who is checked in, the quorum and the speakers'
queue; bad input is a problem that changes nothing, another unit's chair is refused."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.meetings.checkin import check_in_at_door
from ballots.models import AuditEntry, Elector, MatterEvent, Meeting, Speaker
from tests.vote.helpers import (
    SECRET,
    Client,
    World,
    assert_problem,
    bearer,
    create_draft,
    login,
)
from vote import live

PLAN: dict[str, Any] = {
    "title": "2027年实事项目说明会",
    "starts_at": "2026-12-05T18:00:00+08:00",
    "ends_at": "2026-12-05T20:00:00+08:00",
    "venue": "瑞金二路街道活动室",
    "agenda": ["介绍项目", "居民提问"],
    "proxy_limit": 2,
}


async def plan(client: Client, headers: dict[str, str], matter_id: int) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/matters/{matter_id}/meetings", json=PLAN, headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_plan_read_change_and_list(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    # The demo held the year-end hearing on this matter already.
    earlier = await client.get(f"/api/v1/matters/{matter_id}/meetings", headers=chair_headers)
    held = [m["id"] for m in earlier.json()]
    created = await plan(client, chair_headers, matter_id)
    assert created["kind"] == "hearing"  # practical projects are decided at a hearing
    assert created["starts_at"] == "2026-12-05T10:00:00Z"
    assert created["state"] == "planned" and created["ballots"] == []
    meeting_id = created["id"]
    got = await client.get(f"/api/v1/meetings/{meeting_id}", headers=chair_headers)
    assert got.json() == created
    changed = await client.put(
        f"/api/v1/meetings/{meeting_id}",
        json=PLAN | {"venue": "思南公馆", "kind": "coordination"},
        headers=chair_headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["venue"] == "思南公馆" and changed.json()["kind"] == "coordination"
    listed = await client.get(f"/api/v1/matters/{matter_id}/meetings", headers=chair_headers)
    assert sorted(m["id"] for m in listed.json()) == sorted([*held, meeting_id])
    everywhere = await client.get("/api/v1/meetings", headers=chair_headers)
    assert meeting_id in [m["id"] for m in everywhere.json()]
    minutes = await client.put(
        f"/api/v1/meetings/{meeting_id}/minutes", json={"text": "到会 20 人"}, headers=chair_headers
    )
    assert minutes.json()["minutes"] == "到会 20 人"
    events = await world.db.count(MatterEvent, MatterEvent.matter_id == matter_id)
    assert events >= 3


async def test_bad_plans_are_refused_and_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    before = await world.db.snapshot()
    meetings = await world.db.count(Meeting)
    url = f"/api/v1/matters/{matter_id}/meetings"
    naive = await client.post(
        url, json=PLAN | {"starts_at": "2026-12-05T18:00:00"}, headers=chair_headers
    )
    assert_problem(naive, 400, "invalid-body")
    for bad in ({"proxy_limit": 11}, {"agenda": ["x" * 301]}, {"title": ""}, {"extra": 1}):
        assert_problem(
            await client.post(url, json=PLAN | bad, headers=chair_headers), 400, "invalid-body"
        )
    backwards = await client.post(
        url, json=PLAN | {"ends_at": "2026-12-05T17:00:00+08:00"}, headers=chair_headers
    )
    assert_problem(backwards, 422, "invalid-input")
    blank = await client.post(url, json=PLAN | {"title": "   "}, headers=chair_headers)
    assert_problem(blank, 422, "invalid-input")
    assert await world.db.count(Meeting) == meetings
    assert await world.db.snapshot() == before


async def test_check_in_moves_ballot_quorum_and_attendance(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    meeting_id = (await plan(client, chair_headers, matter_id))["id"]
    ballot_id = await create_draft(client, chair_headers, matter_id)
    held = await client.post(
        f"/api/v1/meetings/{meeting_id}/ballots",
        json={"ballot_id": ballot_id, "requires_checkin": True},
        headers=chair_headers,
    )
    assert held.status_code == 200, held.text
    assert held.json()["ballots"] == [
        {"id": ballot_id, "title": "社区花园建设表决", "state": "draft", "requires_checkin": True}
    ]
    not_draft = await client.post(
        f"/api/v1/meetings/{meeting_id}/ballots",
        json={"ballot_id": world.practical_id},
        headers=chair_headers,
    )
    assert not_draft.status_code in (409, 422), not_draft.text
    opened = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=chair_headers)
    assert opened.status_code == 200, opened.text

    started = await client.post(
        f"/api/v1/meetings/{meeting_id}/start-checkin", headers=chair_headers
    )
    assert started.status_code == 200 and started.json()["state"] == "checking_in"
    assert_problem(
        await client.post(f"/api/v1/meetings/{meeting_id}/start-checkin", headers=chair_headers),
        409,
        "meeting-state",
    )

    async def check_in_one(session: AsyncSession) -> int:
        resident_id = await session.scalar(
            select(Elector.resident_id).where(Elector.ballot_id == ballot_id).limit(1)
        )
        assert resident_id is not None
        await check_in_at_door(
            session, operator(), SECRET, meeting_id, resident_id=resident_id, method="hand"
        )
        await session.commit()
        return int(resident_id)

    resident_id = await world.db.run(check_in_one)
    present = await client.get(f"/api/v1/meetings/{meeting_id}/checked-in", headers=chair_headers)
    assert present.status_code == 200
    [row] = present.json()
    assert row["resident_id"] == resident_id and row["method"] == "hand" and row["name"]
    quorum = (
        await client.get(f"/api/v1/meetings/{meeting_id}/quorum", headers=chair_headers)
    ).json()
    assert quorum["checked_in"] == 1
    assert quorum["ballots"][0]["ballot_id"] == ballot_id
    assert quorum["ballots"][0]["present"] == 1

    speaker = await client.post(
        f"/api/v1/meetings/{meeting_id}/speakers",
        json={"resident_id": resident_id, "topic": "花园位置"},
        headers=chair_headers,
    )
    assert speaker.status_code == 201, speaker.text
    assert speaker.json()["name"] == row["name"] and speaker.json()["state"] == "waiting"
    speaker_id = speaker.json()["id"]
    nobody = await client.post(
        f"/api/v1/meetings/{meeting_id}/speakers", json={"topic": "x"}, headers=chair_headers
    )
    assert_problem(nobody, 422, "invalid-input")
    spoken = await client.put(
        f"/api/v1/meetings/{meeting_id}/speakers/{speaker_id}",
        json={"state": "spoken"},
        headers=chair_headers,
    )
    assert spoken.json()["state"] == "spoken"
    assert_problem(
        await client.put(
            f"/api/v1/meetings/{meeting_id}/speakers/{speaker_id + 1000}",
            json={"state": "spoken"},
            headers=chair_headers,
        ),
        404,
        "not-found",
    )
    queue = await client.get(f"/api/v1/meetings/{meeting_id}/speakers", headers=chair_headers)
    assert [s["state"] for s in queue.json()] == ["spoken"]

    ended = await client.post(f"/api/v1/meetings/{meeting_id}/end", headers=chair_headers)
    assert ended.json()["state"] == "ended"
    target = AuditEntry.target == f"meeting:{meeting_id}"
    assert await world.db.count(AuditEntry, target, AuditEntry.action == "meeting.ended") == 1
    assert await world.db.count(Speaker, Speaker.meeting_id == meeting_id) == 1


async def test_another_units_chair_is_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    meeting_id = (await plan(client, chair_headers, matter_id))["id"]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret))
    before = await world.db.snapshot()
    for method, path, body in (
        ("GET", f"/api/v1/meetings/{meeting_id}", None),
        ("GET", f"/api/v1/meetings/{meeting_id}/checked-in", None),
        ("GET", f"/api/v1/meetings/{meeting_id}/quorum", None),
        ("GET", f"/api/v1/matters/{matter_id}/meetings", None),
        ("POST", f"/api/v1/matters/{matter_id}/meetings", PLAN),
        ("PUT", f"/api/v1/meetings/{meeting_id}", PLAN),
        ("POST", f"/api/v1/meetings/{meeting_id}/start-checkin", None),
        ("POST", f"/api/v1/meetings/{meeting_id}/speakers", {"name": "张三"}),
    ):
        response = await client.request(method, path, json=body, headers=other)
        assert_problem(response, 403, "outside-unit")
    assert await world.db.snapshot() == before
    assert await world.db.count(Meeting, Meeting.id == meeting_id, Meeting.state == "planned") == 1
    theirs = await client.get("/api/v1/meetings", headers=other)
    assert meeting_id not in [m["id"] for m in theirs.json()]


async def test_opening_and_ending_check_in_tell_the_projector(
    app: Litestar, client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    """The projector shows the venue code once check-in opens and hides it when the meeting
    ends: both moves notify the meeting's live views at once."""
    meeting = await plan(client, chair_headers, world.matters[world.practical_id])
    channels = live.live_channels(app)
    assert channels is not None
    async with channels.start_subscription(live.meeting_channel(meeting["id"])) as subscriber:
        events = subscriber.iter_events()
        for move in ("start-checkin", "end"):
            moved = await client.post(
                f"/api/v1/meetings/{meeting['id']}/{move}", headers=chair_headers
            )
            assert moved.status_code == 200, moved.text
            assert await asyncio.wait_for(anext(events), 5) == live.CHANGED
