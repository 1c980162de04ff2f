"""Database engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. Writing transactions start with
``BEGIN IMMEDIATE`` so that read-then-write sequences (casting, closing) are serialised by the
database itself, and one process shares one writing connection, which keeps writers in FIFO
order instead of busy-waiting. Read-only work (page views) may use a separate read engine whose
transactions start deferred: in WAL mode readers never wait for the writer.

Votes arriving together are written together (:func:`committer_of`). On SQLite the hot path of
casting runs synchronously on a dedicated writer thread (:class:`SqliteWriter`): one thread
hand-off per vote instead of one per driver call, and one transaction per batch. Elsewhere a
:class:`GroupCommitter` runs each batch in one transaction on one pooled connection, so that a
hundred phones voting at once cost a few round trips and one commit, not a hundred of each.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Generic, TypeVar

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
I = TypeVar("I")  # noqa: E741 - an item of grouped work

Group = Callable[[Connection, Sequence[I]], list[T | Exception]]
"""Work on many items in one transaction: the outcome of each, a result or the refusal (an
exception) of that item. A group refuses items before it writes anything; if it raises, the
transaction is rolled back and each item runs again alone."""


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
    """A synchronous SQLite engine used from one dedicated thread, for short write transactions.

    Work that arrives while the thread is busy is committed together (group commit): one
    ``BEGIN IMMEDIATE`` … ``COMMIT`` around a batch, and a refused vote rolls back alone (a
    refusal that changed nothing needs no undoing; otherwise the batch runs again with a
    savepoint around each piece). Nobody hears back before the batch is committed, so an
    acknowledged vote is always durable; if the commit fails, every caller in the batch gets the
    error (and nothing of the batch was stored).
    """

    MAX_BATCH = 128
    """Votes per transaction at most: a batch's fixed costs (the commit, one statement per
    table) are shared by more votes, and the write lock is still held for milliseconds only."""

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
        self._lock = threading.Lock()
        self._pending: list[_Job[Any]] = []
        self._draining = False

    async def run(
        self,
        work: Callable[[Connection], T],
        on_committed: Callable[[T], None] | None = None,
    ) -> T:
        """Run ``work`` in a ``BEGIN IMMEDIATE`` transaction on the writer thread.

        ``on_committed`` is called with the work's result on the event loop once its batch is
        committed, for every piece of work in the batch before any of their callers resumes
        (so the first caller to resume already knows all that the batch committed)."""
        loop = asyncio.get_running_loop()
        return await self._enqueue(_Job(work, loop, loop.create_future(), on_committed))

    async def run_grouped(
        self,
        group: Group[I, T],
        item: I,
        on_committed: Callable[[T], None] | None = None,
    ) -> T:
        """Like :meth:`run`, but consecutive items of the same ``group`` in a batch go to one
        call of ``group``."""
        return await self._enqueue(_grouped_job(group, item, on_committed))

    def _enqueue(self, job: _Job[T]) -> asyncio.Future[T]:
        with self._lock:
            self._pending.append(job)
            start = not self._draining
            self._draining = True
        if start:
            self.executor.submit(self._drain)
        return job.future

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch = self._pending[: self.MAX_BATCH]
                del self._pending[: self.MAX_BATCH]
                if not batch:
                    self._draining = False
                    return
            self._commit(batch)

    def _commit(self, batch: list[_Job[Any]]) -> None:
        try:
            try:
                outcomes = self._run_batch(batch, savepoints=False)
            except _Redo:
                outcomes = self._run_batch(batch, savepoints=True)
        except BaseException as error:  # the commit failed: nothing of the batch is stored
            outcomes = [(job, error, False) for job in batch]
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job[Any], Any, bool]]] = {}
        for outcome in outcomes:
            by_loop.setdefault(outcome[0].loop, []).append(outcome)
        for loop, settled in by_loop.items():
            loop.call_soon_threadsafe(_settle_batch, settled)

    def _run_batch(
        self, batch: list[_Job[Any]], *, savepoints: bool
    ) -> list[tuple[_Job[Any], Any, bool]]:
        """Run the batch in one transaction and commit what succeeded.

        Without ``savepoints``, a piece of work that fails having changed nothing (a refused
        vote: every refusal comes before the first write) needs no undoing; one that fails
        after changing rows raises :class:`_Redo`, which rolls the whole batch back for a
        second run with a savepoint around each piece (straight on the sqlite3 connection:
        SQLAlchemy's nested transactions cost more than a vote's statements).
        """
        outcomes: list[tuple[_Job[Any], Any, bool]] = []
        try:
            with self.engine.begin() as connection:
                raw = connection.connection.driver_connection
                assert raw is not None
                start = 0
                while start < len(batch):
                    job = batch[start]
                    end = start + 1
                    if savepoints or job.group is None:
                        if savepoints:
                            raw.execute("SAVEPOINT job")
                        changes = raw.total_changes
                        outcome = _attempt(job, connection)
                        if savepoints:
                            if not outcome[2]:
                                raw.execute("ROLLBACK TO job")
                            raw.execute("RELEASE job")
                        elif not outcome[2] and raw.total_changes != changes:
                            raise _Redo()
                        outcomes.append(outcome)
                    else:
                        while end < len(batch) and batch[end].group is job.group:
                            end += 1
                        changes = raw.total_changes
                        grouped = _attempt_group(batch[start:end], connection)
                        if grouped is None:
                            if raw.total_changes != changes:
                                raise _Redo()
                            grouped = [_attempt(each, connection) for each in batch[start:end]]
                        outcomes.extend(grouped)
                    start = end
                if all(not ok for _, _, ok in outcomes):
                    raise _RolledBack()  # nothing to keep
        except _RolledBack:
            pass
        return outcomes

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.engine.dispose()


class _Job(Generic[T]):
    __slots__ = ("future", "group", "item", "loop", "on_committed", "work")

    def __init__(
        self,
        work: Callable[[Connection], T],
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[T],
        on_committed: Callable[[T], None] | None,
    ) -> None:
        self.work, self.loop, self.future = work, loop, future
        self.on_committed = on_committed
        self.group: Group[Any, T] | None = None
        self.item: Any = None


class _RolledBack(Exception):
    """Roll back a batch none of whose work succeeded (their errors are reported separately)."""


class _Redo(Exception):
    """Roll back a batch in which work failed after changing rows, to run it again with a
    savepoint around each piece."""


def _attempt(job: _Job[Any], connection: Connection) -> tuple[_Job[Any], Any, bool]:
    try:
        return job, job.work(connection), True
    except Exception as error:
        return job, error, False


def _grouped_job(group: Group[I, T], item: I, on_committed: Callable[[T], None] | None) -> _Job[T]:
    """A job for ``item`` of ``group``, on the running loop (alone, it runs as a group of one)."""
    loop = asyncio.get_running_loop()
    job: _Job[T] = _Job(partial(_one, group, item), loop, loop.create_future(), on_committed)
    job.group, job.item = group, item
    return job


def _one(group: Group[I, T], item: I, connection: Connection) -> T:
    """``group`` on one item: its result, or its refusal raised."""
    (outcome,) = group(connection, [item])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _attempt_group(
    jobs: Sequence[_Job[Any]], connection: Connection
) -> list[tuple[_Job[Any], Any, bool]] | None:
    """Run consecutive jobs of one group in one call; None if the call itself failed."""
    group = jobs[0].group
    assert group is not None
    try:
        values = group(connection, [job.item for job in jobs])
    except Exception:
        return None
    return [
        (job, value, not isinstance(value, Exception))
        for job, value in zip(jobs, values, strict=True)
    ]


def _settle_batch(outcomes: list[tuple[_Job[Any], Any, bool]]) -> None:
    """On the event loop: tell every committed job's ``on_committed``, then its caller."""
    for job, value, ok in outcomes:
        if ok and job.on_committed is not None:
            try:
                job.on_committed(value)
            except Exception:  # a hook never takes a committed result from its caller
                logging.getLogger("ballots").exception("on_committed failed")
    for job, value, ok in outcomes:
        if job.future.cancelled():
            continue
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)


