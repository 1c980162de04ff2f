"""Copying a ballot through the API: ``POST /ballots/{id}/copy`` makes a new draft in another unit
and says what it left out; a matter of another unit, a unit outside the chair's, a bad body are
refused with a problem and change nothing; the route is documented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ballots.models import AuditEntry, Ballot, Matter
from tests.vote.helpers import (
    YESNO_DRAFT,
    Client,
    World,
    assert_problem,
    bearer,
    create_draft,
    login,
)


async def copy(
    client: Client, headers: dict[str, str], ballot_id: int, body: dict[str, Any]
) -> Any:
    return await client.post(f"/api/v1/ballots/{ballot_id}/copy", json=body, headers=headers)


async def test_a_published_evaluation_is_copied_to_another_area(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    source = (
        await client.get(f"/api/v1/ballots/{world.published_id}/manage", headers=chair_headers)
    ).json()
    assert source["ballot"]["state"] == "published"
    response = await copy(
        client, chair_headers, world.published_id, {"unit_id": world.units["sinan"]}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ballot"]["state"] == "draft"
    assert body["ballot"]["title"] == source["ballot"]["title"]
    assert body["ballot"]["id"] != world.published_id
    assert body["spec"]["questions"] == source["spec"]["questions"]
    assert body["eligibility"] == {"min_age": 18}
    assert body["result"] is None
    assert body["dropped"] == {
        "units": [],
        "buildings": [],
        "electorate_of": None,
        "opens_at": None,
        "closes_at": None,
    }

    matter = (
        await client.get(
            f"/api/v1/matters/{body['ballot']['matter_id']}/record", headers=chair_headers
        )
    ).json()
    assert matter["unit_id"] == world.units["sinan"]
    assert matter["title"] == "平改坡工程与物业服务评议"
    assert matter["kind"] == "evaluation"
    assert [event["kind"] for event in matter["timeline"]] == [
        "created",
        "ballot_created",
        "ballot_copied",
    ]
    assert matter["timeline"][-1]["payload"]["source_ballot"] == world.published_id
    assert (
        await world.db.count(
            AuditEntry,
            AuditEntry.action == "ballot.copy",
            AuditEntry.target == f"ballot:{body['ballot']['id']}",
        )
        == 1
    )


async def test_what_belongs_to_the_source_area_is_reported_as_left_out(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    draft = {
        **YESNO_DRAFT,
        "eligibility": {"units": [world.units["maoming"]], "buildings": ["3"], "roles": ["owner"]},
        "opens_at": tomorrow.isoformat(),
    }
    source_id = await create_draft(client, chair_headers, world.matters[world.firm_id], draft)
    sinan_matter = await client.post(
        "/api/v1/matters",
        json={"unit_id": world.units["sinan"], "kind": "hearing", "title": "思南花园听证"},
        headers=chair_headers,
    )
    assert sinan_matter.status_code == 201, sinan_matter.text
    matter_id = sinan_matter.json()["id"]
    response = await copy(
        client, chair_headers, source_id, {"unit_id": world.units["sinan"], "matter_id": matter_id}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ballot"]["matter_id"] == matter_id
    assert body["eligibility"] == {"roles": ["owner"]}
    assert body["ballot"]["opens_at"] is None
    dropped = body["dropped"]
    assert dropped["units"] == [world.units["maoming"]]
    assert dropped["buildings"] == ["3"]
    assert dropped["opens_at"] is not None


async def test_a_matter_of_another_unit_is_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.snapshot()
    matters = await world.db.count(Matter)
    response = await copy(
        client,
        chair_headers,
        world.firm_id,
        {"unit_id": world.units["sinan"], "matter_id": world.matters[world.firm_id]},
    )
    body = assert_problem(response, 422, "matter-not-in-unit")
    assert str(world.matters[world.firm_id]) in body["detail"]
    assert await world.db.snapshot() == before
    assert await world.db.count(Matter) == matters


async def test_only_within_the_chairs_units(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    headers = bearer(await login(client, "sinan-chair", secret))
    before = await world.db.snapshot()
    # The source lies in another area.
    refused = await copy(client, headers, world.firm_id, {"unit_id": world.units["sinan"]})
    assert_problem(refused, 403, "outside-unit")
    # The target lies outside the chair's area.
    own = await client.post(
        "/api/v1/matters",
        json={"unit_id": world.units["sinan"], "kind": "hearing", "title": "思南听证"},
        headers=headers,
    )
    source_id = await create_draft(client, headers, own.json()["id"])
    before = await world.db.snapshot()
    for unit in ("maoming", "ruijin2"):
        outside = await copy(client, headers, source_id, {"unit_id": world.units[unit]})
        assert_problem(outside, 403, "outside-unit")
    assert await world.db.snapshot() == before
    # Within their own area it works.
    same = await copy(client, headers, source_id, {"unit_id": world.units["sinan"]})
    assert same.status_code == 201, same.text


async def test_bad_bodies_and_unknown_ids_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.snapshot()
    sinan = world.units["sinan"]
    for body in (
        {},
        {"unit_id": 0},
        {"unit_id": 2**31},
        {"unit_id": "sinan"},
        {"unit_id": sinan, "matter_id": 0},
        {"unit_id": sinan, "title": "extra"},
    ):
        assert_problem(await copy(client, chair_headers, world.firm_id, body), 400, "invalid-body")
    assert_problem(await copy(client, chair_headers, 999999, {"unit_id": sinan}), 404, "not-found")
    unknown_unit = await copy(client, chair_headers, world.firm_id, {"unit_id": 999999})
    assert_problem(unknown_unit, 404, "not-found")
    unknown_matter = await copy(
        client, chair_headers, world.firm_id, {"unit_id": sinan, "matter_id": 999999}
    )
    assert_problem(unknown_matter, 404, "not-found")
    unauthenticated = await copy(client, {}, world.firm_id, {"unit_id": sinan})
    assert_problem(unauthenticated, 401, "not-authenticated")
    assert await world.db.snapshot() == before
    assert await world.db.count(Ballot) == before["ballots"]


async def test_the_route_is_documented(client: Client, world: World) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    operation = doc["paths"]["/api/v1/ballots/{ballot_id}/copy"]["post"]
    assert {"session": [], "csrf": []} in operation["security"]
    assert {"bearer": []} in operation["security"]
    assert {"201", "400", "401", "403", "404", "409", "413", "422"} <= set(operation["responses"])
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/BallotCopyOut"}
    schemas = doc["components"]["schemas"]
    copy_in = schemas["CopyIn"]
    assert copy_in["additionalProperties"] is False
    assert copy_in["required"] == ["unit_id"]
    assert copy_in["properties"]["unit_id"]["maximum"] == 2**31 - 1
    assert "dropped" in schemas["BallotCopyOut"]["required"]
