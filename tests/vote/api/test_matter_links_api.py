"""The matter links and referrals API for chairs: a matter's links and referrals, linking,
removing a link and referring up or down a level, audited as the console does; bad input is a
problem that changes nothing, another unit's chair is refused; the public matter answer shows
a link from both sides and a referral on both records."""

from __future__ import annotations

from typing import Any, get_args

from ballots.matter_links import LINK_KINDS
from ballots.models import AuditEntry, Matter, MatterEvent, MatterLink, Referral
from tests.vote.helpers import Client, World, assert_problem, bearer, login
from vote.api.matter_link_schemas import LinkKind


async def _matter(client: Client, headers: dict[str, str], unit_id: int, title: str) -> int:
    response = await client.post(
        "/api/v1/matters",
        json={"unit_id": unit_id, "kind": "hearing", "title": title},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _counts(world: World) -> dict[str, int]:
    return {
        **await world.db.snapshot(),
        "links": await world.db.count(MatterLink),
        "referrals": await world.db.count(Referral),
        "matters": await world.db.count(Matter),
        "events": await world.db.count(MatterEvent),
    }


def test_the_api_offers_the_domains_kinds() -> None:
    assert get_args(LinkKind) == LINK_KINDS


async def test_link_read_from_both_sides_then_removed(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    linked, unlinked = [
        await world.db.count(AuditEntry, AuditEntry.action == kind)
        for kind in ("matter.link", "matter.unlink")
    ]  # the demo's
    links = await world.db.count(MatterLink)
    area = world.units["maoming"]
    hearing = await _matter(client, chair_headers, area, "加装电梯听证")
    selection = await _matter(client, chair_headers, area, "加装电梯方案遴选")
    made = await client.post(
        f"/api/v1/matters/{hearing}/links",
        json={"to_matter_id": selection, "kind": "selected"},
        headers=chair_headers,
    )
    assert made.status_code == 201, made.text
    link: dict[str, Any] = made.json()
    assert (link["kind"], link["matter_id"], link["title"], link["outgoing"]) == (
        "selected",
        selection,
        "加装电梯方案遴选",
        True,
    )
    assert link["unit_name"] == "茂名居民区"
    listed = await client.get(f"/api/v1/matters/{selection}/links", headers=chair_headers)
    assert listed.status_code == 200, listed.text
    assert [(x["link_id"], x["matter_id"], x["outgoing"]) for x in listed.json()["links"]] == [
        (link["link_id"], hearing, False)
    ]
    assert listed.json()["referrals"] == []
    assert await world.db.count(AuditEntry, AuditEntry.action == "matter.link") == linked + 1
    for mine, other, outgoing in ((hearing, selection, True), (selection, hearing, False)):
        public = await client.get(f"/api/v1/matters/{mine}")
        assert public.status_code == 200
        shown = public.json()["links"]
        assert shown == [
            {
                "kind": "selected",
                "matter_id": other,
                "title": "加装电梯方案遴选" if other == selection else "加装电梯听证",
                "unit_name": "茂名居民区",
                "outgoing": outgoing,
                "created_at": link["created_at"],
            }
        ]
        assert public.json()["referrals"] == []
    record = await client.get(f"/api/v1/matters/{hearing}/record", headers=chair_headers)
    assert [x["matter_id"] for x in record.json()["links"]] == [selection]
    again = await client.post(
        f"/api/v1/matters/{selection}/links",
        json={"to_matter_id": hearing, "kind": "related"},
        headers=chair_headers,
    )
    assert_problem(again, 409, "already-linked")
    elsewhere = await _matter(client, chair_headers, area, "另一事项")
    assert_problem(
        await client.delete(
            f"/api/v1/matters/{elsewhere}/links/{link['link_id']}", headers=chair_headers
        ),
        404,
        "not-found",
    )
    gone = await client.delete(
        f"/api/v1/matters/{selection}/links/{link['link_id']}", headers=chair_headers
    )
    assert gone.status_code == 204, gone.text
    assert await world.db.count(MatterLink) == links
    assert await world.db.count(AuditEntry, AuditEntry.action == "matter.unlink") == unlinked + 1
    assert (await client.get(f"/api/v1/matters/{hearing}")).json()["links"] == []
    assert_problem(
        await client.delete(
            f"/api/v1/matters/{selection}/links/{link['link_id']}", headers=chair_headers
        ),
        404,
        "not-found",
    )


async def test_referrals_up_and_down_open_matters_on_both_records(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    referred = await world.db.count(AuditEntry, AuditEntry.action == "matter.refer")  # the demo's
    street, area = world.units["ruijin2"], world.units["maoming"]
    district = world.units["luwan"]
    matter = await _matter(client, chair_headers, street, "背街小巷停车整治")
    up = await client.post(
        f"/api/v1/matters/{matter}/referrals",
        json={"to_unit_id": district, "reason": "涉及区级道路"},
        headers=chair_headers,
    )
    assert up.status_code == 201, up.text
    opened: dict[str, Any] = up.json()
    assert (opened["unit_id"], opened["title"], opened["kind"], opened["description"]) == (
        district,
        "背街小巷停车整治",
        "hearing",
        "涉及区级道路",
    )
    assert [(r["matter_id"], r["direction"], r["outgoing"]) for r in opened["referrals"]] == [
        (matter, "up", False)
    ]
    down = await client.post(
        f"/api/v1/matters/{matter}/referrals",
        json={"to_unit_id": area, "reason": "由居民区先行协商"},
        headers=chair_headers,
    )
    assert down.status_code == 201, down.text
    public = (await client.get(f"/api/v1/matters/{matter}")).json()
    assert [
        (r["matter_id"], r["from_unit"], r["to_unit"], r["direction"], r["reason"], r["outgoing"])
        for r in public["referrals"]
    ] == [
        (opened["id"], "瑞金二路街道", "卢湾区", "up", "涉及区级道路", True),
        (down.json()["id"], "瑞金二路街道", "茂名居民区", "down", "由居民区先行协商", True),
    ]
    assert all(r["referred_at"] for r in public["referrals"])
    assert all("referral_id" not in r for r in public["referrals"])
    received = (await client.get(f"/api/v1/matters/{down.json()['id']}")).json()
    assert [(r["matter_id"], r["direction"], r["outgoing"]) for r in received["referrals"]] == [
        (matter, "down", False)
    ]
    chairs = await client.get(f"/api/v1/matters/{matter}/links", headers=chair_headers)
    assert len(chairs.json()["referrals"]) == 2
    assert all(r["referral_id"] for r in chairs.json()["referrals"])
    assert await world.db.count(AuditEntry, AuditEntry.action == "matter.refer") == referred + 2


async def test_bad_input_and_other_units_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area, other_area = world.units["maoming"], world.units["sinan"]
    mine = await _matter(client, chair_headers, area, "小区绿化")
    ours = await _matter(client, chair_headers, area, "绿化验收")
    linked = await client.post(
        f"/api/v1/matters/{mine}/links",
        json={"to_matter_id": ours, "kind": "evaluation"},
        headers=chair_headers,
    )
    link_id = linked.json()["link_id"]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret))
    theirs = await _matter(client, other, other_area, "思南事项")
    before = await _counts(world)
    base = f"/api/v1/matters/{mine}"
    assert_problem(
        await client.post(
            f"{base}/links", json={"to_matter_id": ours, "kind": "caused"}, headers=chair_headers
        ),
        400,
        "invalid-body",
    )
    assert_problem(
        await client.post(
            f"{base}/links", json={"to_matter_id": mine, "kind": "related"}, headers=chair_headers
        ),
        422,
        "invalid-input",
    )
    assert_problem(
        await client.post(
            f"{base}/links",
            json={"to_matter_id": 999_999, "kind": "related"},
            headers=chair_headers,
        ),
        404,
        "not-found",
    )
    assert_problem(
        await client.post(
            "/api/v1/matters/999999/links",
            json={"to_matter_id": mine, "kind": "related"},
            headers=chair_headers,
        ),
        404,
        "not-found",
    )
    assert_problem(
        await client.post(
            f"{base}/referrals",
            json={"to_unit_id": other_area, "reason": "x"},
            headers=chair_headers,
        ),
        422,
        "not-a-level-away",
    )
    assert_problem(
        await client.post(
            f"{base}/referrals", json={"to_unit_id": 999_999, "reason": "x"}, headers=chair_headers
        ),
        404,
        "not-found",
    )
    assert_problem(
        await client.post(
            f"{base}/referrals",
            json={"to_unit_id": world.units["ruijin2"], "reason": "   "},
            headers=chair_headers,
        ),
        422,
        "invalid-input",
    )
    assert_problem(
        await client.post(
            f"{base}/referrals",
            json={"to_unit_id": world.units["ruijin2"], "reason": ""},
            headers=chair_headers,
        ),
        400,
        "invalid-body",
    )
    # The other area's chair may neither read, link, unlink nor refer this unit's matters, nor
    # link theirs to ours.
    assert_problem(await client.get(f"{base}/links", headers=other), 403, "outside-unit")
    assert_problem(
        await client.post(
            f"{base}/links", json={"to_matter_id": theirs, "kind": "related"}, headers=other
        ),
        403,
        "outside-unit",
    )
    assert_problem(
        await client.post(
            f"/api/v1/matters/{theirs}/links",
            json={"to_matter_id": mine, "kind": "related"},
            headers=other,
        ),
        403,
        "outside-unit",
    )
    assert_problem(
        await client.delete(f"{base}/links/{link_id}", headers=other), 403, "outside-unit"
    )
    assert_problem(
        await client.post(
            f"{base}/referrals",
            json={"to_unit_id": world.units["ruijin2"], "reason": "上报"},
            headers=other,
        ),
        403,
        "outside-unit",
    )
    assert await _counts(world) == before
