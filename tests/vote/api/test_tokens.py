"""API tokens over HTTP: created with an expiry and a scope, refused once expired, read-only
tokens refused on every change (API and pages), revoked with the session that made them, listed
without secrets, revoked by their owner or a chair manager over their unit, and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs
from ballots.models import AuditEntry, Ballot, Chair, ChairToken
from tests.vote.helpers import Client, World, assert_problem, bearer, create_draft, login


async def new_token(client: Client, session_token: str, **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/tokens", json={"name": "script", **body}, headers=bearer(session_token)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_token_is_created_with_its_expiry_and_scope(client: Client, world: World) -> None:
    session_token = await login(client, "chair", world.info.totp_secret)
    before = datetime.now(UTC)
    created = await new_token(client, session_token, scope="read", expires_in_days=7)
    assert created["token"].startswith("vt_")
    assert created["scope"] == "read" and created["name"] == "script"
    expires = datetime.fromisoformat(created["expires_at"])
    assert before + timedelta(days=7) <= expires <= datetime.now(UTC) + timedelta(days=7)
    default = await new_token(client, session_token)
    assert default["scope"] == "full"
    assert datetime.fromisoformat(default["expires_at"]) >= before + timedelta(days=90)
    me = await client.get("/api/v1/me", headers=bearer(created["token"]))
    assert me.status_code == 200 and me.json()["username"] == "chair"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 366},
        {"name": "x", "expires_in_days": 2**63},
        {"name": "x", "scope": "write"},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "x", "forever": True},
    ],
)
async def test_token_requests_out_of_bounds_are_refused(
    client: Client, world: World, body: dict[str, Any]
) -> None:
    session_token = await login(client, "chair", world.info.totp_secret)
    before = await world.db.count(ChairToken)
    response = await client.post("/api/v1/auth/tokens", json=body, headers=bearer(session_token))
    assert_problem(response, 400, "invalid-body")
    assert await world.db.count(ChairToken) == before


async def test_an_expired_token_is_refused(client: Client, world: World) -> None:
    async def issue_long_ago(session: AsyncSession) -> str:
        chair = await session.scalar(select(Chair).where(Chair.username == "chair"))
        assert chair is not None
        token = await chairs.create_token(
            session, chair, kind="api", name="old", now=datetime.now(UTC) - timedelta(days=91)
        )
        await session.commit()
        return token

    token = await world.db.run(issue_long_ago)
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "not-authenticated")


async def test_a_read_only_token_reads_but_changes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    session_token = await login(client, "chair", world.info.totp_secret, ahead=1)
    reader = bearer((await new_token(client, session_token, scope="read"))["token"])
    assert (await client.get("/api/v1/me", headers=reader)).status_code == 200
    assert (await client.get("/api/v1/auth/tokens", headers=reader)).status_code == 200
    manage = await client.get(f"/api/v1/ballots/{draft_id}/manage", headers=reader)
    assert manage.status_code == 200
    dashboard = await client.get("/chair/", headers=reader, follow_redirects=False)
    assert dashboard.status_code == 200 and f"/chair/ballots/{draft_id}/open" in dashboard.text
    before = await world.db.snapshot()
    tokens_before = await world.db.count(ChairToken)
    for method, path, body in (
        ("POST", f"/api/v1/ballots/{draft_id}/open", None),
        (
            "POST",
            "/api/v1/matters",
            {"unit_id": world.units["maoming"], "kind": "hearing", "title": "t"},
        ),
        ("POST", "/api/v1/auth/tokens", {"name": "escalate"}),
        ("POST", "/api/v1/auth/logout", None),
        ("DELETE", "/api/v1/auth/tokens/1", None),
    ):
        response = await client.request(method, path, json=body, headers=reader)
        assert_problem(response, 403, "token-read-only")
    page = await client.post(f"/chair/ballots/{draft_id}/open", headers=reader)
    assert page.status_code == 403
    assert await world.db.snapshot() == before
    assert await world.db.count(ChairToken) == tokens_before
    assert await world.db.count(Ballot, Ballot.id == draft_id, Ballot.state == "draft") == 1


async def test_logout_revokes_the_sessions_tokens_but_not_another_sessions(
    client: Client, world: World
) -> None:
    first = await login(client, "chair", world.info.totp_secret)
    second = await login(client, "chair", world.info.totp_secret, ahead=1)
    from_first = (await new_token(client, first, name="from first"))["token"]
    from_second = (await new_token(client, second, name="from second"))["token"]
    assert (await client.post("/api/v1/auth/logout", headers=bearer(first))).status_code == 204
    for gone in (first, from_first):
        assert_problem(
            await client.get("/api/v1/me", headers=bearer(gone)), 401, "not-authenticated"
        )
    for alive in (second, from_second):
        assert (await client.get("/api/v1/me", headers=bearer(alive))).status_code == 200


async def test_the_list_shows_ones_own_tokens_and_no_secret(client: Client, world: World) -> None:
    session_token = await login(client, "chair", world.info.totp_secret)
    made = [await new_token(client, session_token, name=f"script {i}") for i in range(2)]
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    await new_token(client, await login(client, "sinan-chair", secret), name="not yours")
    response = await client.get("/api/v1/auth/tokens", headers=bearer(session_token))
    assert response.status_code == 200
    listed = response.json()
    assert [item["name"] for item in listed] == ["script 1", "script 0"]
    assert set(listed[0]) == {
        "id",
        "name",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "active",
    }
    assert all(item["active"] and item["revoked_at"] is None for item in listed)

    async def hashes(session: AsyncSession) -> list[bytes]:
        return [bytes(h) for h in (await session.scalars(select(ChairToken.token_hash))).all()]

    text = response.text
    for item in made:
        assert item["token"] not in text and item["token"].removeprefix("vt_") not in text
    for stored in await world.db.run(hashes):
        assert stored.hex() not in text


async def test_revoking_a_token_stops_it_and_is_audited(client: Client, world: World) -> None:
    session_token = await login(client, "chair", world.info.totp_secret)
    made = await new_token(client, session_token)
    headers = bearer(session_token)
    response = await client.delete(f"/api/v1/auth/tokens/{made['id']}", headers=headers)
    assert response.status_code == 204
    assert_problem(
        await client.get("/api/v1/me", headers=bearer(made["token"])), 401, "not-authenticated"
    )
    listed = (await client.get("/api/v1/auth/tokens", headers=headers)).json()
    assert listed[0]["id"] == made["id"] and listed[0]["revoked_at"] and not listed[0]["active"]
    again = await client.delete(f"/api/v1/auth/tokens/{made['id']}", headers=headers)
    assert again.status_code == 204

    async def entries(session: AsyncSession) -> list[tuple[str, str]]:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.target).where(
                AuditEntry.action.in_(["token.create", "token.revoke"])
            )
        )
        return [(action, target) for action, target in rows.all()]

    target = f"token:{made['id']}"
    assert [e for e in await world.db.run(entries) if e[1] == target] == [
        ("token.create", target),
        ("token.revoke", target),
    ]
    for missing in (made["id"] + 1000, 2**31, 2**63, 2**70):
        response = await client.delete(f"/api/v1/auth/tokens/{missing}", headers=headers)
        assert response.status_code in (400, 404), response.text


async def test_only_the_owner_or_a_manager_over_their_unit_may_revoke(
    client: Client, world: World
) -> None:
    owner_session = await login(client, "chair", world.info.totp_secret)
    made = await new_token(client, owner_session)
    path = f"/api/v1/auth/tokens/{made['id']}"
    area_secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    area_chair = bearer(await login(client, "sinan-chair", area_secret))
    assert_problem(await client.delete(path, headers=area_chair), 403, "role-not-allowed")
    elsewhere_secret = await world.add_chair("sinan-admin", "district_admin", "sinan")
    elsewhere = bearer(await login(client, "sinan-admin", elsewhere_secret))
    assert_problem(await client.delete(path, headers=elsewhere), 403, "outside-unit")
    assert (await client.get("/api/v1/me", headers=bearer(made["token"]))).status_code == 200
    manager_secret = await world.add_chair("luwan-admin", "district_admin", "luwan")
    manager = bearer(await login(client, "luwan-admin", manager_secret))
    assert (await client.delete(path, headers=manager)).status_code == 204
    assert_problem(
        await client.get("/api/v1/me", headers=bearer(made["token"])), 401, "not-authenticated"
    )
