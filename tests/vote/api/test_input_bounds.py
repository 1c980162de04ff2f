"""Out-of-range and malformed input on every route family: always a 4xx, never a 500, and the
same answer on SQLite and PostgreSQL (whose ids are 32-bit), with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.vote.helpers import (
    PROBLEM_JSON,
    YESNO_DRAFT,
    Client,
    World,
    assert_problem,
    bearer,
    login,
)

HUGE = [2**31, 2**63, 2**70]

# Every family of routes with an id in its path: (method, path template).
ID_ROUTES = [
    ("GET", "/api/v1/ballots/{id}"),
    ("GET", "/api/v1/ballots/{id}/result"),
    ("POST", "/api/v1/ballots/{id}/casts"),
    ("POST", "/api/v1/ballots/{id}/voter-status"),
    ("GET", "/api/v1/ballots/{id}/board"),
    ("GET", "/api/v1/ballots/{id}/board/head"),
    ("GET", "/api/v1/ballots/{id}/board/leaves"),
    ("GET", "/api/v1/ballots/{id}/board/proof?tracker=abcd"),
    ("GET", "/api/v1/ballots/{id}/board/consistency?first=1"),
    ("GET", "/api/v1/matters/{id}"),
    ("GET", "/api/v1/matters/{id}/record"),
    ("POST", "/api/v1/matters/{id}/notes"),
    ("POST", "/api/v1/matters/{id}/ballots"),
    ("GET", "/api/v1/matters/{id}/links"),
    ("POST", "/api/v1/matters/{id}/links"),
    ("DELETE", "/api/v1/matters/{id}/links/1"),
    ("DELETE", "/api/v1/matters/1/links/{id}"),
    ("POST", "/api/v1/matters/{id}/referrals"),
    ("GET", "/api/v1/ballots/{id}/manage"),
    ("PUT", "/api/v1/ballots/{id}/draft"),
    ("POST", "/api/v1/ballots/{id}/open"),
    ("POST", "/api/v1/ballots/{id}/invitations"),
    ("POST", "/api/v1/ballots/{id}/electors/1/reissue"),
    ("POST", "/api/v1/ballots/1/electors/{id}/revoke"),
    ("POST", "/api/v1/units/{id}/roll"),
    ("GET", "/api/v1/units/{id}/residents"),
    ("DELETE", "/api/v1/auth/tokens/{id}"),
    ("GET", "/api/v1/meetings/{id}/speaker-queue"),
    ("POST", "/api/v1/meetings/{id}/speaker-sign-ups"),
    ("POST", "/api/v1/meetings/{id}/speaker-sign-ups/withdraw"),
    ("GET", "/meetings/{id}/speakers"),
    ("POST", "/meetings/{id}/speakers"),
    ("GET", "/ballots/{id}"),
    ("GET", "/ballots/{id}/check"),
    ("GET", "/matters/{id}"),
    ("GET", "/v/{id}"),
    ("POST", "/v/{id}"),
    ("GET", "/chair/ballots/{id}/electors"),
    ("POST", "/chair/ballots/{id}/open"),
]

# Query parameters holding an id, an index or a size.
QUERY_ROUTES = [
    "/api/v1/audit?before={n}",
    "/api/v1/ballots/{ballot}/board/leaves?start={n}",
    "/api/v1/ballots/{ballot}/board/proof?tracker=abcd&tree_size={n}",
    "/api/v1/ballots/{ballot}/board/consistency?first={n}",
    "/api/v1/ballots/{ballot}/board/consistency?first=1&second={n}",
    "/api/v1/units/{unit}/residents?offset={n}",
]


@pytest.fixture
async def chair_headers(client: Client, world: World) -> dict[str, str]:
    """The demo street chair's session token as a bearer token."""
    return bearer(await login(client, "chair", world.info.totp_secret))


def body_for(method: str, path: str) -> dict[str, Any]:
    if method == "GET":
        return {}
    if path.endswith("/casts") or path.endswith("/voter-status"):
        return {"json": {"credential": "1" * 25, "answers": {}}}
    if path.endswith("/notes"):
        return {"json": {"text": "note"}}
    if path.endswith("/links"):
        return {"json": {"to_matter_id": 1, "kind": "related"}}
    if path.endswith("/referrals"):
        return {"json": {"to_unit_id": 1, "reason": "reason"}}
    if path.endswith("/ballots") or path.endswith("/draft"):
        return {"json": YESNO_DRAFT}
    if path.endswith("/roll"):
        return {"content": b"external_id,name\n1,a\n", "headers": {"content-type": "text/csv"}}
    return {}


def assert_refused(response: Any, statuses: tuple[int, ...] = (400, 404)) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])


@pytest.mark.parametrize("number", HUGE)
async def test_huge_ids_in_paths_are_refused(
    client: Client, world: World, chair_headers: dict[str, str], number: int
) -> None:
    before = await world.db.snapshot()
    for method, template in ID_ROUTES:
        path = template.format(id=number)
        extra = body_for(method, path)
        headers = {**chair_headers, **extra.pop("headers", {})}
        response = await client.request(method, path, headers=headers, **extra)
        assert_refused(response)
        if path.startswith("/api/"):
            assert response.headers["content-type"].startswith(PROBLEM_JSON), path
    assert await world.db.snapshot() == before


