"""Guards on guessing, through real HTTP: limits hold under concurrency, typos never count, a
meeting hall sharing one address keeps voting, and an attacker cannot lock a chair out."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from ballots.credentials import damm_digit, format_credential
from tests.vote.helpers import (
    DEMO_PASSWORD,
    Client,
    World,
    assert_problem,
    totp_code,
)
from vote.app import create_app
from vote.guards import (
    CODE_CHECKS_UNDER_WAY_PER_ADDRESS,
    CODE_FAILURES_PER_ADDRESS,
    LOGIN_FAILURES_PER_USER_AND_ADDRESS,
    TRUSTED_FACTOR,
    code_rules,
    login_rules,
)
from vote.settings import Settings

FIRM = {"firm": ["o1"]}
PROJECTS = {"projects": ["p2", "p3"]}


def unknown_code(number: int) -> str:
    """A well-formed code (its check digit fits) that no one was given."""
    digits = f"{number:012d}999999999999"
    return format_credential(digits + damm_digit(digits))


def mistyped(credential: str) -> str:
    """``credential`` with its third digit changed: the check digit no longer fits."""
    third = "5" if credential[2] != "5" else "6"
    return credential[:2] + third + credential[3:]


async def cast(
    client: Client, ballot_id: int, credential: str, answers: dict[str, list[str]] = FIRM
) -> Any:
    return await client.post(
        f"/api/v1/ballots/{ballot_id}/casts", json={"credential": credential, "answers": answers}
    )


async def wrong_login(client: Client, username: str, *, address: str = "") -> Any:
    headers = {"x-forwarded-for": address} if address else {}
    return await client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": "not the password", "totp": "123456"},
        headers=headers,
    )


def statuses(responses: list[Any]) -> Counter[int]:
    return Counter(response.status_code for response in responses)


async def test_a_mistyped_code_is_refused_at_once_and_never_counts(
    client: Client, world: World
) -> None:
    good = world.credential(world.firm_id)
    before = await world.db.snapshot()
    for _ in range(3 * CODE_FAILURES_PER_ADDRESS):
        assert_problem(
            await cast(client, world.firm_id, mistyped(good)), 422, "mistyped-credential"
        )
    assert await world.db.snapshot() == before
    # A whole meeting hall's typos later, the right code from the same address still votes.
    assert (await cast(client, world.firm_id, good)).status_code == 201


async def test_a_burst_of_unknown_codes_gets_a_bounded_number_of_checks(
    client: Client, world: World
) -> None:
    responses = await asyncio.gather(
        *(cast(client, world.firm_id, unknown_code(n)) for n in range(300))
    )
    counted = statuses(responses)
    assert set(counted) <= {403, 429}, counted
    # At most limit - 1 one by one, plus the checks under way at once from one address.
    assert 0 < counted[403] <= CODE_FAILURES_PER_ADDRESS - 1 + CODE_CHECKS_UNDER_WAY_PER_ADDRESS
    refused = next(r for r in responses if r.status_code == 429)
    assert_problem(refused, 429, "too-many-failed-codes")
    assert int(refused.headers["retry-after"]) > 0
    # The burst used up the address's limit: the next wrong code is refused without a check.
    assert_problem(
        await cast(client, world.firm_id, unknown_code(999)), 429, "too-many-failed-codes"
    )


async def test_a_hall_voting_at_once_from_one_address_is_never_refused(
    client: Client, world: World
) -> None:
    """Right codes use up nothing, however many arrive together from one address, even with
    the address one wrong code short of its limit."""
    for number in range(CODE_FAILURES_PER_ADDRESS - 1):
        assert (await cast(client, world.firm_id, unknown_code(number))).status_code == 403
    voters = world.credentials[world.practical_id]
    assert len(voters) >= 3
    responses = await asyncio.gather(
        *(cast(client, world.practical_id, code, PROJECTS) for code in voters)
    )
    assert [r.status_code for r in responses] == [201] * len(voters)


async def test_right_codes_do_not_use_up_the_limit(client: Client, world: World) -> None:
    """Voters who get their code right never count, however many share the address."""
    for credential in world.credentials[world.firm_id][:12]:
        response = await client.post(
            f"/api/v1/ballots/{world.firm_id}/voter-status", json={"credential": credential}
        )
        assert response.status_code == 200, response.text
    for number in range(CODE_FAILURES_PER_ADDRESS):
        assert (await cast(client, world.firm_id, unknown_code(number))).status_code == 403
    assert_problem(
        await cast(client, world.firm_id, unknown_code(999)), 429, "too-many-failed-codes"
    )


async def test_concurrent_wrong_passwords_get_at_most_the_limit_of_checks(
    client: Client, world: World
) -> None:
    responses = await asyncio.gather(*(wrong_login(client, "chair") for _ in range(100)))
    counted = statuses(responses)
    assert set(counted) <= {401, 429}, counted
    assert 1 <= counted[401] <= LOGIN_FAILURES_PER_USER_AND_ADDRESS, counted
    # One after another, the total of password checks stops at the limit too.
    later = [await wrong_login(client, "chair") for _ in range(10)]
    assert counted[401] + statuses(later)[401] == LOGIN_FAILURES_PER_USER_AND_ADDRESS
    assert_problem(await wrong_login(client, "chair"), 429, "too-many-failed-logins")


async def test_an_attacker_elsewhere_cannot_lock_a_chair_out(
    settings: Settings, world: World
) -> None:
    behind_proxy = Settings(**{**_fields(settings), "trusted_proxies": ("127.0.0.1",)})
    async with AsyncTestClient(app=via_proxy(create_app(behind_proxy))) as client:
        for _ in range(3 * LOGIN_FAILURES_PER_USER_AND_ADDRESS):
            await wrong_login(client, "chair", address="203.0.113.9")
        assert_problem(
            await wrong_login(client, "chair", address="203.0.113.9"),
            429,
            "too-many-failed-logins",
        )
        response = await client.post(
            "/api/v1/auth/login",
            json={
                "username": "chair",
                "password": DEMO_PASSWORD,
                "totp": totp_code(world.info.totp_secret),
            },
            headers={"x-forwarded-for": "198.51.100.20"},
        )
        assert response.status_code == 200, response.text


async def test_casts_keep_answering_through_a_login_storm(client: Client, world: World) -> None:
    storm = [wrong_login(client, f"stranger{n}") for n in range(40)]
    votes = [
        cast(client, world.practical_id, c, PROJECTS)
        for c in world.credentials[world.practical_id][:10]
    ]
    assert len(votes) >= 3
    responses = await asyncio.gather(*votes, *storm)
    assert [r.status_code for r in responses[: len(votes)]] == [201] * len(votes)
    storm_statuses = statuses(responses[len(votes) :])
    assert set(storm_statuses) <= {401, 429, 503}, storm_statuses
    for response in responses[len(votes) :]:
        if response.status_code == 503:
            assert_problem(response, 503, "login-busy")


def via_proxy(app: Litestar) -> Any:
    """``app`` as reached through a reverse proxy on 127.0.0.1 (which sets X-Forwarded-For)."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": ("127.0.0.1", 50000)}
        await app(scope, receive, send)

    return asgi


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fields(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__struct_fields__}


