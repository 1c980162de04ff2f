"""The chair API: login with password and TOTP (rate-limited, no replays), building and running
a ballot, unit and role checks, the audit log and masked phones."""

from __future__ import annotations

import re

from ballots.models import Ballot, Matter, Unit
from tests.vote.helpers import (
    Client,
    World,
    assert_problem,
    bearer,
    create_draft,
    login,
    totp_code,
)
from vote.demo import DEMO_PASSWORD


async def post_login(client: Client, username: str, password: str, totp: str) -> object:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, "totp": totp}
    )


async def test_login_needs_password_and_totp(client: Client, world: World) -> None:
    secret = world.info.totp_secret
    wrong_password = await post_login(client, "chair", "not-the-password", totp_code(secret))
    assert_problem(wrong_password, 401, "invalid-login")
    wrong_code = await post_login(client, "chair", DEMO_PASSWORD, "000000")
    assert_problem(wrong_code, 401, "invalid-login")
    right = await post_login(client, "chair", DEMO_PASSWORD, totp_code(secret))
    assert right.status_code == 200, right.text
    body = right.json()
    assert body["username"] == "chair"
    assert body["role"] == "street_chair"
    me = await client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "chair"


async def test_replayed_totp_code_is_refused(client: Client, world: World) -> None:
    code = totp_code(world.info.totp_secret)
    first = await post_login(client, "chair", DEMO_PASSWORD, code)
    assert first.status_code == 200, first.text
    assert_problem(await post_login(client, "chair", DEMO_PASSWORD, code), 401, "invalid-login")


async def test_sixth_login_after_five_failures_is_429(client: Client, world: World) -> None:
    for _ in range(5):
        response = await post_login(client, "chair", "wrong-password", "123456")
        assert_problem(response, 401, "invalid-login")
    code = totp_code(world.info.totp_secret)
    body = assert_problem(
        await post_login(client, "chair", DEMO_PASSWORD, code), 429, "too-many-failed-logins"
    )
    assert body["params"]["seconds"] > 0
    # The limit is per user: another chair can still log in from the same address.
    another_user_secret = await world.add_chair("helper", "observer", "ruijin2")
    assert (
        await post_login(client, "helper", DEMO_PASSWORD, totp_code(another_user_secret))
    ).status_code == 200


async def test_no_token_is_401(client: Client, world: World) -> None:
    assert_problem(await client.get("/api/v1/ballots"), 401, "not-authenticated")
    response = await client.post(f"/api/v1/ballots/{world.practical_id}/close")
    assert_problem(response, 401, "not-authenticated")
    bogus = await client.get("/api/v1/ballots", headers=bearer("vt_not-a-token"))
    assert_problem(bogus, 401, "not-authenticated")
    assert await world.db.count(Ballot, Ballot.state == "closed") == 0


async def test_logout_ends_the_session(client: Client, world: World) -> None:
    token = await login(client, "chair", world.info.totp_secret)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(token))).status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "not-authenticated")


