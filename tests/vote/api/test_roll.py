"""The roll API: a roster file as the raw body, with a dry run; bad rosters import nothing.

Files beyond the limits (the xlsx bomb, long cells, damaged workbooks) are refused with a specific
message, in the reader's language, changing nothing; memory is measured with tracemalloc.
"""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ballots.models import Resident
from ballots.roll.limits import MAX_CELL_CHARS, MAX_UNPACKED_BYTES, MB
from tests.ballots.roll.workbooks import BOMB_TEXT_BYTES, xlsx_bomb
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


# --- files beyond the limits: refused with a specific message, nothing changed, memory bounded --

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def post_file(
    client: Client,
    unit_id: int,
    body: bytes,
    headers: dict[str, str],
    filename: str,
    *,
    lang: str = "en",
) -> Any:
    content_type = XLSX_TYPE if filename.endswith(".xlsx") else "text/csv"
    return await client.post(
        f"/api/v1/units/{unit_id}/roll?filename={filename}&lang={lang}",
        content=body,
        headers={**headers, "content-type": content_type},
    )


async def test_the_xlsx_bomb_is_refused_in_bounded_memory_and_changes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    bomb = xlsx_bomb()
    before = await world.db.snapshot()
    tracemalloc.start()
    try:
        response = await post_file(client, unit_id, bomb, chair_headers, "名册.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    body = assert_problem(response, 422, "roster-invalid")
    assert [(e["code"], e["message"]) for e in body["errors"]] == [
        (
            "too-large-unpacked",
            f"the file expands to more than {MAX_UNPACKED_BYTES // MB} MB when unpacked, far more "
            "than a roster needs; split it into smaller files",
        )
    ]
    assert "the file expands to more than" in body["detail"]
    # The request itself (150 KB of body, the app, the database) against 150 MB unpacked.
    assert peak < 4 * MB, peak  # measured: about 0.3-0.5 MB
    assert peak * 15 < BOMB_TEXT_BYTES
    assert await world.db.snapshot() == before
    assert await residents_in(world, unit_id) == 0


async def test_refusals_are_in_the_readers_language(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    roster = f"姓名,楼栋,门牌,户号\n{'张' * (MAX_CELL_CHARS + 1)},1,101,1-101\n".encode()
    response = await post_file(client, unit_id, roster, chair_headers, "x.csv", lang="zh-CN")
    body = assert_problem(response, 422, "roster-invalid")
    [error] = body["errors"]
    assert error["message"] == "第 2 行“姓名”列：单元格内容超过了 1,000 个字"
    assert (error["row"], error["column"], error["code"]) == (2, "姓名", "cell-too-long")
    assert set(error) == {"row", "column", "message", "code"}
    assert body["detail"] == (
        "名册文件有 1 处错误，没有导入任何数据。第一处：第 2 行“姓名”列：单元格内容超过了 1,000 个字"
    )
    bomb = await post_file(client, unit_id, xlsx_bomb(), chair_headers, "x.xlsx", lang="zh-CN")
    assert "解压后超过 50 MB" in assert_problem(bomb, 422, "roster-invalid")["errors"][0]["message"]


def long_cell_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "姓名", "楼栋", "门牌", "户号"])
    sheet.append(["A-1", "张三", "1", "101", "1-101"])
    sheet.append(["A-2", "李四", "1", "x" * (MAX_CELL_CHARS + 1), "1-102"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "make", "code", "message"),
    [
        (
            "名册.csv",
            lambda: (
                f"编号,姓名,楼栋,门牌,户号\nA-1,张三,1,101,1-101\nA-2,李四,1,{'x' * 1001},1-102\n".encode()
            ),
            "cell-too-long",
            "row 3, column 门牌: the cell is longer than 1,000 characters",
        ),
        (
            "名册.xlsx",
            long_cell_workbook,
            "cell-too-long",
            "row 3, column 门牌: the cell is longer than 1,000 characters",
        ),
        (
            "名册.xlsx",
            lambda: (ROSTERS / "luwan_utf8_bom.csv").read_bytes(),
            "format",
            "the file is named .xlsx but is not an XLSX workbook; save it again from Excel as "
            ".xlsx or CSV",
        ),
        (
            "名册.xlsx",
            lambda: long_cell_workbook()[:2000],
            "format",
            "the XLSX workbook is damaged or incomplete (was the upload cut short?); save it again "
            "from Excel as .xlsx or CSV",
        ),
        (
            "名册.csv",
            lambda: "姓名,楼栋,门牌,户号\n张三,1,101,1-101\n\x00\n".encode(),
            "nul",
            "row 3: the file contains a NUL character, which a CSV file never holds; save the "
            "roster again from Excel as CSV UTF-8 or .xlsx",
        ),
    ],
    ids=["csv-long-cell", "xlsx-long-cell", "not-a-zip", "truncated-zip", "csv-nul"],
)
async def test_unreadable_rosters_get_a_specific_message_and_change_nothing(
    client: Client,
    world: World,
    chair_headers: dict[str, str],
    filename: str,
    make: Callable[[], bytes],
    code: str,
    message: str,
) -> None:
    unit_id = await new_area(client, world, chair_headers)
    before = await world.db.snapshot()
    for dry_run in (True, False):
        response = await client.post(
            f"/api/v1/units/{unit_id}/roll?filename={filename}&dry_run={str(dry_run).lower()}"
            "&lang=en",
            content=make(),
            headers={**chair_headers, "content-type": "application/octet-stream"},
        )
        body = assert_problem(response, 422, "roster-invalid")
        assert [(e["code"], e["message"]) for e in body["errors"]] == [(code, message)]
    assert await world.db.snapshot() == before
    assert await residents_in(world, unit_id) == 0
