"""The live turnout on the chair's pages: the panel on the dashboard for open ballots, the
turnout page (figures and a refresh link without JavaScript), and the event stream's first
event, which for a ballot no longer open is also its last."""

from __future__ import annotations

import json

from tests.vote.helpers import Client, World, page_login


async def test_the_dashboard_has_a_live_panel_for_each_open_ballot(
    client: Client, world: World
) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    html = (await client.get("/chair/", headers={"accept-language": "zh-CN"})).text
    assert f'data-turnout-stream="/chair/ballots/{world.practical_id}/turnout/stream"' in html
    assert f'data-turnout-stream="/chair/ballots/{world.published_id}/turnout/stream"' not in html
    assert '<script src="/static/turnout.js" defer></script>' in html
    assert f'href="/chair/ballots/{world.practical_id}/turnout">刷新投票情况</a>' in html


async def test_the_turnout_page_shows_the_figures_by_building(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    await page_login(client, "chair", world.info.totp_secret, ahead=1)  # the token took "now"
    figures = (
        await client.get(f"/api/v1/ballots/{world.firm_id}/turnout", headers=chair_headers)
    ).json()
    response = await client.get(
        f"/chair/ballots/{world.firm_id}/turnout", headers={"accept-language": "zh-CN"}
    )
    assert response.status_code == 200
    assert "按楼栋" in response.text and "已投票户数" in response.text
    assert f'<strong data-field="voted">{figures["voted"]}</strong>' in response.text
    for building in figures["buildings"]:
        assert f"<td>{building['building']}</td>" in response.text


async def test_the_turnout_page_needs_a_login(client: Client, world: World) -> None:
    response = await client.get(
        f"/chair/ballots/{world.practical_id}/turnout", follow_redirects=False
    )
    assert response.headers["location"] == "/chair/login"
    stream = await client.get(f"/chair/ballots/{world.practical_id}/turnout/stream")
    assert stream.status_code == 401


async def test_the_stream_of_a_published_ballot_sends_its_figures_and_ends(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    response = await client.get(
        f"/chair/ballots/{world.published_id}/turnout/stream", headers=chair_headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    lines = response.text.splitlines()
    assert lines.count("event: turnout") == 1
    data = json.loads(next(line for line in lines if line.startswith("data: "))[6:])
    assert data["state"] == "published" and data["ballot_id"] == world.published_id
