"""Proxies through the API: record, list with each holder's count, revoke; every refusal a
problem in plain words (zh-CN by default) changing nothing; another unit's chair refused."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import AuditEntry, Proxy
from tests.vote.helpers import Client, World, assert_problem, bearer, login
from tests.vote.meeting_door import door_meeting


def path(meeting_id: int) -> str:
    return f"/api/v1/meetings/{meeting_id}/proxies"


async def proxies(world: World) -> int:
    async def work(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(Proxy)) or 0)

    counted: int = await world.db.run(work)
    return counted


async def test_record_list_and_revoke(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    grantor, holder, other = door.invitations[:3]
    made = await client.post(
        path(door.meeting_id),
        json={"grantor_id": grantor.resident_id, "holder_id": holder.resident_id},
        headers=chair_headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["grantor_name"], body["holder_name"]) == (grantor.name, holder.name)
    assert body["revoked_at"] is None and not body["used"] and not body["has_form"]
    assert body["holder_present"] is False
    refused = await client.post(
        path(door.meeting_id),
        json={"grantor_id": other.resident_id, "holder_id": holder.resident_id},
        headers=chair_headers,
    )
    problem = assert_problem(refused, 409, "proxy-limit-reached")
    assert problem["detail"] == f"{holder.name}已代理 1 人，本次会议每人最多代理 1 人。"
    listed = await client.get(path(door.meeting_id), headers=chair_headers)
    assert listed.status_code == 200, listed.text
    assert listed.json()["proxy_limit"] == 1
    assert [p["id"] for p in listed.json()["proxies"]] == [body["id"]]
    assert listed.json()["holders"] == [
        {
            "holder_id": holder.resident_id,
            "name": holder.name,
            "address": body["holder_address"],
            "count": 1,
            "limit": 1,
        }
    ]
    revoked = await client.post(
        f"{path(door.meeting_id)}/{body['id']}/revoke", headers=chair_headers
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    again = await client.post(f"{path(door.meeting_id)}/{body['id']}/revoke", headers=chair_headers)
    assert_problem(again, 409, "proxy-revoked")
    assert await proxies(world) == 1

    async def actions(session: AsyncSession) -> list[str]:
        return list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("meeting.proxy%"))
            )
        )

    assert sorted(await world.db.run(actions)) == ["meeting.proxy_record", "meeting.proxy_revoke"]


async def test_refusals_say_why_and_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    first = door.invitations[0]
    self_proxy = await client.post(
        path(door.meeting_id),
        json={"grantor_id": first.resident_id, "holder_id": first.resident_id},
        headers=chair_headers,
    )
    assert assert_problem(self_proxy, 422, "proxy-for-self")["detail"] == (
        f"{first.name}不能委托本人代理，请选择其他人。"
    )
    unknown = await client.post(
        path(door.meeting_id),
        json={"grantor_id": first.resident_id, "holder_id": 2**31 - 1},
        headers=chair_headers,
    )
    assert_problem(unknown, 404, "not-found")
    extra = await client.post(
        path(door.meeting_id),
        json={"grantor_id": 1, "holder_id": 2, "note": "x"},
        headers=chair_headers,
    )
    assert extra.status_code == 400
    assert await proxies(world) == 0


async def test_candidates_are_found_by_name(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    door = await door_meeting(world.db, world)
    first = door.invitations[0]
    found = await client.get(
        f"/api/v1/meetings/{door.meeting_id}/proxy-candidates",
        params={"q": first.name},
        headers=chair_headers,
    )
    assert found.status_code == 200, found.text
    assert any(c["resident_id"] == first.resident_id and c["on_roll"] for c in found.json()), (
        found.json()
    )


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    grantor, holder = door.invitations[:2]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    headers = bearer(await login(client, "sinan_chair", secret))
    refused = await client.post(
        path(door.meeting_id),
        json={"grantor_id": grantor.resident_id, "holder_id": holder.resident_id},
        headers=headers,
    )
    assert_problem(refused, 403, "outside-unit")
    assert_problem(await client.get(path(door.meeting_id), headers=headers), 403, "outside-unit")
    assert await proxies(world) == 0
