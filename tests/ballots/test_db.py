"""The SQLite writer: votes arriving together commit together, and a refused one rolls back alone."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from ballots.db import SqliteWriter


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
