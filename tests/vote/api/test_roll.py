"""The roll API: a roster file as the raw body, with a dry run; bad rosters import nothing."""

from __future__ import annotations

from pathlib import Path

from ballots.models import Resident
from tests.vote.helpers import Client, World, assert_problem

ROSTERS = Path(__file__).resolve().parents[2] / "fixtures" / "rosters"
BAD_ROSTER = (
    "编号,姓名,楼栋,门牌,户号,手机,出生日期,身份,专有面积\n"
    "B-1,张三,1,101,1-101,13800000000,1950-13-40,业主,80\n"
    "B-1,李四,1,102,1-102,,1960,业主,70\n"
    "B-3,,1,103,1-103,,1970,居委会主任,abc\n"
).encode()


async def new_area(client: Client, world: World, headers: dict[str, str]) -> int:
    response = await client.post(
        "/api/v1/units",
        json={
            "name": "建国居民区",
            "code": "jianguo",
            "level": "area",
            "parent_id": world.units["ruijin2"],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def post_roster(
    client: Client, unit_id: int, body: bytes, headers: dict[str, str], *, dry_run: bool
) -> object:
    flag = "true" if dry_run else "false"
    return await client.post(
        f"/api/v1/units/{unit_id}/roll?filename=x.csv&dry_run={flag}",
        content=body,
        headers={**headers, "content-type": "text/csv"},
    )


async def residents_in(world: World, unit_id: int) -> int:
    return await world.db.count(Resident, Resident.unit_id == unit_id)


async def test_dry_run_reports_and_writes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    roster = (ROSTERS / "luwan_utf8_bom.csv").read_bytes()
    before = await world.db.snapshot()
    response = await post_roster(client, unit_id, roster, chair_headers, dry_run=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True
    assert report["counts"]["added"] == 5
    assert [ref["external_id"] for ref in report["added"]][:2] == ["A-001", "A-002"]
    assert await world.db.snapshot() == before
    assert await residents_in(world, unit_id) == 0


async def test_import_writes_the_roll_and_reimport_updates(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    roster = (ROSTERS / "luwan_utf8_bom.csv").read_bytes()
    response = await post_roster(client, unit_id, roster, chair_headers, dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["added"] == 5
    assert await residents_in(world, unit_id) == 5

    again = await post_roster(client, unit_id, roster, chair_headers, dry_run=False)
    assert again.json()["counts"]["added"] == 0
    assert again.json()["counts"]["unchanged"] == 5
    assert await residents_in(world, unit_id) == 5

    listed = await client.get(f"/api/v1/units/{unit_id}/residents", headers=chair_headers)
    assert "138****5678" in [r["phone_masked"] for r in listed.json()]
    assert "13812345678" not in listed.text


async def test_gb18030_roster(client: Client, world: World, chair_headers: dict[str, str]) -> None:
    unit_id = await new_area(client, world, chair_headers)
    roster = (ROSTERS / "luwan_gb18030.csv").read_bytes()
    response = await post_roster(client, unit_id, roster, chair_headers, dry_run=False)
    assert response.status_code == 200, response.text
    listed = (await client.get(f"/api/v1/units/{unit_id}/residents", headers=chair_headers)).json()
    assert "张建国" in [r["name"] for r in listed]


async def test_bad_roster_lists_every_error_and_writes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    before = await world.db.snapshot()
    response = await post_roster(client, unit_id, BAD_ROSTER, chair_headers, dry_run=False)
    body = assert_problem(response, 422, "roster-invalid")
    errors = body["errors"]
    assert len(errors) >= 3
    assert all(error["message"] for error in errors)
    places = {(error["row"], error["column"]) for error in errors}
    assert (2, "出生日期") in places  # bad date
    assert any(row == 3 for row, _ in places)  # duplicate id
    assert (4, "姓名") in places  # missing name
    assert "2" in next(e["message"] for e in errors if e["row"] == 2)
    assert await world.db.snapshot() == before
    assert await residents_in(world, unit_id) == 0


async def test_roster_missing_columns(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    body = assert_problem(
        await post_roster(client, unit_id, b"foo,bar\n1,2\n", chair_headers, dry_run=False),
        422,
        "roster-invalid",
    )
    assert body["errors"]
    assert await residents_in(world, unit_id) == 0


async def test_empty_body_is_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    assert_problem(
        await post_roster(client, unit_id, b"", chair_headers, dry_run=False), 422, "invalid-input"
    )


async def test_roll_import_needs_a_chair(client: Client, world: World) -> None:
    roster = (ROSTERS / "luwan_utf8_bom.csv").read_bytes()
    before = await world.db.snapshot()
    response = await post_roster(client, world.units["sinan"], roster, {}, dry_run=False)
    assert_problem(response, 401, "not-authenticated")
    assert await world.db.snapshot() == before
