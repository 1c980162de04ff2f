"""The resident's agency pages: the poster's form (photo checked by its bytes and size, nothing
kept of a refused demand), the private link shown once, the status page and the single rating;
wrong links are a plain page, never another resident's demand."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ballots.models import Demand
from tests.vote.helpers import Client, World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _poster(client: Client, headers: dict[str, str], unit_id: int) -> tuple[str, int]:
    made = await client.post(
        f"/api/v1/agency/units/{unit_id}/posters", json={"building": "5号楼"}, headers=headers
    )
    token = made.json()["token"]
    listed = await client.get(f"/api/v1/agency/units/{unit_id}/categories", headers=headers)
    return token, int(listed.json()[0]["id"])


def _uploads(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


async def _count(session: Any) -> int:
    return int(await session.scalar(select(func.count(Demand.id))))


async def test_send_follow_and_rate_a_demand(
    client: Client, world: World, chair_headers: dict[str, str], settings: Any
) -> None:
    token, category = await _poster(client, chair_headers, world.units["maoming"])
    demos = await world.db.run(_count)  # the demo's own demands
    form = await client.get(f"/d/{token}")
    assert form.status_code == 200 and "5号楼" in form.text and "房屋修缮" in form.text
    refused = await client.post(
        f"/d/{token}",
        data={"category": str(category), "text": "漏水", "contact": ""},
        files={"photo": ("x.png", b"%PDF-1.4 not a photo", "image/png")},
    )
    assert refused.status_code == 422 and 'id="photo-error"' in refused.text
    too_big = await client.post(
        f"/d/{token}",
        data={"category": str(category), "text": "漏水"},
        files={"photo": ("x.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")},
    )
    assert too_big.status_code in (413, 422)
    empty = await client.post(f"/d/{token}", data={"category": "", "text": ""})
    assert empty.status_code == 422 and 'id="text-error"' in empty.text
    assert _uploads(settings.data_dir) == [] and await world.db.run(_count) == demos
    sent = await client.post(
        f"/d/{token}",
        data={"category": str(category), "text": "楼道灯坏了", "contact": "13900000000"},
        files={"photo": ("light.png", PNG, "image/png")},
    )
    assert sent.status_code == 200, sent.text
    assert len(_uploads(settings.data_dir)) == 1
    link = re.search(r'id="private-link">([^<]+)<', sent.text)
    assert link is not None
    path = link.group(1).split("://", 1)[1].split("/", 1)[1]
    status = await client.get("/" + path)
    assert status.status_code == 200 and "楼道灯坏了" in status.text
    assert "13900000000" not in status.text and 'name="rating"' not in status.text
    inbox = await client.get("/api/v1/agency/demands", headers=chair_headers)
    demand_id = inbox.json()["demands"][0]["id"]
    replied = await client.post(
        f"/api/v1/agency/demands/{demand_id}/reply",
        json={"text": "已更换灯泡", "resolved": True},
        headers=chair_headers,
    )
    assert replied.status_code == 200
    status = await client.get("/" + path)
    assert "已更换灯泡" in status.text and 'name="rating"' in status.text
    rated = await client.post("/" + path, data={"rating": "basic"})
    assert rated.status_code == 200 and 'name="rating"' not in rated.text
    again = await client.post("/" + path, data={"rating": "unsatisfied"})
    assert again.status_code == 409
    wrong = await client.get("/d/r/" + "A" * 32)
    assert wrong.status_code == 404 and "楼道灯坏了" not in wrong.text
    gone = await client.get("/d/nosuchposter")
    assert gone.status_code == 404


async def test_the_form_and_the_poster_read_in_english(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    token, _category = await _poster(client, chair_headers, world.units["maoming"])
    form = await client.get(f"/d/{token}?lang=en")
    assert form.status_code == 200
    for text in ("Tell the residents", "What is it about?", "Photo (optional)"):
        assert text in form.text
    assert "反映什么方面的事" not in form.text
    gone = await client.get("/d/r/" + "B" * 32 + "?lang=en")
    assert gone.status_code == 404 and "This link does not lead to a demand" in gone.text