class GroupCommitter:
    """Grouped work on a server database (PostgreSQL): items that arrive while a batch is being
    written wait for the next one, which runs in one transaction on one pooled connection.
    Nobody hears back before their batch is committed. If a batch fails as a whole, nothing of
    it is stored and each item runs again alone, so one item's fault never refuses another."""

    MAX_BATCH = 128

    def __init__(self, engine: AsyncEngine) -> None:
        # Weakly: the committer is kept per engine, and must not keep its engine alive.
        self._engine = weakref.ref(engine)
        self._queues: dict[tuple[asyncio.AbstractEventLoop, Group[Any, Any]], list[_Job[Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def run_grouped(
        self,
        group: Group[I, T],
        item: I,
        on_committed: Callable[[T], None] | None = None,
    ) -> T:
        """Run ``group`` on ``item`` with whatever else arrives meanwhile; its outcome once
        committed (``on_committed`` is called first, as in :meth:`SqliteWriter.run`)."""
        job = _grouped_job(group, item, on_committed)
        loop = job.loop
        key = (loop, group)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = []
            task = loop.create_task(self._drain(key, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        queue.append(job)
        return await job.future

    async def _drain(
        self, key: tuple[asyncio.AbstractEventLoop, Group[Any, Any]], queue: list[_Job[Any]]
    ) -> None:
        try:
            while queue:
                batch = queue[: self.MAX_BATCH]
                del queue[: self.MAX_BATCH]
                _settle_batch(await self._commit(batch))
        finally:
            del self._queues[key]
            for job in queue:  # only when the loop is shutting down mid-batch
                job.future.cancel()

    async def _commit(self, batch: list[_Job[Any]]) -> list[tuple[_Job[Any], Any, bool]]:
        group = batch[0].group
        assert group is not None
        try:
            async with self._live_engine().connect() as connection:
                values = await connection.run_sync(group, [job.item for job in batch])
                await connection.commit()
        except Exception as error:
            if len(batch) == 1:
                return [(batch[0], error, False)]
            return [await self._alone(job) for job in batch]
        return [
            (job, value, not isinstance(value, Exception))
            for job, value in zip(batch, values, strict=True)
        ]

    def _live_engine(self) -> AsyncEngine:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine of this committer was disposed of")
        return engine

    async def _alone(self, job: _Job[Any]) -> tuple[_Job[Any], Any, bool]:
        try:
            async with self._live_engine().connect() as connection:
                value = await connection.run_sync(job.work)
                await connection.commit()
        except Exception as error:
            return job, error, False
        return job, value, True


Committer = SqliteWriter | GroupCommitter

_WRITERS: weakref.WeakKeyDictionary[Engine, SqliteWriter] = weakref.WeakKeyDictionary()
_COMMITTERS: weakref.WeakKeyDictionary[Engine, GroupCommitter] = weakref.WeakKeyDictionary()


def committer_of(engine: AsyncEngine) -> Committer:
    """Where grouped writes to ``engine``'s database go: its SQLite writer, or its committer."""
    writer = sqlite_writer(engine)
    if writer is not None:
        return writer
    committer = _COMMITTERS.get(engine.sync_engine)
    if committer is None:
        committer = _COMMITTERS[engine.sync_engine] = GroupCommitter(engine)
    return committer


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
    _COMMITTERS.pop(engine.sync_engine, None)
    writer = _WRITERS.pop(engine.sync_engine, None)
    if writer is not None:
        writer.close()
    await engine.dispose()
