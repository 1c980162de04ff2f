"""Group commit: votes arriving together commit together (on the SQLite writer and on the
server database's committer), and a refused one rolls back alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ballots.db import SqliteWriter, committer_of, create_engine, dispose


class Refused(Exception):
    pass


@pytest.fixture
def writer(tmp_path: Path) -> SqliteWriter:
    made = SqliteWriter(f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}")
    with made.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    return made


def _insert(n: int, *, refuse: bool = False, pause: float = 0.0):  # type: ignore[no-untyped-def]
    def work(connection: Connection) -> int:
        time.sleep(pause)  # hold the writer so that the others queue into one batch
        connection.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        if refuse:
            raise Refused(n)
        return n

    return work


def _stored(writer: SqliteWriter) -> list[int]:
    with writer.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT n FROM t ORDER BY n"))]


async def test_a_refused_job_rolls_back_alone_inside_a_batch(writer: SqliteWriter) -> None:
    jobs = [writer.run(_insert(0, pause=0.05))]
    jobs += [writer.run(_insert(n, refuse=n % 2 == 1)) for n in range(1, 21)]
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    assert [o for o in outcomes if not isinstance(o, BaseException)] == list(range(0, 21, 2))
    assert all(isinstance(o, Refused) for o in outcomes[1::2])
    assert _stored(writer) == list(range(0, 21, 2))
    writer.close()


async def test_refusals_before_any_write_need_no_second_run(writer: SqliteWriter) -> None:
    """A refused vote is refused before it writes anything: the batch commits in one run (no
    savepoint per vote), and a refusal after a write still rolls back alone (second run)."""
    runs: list[int] = []

    def checked(n: int, *, refuse_first: bool):  # type: ignore[no-untyped-def]
        def work(connection: Connection) -> int:
            runs.append(n)
            if n == 0:
                time.sleep(0.05)
            if refuse_first:
                raise Refused(n)
            connection.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            return n

        return work

    jobs = [writer.run(checked(n, refuse_first=n % 3 == 1)) for n in range(10)]
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    kept = [n for n in range(10) if n % 3 != 1]
    assert [o for o in outcomes if not isinstance(o, BaseException)] == kept
    assert _stored(writer) == kept
    assert sorted(runs) == list(range(10))  # each ran once
    runs.clear()
    late = [writer.run(checked(20, refuse_first=False)), writer.run(_insert(21, refuse=True))]
    late += [writer.run(checked(22, refuse_first=False))]
    outcomes = await asyncio.gather(*late, return_exceptions=True)
    assert outcomes[0] == 20 and isinstance(outcomes[1], Refused) and outcomes[2] == 22
    assert _stored(writer) == [*kept, 20, 22]
    writer.close()


async def test_a_lone_refused_job_leaves_nothing(writer: SqliteWriter) -> None:
    with pytest.raises(Refused):
        await writer.run(_insert(7, refuse=True))
    assert _stored(writer) == []
    assert await writer.run(_insert(8)) == 8
    assert _stored(writer) == [8]
    writer.close()


class Crash(BaseException):
    """Something that aborts the whole transaction, as a failing COMMIT would."""


async def test_when_the_batch_cannot_commit_every_job_fails_and_nothing_is_stored(
    writer: SqliteWriter,
) -> None:
    def crash(connection: Connection) -> int:
        raise Crash

    first = writer.run(_insert(1, pause=0.05))
    batch = [writer.run(_insert(n)) for n in (10, 11)] + [writer.run(crash)]
    outcomes = await asyncio.gather(first, *batch, return_exceptions=True)
    assert outcomes[0] == 1
    assert all(isinstance(o, Crash) for o in outcomes[1:])
    assert _stored(writer) == [1]
    writer.close()


# --- grouped work, on both databases -------------------------------------------------------


class Fault(Exception):
    """A fault of a whole group call, after it wrote."""


@pytest.fixture
async def grouped_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE grouped (n INTEGER PRIMARY KEY)"))
    yield engine
    await dispose(engine)


class InsertAll:
    """A group: refuses negative numbers before writing, inserts the rest in one statement, and
    fails as a whole (after writing) when 13 is among them; remembers each call's items."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    def __call__(self, connection: Connection, items: Sequence[int]) -> list[int | Exception]:
        self.calls.append(list(items))
        if items[0] == 0:
            time.sleep(0.05)  # hold the first call so that the others queue up behind it
        rows = [{"n": n} for n in items if n >= 0]
        if rows:
            connection.execute(text("INSERT INTO grouped (n) VALUES (:n)"), rows)
        if 13 in items:
            raise Fault(13)
        return [Refused(n) if n < 0 else n for n in items]


async def _grouped_rows(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        found = await connection.execute(text("SELECT n FROM grouped ORDER BY n"))
        return [row[0] for row in found]


async def test_grouped_items_arriving_together_share_one_call(grouped_engine: AsyncEngine) -> None:
    group = InsertAll()
    committer = committer_of(grouped_engine)
    accepted = [0, *range(20, 40)]
    items = [*accepted, -1, -2]
    outcomes = await asyncio.gather(
        *(committer.run_grouped(group, n) for n in items), return_exceptions=True
    )
    assert outcomes[:21] == accepted
    assert [type(o) for o in outcomes[21:]] == [Refused, Refused]
    assert await _grouped_rows(grouped_engine) == accepted
    assert max(len(call) for call in group.calls) > 1
    assert sorted(n for call in group.calls for n in call) == sorted(items)


async def test_a_group_failing_as_a_whole_runs_each_item_alone(
    grouped_engine: AsyncEngine,
) -> None:
    group = InsertAll()
    committer = committer_of(grouped_engine)
    first = committer.run_grouped(group, 0)
    rest = [committer.run_grouped(group, n) for n in (10, 11, 13, 14, -5)]
    outcomes = await asyncio.gather(first, *rest, return_exceptions=True)
    assert outcomes[:3] == [0, 10, 11]
    assert isinstance(outcomes[3], Fault) and isinstance(outcomes[5], Refused)
    assert outcomes[4] == 14
    assert await _grouped_rows(grouped_engine) == [0, 10, 11, 14]
    # Tried together first, then one by one.
    assert any(13 in call and 14 in call for call in group.calls)
    assert [13] in group.calls and [14] in group.calls
