"""Console: the statistics page shows the table per unit with two SVG charts; CSV (with a BOM
and the header row) and XLSX (read back with openpyxl) hold the same rows as the JSON API; a
bad period is named; another unit's chair is refused."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from tests.vote.helpers import Client, World, bearer, login, page_login, zh

HEADER = [
    "Unit",
    "Hearings",
    "Coordination meetings",
    "Evaluation meetings",
    "Demands received",
    "Demands replied",
    "Replied on time",
    "Satisfaction rate (%)",
    "Ballots opened",
    "Average turnout (%)",
    "Projects chosen",
    "Cost of projects chosen (yuan)",
]


def _expected(row: dict[str, Any]) -> list[Any]:
    def pct(rate: float | None) -> float | None:
        return None if rate is None else round(rate * 100, 1)

    return [
        row["unit_name"] + (zh(" (total)") if row["total"] else ""),
        row["hearings"],
        row["coordination_meetings"],
        row["evaluation_meetings"],
        row["demands_received"],
        row["demands_replied"],
        row["demands_replied_on_time"],
        pct(row["satisfaction_rate"]),
        row["ballots_opened"],
        pct(row["average_turnout"]),
        row["projects_chosen"],
        row["projects_cost"],
    ]


async def test_the_page_and_its_exports_match_the_api(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area, street = world.units["maoming"], world.units["ruijin2"]
    made = await client.post(
        f"/api/v1/agency/units/{area}/posters", json={"building": "3号楼"}, headers=chair_headers
    )
    listed = await client.get(f"/api/v1/agency/units/{area}/categories", headers=chair_headers)
    sent = await client.post(
        "/api/v1/agency/public/demands",
        json={"token": made.json()["token"], "category_id": listed.json()[0]["id"], "text": "事"},
    )
    assert sent.status_code == 201, sent.text
    api = await client.get(f"/api/v1/statistics?unit_id={street}", headers=chair_headers)
    expected = [_expected(r) for r in api.json()["rows"]]
    year = api.json()["year"]
    assert (await page_login(client, "chair", world.info.totp_secret, ahead=1)).status_code in (
        302,
        303,
    )
    page = await client.get(f"/chair/statistics?unit_id={street}")
    assert page.status_code == 200, page.text
    assert zh("Statistics") in page.text and 'href="/chair/statistics"' in page.text
    assert page.text.count('role="img"') >= 2 and zh("Demands by unit") in page.text
    assert (
        zh(
            "Hearings, coordination meetings and evaluation meetings: meetings of that kind "
            "whose start time falls in the period."
        )
        in page.text
    )
    got = await client.get(f"/chair/statistics/export.csv?unit_id={street}&kind=year&year={year}")
    assert got.status_code == 200 and got.content.startswith("\ufeff".encode())
    assert "attachment" in got.headers["content-disposition"]
    assert str(year) in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == [zh(h) for h in HEADER]
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in expected]
    book = await client.get(f"/chair/statistics/export.xlsx?unit_id={street}&kind=year&year={year}")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values == [[zh(h) for h in HEADER], *expected]
    bad = await client.get(f"/chair/statistics?unit_id={street}&kind=quarter&number=7")
    assert bad.status_code == 422 and zh("The quarter must be from 1 to 4.") in bad.text


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    area = world.units["maoming"]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    await page_login(client, "sinan_chair", secret)
    own = await client.get("/chair/statistics")
    assert own.status_code == 200 and "茂名" not in own.text
    assert (await client.get(f"/chair/statistics?unit_id={area}")).status_code == 403
    refused = await client.get(f"/chair/statistics/export.csv?unit_id={area}")
    assert refused.status_code == 403
    token = await login(client, "sinan_chair", secret, ahead=1)
    api = await client.get(f"/api/v1/statistics?unit_id={area}", headers=bearer(token))
    assert api.status_code == 403


async def test_a_range_of_days_on_the_page_and_in_the_exports(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    street = world.units["ruijin2"]
    api = await client.get(
        f"/api/v1/statistics?unit_id={street}&from=2026-01-15&to=2026-02-14", headers=chair_headers
    )
    expected = [_expected(r) for r in api.json()["rows"]]
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    query = f"unit_id={street}&kind=range&from=2026-01-15&to=2026-02-14"
    page = await client.get(f"/chair/statistics?{query}")
    assert page.status_code == 200, page.text
    assert '<option value="range" selected>' in page.text
    assert 'value="2026-01-15"' in page.text and 'value="2026-02-14"' in page.text
    assert (
        zh("Days counted: %(first)s to %(last)s, both included.")
        % {"first": "2026-01-15", "last": "2026-02-14"}
        in page.text
    )
    assert f"export.csv?{query.replace('&', '&amp;')}" in page.text
    got = await client.get(f"/chair/statistics/export.csv?{query}")
    assert got.status_code == 200
    assert "2026-01-15_2026-02-14.csv" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in expected]
    book = await client.get(f"/chair/statistics/export.xlsx?{query}")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == expected

    for dates, errors in (
        ("from=2026-02-30&to=2026-13-01", {"from", "to"}),
        ("from=2026-03-01&to=2026-02-01", {"to"}),
        ("from=2010-01-01&to=2025-01-01", {"to"}),
        ("from=&to=2026-02-01", {"from"}),
        ("from=1999-01-01&to=2000-01-01", {"from"}),
    ):
        bad = await client.get(f"/chair/statistics?unit_id={street}&kind=range&{dates}")
        assert bad.status_code == 422, dates
        for field in ("from", "to"):
            assert (f'id="{field}-error"' in bad.text) == (field in errors), (dates, field)
        assert 'aria-invalid="true"' in bad.text and 'id="shown-instead"' in bad.text
    malformed = await client.get(f"/chair/statistics?unit_id={street}&kind=range&from=x&to=y")
    assert zh("Please write the day as year-month-day, for example 2026-03-31.") in malformed.text
    refused = await client.get(
        f"/chair/statistics/export.csv?unit_id={street}&kind=range&from=2026-03-01&to=2026-02-01"
    )
    assert refused.status_code == 422
