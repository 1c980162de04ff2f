"""The residents' check-in pages: from the projected QR code (``/m/{id}?k=…``) or the 6 digits
typed at ``/m``, the voting code typed, "签到成功" with the time in 北京时间 and a button to vote;
each refusal as a page of its own in plain Chinese; a mistyped or unknown code beside the field."""

from __future__ import annotations

from ballots.models import Attendance
from tests.vote.helpers import Client, World
from tests.vote.meeting_world import add_meeting

ZH = {"accept-language": "zh-CN"}


async def test_the_qr_link_opens_the_form_and_checks_in(client: Client, world: World) -> None:
    site = await add_meeting(world)
    resident_id, credential = site.resident()
    form = await client.get(f"/m/{site.meeting_id}?k={site.code()}", headers=ZH)
    assert form.status_code == 200
    assert "实事项目听证会" in form.text and "签到" in form.text
    assert f'data-ballots="{site.ballot_id}"' in form.text
    assert '<script src="/static/checkin.js" defer></script>' in form.text
    assert form.headers["cache-control"] == "no-store"
    done = await client.post(
        f"/m/{site.meeting_id}", data={"k": site.code(), "credential": credential}, headers=ZH
    )
    assert done.status_code == 200, done.text
    assert f"{site.names[resident_id]}，签到成功" in done.text
    assert "北京时间" in done.text
    # The in-person ballot is open: a big button leads to it, with the code after "#".
    digits = credential.replace("-", "")
    assert f'href="/v/{site.ballot_id}#{digits}"' in done.text
    assert "现在投票" in done.text
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 1


async def test_the_six_digits_typed_lead_to_the_meeting(client: Client, world: World) -> None:
    site = await add_meeting(world)
    start = await client.get("/m", headers=ZH)
    assert start.status_code == 200 and 'name="k"' in start.text
    code = site.code()
    typed = f"{code[:3]} {code[3:]}"
    found = await client.get("/m", params={"k": typed}, follow_redirects=False)
    assert found.status_code in (301, 302, 303, 307)
    assert found.headers["location"] == f"/m/{site.meeting_id}?k={code}"
    wrong = await client.get(
        "/m", params={"k": "000000" if code != "000000" else "111111"}, headers=ZH
    )
    assert wrong.status_code == 422
    assert 'role="alert"' in wrong.text


async def test_an_expired_code_says_scan_again(client: Client, world: World) -> None:
    site = await add_meeting(world)
    _, credential = site.resident()
    opened = await client.get(f"/m/{site.meeting_id}?k={site.code(steps_ago=2)}", headers=ZH)
    assert opened.status_code == 200
    assert "扫描" in opened.text and f'action="/m/{site.meeting_id}"' in opened.text
    posted = await client.post(
        f"/m/{site.meeting_id}",
        data={"k": site.code(steps_ago=2), "credential": credential},
        headers=ZH,
    )
    assert posted.status_code == 422
    assert "扫描" in posted.text
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 0


async def test_refusals_in_plain_chinese(client: Client, world: World) -> None:
    site = await add_meeting(world)
    other = await add_meeting(world, title="另一场会议")
    resident_id, credential = site.resident()
    elsewhere = await client.post(
        f"/m/{site.meeting_id}", data={"k": other.code(), "credential": credential}, headers=ZH
    )
    assert elsewhere.status_code == 422
    assert "这个签到码属于另一场会议" in elsewhere.text
    outsider = await client.post(
        f"/m/{site.meeting_id}",
        data={"k": site.code(), "credential": world.credential(world.practical_id)},
        headers=ZH,
    )
    assert outsider.status_code == 403 and "门口" in outsider.text
    first = await client.post(
        f"/m/{site.meeting_id}", data={"k": site.code(), "credential": credential}, headers=ZH
    )
    assert first.status_code == 200
    again = await client.post(
        f"/m/{site.meeting_id}", data={"k": site.code(), "credential": credential}, headers=ZH
    )
    assert again.status_code == 200
    assert "已签到" in again.text and site.names[resident_id] in again.text
    assert "签到成功" not in again.text
    closed = await add_meeting(world, title="未开始的会议", checking_in=False)
    refused = await client.get(f"/m/{closed.meeting_id}?k={closed.code()}", headers=ZH)
    assert "签到" in refused.text and "门口" in refused.text
    missing = await client.get("/m/999999?k=123456", headers=ZH)
    assert missing.status_code == 404
    shown = missing.text.split('<main id="main">')[1]
    assert "这个链接打不开会议签到" in shown and "999999" not in shown


async def test_a_mistyped_or_unknown_code_returns_to_the_form(client: Client, world: World) -> None:
    site = await add_meeting(world)
    empty = await client.post(
        f"/m/{site.meeting_id}", data={"k": site.code(), "credential": ""}, headers=ZH
    )
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    mistyped = await client.post(
        f"/m/{site.meeting_id}", data={"k": site.code(), "credential": "12345"}, headers=ZH
    )
    assert mistyped.status_code == 422 and 'id="checkin-form"' in mistyped.text
    resident_id, old = site.resident()
    await world.reissue(site.ballot_id, resident_id)
    unknown = await client.post(
        f"/m/{site.meeting_id}",
        data={"k": site.code(), "credential": old, "saved": "1"},
        headers=ZH,
    )
    assert unknown.status_code == 403
    assert 'data-saved-refused="1"' in unknown.text  # the phone forgets the replaced code
    assert old not in unknown.text
    assert await world.db.count(Attendance, Attendance.meeting_id == site.meeting_id) == 0


async def test_the_pages_read_in_english_too(client: Client, world: World) -> None:
    site = await add_meeting(world)
    resident_id, credential = site.resident()
    english = {"accept-language": "en"}
    start = await client.get("/m", headers=english)
    assert "Type the 6 digits shown on the screen" in start.text
    form = await client.get(f"/m/{site.meeting_id}?k={site.code()}", headers=english)
    assert "Check in with my saved voting code" in form.text
    done = await client.post(
        f"/m/{site.meeting_id}", data={"k": site.code(), "credential": credential}, headers=english
    )
    assert f"{site.names[resident_id]}, you are checked in" in done.text
    assert "Beijing time" in done.text and "Vote now: " in done.text
