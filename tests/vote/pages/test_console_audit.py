"""Console: the audit log — filters by unit, chair, action and dates (Beijing time), pages
through every entry without a cap, refuses bad filters beside the field and other units."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ballots.models import AuditEntry
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/audit")).text)


def rows(html: str) -> int:
    body = html.split('id="audit-entries"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return body.count("<tr>") - (1 if zh("No entries match.") in body else 0)


async def test_filters_find_the_actions(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    await client.post(
        f"/chair/units/{world.units['sinan']}/rename", data={"csrf_token": csrf, "name": "思南新"}
    )
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    found = await client.get(
        "/chair/audit",
        params={
            "action": "unit.rename",
            "unit": str(world.units["sinan"]),
            "since": today.isoformat(),
            "until": today.isoformat(),
        },
    )
    assert found.status_code == 200
    assert rows(found.text) == 1
    assert "思南新" in found.text and zh("Beijing time") in found.text
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = await client.get("/chair/audit", params={"action": "unit.rename", "since": tomorrow})
    assert rows(later.text) == 0
    elsewhere = await client.get(
        "/chair/audit", params={"action": "unit.rename", "unit": str(world.units["maoming"])}
    )
    assert rows(elsewhere.text) == 0


async def test_every_entry_is_reachable_page_by_page(client: Client, world: World) -> None:
    await logged_in(client, world)
    first = await client.get("/chair/audit")
    total = int(re.search(r'id="audit-count">\D*(\d+)', first.text).group(1))  # type: ignore[union-attr]
    visible = await world.db.count(AuditEntry, AuditEntry.unit_id.is_not(None))
    assert 0 < total <= visible
    seen, page = 0, 1
    while True:
        response = await client.get("/chair/audit", params={"page": str(page)})
        seen += rows(response.text)
        if 'rel="next"' not in response.text:
            break
        page += 1
    assert seen == total


async def test_bad_filters_are_named_beside_the_field(client: Client, world: World) -> None:
    await logged_in(client, world)
    response = await client.get(
        "/chair/audit",
        params={"since": "2026-13-01", "action": "nonsense", "chair": "999999", "page": "0"},
    )
    assert response.status_code == 422
    assert zh("A date like 2026-05-01, please.") in response.text
    assert zh("Choose an action from the list.") in response.text
    assert zh("Choose a chair from the list.") in response.text
    assert 'value="2026-13-01"' in response.text
    backwards = await client.get(
        "/chair/audit", params={"since": "2026-05-02", "until": "2026-05-01"}
    )
    assert zh("The last day cannot be before the first.") in backwards.text


async def test_another_units_log_is_refused(client: Client, world: World) -> None:
    await logged_in(client, world)
    response = await client.get("/chair/audit", params={"unit": str(world.units["luwan"])})
    assert response.status_code == 403
    assert zh("Outside your unit") in response.text
