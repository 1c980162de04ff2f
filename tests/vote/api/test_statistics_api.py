"""The statistics API: a chair reads their unit's figures per unit for a period; a demand sent
through the public API shows up; another unit's chair and bad periods are refused."""

from __future__ import annotations

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
