"""Response headers the API promises: Retry-After on every 429, HSTS only over https."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from msgspec.structs import replace

from tests.vote.helpers import Client, World, assert_problem
from vote.app import create_app
from vote.settings import Settings


async def test_too_many_failed_logins_says_when_to_retry(client: Client, world: World) -> None:
    login = {"username": "chair", "password": "wrong-password", "totp": "123456"}
    statuses = []
    for _ in range(10):
        response = await client.post("/api/v1/auth/login", json=login)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    body = assert_problem(response, 429, "too-many-failed-logins")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert abs(retry_after - body["params"]["seconds"]) <= 1


async def test_no_hsts_over_plain_http(client: Client, world: World) -> None:
    response = await client.get("/api/v1/board/key")
    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers


async def test_hsts_when_the_request_came_over_https(settings: Settings, world: World) -> None:
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="https://testserver") as https_client:
        for path in ("/api/v1/board/key", "/", "/api/v1/ballots/999999"):
            response = await https_client.get(path)
            assert response.headers["strict-transport-security"].startswith("max-age="), path


async def test_hsts_when_the_public_address_is_https(settings: Settings, world: World) -> None:
    app = create_app(replace(settings, base_url="https://vote.example"))
    async with AsyncTestClient(app=app) as proxied_client:
        response = await proxied_client.get("/api/v1/board/key")
        assert "max-age=" in response.headers["strict-transport-security"]
