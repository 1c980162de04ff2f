"""The statistics API: a chair reads their unit's figures per unit for a period; a demand sent
through the public API shows up; another unit's chair and bad periods are refused."""

from __future__ import annotations

from datetime import datetime, timedelta

from ballots.agency.stats import BEIJING
from tests.vote.helpers import Client, World, assert_problem, bearer, login


async def test_a_chair_reads_statistics_and_others_are_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area, street, sinan = (world.units[c] for c in ("maoming", "ruijin2", "sinan"))
    earlier = await client.get(f"/api/v1/statistics?unit_id={street}", headers=chair_headers)
    before = {r["unit_id"]: r["demands_received"] for r in earlier.json()["rows"]}
    made = await client.post(
        f"/api/v1/agency/units/{area}/posters", json={"building": "3号楼"}, headers=chair_headers
    )
    token = made.json()["token"]
    listed = await client.get(f"/api/v1/agency/units/{area}/categories", headers=chair_headers)
    category = listed.json()[0]["id"]
    sent = await client.post(
        "/api/v1/agency/public/demands",
        json={"token": token, "category_id": category, "text": "路灯坏了"},
    )
    assert sent.status_code == 201, sent.text
    got = await client.get(f"/api/v1/statistics?unit_id={street}", headers=chair_headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["period"] == "year"
    year = body["year"]
    rows = {r["unit_id"]: r for r in body["rows"]}
    assert body["rows"][0]["unit_id"] == street and rows[street]["total"]
    assert {street, area, sinan} <= set(rows)
    # One more than the demo's own demands of this year, in 茂名 and the street, none in 思南.
    assert rows[area]["demands_received"] == before[area] + 1
    assert rows[sinan]["demands_received"] == before[sinan]
    assert rows[street]["demands_received"] == before[street] + 1
    month = await client.get(
        f"/api/v1/statistics?unit_id={area}&year={year}&month=1", headers=chair_headers
    )
    assert month.status_code == 200 and month.json()["period"] == "month"
    both = await client.get(
        f"/api/v1/statistics?unit_id={area}&year=2026&quarter=1&month=1", headers=chair_headers
    )
    assert_problem(both, 422, "invalid-input")
    out_of_bounds = await client.get(
        f"/api/v1/statistics?unit_id={area}&month=13", headers=chair_headers
    )
    assert out_of_bounds.status_code == 422
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret))
    assert_problem(
        await client.get(f"/api/v1/statistics?unit_id={area}", headers=other), 403, "outside-unit"
    )
    assert (await client.get(f"/api/v1/statistics?unit_id={street}")).status_code == 401


async def test_a_range_of_days(client: Client, world: World, chair_headers: dict[str, str]) -> None:
    area, street = world.units["maoming"], world.units["ruijin2"]
    today = datetime.now(BEIJING).date()  # both demands are received today, Beijing time
    base = f"/api/v1/statistics?unit_id={street}"
    recent = f"{base}&from={today - timedelta(days=3)}&to={today}"
    earlier = f"{base}&from={today - timedelta(days=30)}&to={today - timedelta(days=1)}"

    async def received(query: str) -> dict[int, int]:
        rows = (await client.get(query, headers=chair_headers)).json()["rows"]
        return {r["unit_id"]: r["demands_received"] for r in rows}

    demo_recent, demo_earlier = await received(recent), await received(earlier)  # the demo's
    made = await client.post(
        f"/api/v1/agency/units/{area}/posters", json={"building": "3号楼"}, headers=chair_headers
    )
    listed = await client.get(f"/api/v1/agency/units/{area}/categories", headers=chair_headers)
    for text in ("路灯坏了", "楼道堆物"):
        sent = await client.post(
            "/api/v1/agency/public/demands",
            json={
                "token": made.json()["token"],
                "category_id": listed.json()[0]["id"],
                "text": text,
            },
        )
        assert sent.status_code == 201, sent.text
    around = await client.get(recent, headers=chair_headers)
    assert around.status_code == 200, around.text
    body = around.json()
    assert body["period"] == "range"
    assert (body["first_day"], body["last_day"]) == (
        str(today - timedelta(days=3)),
        str(today),
    )
    rows = {r["unit_id"]: r for r in body["rows"]}
    assert rows[street]["demands_received"] == demo_recent[street] + 2
    assert rows[area]["demands_received"] == demo_recent[area] + 2
    assert await received(earlier) == demo_earlier  # today's demands are not counted before today
    whole_year = await client.get(
        f"{base}&from={today.year}-01-01&to={today.year}-12-31", headers=chair_headers
    )
    year = await client.get(f"{base}&year={today.year}", headers=chair_headers)
    assert whole_year.json()["rows"] == year.json()["rows"]
    assert (whole_year.json()["start"], whole_year.json()["end"]) == (
        year.json()["start"],
        year.json()["end"],
    )
    for query, field in (
        (f"&from={today}&to={today - timedelta(days=1)}", "to"),
        ("&from=2010-01-01&to=2026-01-01", "to"),
        (f"&from={today}", "to"),
        (f"&to={today}", "from"),
        ("&from=1999-12-31&to=2000-01-02", "from"),
    ):
        refused = await client.get(base + query, headers=chair_headers)
        assert_problem(refused, 422, "invalid-input")
        assert refused.json()["params"]["field"] == field
    mixed = await client.get(
        f"{base}&year=2026&from=2026-01-01&to=2026-02-01", headers=chair_headers
    )
    assert_problem(mixed, 422, "invalid-input")
    for malformed in ("2026-02-30", "yesterday", "2026-1-1"):
        bad = await client.get(f"{base}&from={malformed}&to=2026-03-01", headers=chair_headers)
        assert bad.status_code == 400, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
