"""Every resident page weighs under 100 KB before images: its HTML, the stylesheets it links and
the scripts it loads, as the app serves them (no compression counted), so a page opens quickly
on a slow mobile connection."""

from __future__ import annotations

import re

from tests.vote.helpers import Client, World

LIMIT = 100 * 1024
ASSETS = re.compile(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"')


async def weight(client: Client, html: str) -> dict[str, int]:
    """Bytes of the page and of each stylesheet and script it loads."""
    sizes = {"html": len(html.encode())}
    for match in ASSETS.finditer(html):
        path = match.group(1) or match.group(2)
        response = await client.get(path)
        assert response.status_code == 200, path
        sizes[path] = len(response.content)
    return sizes


async def test_resident_pages_weigh_under_100_kb(client: Client, world: World) -> None:
    casts = await world.casts(world.firm_id)
    pages = {
        "home": await client.get("/"),
        "ballot": await client.get(f"/ballots/{world.firm_id}"),
        "vote": await client.get(f"/v/{world.firm_id}"),
        "result": await client.get(f"/ballots/{world.published_id}"),
        "decision record": await client.get(f"/matters/{world.matters[world.published_id]}"),
        "receipt": await client.post(
            f"/v/{world.firm_id}",
            data={"credential": world.credential(world.firm_id), "q:firm": "o1"},
        ),
    }
    for name, response in pages.items():
        assert response.status_code in (200, 201), (name, response.status_code)
        sizes = await weight(client, response.text)
        assert sum(sizes.values()) < LIMIT, (name, sizes)
    assert await world.casts(world.firm_id) == casts + 1  # the receipt page is a receipt
    assert "/static/vote.js" in await weight(client, pages["vote"].text)  # scripts are counted


async def test_the_weight_counts_what_a_page_loads(client: Client, world: World) -> None:
    """A page that links a stylesheet is charged for it (so the limit can be broken)."""
    css = len((await client.get("/static/site.css")).content)
    sizes = await weight(client, '<link rel="stylesheet" href="/static/site.css">')
    assert sizes["/static/site.css"] == css > 0
