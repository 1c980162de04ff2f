"""``POST /api/v1/meetings/{id}/check-in``: a resident checks in with the projected venue code and
their invitation's voting code. Expired, replayed and other meetings' codes, a second check-in,
someone not on the roll, closed check-in and the per-address limit, each as a problem that
changes nothing."""

from __future__ import annotations

from datetime import datetime

from ballots.models import Attendance
from tests.vote.helpers import Client, World, assert_problem
from tests.vote.meeting_world import add_meeting
from vote.guards import CODE_FAILURES_PER_ADDRESS


def url(meeting_id: int) -> str:
    return f"/api/v1/meetings/{meeting_id}/check-in"


async def test_a_resident_checks_in_with_the_venue_code(client: Client, world: World) -> None:
    site = await add_meeting(world)
    resident_id, credential = site.resident()
    response = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(), "credential": credential}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["meeting_id"] == site.meeting_id
    assert body["name"] == site.names[resident_id]
    assert body["method"] == "venue"
    assert datetime.fromisoformat(body["at"]).tzinfo is not None
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 1


async def test_the_previous_code_still_works_but_an_older_one_has_expired(
    client: Client, world: World
) -> None:
    site = await add_meeting(world)
    _, first = site.resident(0)
    _, second = site.resident(1)
    old = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(steps_ago=2), "credential": first}
    )
    body = assert_problem(old, 422, "wrong-venue-code")
    assert "扫描" in body["detail"] or "scan" in body["detail"].lower()
    previous = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(steps_ago=1), "credential": second}
    )
    assert previous.status_code == 201, previous.text
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 1


async def test_a_second_check_in_is_refused_with_the_time(client: Client, world: World) -> None:
    site = await add_meeting(world)
    _, credential = site.resident()
    body = {"venue_code": site.code(), "credential": credential}
    assert (await client.post(url(site.meeting_id), json=body)).status_code == 201
    again = await client.post(url(site.meeting_id), json=body, headers={"accept-language": "zh-CN"})
    problem = assert_problem(again, 409, "already-checked-in")
    assert "签到" in problem["detail"]
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 1


async def test_the_code_of_another_meeting_is_refused(client: Client, world: World) -> None:
    site = await add_meeting(world)
    other = await add_meeting(world, title="另一场会议")
    _, credential = site.resident()
    response = await client.post(
        url(site.meeting_id), json={"venue_code": other.code(), "credential": credential}
    )
    assert_problem(response, 422, "venue-code-of-another-meeting")
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 0


async def test_a_code_not_on_this_meetings_roll_is_refused(client: Client, world: World) -> None:
    site = await add_meeting(world)
    outsider = world.credential(world.practical_id)  # a ballot on the matter, not at the meeting
    response = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(), "credential": outsider}
    )
    assert_problem(response, 403, "not-on-this-meeting")
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 0


async def test_check_in_closed_and_unknown_meeting(client: Client, world: World) -> None:
    site = await add_meeting(world, checking_in=False)
    _, credential = site.resident()
    closed = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(), "credential": credential}
    )
    assert_problem(closed, 409, "check-in-closed")
    missing = await client.post(
        url(999_999), json={"venue_code": site.code(), "credential": credential}
    )
    assert_problem(missing, 404, "not-found")


async def test_bad_bodies_are_refused(client: Client, world: World) -> None:
    site = await add_meeting(world)
    for body in (
        {"venue_code": site.code()},
        {"venue_code": site.code(), "credential": "1" * 101},
        {"venue_code": "1" * 33, "credential": site.resident()[1]},
        {"venue_code": site.code(), "credential": site.resident()[1], "extra": 1},
    ):
        response = await client.post(url(site.meeting_id), json=body)
        assert response.status_code == 400, (body, response.text)
    mistyped = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(), "credential": "12345"}
    )
    assert_problem(mistyped, 422, "mistyped-credential")
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 0


async def test_only_wrong_voting_codes_count_against_the_address(
    client: Client, world: World
) -> None:
    site = await add_meeting(world)
    _, credential = site.resident()
    # A room on one Wi-Fi: expired venue codes and typos never count.
    for _ in range(CODE_FAILURES_PER_ADDRESS + 5):
        expired = {"venue_code": site.code(steps_ago=3), "credential": credential}
        assert (await client.post(url(site.meeting_id), json=expired)).status_code == 422
    # Wrong well-formed voting codes do: a reissued code makes the old one unknown.
    old = credential
    resident_id = site.resident()[0]
    await world.reissue(site.ballot_id, resident_id)
    for _ in range(CODE_FAILURES_PER_ADDRESS):
        wrong = await client.post(
            url(site.meeting_id), json={"venue_code": site.code(), "credential": old}
        )
        assert_problem(wrong, 403, "unknown-credential")
    limited = await client.post(
        url(site.meeting_id), json={"venue_code": site.code(), "credential": old}
    )
    assert_problem(limited, 429, "too-many-failed-codes")
    assert "retry-after" in limited.headers
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 0
