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
    ("GET", "/api/v1/ballots/{id}/manage"),
    ("PUT", "/api/v1/ballots/{id}/draft"),
    ("POST", "/api/v1/ballots/{id}/open"),
    ("POST", "/api/v1/ballots/{id}/invitations"),
    ("POST", "/api/v1/ballots/{id}/electors/1/reissue"),
    ("POST", "/api/v1/ballots/1/electors/{id}/revoke"),
    ("POST", "/api/v1/units/{id}/roll"),
    ("GET", "/api/v1/units/{id}/residents"),
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
    assert await world.db.snapshot() == before
