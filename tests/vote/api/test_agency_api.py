"""The agency API: a resident sends a demand from a poster and follows it by the secret in the
body; chairs accept, forward, remind, reply; the resident rates once; 三率 read back; another
unit's chair is refused; a flood from one address and wrong links are limited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ballots.models import AuditEntry, Demand
from tests.vote.helpers import Client, World, assert_problem, bearer, login

PHONE = "13812345678"
"""A whole phone number: a prefix alone could appear by chance in a timestamp."""


async def _poster(client: Client, headers: dict[str, str], unit_id: int) -> str:
    made = await client.post(
        f"/api/v1/agency/units/{unit_id}/posters", json={"building": "3号楼"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["link"].endswith("/d/" + made.json()["token"])
    return str(made.json()["token"])


async def _category(client: Client, headers: dict[str, str], unit_id: int, name: str) -> int:
    listed = await client.get(f"/api/v1/agency/units/{unit_id}/categories", headers=headers)
    assert listed.status_code == 200, listed.text
    by_name = {c["name"]: c for c in listed.json()}
    assert by_name["治安消防"]["deadline_days"] == 1 and by_name["房屋修缮"]["deadline_days"] == 7
    return int(by_name[name]["id"])


async def test_a_demand_from_poster_to_rating(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area, street = world.units["maoming"], world.units["ruijin2"]
    # The demo's own demands of this month count too: the figures below are what this adds.
    earlier = await client.get(f"/api/v1/agency/stats?unit_id={street}", headers=chair_headers)
    before = {r["unit_id"]: r for r in earlier.json()["units"]}[area]
    token = await _poster(client, chair_headers, area)
    category = await _category(client, chair_headers, area, "房屋修缮")
    sent = await client.post(
        "/api/v1/agency/public/demands",
        json={"token": token, "category_id": category, "text": "3号楼屋顶漏水", "contact": PHONE},
    )
    assert sent.status_code == 201, sent.text
    secret = sent.json()["secret"]
    assert sent.json()["link"].endswith("/d/r/" + secret)
    status = await client.post("/api/v1/agency/public/status", json={"secret": secret})
    assert status.status_code == 200 and status.json()["state"] == "received"
    assert PHONE not in status.text  # the contact is never shown back publicly
    inbox = await client.get("/api/v1/agency/demands?state=open", headers=chair_headers)
    assert inbox.status_code == 200
    demand = inbox.json()["demands"][0]
    assert demand["text"] == "3号楼屋顶漏水" and demand["contact"] == PHONE
    demand_id = demand["id"]
    org = await client.post(
        f"/api/v1/units/{street}/organisations", json={"name": "区房管局"}, headers=chair_headers
    )
    assert org.status_code == 201, org.text
    accepted = await client.post(
        f"/api/v1/agency/demands/{demand_id}/accept", headers=chair_headers
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["first_receiver"]
    again = await client.post(f"/api/v1/agency/demands/{demand_id}/accept", headers=chair_headers)
    assert_problem(again, 409, "demand-state-conflict")
    for step, body in (
        ("forward", {"organisation_id": org.json()["id"], "note": "请派人"}),
        ("remind", {"note": "请尽快"}),
        ("reply", {"text": "已修复", "resolved": True}),
    ):
        answer = await client.post(
            f"/api/v1/agency/demands/{demand_id}/{step}", json=body, headers=chair_headers
        )
        assert answer.status_code == 200, answer.text
    wrong = await client.post(
        "/api/v1/agency/public/rating", json={"secret": "x" + secret[1:], "rating": "basic"}
    )
    assert_problem(wrong, 404, "demand-link-unknown")
    rated = await client.post(
        "/api/v1/agency/public/rating", json={"secret": secret, "rating": "satisfied"}
    )
    assert rated.status_code == 200, rated.text
    body: dict[str, Any] = rated.json()
    assert body["rating"] == "satisfied" and body["state"] == "closed" and not body["can_rate"]
    assert [e["kind"] for e in body["events"]] == [
        "received",
        "accepted",
        "forwarded",
        "reminded",
        "replied",
        "rated",
    ]
    assert all(e["by"] == "" for e in body["events"])  # no chair's name on the public side
    twice = await client.post(
        "/api/v1/agency/public/rating", json={"secret": secret, "rating": "unsatisfied"}
    )
    assert_problem(twice, 409, "demand-already-rated")
    stats = await client.get(f"/api/v1/agency/stats?unit_id={street}", headers=chair_headers)
    assert stats.status_code == 200, stats.text
    rows = {r["unit_id"]: r for r in stats.json()["units"]}
    added = {
        figure: rows[area][figure] - before[figure]
        for figure in ("received", "responded", "replied", "resolved", "rated", "satisfied")
    }
    assert added == dict.fromkeys(added, 1)
    actions = await world.db.run(_audit_actions)
    for step in ("accept", "forward", "remind", "reply"):
        assert f"agency.demand.{step}" in actions


async def test_another_units_chair_and_bad_input_are_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area = world.units["maoming"]
    token = await _poster(client, chair_headers, area)
    category = await _category(client, chair_headers, area, "其他")
    sent = await client.post(
        "/api/v1/agency/public/demands",
        json={"token": token, "category_id": category, "text": "事"},
    )
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    sinan = bearer(await login(client, "sinan_chair", secret))
    listed = await client.get("/api/v1/agency/demands", headers=sinan)
    inbox = await client.get("/api/v1/agency/demands", headers=chair_headers)
    demand_id = inbox.json()["demands"][0]["id"]
    # 思南's chair sees 思南's demands (the demo's) and not this one from 茂名.
    assert {d["unit_id"] for d in listed.json()["demands"]} <= {world.units["sinan"]}
    assert demand_id not in {d["id"] for d in listed.json()["demands"]}
    refused = await client.post(f"/api/v1/agency/demands/{demand_id}/accept", headers=sinan)
    assert_problem(refused, 403, "outside-unit")
    assert sent.status_code == 201
    for body, status, slug in (
        ({"token": "nope", "category_id": category, "text": "事"}, 404, "poster-unknown"),
        ({"token": token, "category_id": 999999, "text": "事"}, 422, "invalid-input"),
        ({"token": token, "category_id": category, "text": "   "}, 422, "invalid-input"),
    ):
        assert_problem(await client.post("/api/v1/agency/public/demands", json=body), status, slug)
    quarter = await client.get(
        f"/api/v1/agency/stats?unit_id={area}&kind=quarter&year=2026&number=5",
        headers=chair_headers,
    )
    assert_problem(quarter, 422, "invalid-input")


async def test_floods_and_wrong_links_are_limited(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area = world.units["maoming"]
    token = await _poster(client, chair_headers, area)
    category = await _category(client, chair_headers, area, "其他")
    before = await world.db.run(_count_demands)  # the demo's own
    for _ in range(30):
        sent = await client.post(
            "/api/v1/agency/public/demands",
            json={"token": token, "category_id": category, "text": "事"},
        )
        assert sent.status_code == 201, sent.text
    flood = await client.post(
        "/api/v1/agency/public/demands",
        json={"token": token, "category_id": category, "text": "事"},
    )
    body = assert_problem(flood, 429, "too-many-demands")
    wait = int(flood.headers["retry-after"])
    assert wait >= 1 and str(-(-wait // 60)) in body["detail"]  # the minutes to wait, in words
    for _ in range(30):
        wrong = await client.post("/api/v1/agency/public/status", json={"secret": "wrong"})
        assert wrong.status_code == 404
    limited = await client.post("/api/v1/agency/public/status", json={"secret": "wrong"})
    assert_problem(limited, 429, "too-many-wrong-links")
    count = await world.db.run(_count_demands)
    assert count == before + 30


async def _audit_actions(session: Any) -> list[str]:
    return list(await session.scalars(select(AuditEntry.action)))


async def _count_demands(session: Any) -> int:
    return int(await session.scalar(select(func.count(Demand.id))))
