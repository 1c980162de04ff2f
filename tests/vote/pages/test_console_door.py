"""Console: check-in at the door without JavaScript — the typed code and the name search are
plain forms; results large in zh-CN, refusals beside their field, nothing recorded on a refusal,
and only a chair of the meeting's unit."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import MistypedCredential, NotOnThisMeeting
from ballots.models import Attendance
from tests.vote.helpers import Client, World, csrf_of, page_login, zh
from tests.vote.meeting_door import door_meeting
from tests.vote.pages.test_rendered_languages import (
    CJK,
    LATIN_IN_CHINESE,
    LATIN_WORD,
    data_strings,
    page_text,
)


async def logged_in(client: Client, world: World, username: str = "chair", secret: str = "") -> str:
    response = await page_login(client, username, secret or world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


async def present(world: World, meeting_id: int) -> list[tuple[int, str]]:
    async def work(session: AsyncSession) -> list[tuple[int, str]]:
        rows = await session.execute(
            select(Attendance.resident_id, Attendance.method)
            .where(Attendance.meeting_id == meeting_id)
            .order_by(Attendance.at)
        )
        return [(r, m) for r, m in rows.all()]

    found: list[tuple[int, str]] = await world.db.run(work)
    return found


def ok_text(name: str) -> str:
    return zh("%(name)s is checked in") % {"name": name}


async def test_the_page_offers_scanning_typing_and_finding(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    await logged_in(client, world)
    page = await client.get(f"/chair/meetings/{door.meeting_id}/door")
    assert page.status_code == 200, page.text
    text = page.text
    assert zh("Check-in at the door") in text and zh("Checked in: %(n)s") % {"n": 0} in text
    assert '<section id="scan"' in text and " hidden>" in text  # shown only by the script
    assert 'data-decoder="/static/vendor/jsqr/jsQR.js"' in text  # fetched with the camera
    assert '<script src="/static/door.js">' in text
    assert f'action="/chair/meetings/{door.meeting_id}/door/code"' in text
    assert 'inputmode="numeric"' in text
    assert page.headers["cache-control"] == "no-store"


async def test_a_typed_code_checks_in_and_a_second_time_says_when(
    client: Client, world: World
) -> None:
    door = await door_meeting(world.db, world)
    csrf = await logged_in(client, world)
    invitation = door.invitations[0]
    typed = invitation.credential.replace("-", " ")
    done = await client.post(
        f"/chair/meetings/{door.meeting_id}/door/code", data={"csrf_token": csrf, "code": typed}
    )
    assert done.status_code == 200, done.text
    assert ok_text(invitation.name) in done.text
    assert zh("Checked in: %(n)s") % {"n": 1} in done.text
    assert 'class="door-result ok"' in done.text
    assert typed not in done.text  # the code is not shown back after a check-in
    again = await client.post(
        f"/chair/meetings/{door.meeting_id}/door/code",
        data={"csrf_token": csrf, "code": invitation.url},
    )
    assert again.status_code == 409
    assert 'class="door-result refused"' in again.text
    assert re.search(r"已于 \d\d:\d\d|\d\d:\d\d", again.text)
    assert invitation.name in again.text and 'aria-invalid="true"' in again.text
    assert await present(world, door.meeting_id) == [(invitation.resident_id, "code")]


async def test_refusals_are_named_beside_the_code(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    csrf = await logged_in(client, world)
    path = f"/chair/meetings/{door.meeting_id}/door/code"
    empty = await client.post(path, data={"csrf_token": csrf, "code": "  "})
    assert empty.status_code == 422
    assert zh("Type the 25 digits of the invitation code.") in empty.text
    digits = door.invitations[0].credential.replace("-", "")
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    mistyped = await client.post(path, data={"csrf_token": csrf, "code": wrong})
    assert mistyped.status_code == 422
    assert zh(MistypedCredential.detail_template) in mistyped.text
    assert f'value="{wrong}"' in mistyped.text  # kept for correcting
    other = await client.post(
        path, data={"csrf_token": csrf, "code": world.credential(world.practical_id)}
    )
    assert other.status_code == 403
    assert zh(NotOnThisMeeting.detail_template) in other.text and 'id="code-error"' in other.text
    no_csrf = await client.post(path, data={"code": door.invitations[0].credential})
    assert no_csrf.status_code == 403
    assert await present(world, door.meeting_id) == []


async def test_find_by_name_and_check_in_by_hand(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    csrf = await logged_in(client, world)
    person = door.invitations[1]
    found = await client.get(f"/chair/meetings/{door.meeting_id}/door", params={"q": person.name})
    assert found.status_code == 200
    assert person.name in found.text and zh("Check in by hand") in found.text
    assert f'name="resident_id" value="{person.resident_id}"' in found.text
    done = await client.post(
        f"/chair/meetings/{door.meeting_id}/door/hand",
        data={"csrf_token": csrf, "resident_id": str(person.resident_id), "q": person.name},
    )
    assert done.status_code == 200, done.text
    assert ok_text(person.name) in done.text
    assert re.search(r"\d\d:\d\d 已签到", done.text)
    assert f'name="resident_id" value="{person.resident_id}"' not in done.text
    again = await client.post(
        f"/chair/meetings/{door.meeting_id}/door/hand",
        data={"csrf_token": csrf, "resident_id": str(person.resident_id), "q": person.name},
    )
    assert again.status_code == 409 and 'id="hand-error"' in again.text
    for bad in ("", "x", "0", "9" * 5000):
        refused = await client.post(
            f"/chair/meetings/{door.meeting_id}/door/hand",
            data={"csrf_token": csrf, "resident_id": bad, "q": ""},
        )
        assert refused.status_code == 422, bad[:10]
        assert zh("Choose the resident from the list.") in refused.text
    nobody = await client.get(f"/chair/meetings/{door.meeting_id}/door", params={"q": "无此人"})
    assert "无此人" in nobody.text and "没有与" in nobody.text
    assert await present(world, door.meeting_id) == [(person.resident_id, "hand")]


async def test_before_check_in_opens_the_page_says_so(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world, checking_in=False)
    csrf = await logged_in(client, world)
    page = await client.get(f"/chair/meetings/{door.meeting_id}/door")
    assert zh("Check-in has not started yet. Start it on the meeting's page.") in page.text
    refused = await client.post(
        f"/chair/meetings/{door.meeting_id}/door/code",
        data={"csrf_token": csrf, "code": door.invitations[0].credential},
    )
    assert refused.status_code == 409
    assert zh("Check-in for this meeting is not open now.") in refused.text
    assert await present(world, door.meeting_id) == []


async def test_a_chair_of_another_area_is_refused(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    csrf = await logged_in(client, world, "sinan_chair", secret)
    page = await client.get(f"/chair/meetings/{door.meeting_id}/door")
    assert page.status_code == 403
    refused = await client.post(
        f"/chair/meetings/{door.meeting_id}/door/hand",
        data={"csrf_token": csrf, "resident_id": str(door.invitations[0].resident_id)},
    )
    assert refused.status_code == 403
    assert await present(world, door.meeting_id) == []


async def test_without_a_login_the_page_sends_to_the_login(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    page = await client.get(f"/chair/meetings/{door.meeting_id}/door", follow_redirects=False)
    assert page.status_code in (302, 303) and "/chair/login" in page.headers["location"]


async def test_the_page_is_wholly_in_the_readers_language(client: Client, world: World) -> None:
    door = await door_meeting(world.db, world)
    await logged_in(client, world)
    person = door.invitations[0]
    data = [
        *await data_strings(world),
        *(i.name for i in door.invitations),
        *(i.room for i in door.invitations),
        "chair",  # the chair's name in the console's header
    ]
    path = f"/chair/meetings/{door.meeting_id}/door"
    english = await client.get(path, params={"q": person.name, "lang": "en"})
    assert '<html lang="en">' in english.text
    assert CJK.findall(page_text(english.text, "zh", data)) == []
    chinese = await client.get(path, params={"q": person.name, "lang": "zh-CN"})
    words = LATIN_WORD.findall(page_text(chinese.text, "en", data))
    allowed = LATIN_IN_CHINESE | {"https"}  # the camera needs https: the word as typed
    assert [word for word in words if word not in allowed] == []