async def test_voting_works_with_redis_unreachable(
    settings: Settings, world: World, tmp_path: Path
) -> None:
    gone = Settings(**{**_fields(settings), "redis_url": f"redis://127.0.0.1:{_closed_port()}/0"})
    async with AsyncTestClient(app=create_app(gone)) as client:
        credential = world.credential(world.firm_id)
        status = await client.post(
            f"/api/v1/ballots/{world.firm_id}/voter-status", json={"credential": credential}
        )
        assert status.status_code == 200, status.text
        assert (await cast(client, world.firm_id, credential)).status_code == 201
        page = await client.post(
            f"/v/{world.practical_id}",
            data={"credential": world.credential(world.practical_id), "q:projects": ["p2", "p3"]},
        )
        assert page.status_code == 200, page.text
        assert await world.casts(world.practical_id) == 1
        login = await client.post(
            "/api/v1/auth/login",
            json={
                "username": "chair",
                "password": DEMO_PASSWORD,
                "totp": totp_code(world.info.totp_secret),
            },
        )
        assert login.status_code == 200, login.text
        # Limits still hold, in this process, while Redis is away.
        for number in range(CODE_FAILURES_PER_ADDRESS):
            assert (await cast(client, world.firm_id, unknown_code(number))).status_code == 403
        assert (await cast(client, world.firm_id, unknown_code(999))).status_code == 429
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "ok", "redis": "unreachable"}
        assert health.json() == _operators_guide_health_example()


def _operators_guide_health_example() -> Any:
    """The degraded /healthz answer the operator's guide shows, so the guide cannot drift."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "operators.md").read_text()
    section = guide.split("`GET /healthz`", 1)[1]
    return json.loads(section.split("```json", 1)[1].split("```", 1)[0])


async def test_health_is_ok_without_redis_configured(client: Client, world: World) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_a_trusted_network_gets_ten_times_the_limits(settings: Settings) -> None:
    office = Settings(**{**_fields(settings), "trusted_networks": ("10.8.0.0/24",)})
    assert code_rules("10.8.0.7", office)[0].limit == CODE_FAILURES_PER_ADDRESS * TRUSTED_FACTOR
    assert code_rules("10.9.0.7", office)[0].limit == CODE_FAILURES_PER_ADDRESS
    per_address = {rule.key: rule.limit for rule in login_rules("Chair", "10.8.0.7", office)}
    assert per_address["login-ip:10.8.0.7"] == 300
    # The per-user-and-address limit is not raised: it stops a guesser inside the office too.
    assert per_address["login:chair:10.8.0.7"] == LOGIN_FAILURES_PER_USER_AND_ADDRESS
