"""Shared fixtures: a freshly migrated database per test, on SQLite and on PostgreSQL.

Domain and API tests use ``db_url`` (or ``session``) and so run twice: once on a real SQLite
file and once on the real PostgreSQL server (``VOTE_TEST_POSTGRES_URL``, by default the local
server with trust auth). Each test gets its own database copied from a migrated template. Off CI
a missing PostgreSQL skips those runs; with ``CI=true`` it fails them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "VOTE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _admin_dsn() -> str:
    return POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


async def _pg_execute(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_admin_dsn(), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _pg_url(database: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"vote_tpl_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_execute(f"CREATE DATABASE {name}"))
    except Exception as error:  # any connection failure means "no server"
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    upgrade(_pg_url(name))
    yield name
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test only."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "vote.sqlite3"
        shutil.copyfile(template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"vote_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_execute(f"CREATE DATABASE {name} TEMPLATE {template_name}"))
    yield _pg_url(name)
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    """A session on the test database; commit explicitly in tests, as services expect."""
    engine = create_engine(db_url)
    async with create_sessionmaker(engine)() as db_session:
        yield db_session
    await dispose(engine)