async def test_create_unit(client: Client, world: World, chair_headers: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/units",
        json={
            "name": "陕南居民区",
            "code": "shannan",
            "level": "area",
            "parent_id": world.units["ruijin2"],
        },
        headers=chair_headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["code"] == "shannan"
    listed = (await client.get("/api/v1/units", headers=chair_headers)).json()
    assert "shannan" in [unit["code"] for unit in listed]


async def test_duplicate_unit_code_is_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.count(Unit)
    response = await client.post(
        "/api/v1/units",
        json={
            "name": "又一个",
            "code": "sinan",
            "level": "area",
            "parent_id": world.units["ruijin2"],
        },
        headers=chair_headers,
    )
    assert_problem(response, 409, "duplicate")
    assert await world.db.count(Unit) == before


async def test_whole_ballot_lifecycle(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter = await client.post(
        "/api/v1/matters",
        json={
            "unit_id": world.units["sinan"],
            "kind": "hearing",
            "title": "思南路口加装路灯听证会",
        },
        headers=chair_headers,
    )
    assert matter.status_code == 201, matter.text
    matter_id = matter.json()["id"]
    ballot_id = await create_draft(client, chair_headers, matter_id)
    managed = (
        await client.get(f"/api/v1/ballots/{ballot_id}/manage", headers=chair_headers)
    ).json()
    assert managed["ballot"]["state"] == "draft"

    opened = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=chair_headers)
    assert opened.status_code == 200, opened.text
    electorate = opened.json()["ballot"]["electorate_size"]
    assert electorate > 0

    issued = await client.post(f"/api/v1/ballots/{ballot_id}/invitations", headers=chair_headers)
    assert issued.status_code == 201, issued.text
    invitations = issued.json()
    assert len(invitations) == electorate
    assert (
        invitations[0]["url"] == f"http://testserver/v/{ballot_id}#{invitations[0]['credential']}"
    )

    for invitation, answer in zip(invitations[:3], ["yes", "yes", "no"], strict=True):
        vote = await client.post(
            f"/api/v1/ballots/{ballot_id}/casts",
            json={"credential": invitation["credential"], "answers": {"garden": [answer]}},
        )
        assert vote.status_code == 201, vote.text

    closed = await client.post(f"/api/v1/ballots/{ballot_id}/close", headers=chair_headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["ballot"]["state"] == "closed"
    assert closed.json()["result"]["ballots"] == 3

    publish = f"/api/v1/ballots/{ballot_id}/publish"
    refused = assert_problem(
        await client.post(publish, headers=chair_headers), 409, "publish-needs-confirmation"
    )
    assert "low-turnout" in {item["code"] for item in refused["errors"]}
    published = await client.post(publish + "?confirm=true", headers=chair_headers)
    assert published.json()["ballot"]["state"] == "published"
    public = await client.get(f"/api/v1/ballots/{ballot_id}/result")
    assert public.status_code == 200
    assert public.json()["ballots"] == 3

    record = (await client.get(f"/api/v1/matters/{matter_id}/record", headers=chair_headers)).json()
    kinds = [event["kind"] for event in record["timeline"]]
    for kind in ("ballot_opened", "ballot_closed", "ballot_result"):
        assert kind in kinds


async def test_invitations_as_pdf(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    response = await client.post(
        f"/api/v1/ballots/{ballot_id}/invitations?format=pdf", headers=chair_headers
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    again = await client.post(
        f"/api/v1/ballots/{ballot_id}/invitations?format=pdf", headers=chair_headers
    )
    assert again.status_code == 204  # everyone already has a code; nothing re-issued


async def test_invalid_ballot_draft_is_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.count(Ballot)
    draft = {
        "title": "坏的表决",
        "questions": [{"id": "q", "kind": "single", "prompt": "?", "options": []}],
    }
    response = await client.post(
        f"/api/v1/matters/{world.matters[world.practical_id]}/ballots",
        json=draft,
        headers=chair_headers,
    )
    assert_problem(response, 422, "invalid-ballot-spec")
    assert await world.db.count(Ballot) == before


async def test_area_chair_cannot_touch_another_area(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    headers = bearer(await login(client, "sinan-chair", secret))
    before = await world.db.snapshot()
    response = await client.post(f"/api/v1/ballots/{world.firm_id}/close", headers=headers)
    assert_problem(response, 403, "outside-unit")
    matter = await client.post(
        "/api/v1/matters",
        json={"unit_id": world.units["maoming"], "kind": "hearing", "title": "越权"},
        headers=headers,
    )
    assert_problem(matter, 403, "outside-unit")
    record = await client.get(
        f"/api/v1/matters/{world.matters[world.firm_id]}/record", headers=headers
    )
    assert_problem(record, 403, "outside-unit")
    assert await world.db.snapshot() == before
    assert await world.db.count(Matter, Matter.title == "越权") == 0


async def test_observer_cannot_open(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    secret = await world.add_chair("watcher", "observer", "ruijin2")
    headers = bearer(await login(client, "watcher", secret))
    assert (
        await client.get(f"/api/v1/ballots/{draft_id}/manage", headers=headers)
    ).status_code == 200
    response = await client.post(f"/api/v1/ballots/{draft_id}/open", headers=headers)
    assert_problem(response, 403, "role-not-allowed")
    assert await world.db.count(Ballot, Ballot.id == draft_id, Ballot.state == "draft") == 1


async def test_audit_log_lists_the_actions(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    await client.post(f"/api/v1/ballots/{draft_id}/open", headers=chair_headers)
    await client.post(f"/api/v1/ballots/{draft_id}/close", headers=chair_headers)
    response = await client.get("/api/v1/audit", headers=chair_headers)
    assert response.status_code == 200
    entries = response.json()
    mine = [(e["action"], e["target"]) for e in entries if e["actor"] == "chair"]
    for action in ("ballot.create", "ballot.open", "ballot.close"):
        assert (action, f"ballot:{draft_id}") in mine
    assert "chair.login" in [e["action"] for e in entries]
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)


async def test_residents_listing_masks_phones(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    response = await client.get(
        f"/api/v1/units/{world.units['sinan']}/residents?limit=1000", headers=chair_headers
    )
    assert response.status_code == 200
    residents = response.json()
    assert len(residents) > 50
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r["phone_masked"]) for r in residents)
    assert not re.search(r"\d{11}", response.text)


async def test_a_refused_role_is_named_in_words_not_as_a_key(client: Client, world: World) -> None:
    secret = await world.add_chair("watcher", "observer", "ruijin2")
    token = await login(client, "watcher", secret)
    response = await client.post(
        "/api/v1/units",
        json={
            "name": "新居民区",
            "code": "newarea",
            "level": "area",
            "parent_id": world.units["ruijin2"],
        },
        headers=bearer(token),
    )
    problem = assert_problem(response, 403, "role-not-allowed")
    assert problem["detail"] == "您的角色（观察员）无权管理单位。"
    assert problem["params"]["role"] == "observer"  # still machine-readable
    assert "observer" not in problem["detail"] and "manage" not in problem["detail"]
