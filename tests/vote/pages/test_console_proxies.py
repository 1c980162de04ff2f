"""Console: a meeting's proxies — record one by name (namesakes chosen by address), every refusal
beside its field with the typing kept and nothing saved, the signed form's photo kept and served
as itself (a page refused), revoke after confirming, a vote by proxy in the electors list; another
unit's chair refused."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.casting import cast_ballot
from ballots.meetings.checkin import check_in_at_door
from ballots.models import Proxy, Resident
from tests.vote.helpers import SECRET, Client, World, csrf_of, page_login, zh
from tests.vote.meeting_door import DoorMeeting, door_meeting

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def path(meeting_id: int) -> str:
    return f"/chair/meetings/{meeting_id}/proxies"


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/meetings")).text)


async def proxies_of(world: World, meeting_id: int) -> list[tuple[int, int, bool]]:
    async def work(session: AsyncSession) -> list[tuple[int, int, bool]]:
        rows = await session.execute(
            select(Proxy.grantor_id, Proxy.holder_id, Proxy.revoked_at.is_not(None)).where(
                Proxy.meeting_id == meeting_id
            )
        )
        return [(g, h, bool(r)) for g, h, r in rows.all()]

    found: list[tuple[int, int, bool]] = await world.db.run(work)
    return found


async def rename(world: World, resident_id: int, name: str) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(update(Resident).where(Resident.id == resident_id).values(name=name))
        await session.commit()

    await world.db.run(work)


async def test_record_a_proxy_by_name_and_revoke_it(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    csrf = await logged_in(client, world)
    grantor, holder = door.invitations[:2]
    page = await client.get(path(door.meeting_id))
    assert page.status_code == 200
    assert zh("Record a proxy") in page.text
    made = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": grantor.name, "holder": holder.name},
        files={"form_file": ("委托书.png", PNG, "image/png")},
    )
    assert made.status_code == 200, made.text
    assert (
        zh("Recorded: %(grantor)s gives a proxy to %(holder)s.")
        % {"grantor": grantor.name, "holder": holder.name}
        in made.text
    )
    assert await proxies_of(world, door.meeting_id) == [
        (grantor.resident_id, holder.resident_id, False)
    ]
    assert zh("holds %(count)s of at most %(limit)s") % {"count": 1, "limit": 1} in made.text
    assert zh("the holder is not checked in yet") in made.text
    [proxy_id] = [int(x) for x in _ids(made.text)]
    photo = await client.get(f"{path(door.meeting_id)}/{proxy_id}/form")
    assert photo.status_code == 200 and photo.content == PNG
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in photo.headers["content-security-policy"]

    asked = await client.get(f"{path(door.meeting_id)}/{proxy_id}/revoke")
    assert asked.status_code == 200 and zh("Revoke the proxy") in asked.text
    assert await proxies_of(world, door.meeting_id) == [
        (grantor.resident_id, holder.resident_id, False)
    ]
    revoked = await client.post(
        f"{path(door.meeting_id)}/{proxy_id}/revoke", data={"csrf_token": csrf}
    )
    assert revoked.status_code == 200, revoked.text
    assert zh("Revoked proxies (%(n)s)") % {"n": 1} in revoked.text
    assert await proxies_of(world, door.meeting_id) == [
        (grantor.resident_id, holder.resident_id, True)
    ]


def _ids(html: str) -> list[str]:
    import re

    return re.findall(r'id="proxy-(\d+)"', html)


async def test_refusals_sit_beside_their_field_and_keep_the_typing(
    client: Client, world: World
) -> None:
    door = await door_meeting(world.db, world)
    csrf = await logged_in(client, world)
    first, second, third = door.invitations[:3]
    nobody = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": "查无此人", "holder": second.name},
    )
    assert nobody.status_code == 422
    assert zh("Nobody in this area matches “%(text)s”.") % {"text": "查无此人"} in nobody.text
    assert 'value="查无此人"' in nobody.text and f'value="{second.name}"' in nobody.text
    assert 'aria-invalid="true" aria-describedby="grantor-error"' in nobody.text
    oneself = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": first.name, "holder": first.name},
    )
    assert oneself.status_code == 422
    assert 'id="holder-error"' in oneself.text
    await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": first.name, "holder": second.name},
    )
    over = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": third.name, "holder": second.name},
    )
    assert over.status_code == 409
    assert f"{second.name}已代理 1 人，本次会议每人最多代理 1 人。" in over.text
    assert 'id="holder-error"' in over.text
    page_of_html = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": third.name, "holder": door.invitations[3].name},
        files={"form_file": ("form.html", b"<html><script>alert(1)</script>", "text/html")},
    )
    assert page_of_html.status_code == 422
    assert 'id="form_file-error"' in page_of_html.text
    assert (
        zh("Only PDF files, photos (JPG, PNG or WebP) or plain text can be uploaded.")
        in (page_of_html.text)
        or "PDF" in page_of_html.text
    )
    assert len(await proxies_of(world, door.meeting_id)) == 1


async def test_namesakes_are_told_apart_by_address(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    first, second, third = door.invitations[:3]
    await rename(world, first.resident_id, "王海燕")
    await rename(world, third.resident_id, "王海燕")
    csrf = await logged_in(client, world)
    asked = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": "王海燕", "holder": second.name},
    )
    assert asked.status_code == 422
    assert zh("Choose the resident") in asked.text
    assert f'name="grantor_id" value="{third.resident_id}"' in asked.text
    chosen = await client.post(
        path(door.meeting_id),
        data={
            "csrf_token": csrf,
            "grantor": "王海燕",
            "grantor_id": str(third.resident_id),
            "holder": second.name,
        },
    )
    assert chosen.status_code == 200, chosen.text
    assert await proxies_of(world, door.meeting_id) == [
        (third.resident_id, second.resident_id, False)
    ]


async def test_a_vote_by_proxy_shows_in_the_electors_list(
    client: Client, world: World, settings: object
) -> None:
    door = await door_meeting(world.db, world)
    grantor, holder = door.invitations[:2]
    csrf = await logged_in(client, world)
    await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": grantor.name, "holder": holder.name},
    )
    await _vote_through(world, door, grantor.credential, holder.resident_id)
    electors = await client.get(
        f"/chair/ballots/{door.ballot_id}/electors", params={"q": grantor.name}
    )
    assert grantor.name + zh("(voted for by %(holder)s)") % {"holder": holder.name} in electors.text


async def _vote_through(world: World, door: DoorMeeting, credential: str, holder: int) -> None:
    async def work(session: AsyncSession) -> None:
        await check_in_at_door(session, operator(), SECRET, door.meeting_id, resident_id=holder)
        await session.commit()
        await cast_ballot(session, SECRET, door.ballot_id, credential, {"q1": ["a"]})

    await world.db.run(work)


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    response = await page_login(client, "sinan_chair", secret)
    assert response.status_code in (302, 303)
    csrf = csrf_of((await client.get("/chair/meetings")).text)
    assert (await client.get(path(door.meeting_id))).status_code == 403
    grantor, holder = door.invitations[:2]
    refused = await client.post(
        path(door.meeting_id),
        data={"csrf_token": csrf, "grantor": grantor.name, "holder": holder.name},
    )
    assert refused.status_code == 403
    assert await proxies_of(world, door.meeting_id) == []
