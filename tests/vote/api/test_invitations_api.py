"""Invitations over the API: by building or household, reprint with counts, electors paged."""

from __future__ import annotations

from tests.vote.helpers import Client, World


async def test_electors_are_paged_with_bounds_and_status(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    path = f"/api/v1/ballots/{world.firm_id}/electors"
    first = await client.get(path, params={"limit": 20}, headers=chair_headers)
    assert first.status_code == 200, first.text
    body = first.json()
    total = body["total"]
    assert total > 20 and len(body["electors"]) == 20
    seen = []
    for offset in range(0, total, 20):
        page = await client.get(path, params={"limit": 20, "offset": offset}, headers=chair_headers)
        seen += [e["resident_id"] for e in page.json()["electors"]]
    assert len(seen) == len(set(seen)) == total
    assert {"issued", "voted", "household"} <= set(body["electors"][0])
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        refused = await client.get(path, params=bad, headers=chair_headers)
        assert refused.status_code == 400, bad


async def test_reprint_of_a_building_replaces_its_codes_and_counts_them(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id = world.practical_id
    listing = await client.get(
        f"/api/v1/ballots/{ballot_id}/electors", params={"limit": 500}, headers=chair_headers
    )
    building = listing.json()["electors"][0]["building"]
    response = await client.post(
        f"/api/v1/ballots/{ballot_id}/invitations/reprint",
        params={"building": building},
        headers=chair_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["invitations"] and {i["building"] for i in body["invitations"]} == {building}
    assert body["replaced"] == len(body["invitations"])  # the demo issued everyone a code
    pdf = await client.post(
        f"/api/v1/ballots/{ballot_id}/invitations/reprint",
        params={"building": building, "format": "pdf"},
        headers=chair_headers,
    )
    assert pdf.status_code == 201 and pdf.content.startswith(b"%PDF")
    assert int(pdf.headers["codes-replaced"]) == len(body["invitations"])
    # Nobody in building "x" — nothing to print, nothing replaced.
    none = await client.post(
        f"/api/v1/ballots/{ballot_id}/invitations",
        params={"building": "no-such-building"},
        headers=chair_headers,
    )
    assert none.status_code == 201 and none.json() == []
