"""Fixtures for the web tests: a real app on a test database holding the demo, an HTTP client,
handles to the demo world, and a chair's API token. Every test runs on SQLite and PostgreSQL.

The demo is seeded once per backend through the real services into a template database; each
test gets its own copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so
tests stay independent without paying for the seeding every time.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import _pg_execute, _pg_url
from tests.vote.helpers import (
    BASE_URL,
    SECRET_HEX,
    Client,
    Db,
    World,
    bearer,
    build_world,
    login,
    seed_demo,
)
from vote.app import create_app
from vote.demo import DemoInfo
from vote.ratelimit import MemoryRateLimiter
from vote.settings import Settings


@pytest.fixture(scope="session")
def seeded_sqlite(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, DemoInfo]:
    path = tmp_path_factory.mktemp("seeded") / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    info = asyncio.run(seed_demo(Db(f"sqlite+aiosqlite:///{path}")))
    return path, info


@pytest.fixture(scope="session")
def seeded_postgres(postgres_template: str) -> Iterator[tuple[str, DemoInfo]]:
    name = f"vote_demo_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_execute(f"CREATE DATABASE {name} TEMPLATE {postgres_template}"))
    info = asyncio.run(seed_demo(Db(_pg_url(name))))
    yield name, info
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgres"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, DemoInfo]]:
    """A database of this test's own holding the demo, and the demo's logins and links."""
    if request.param == "sqlite":
        template, info = request.getfixturevalue("seeded_sqlite")
        target = tmp_path / "vote.sqlite3"
        shutil.copyfile(template, target)
        yield f"sqlite+aiosqlite:///{target}", info
        return
    template_name, info = request.getfixturevalue("seeded_postgres")
    name = f"vote_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_execute(f"CREATE DATABASE {name} TEMPLATE {template_name}"))
    yield _pg_url(name), info
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def db_url(seeded: tuple[str, DemoInfo]) -> str:
    """Overrides the suite's empty database: web tests start from the demo."""
    return seeded[0]


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        base_url=BASE_URL,
        data_dir=tmp_path / "data",
        secret_key_hex=SECRET_HEX,
    )


def one_window_limiter() -> MemoryRateLimiter:
    """The in-process limiter with every test inside one window (its clock stands still), so a
    count of failures never resets because the wall clock crossed a window boundary mid-test."""
    return MemoryRateLimiter(clock=lambda: 1.0)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings, limiter=one_window_limiter())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def db(db_url: str) -> Db:
    return Db(db_url)


@pytest.fixture
async def world(db: Db, seeded: tuple[str, DemoInfo]) -> World:
    return await build_world(db, seeded[1])


@pytest.fixture
async def chair_token(client: Client, world: World) -> str:
    """An API token of the demo street chair (logged in once, then a script token)."""
    session_token = await login(client, "chair", world.info.totp_secret)
    response = await client.post(
        "/api/v1/auth/tokens", json={"name": "tests"}, headers=bearer(session_token)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


@pytest.fixture
def chair_headers(chair_token: str) -> dict[str, str]:
    return bearer(chair_token)