@pytest.mark.parametrize("number", HUGE)
async def test_huge_numbers_in_queries_are_refused(
    client: Client, world: World, chair_headers: dict[str, str], number: int
) -> None:
    for template in QUERY_ROUTES:
        path = template.format(n=number, ballot=world.published_id, unit=world.units["ruijin2"])
        response = await client.get(path, headers=chair_headers)
        assert_refused(response)
        assert response.headers["content-type"].startswith(PROBLEM_JSON), path


@pytest.mark.parametrize("number", HUGE)
async def test_huge_ids_in_bodies_are_refused(
    client: Client, world: World, chair_headers: dict[str, str], number: int
) -> None:
    before = await world.db.snapshot()
    unit = {"name": "新小区", "code": "NEW-1", "level": "area", "parent_id": number}
    assert_problem(
        await client.post("/api/v1/units", json=unit, headers=chair_headers), 400, "invalid-body"
    )
    matter = {"unit_id": number, "kind": "hearing", "title": "t"}
    assert_problem(
        await client.post("/api/v1/matters", json=matter, headers=chair_headers),
        400,
        "invalid-body",
    )
    matter_id = world.matters[world.practical_id]
    for path, body in (
        ("links", {"to_matter_id": number, "kind": "related"}),
        ("referrals", {"to_unit_id": number, "reason": "r"}),
    ):
        assert_problem(
            await client.post(
                f"/api/v1/matters/{matter_id}/{path}", json=body, headers=chair_headers
            ),
            400,
            "invalid-body",
        )
    assert await world.db.snapshot() == before


async def test_overlong_titles_and_nul_are_refused_alike(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.snapshot()
    unit_id = world.units["ruijin2"]
    matter_id = world.matters[world.practical_id]
    bad_titles = ["x" * 301, "a\x00b", "标题" * 200]
    for title in bad_titles:
        matter = {"unit_id": unit_id, "kind": "hearing", "title": title}
        response = await client.post("/api/v1/matters", json=matter, headers=chair_headers)
        assert_problem(response, 400, "invalid-body")
        draft = {**YESNO_DRAFT, "title": title}
        response = await client.post(
            f"/api/v1/matters/{matter_id}/ballots", json=draft, headers=chair_headers
        )
        assert_problem(response, 400, "invalid-body")
    unit = {"name": "n\x00", "code": "c", "level": "area", "parent_id": unit_id}
    assert_problem(
        await client.post("/api/v1/units", json=unit, headers=chair_headers), 400, "invalid-body"
    )
    note = {"text": "note\x00"}
    response = await client.post(
        f"/api/v1/matters/{matter_id}/notes", json=note, headers=chair_headers
    )
    assert_problem(response, 400, "invalid-body")
    cast = {"credential": "1\x00", "answers": {}}
    response = await client.post(f"/api/v1/ballots/{world.practical_id}/casts", json=cast)
    assert_problem(response, 400, "invalid-body")
    assert await world.db.snapshot() == before


async def test_a_300_character_title_is_accepted(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter = {"unit_id": world.units["ruijin2"], "kind": "hearing", "title": "议" * 300}
    response = await client.post("/api/v1/matters", json=matter, headers=chair_headers)
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "议" * 300


async def test_nul_and_lone_surrogates_in_queries_are_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot = world.published_id
    for tracker in ("%00", "abc%00", "%ED%A0%80", "%FF"):
        response = await client.get(f"/api/v1/ballots/{ballot}/board/proof?tracker={tracker}")
        assert 400 <= response.status_code < 500, (tracker, response.text)
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        page = await client.get(f"/ballots/{ballot}/check?tracker={tracker}")
        assert page.status_code < 500, (tracker, page.text[:200])
    response = await client.get(
        f"/chair/ballots/{world.practical_id}/electors?q=%00", headers=chair_headers
    )
    assert response.status_code < 500


BAD_BODIES = [
    pytest.param(b'{"credential": "\xff\xfe", "answers": {}}', id="not-utf8"),
    pytest.param(b'{"credential": "\xed\xa0\x80", "answers": {}}', id="encoded-surrogate"),
    pytest.param(b'{"credential": "\\ud800", "answers": {}}', id="escaped-lone-surrogate"),
    pytest.param(b"[" * 20_000 + b"]" * 20_000, id="20000-deep-array"),
    pytest.param(b'{"a":' * 5_000 + b"1" + b"}" * 5_000, id="5000-deep-object"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_undecodable_bodies_are_problems(
    client: Client, world: World, chair_headers: dict[str, str], body: bytes
) -> None:
    before = await world.db.snapshot()
    json_type = {"content-type": "application/json"}
    targets = [
        (f"/api/v1/ballots/{world.practical_id}/casts", json_type),
        (f"/api/v1/ballots/{world.practical_id}/voter-status", json_type),
        ("/api/v1/matters", {**json_type, **chair_headers}),
        ("/api/v1/units", {**json_type, **chair_headers}),
        ("/api/v1/auth/login", json_type),
    ]
    for path, headers in targets:
        response = await client.post(path, content=body, headers=headers)
        assert_problem(response, 400, "malformed-json")
    assert await world.db.snapshot() == before
