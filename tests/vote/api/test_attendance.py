"""Check-in at the door through the API: a scanned invitation link, a typed code, by hand;
every refusal in plain words changing nothing; another unit's chair refused; the chair
recorded and audited; unknown codes limited per login session; the roll searched."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.credentials import new_credential
from ballots.models import Attendance, AuditEntry, Chair, Resident
from tests.vote.helpers import Client, World, assert_problem, bearer, login
from tests.vote.meeting_door import door_meeting
from vote import live
from vote.api.attendance import DOOR_UNKNOWN_CODES_PER_SESSION


def path(meeting_id: int) -> str:
    return f"/api/v1/meetings/{meeting_id}/attendance"


async def attendances(world: World, meeting_id: int) -> list[tuple[int, str, int | None]]:
    async def work(session: AsyncSession) -> list[tuple[int, str, int | None]]:
        rows = await session.execute(
            select(Attendance.resident_id, Attendance.method, Attendance.chair_id)
            .where(Attendance.meeting_id == meeting_id)
            .order_by(Attendance.at)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    found: list[tuple[int, str, int | None]] = await world.db.run(work)
    return found


async def test_a_scanned_link_a_typed_code_and_by_hand(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    first, second, third = door.invitations[:3]
    scanned = await client.post(
        path(door.meeting_id),
        json={"credential": first.url, "method": "scan"},
        headers=chair_headers,
    )
    assert scanned.status_code == 201, scanned.text
    body = scanned.json()
    assert (body["resident_id"], body["name"], body["method"]) == (
        first.resident_id,
        first.name,
        "scan",
    )
    assert body["at"].endswith("Z") or "+00:00" in body["at"]
    typed = await client.post(
        path(door.meeting_id),
        json={"credential": " " + second.credential.replace("-", " ") + " "},
        headers=chair_headers,
    )
    assert typed.status_code == 201, typed.text
    assert typed.json()["method"] == "code"
    by_hand = await client.post(
        path(door.meeting_id), json={"resident_id": third.resident_id}, headers=chair_headers
    )
    assert by_hand.status_code == 201, by_hand.text
    assert by_hand.json()["name"] == third.name and by_hand.json()["method"] == "hand"

    async def chair_id(session: AsyncSession) -> int:
        return int(await session.scalar(select(Chair.id).where(Chair.username == "chair")) or 0)

    chair = await world.db.run(chair_id)
    assert await attendances(world, door.meeting_id) == [
        (first.resident_id, "scan", chair),
        (second.resident_id, "code", chair),
        (third.resident_id, "hand", chair),
    ]

    async def audited(session: AsyncSession) -> list[tuple[int | None, str, Any]]:
        rows = await session.execute(
            select(AuditEntry.chair_id, AuditEntry.target, AuditEntry.details)
            .where(
                AuditEntry.action == "meeting.check_in",
                AuditEntry.target == f"meeting:{door.meeting_id}",
            )
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]

    entries = await world.db.run(audited)
    assert [(c, t, d["method"], d["resident_id"]) for c, t, d in entries] == [
        (chair, f"meeting:{door.meeting_id}", "scan", first.resident_id),
        (chair, f"meeting:{door.meeting_id}", "code", second.resident_id),
        (chair, f"meeting:{door.meeting_id}", "hand", third.resident_id),
    ]


async def test_a_second_check_in_says_when_the_first_was(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    invitation = door.invitations[0]
    first = await client.post(
        path(door.meeting_id), json={"resident_id": invitation.resident_id}, headers=chair_headers
    )
    assert first.status_code == 201
    again = await client.post(
        path(door.meeting_id),
        json={"credential": invitation.url, "method": "scan"},
        headers=chair_headers,
    )
    problem = assert_problem(again, 409, "already-checked-in")
    assert invitation.name in problem["detail"]
    assert problem["params"]["time"] in problem["detail"]
    assert len(await attendances(world, door.meeting_id)) == 1


async def test_refusals_in_plain_words_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    before = await world.db.snapshot()
    other_ballot = world.credential(world.practical_id)
    refused = await client.post(
        path(door.meeting_id), json={"credential": other_ballot}, headers=chair_headers
    )
    assert_problem(refused, 403, "not-on-this-meeting")

    async def sinan_resident(session: AsyncSession) -> int:
        found = await session.scalar(
            select(Resident.id).where(Resident.unit_id == world.units["sinan"]).limit(1)
        )
        assert found is not None
        return int(found)

    outsider = await world.db.run(sinan_resident)
    refused = await client.post(
        path(door.meeting_id), json={"resident_id": outsider}, headers=chair_headers
    )
    assert_problem(refused, 403, "not-on-this-meeting")
    digits = door.invitations[0].credential.replace("-", "")
    mistyped = digits[:-2] + digits[-1] + digits[-2]
    if mistyped == digits:  # two equal digits swapped: change one instead
        mistyped = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert_problem(
        await client.post(
            path(door.meeting_id), json={"credential": mistyped}, headers=chair_headers
        ),
        422,
        "mistyped-credential",
    )
    assert_problem(
        await client.post(
            path(door.meeting_id), json={"resident_id": 2**31 - 1}, headers=chair_headers
        ),
        404,
        "not-found",
    )
    for body in ({}, {"credential": "1", "resident_id": 1}, {"resident_id": 1, "method": "scan"}):
        assert_problem(
            await client.post(path(door.meeting_id), json=body, headers=chair_headers),
            422,
            "invalid-input",
        )
    assert await world.db.snapshot() == before
    assert await attendances(world, door.meeting_id) == []


async def test_no_check_in_before_it_opens(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world, checking_in=False)
    refused = await client.post(
        path(door.meeting_id),
        json={"credential": door.invitations[0].url, "method": "scan"},
        headers=chair_headers,
    )
    assert_problem(refused, 409, "check-in-closed")
    assert await attendances(world, door.meeting_id) == []


async def test_a_chair_of_another_area_is_refused(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    headers = bearer(await login(client, "sinan_chair", secret))
    refused = await client.post(
        path(door.meeting_id),
        json={"credential": door.invitations[0].url, "method": "scan"},
        headers=headers,
    )
    assert_problem(refused, 403, "outside-unit")
    roll = await client.get(f"/api/v1/meetings/{door.meeting_id}/roll", headers=headers)
    assert_problem(roll, 403, "outside-unit")
    assert await attendances(world, door.meeting_id) == []


async def test_without_a_login_nothing_happens(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    refused = await client.post(
        path(door.meeting_id), json={"credential": door.invitations[0].url, "method": "scan"}
    )
    assert_problem(refused, 401, "not-authenticated")
    assert await attendances(world, door.meeting_id) == []


async def test_unknown_codes_are_limited_per_login_session_but_typos_and_names_are_not(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    for _ in range(DOOR_UNKNOWN_CODES_PER_SESSION):
        unknown = await client.post(
            path(door.meeting_id), json={"credential": new_credential()}, headers=chair_headers
        )
        assert_problem(unknown, 403, "unknown-credential")
    limited = await client.post(
        path(door.meeting_id),
        json={"credential": door.invitations[0].credential},
        headers=chair_headers,
    )
    problem = assert_problem(limited, 429, "too-many-unknown-door-codes")
    assert int(limited.headers["retry-after"]) >= 1
    assert str(problem["params"]["seconds"]) in problem["detail"]
    typo = await client.post(
        path(door.meeting_id), json={"credential": "1" * 25}, headers=chair_headers
    )
    assert_problem(typo, 422, "mistyped-credential")
    by_hand = await client.post(
        path(door.meeting_id),
        json={"resident_id": door.invitations[0].resident_id},
        headers=chair_headers,
    )
    assert by_hand.status_code == 201
    # another login session of another chair is not held back by this one's guesses
    secret = await world.add_chair("ruijin1_chair", "area_chair", "ruijin1")
    other = bearer(await login(client, "ruijin1_chair", secret))
    scanned = await client.post(
        path(door.meeting_id),
        json={"credential": door.invitations[1].url, "method": "scan"},
        headers=other,
    )
    assert scanned.status_code == 201, scanned.text


async def test_the_roll_search_shows_who_is_present(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    invitation = door.invitations[0]
    await client.post(
        path(door.meeting_id), json={"resident_id": invitation.resident_id}, headers=chair_headers
    )
    found = await client.get(
        f"/api/v1/meetings/{door.meeting_id}/roll",
        params={"q": invitation.name},
        headers=chair_headers,
    )
    assert found.status_code == 200, found.text
    entries = found.json()["entries"]
    mine = [e for e in entries if e["resident_id"] == invitation.resident_id]
    assert mine and mine[0]["present_at"] and mine[0]["method"] == "hand"
    assert set(mine[0]) == {"resident_id", "name", "building", "room", "present_at", "method"}
    everyone = await client.get(
        f"/api/v1/meetings/{door.meeting_id}/roll", params={"limit": 3}, headers=chair_headers
    )
    assert len(everyone.json()["entries"]) == 3 and everyone.json()["more"] is True
    too_many = await client.get(
        f"/api/v1/meetings/{door.meeting_id}/roll", params={"limit": 101}, headers=chair_headers
    )
    assert_problem(too_many, 400, "bad-request")


async def test_a_check_in_tells_the_meetings_live_views(
    app: Litestar, client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    channels = live.live_channels(app)
    assert channels is not None
    async with channels.start_subscription(live.meeting_channel(door.meeting_id)) as subscriber:
        checked = await client.post(
            path(door.meeting_id),
            json={"credential": door.invitations[0].url, "method": "scan"},
            headers=chair_headers,
        )
        assert checked.status_code == 201
        events = subscriber.iter_events()
        assert await asyncio.wait_for(anext(events), 5) == live.CHANGED
