"""The projector page and the live quorum on the chair's side: the venue QR code and 6 digits
for the meeting's code now, the short address, the quorum (never a name), the small JSON of
the code now for the page's script, chairs of the meeting's unit only, and the quorum stream's
first event, which for an ended meeting is also its last."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.meetings.meetings import move_meeting
from tests.vote.helpers import Client, World, page_login
from tests.vote.meeting_world import add_meeting

ZH = {"accept-language": "zh-CN"}


async def test_the_projector_shows_the_code_qr_and_quorum(client: Client, world: World) -> None:
    site = await add_meeting(world)
    _, credential = site.resident()
    checked = await client.post(
        f"/api/v1/meetings/{site.meeting_id}/check-in",
        json={"venue_code": site.code(), "credential": credential},
    )
    assert checked.status_code == 201
    name = checked.json()["name"]
    await page_login(client, "chair", world.info.totp_secret)
    response = await client.get(f"/chair/meetings/{site.meeting_id}/projector", headers=ZH)
    assert response.status_code == 200
    html = response.text
    code = site.code()
    assert "实事项目听证会" in html
    assert f"{code[:3]} {code[3:]}" in html or site.code(steps_ago=1) in html.replace(" ", "")
    assert "<svg" in html and "扫码签到本次会议的二维码" in html
    assert "http://testserver/m</strong>" in html
    assert '<strong data-field="checked_in">1</strong>' in html
    assert f'data-quorum-stream="/chair/meetings/{site.meeting_id}/quorum/stream"' in html
    assert "现场表决：是否同意方案" in html
    assert "到场专有面积" not in html  # a column only for a ballot weighed by area
    assert name not in html  # never a resident's name on the projector
    assert '<script src="/static/projector.js" defer></script>' in html
    assert response.headers["cache-control"] == "no-store"


async def test_the_code_now_as_json_for_chairs_only(client: Client, world: World) -> None:
    site = await add_meeting(world)
    anonymous = await client.get(f"/chair/meetings/{site.meeting_id}/venue-code")
    assert anonymous.status_code == 401
    page = await client.get(f"/chair/meetings/{site.meeting_id}/projector", follow_redirects=False)
    assert page.headers["location"] == "/chair/login"
    await page_login(client, "chair", world.info.totp_secret)
    venue = (await client.get(f"/chair/meetings/{site.meeting_id}/venue-code")).json()
    assert venue["code"] in (site.code(), site.code(steps_ago=1))
    assert 1 <= venue["seconds_left"] <= 30 and venue["step_seconds"] == 30
    assert venue["checkin_url"] == f"http://testserver/m/{site.meeting_id}?k={venue['code']}"
    assert venue["short_url"] == "http://testserver/m"
    assert venue["qr_svg"].startswith("<svg")


async def test_a_chair_of_another_unit_may_not_project(client: Client, world: World) -> None:
    site = await add_meeting(world)
    secret = await world.add_chair(
        "sinan-chair", "area_chair", "sinan"
    )  # below the matter's street
    await page_login(client, "sinan-chair", secret)
    response = await client.get(f"/chair/meetings/{site.meeting_id}/venue-code")
    assert response.status_code in (403, 404)


async def test_the_stream_of_an_ended_meeting_sends_its_quorum_and_ends(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    site = await add_meeting(world, open_ballot_now=False)

    async def end(session: AsyncSession) -> None:
        await move_meeting(session, operator(), site.meeting_id, "end")
        await session.commit()

    await world.db.run(end)
    response = await client.get(
        f"/chair/meetings/{site.meeting_id}/quorum/stream", headers=chair_headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = response.text.splitlines()
    assert lines.count("event: quorum") == 1
    quorum = json.loads(next(line for line in lines if line.startswith("data: "))[6:])
    assert quorum["meeting_id"] == site.meeting_id
    assert quorum["checked_in"] == 0 and quorum["state"] == "ended"
    anonymous = await client.get(f"/chair/meetings/{site.meeting_id}/quorum/stream")
    assert anonymous.status_code == 401


async def test_without_javascript_the_page_reloads_when_the_code_changes(
    client: Client, world: World
) -> None:
    site = await add_meeting(world)
    await page_login(client, "chair", world.info.totp_secret)
    html = (await client.get(f"/chair/meetings/{site.meeting_id}/projector", headers=ZH)).text
    refresh = html.split('<noscript><meta http-equiv="refresh" content="')[1].split('"')[0]
    assert 1 <= int(refresh) <= 30


async def test_before_check_in_opens_the_projector_shows_no_code(
    client: Client, world: World
) -> None:
    site = await add_meeting(world, checking_in=False)
    await page_login(client, "chair", world.info.totp_secret)
    html = (await client.get(f"/chair/meetings/{site.meeting_id}/projector", headers=ZH)).text
    assert "签到尚未开始" in html
    assert "<svg" not in html
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html  # to see it open
    venue = (await client.get(f"/chair/meetings/{site.meeting_id}/venue-code")).json()
    assert venue["state"] == "planned"
    assert venue["code"] == venue["checkin_url"] == venue["qr_svg"] == ""


async def test_a_ballot_weighed_by_area_shows_the_area_present(
    client: Client, world: World
) -> None:
    site = await add_meeting(world, by_area=True)
    await page_login(client, "chair", world.info.totp_secret)
    html = (await client.get(f"/chair/meetings/{site.meeting_id}/projector", headers=ZH)).text
    assert '<th scope="col" data-col="area">到场专有面积（平方米）</th>' in html
    assert "<td>0.0 / " in html
