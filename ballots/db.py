"""Database engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. Writing transactions start with
``BEGIN IMMEDIATE`` so that read-then-write sequences (casting, closing) are serialised by the
database itself, and one process shares one writing connection, which keeps writers in FIFO
order instead of busy-waiting. Read-only work (page views) may use a separate read engine whose
transactions start deferred: in WAL mode readers never wait for the writer.

The hot path of casting on SQLite runs as one synchronous transaction on a dedicated thread
(:func:`sqlite_writer`): one thread hand-off per vote instead of one per driver call.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, QueuePool

T = TypeVar("T")


def is_sqlite(url: str) -> bool:
    """True when ``url`` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, read_only: bool = False) -> AsyncEngine:
    """Create the async engine for ``url`` with the settings each backend needs.

    ``read_only`` gives, on SQLite, an engine of a few connections whose transactions start
    deferred (for page views); on PostgreSQL it makes no difference.
    """
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=2 if read_only else 1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"timeout": 30},
        )
        configure_sqlite(engine.sync_engine, immediate=not read_only)
        return engine
    return create_async_engine(url, echo=echo, pool_size=20, max_overflow=10, pool_pre_ping=True)


def configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    """WAL, foreign keys and a busy timeout on every connection; ``BEGIN IMMEDIATE`` if asked."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) issue BEGIN, so we can make it IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory whose objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


class SqliteWriter:
    """A synchronous SQLite engine used from one dedicated thread, for short write transactions."""

    def __init__(self, url: str) -> None:
        sync_url = make_url(url).set(drivername="sqlite+pysqlite")
        self.engine = create_sync_engine(
            sync_url,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=0,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        configure_sqlite(self.engine, immediate=True)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction on the writer thread."""

        def transaction() -> T:
            with self.engine.begin() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self.executor, transaction)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.engine.dispose()


_WRITERS: weakref.WeakKeyDictionary[Engine, SqliteWriter] = weakref.WeakKeyDictionary()


def sqlite_writer(engine: AsyncEngine) -> SqliteWriter | None:
    """The dedicated writer for a SQLite engine (created on first use), or None elsewhere."""
    if engine.dialect.name != "sqlite":
        return None
    writer = _WRITERS.get(engine.sync_engine)
    if writer is None:
        writer = _WRITERS[engine.sync_engine] = SqliteWriter(str(engine.url))
    return writer


async def dispose(engine: AsyncEngine) -> None:
    """Close an engine's connections and its SQLite writer, if it has one."""
    writer = _WRITERS.pop(engine.sync_engine, None)
    if writer is not None:
        writer.close()
    await engine.dispose()
