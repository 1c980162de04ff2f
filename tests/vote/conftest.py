"""Fixtures for the web tests: a real app on a test database holding the demo, an HTTP client,
handles to the demo world, and a chair's API token. Every test runs on SQLite and PostgreSQL.

The demo is seeded once per backend through the real services into a template database; each
test gets its own fresh copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL) at the same address, with an emptied data folder, so tests stay independent
without paying for the seeding every time. Building the app (registering some 700 routes) is
paid once per backend too: every test starts the same app's lifespan afresh on its own copy,
with a rate limiter of its own.
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
from vote.ratelimit import MemoryRateLimiter, Refused, Rule, Slot
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


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each backend's current test database file and data folder live."""
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="session")
def postgres_current() -> Iterator[str]:
    """The name of the database every PostgreSQL web test gets afresh, in turn."""
    name = f"vote_t_{uuid.uuid4().hex[:12]}"
    yield name
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgres"])
def seeded(request: pytest.FixtureRequest, web_home: Path) -> tuple[str, DemoInfo]:
    """A fresh database holding the demo for this test alone, and the demo's logins and links
    (the same address for every test of a backend, so one app serves them all)."""
    if request.param == "sqlite":
        template, info = request.getfixturevalue("seeded_sqlite")
        target = web_home / "vote.sqlite3"
        for leftover in (target, *(Path(f"{target}{end}") for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}", info
    template_name, info = request.getfixturevalue("seeded_postgres")
    name: str = request.getfixturevalue("postgres_current")
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    asyncio.run(_pg_execute(f"CREATE DATABASE {name} TEMPLATE {template_name}"))
    return _pg_url(name), info


@pytest.fixture
def db_url(seeded: tuple[str, DemoInfo]) -> str:
    """Overrides the suite's empty database: web tests start from the demo."""
    return seeded[0]


@pytest.fixture
def settings(db_url: str, web_home: Path) -> Settings:
    data_dir = web_home / ("data-sqlite" if db_url.startswith("sqlite") else "data-postgres")
    shutil.rmtree(data_dir, ignore_errors=True)  # uploads and keys of the test before
    return Settings(
        database_url=db_url,
        base_url=BASE_URL,
        data_dir=data_dir,
        secret_key_hex=SECRET_HEX,
    )


def one_window_limiter() -> MemoryRateLimiter:
    """The in-process limiter with every test inside one window (its clock stands still), so a
    count of failures never resets because the wall clock crossed a window boundary mid-test."""
    return MemoryRateLimiter(clock=lambda: 1.0)


class FreshLimiter:
    """The shared app's rate limiter: a new :func:`one_window_limiter` for every test."""

    def __init__(self) -> None:
        self.current = one_window_limiter()

    async def begin(self, rule: Rule) -> Slot | Refused:
        return await self.current.begin(rule)

    async def finish(self, slot: Slot, *, failed: bool) -> None:
        await self.current.finish(slot, failed=failed)

    async def count(self, key: str, window: int) -> int:
        return await self.current.count(key, window)

    async def reset(self, key: str) -> None:
        await self.current.reset(key)


@pytest.fixture(scope="session")
def built_apps() -> dict[str, tuple[Litestar, FreshLimiter]]:
    """Apps already built, by their settings."""
    return {}


@pytest.fixture
def app(settings: Settings, built_apps: dict[str, tuple[Litestar, FreshLimiter]]) -> Litestar:
    """The app for these settings (built once per backend), with a fresh rate limiter."""
    key = repr(settings)
    if key not in built_apps:
        limiter = FreshLimiter()
        built_apps[key] = (create_app(settings, limiter=limiter), limiter)
    built, limiter = built_apps[key]
    limiter.current = one_window_limiter()
    return built


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
