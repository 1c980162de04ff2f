"""Console roll: upload a roster, preview additions/changes/removals and every row error, apply;
search residents; one resident's record; households and buildings; another unit is refused.
A file with an error changes nothing; the same file fixed imports."""

from __future__ import annotations

import re

from ballots.models import Flat, Ownership, Resident
from tests.vote.helpers import Client, World, csrf_of, page_login, zh

GOOD = (
    "编号,姓名,楼栋,门牌,户号,手机,身份,专有面积,产权房屋\n"
    "T-001,周明,9,901,9-901,13812345678,业主,88,9-901、9-902\n"
    "T-002,吴芳,9,902,9-902,,租户,66,\n"
    "T-003,郑强,9,903,9-903,,业主,70,\n"
)
BAD = GOOD.replace("T-003,郑强,9,903", "T-003,郑强,,903")


async def logged_in(client: Client, world: World, username: str = "chair") -> str:
    secret = (
        world.info.totp_secret
        if username == "chair"
        else await world.add_chair(username, "area_chair", "maoming")
    )
    response = await page_login(client, username, secret)
    assert response.status_code in (302, 303), response.text
    page = await client.get("/chair/roll")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def preview(client: Client, csrf: str, unit: int, text: str, name: str = "r.csv") -> str:
    response = await client.post(
        "/chair/roll/preview",
        data={"csrf_token": csrf, "unit": str(unit)},
        files={"file": (name, text.encode("utf-8"), "text/csv")},
    )
    return f"{response.status_code}\n{response.text}"


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no apply form"
    return found.group(1)


async def snapshot(world: World) -> dict[str, int]:
    counts = await world.db.snapshot()
    counts["flats"] = await world.db.count(Flat)
    counts["ownerships"] = await world.db.count(Ownership)
    return counts


async def test_a_bad_row_is_shown_and_changes_nothing_then_the_fixed_file_imports(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    area = world.units["maoming"]
    before = await snapshot(world)
    shown = await preview(client, csrf, area, BAD)
    assert shown.startswith("422"), shown
    assert (
        zh("row {row}, column {column}: {what} is empty").format(
            row=4, column="楼栋", what=zh("building")
        )
        in shown
    )
    assert '<td class="num">4</td><td>楼栋</td>' in shown
    assert 'aria-invalid="true"' in shown  # the file field names the problem beside it
    assert f'<option value="{area}" selected>' in shown  # the chosen area is kept
    assert "Apply" not in shown and 'name="token"' not in shown
    assert await snapshot(world) == before

    fixed = await preview(client, csrf, area, GOOD)
    assert fixed.startswith("200"), fixed
    assert await snapshot(world) == before  # a preview changes nothing either
    applied = await client.post(
        "/chair/roll/apply", data={"csrf_token": csrf, "token": token_of(fixed)}
    )
    assert applied.status_code == 200, applied.text
    assert (
        await world.db.count(Resident, Resident.external_id.in_(["T-001", "T-002", "T-003"])) == 3
    )
    owned = await world.db.count(Ownership)
    assert owned == before["ownerships"] + 3  # 周明 owns two flats, 郑强 one
    again = await client.post(
        "/chair/roll/apply", data={"csrf_token": csrf, "token": token_of(fixed)}
    )
    assert again.status_code == 409  # a preview applies once


async def test_the_preview_counts_additions_changes_and_removals(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    area = world.units["maoming"]
    on_roll = await world.db.count(Resident, Resident.unit_id == area)
    first = await preview(client, csrf, area, GOOD)
    assert 'id="count-added">3<' in first
    assert f'id="count-missing">{on_roll}<' in first
    await client.post("/chair/roll/apply", data={"csrf_token": csrf, "token": token_of(first)})
    changed = GOOD.replace("13812345678", "13900001111").replace(
        "T-003,郑强,9,903,9-903,,业主,70,\n", ""
    )
    second = await preview(client, csrf, area, changed)
    assert 'id="count-added">0<' in second
    assert 'id="count-updated">1<' in second
    assert 'id="count-unchanged">1<' in second
    assert f'id="count-missing">{on_roll + 1}<' in second
    assert "138****5678" in second and "139****1111" in second  # phones stay masked
    assert "13900001111" not in second


async def test_search_residents_and_read_a_record(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    area = world.units["maoming"]
    shown = await preview(client, csrf, area, GOOD)
    await client.post("/chair/roll/apply", data={"csrf_token": csrf, "token": token_of(shown)})
    found = await client.get(
        "/chair/roll/residents", params={"unit": area, "q": "周明", "building": "9"}
    )
    assert found.status_code == 200
    assert zh("Residents found: %(n)s") % {"n": 1} in found.text
    assert "138****5678" in found.text and "13812345678" not in found.text
    link = re.search(r'href="/chair/roll/residents/(\d+)"', found.text)
    assert link
    record = await client.get(f"/chair/roll/residents/{link.group(1)}")
    assert record.status_code == 200
    assert "9-902" in record.text and "88" in record.text and "66" in record.text
    by_room = await client.get("/chair/roll/residents", params={"unit": area, "room": "902"})
    assert "吴芳" in by_room.text and "周明" not in by_room.text
    paged = await client.get("/chair/roll/residents", params={"unit": area, "page": 2})
    assert paged.status_code == 200
    households = await client.get("/chair/roll/households", params={"unit": area, "building": "9"})
    assert zh("Households found: %(n)s") % {"n": 3} in households.text
    buildings = await client.get("/chair/roll/buildings", params={"unit": area})
    assert buildings.status_code == 200 and ">9</a>" in buildings.text


async def test_another_units_roll_is_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world, "maoming_chair")
    other = world.units["sinan"]
    before = await snapshot(world)
    refused = await client.post(
        "/chair/roll/preview",
        data={"csrf_token": csrf, "unit": str(other)},
        files={"file": ("r.csv", GOOD.encode(), "text/csv")},
    )
    assert refused.status_code == 403
    assert zh("Outside your unit") in refused.text
    assert (await client.get("/chair/roll/residents", params={"unit": other})).status_code == 403
    resident = await world.db.run(lambda session: _first_resident(session, other))
    assert (await client.get(f"/chair/roll/residents/{resident}")).status_code == 403
    assert (await client.get("/chair/roll/households", params={"unit": other})).status_code == 403
    assert await snapshot(world) == before


async def _first_resident(session: object, unit_id: int) -> int:
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    found = await session.scalar(select(Resident.id).where(Resident.unit_id == unit_id).limit(1))
    assert found is not None
    return int(found)


async def test_a_preview_without_a_file_or_csrf_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    before = await snapshot(world)
    empty = await client.post(
        "/chair/roll/preview",
        data={"csrf_token": csrf, "unit": ""},
        files={"file": ("r.csv", b"", "text/csv")},
    )
    assert empty.status_code == 422
    assert zh("Choose a residential area from the list.") in empty.text
    assert zh("Choose the roster file (CSV or XLSX).") in empty.text
    forged = await client.post(
        "/chair/roll/preview",
        data={"unit": str(world.units["maoming"])},
        files={"file": ("r.csv", GOOD.encode(), "text/csv")},
    )
    assert forged.status_code == 403
    assert await snapshot(world) == before


async def test_the_pages_speak_english_too(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    shown = await client.post(
        "/chair/roll/preview",
        data={"csrf_token": csrf, "unit": str(world.units["maoming"])},
        files={"file": ("r.csv", BAD.encode(), "text/csv")},
        headers={"accept-language": "en"},
    )
    assert "row 4, column 楼栋: building is empty" in shown.text
