"""Problem details (RFC 9457) for framework errors too, translated, each ``type`` resolving to a
page that explains it."""

from __future__ import annotations

from tests.vote.helpers import Client, World, assert_problem


async def test_unknown_api_route_is_a_problem(client: Client, world: World) -> None:
    body = assert_problem(await client.get("/api/v1/nothing-here"), 404, "not-found")
    assert body["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_a_problem(client: Client, world: World) -> None:
    assert_problem(
        await client.delete(f"/api/v1/ballots/{world.practical_id}"), 405, "method-not-allowed"
    )


async def test_wrong_path_parameter_type(client: Client, world: World) -> None:
    response = await client.get("/api/v1/ballots/abc")
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_problem_titles_follow_the_language(client: Client, world: World) -> None:
    url = f"/api/v1/ballots/{world.practical_id}/casts"
    body = {"credential": "00000-00000-00000-00000-00000", "answers": {}}  # well formed, unknown
    zh = assert_problem(await client.post(url, json=body), 403, "unknown-credential")
    en = assert_problem(
        await client.post(url, json=body, headers={"Accept-Language": "en"}),
        403,
        "unknown-credential",
    )
    assert en["title"] == "Invalid voting code"
    assert zh["title"] != en["title"]
    assert zh["type"] == en["type"]


async def test_problem_types_resolve_to_pages(client: Client, world: World) -> None:
    url = f"/api/v1/ballots/{world.practical_id}/casts"
    problems = [
        await client.post(url, json={"credential": "1", "answers": {}}),
        await client.post(url, content=b"{", headers={"content-type": "application/json"}),
        await client.post(url, json={"answers": {}}),
        await client.get("/api/v1/ballots/777"),
        await client.get("/api/v1/ballots"),
    ]
    for response in problems:
        page = await client.get(response.json()["type"])
        assert page.status_code == 200, response.json()["type"]


async def test_openapi_document(client: Client, world: World) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/ballots/{ballot_id}/casts" in paths
    assert "/api/v1/auth/login" in paths
