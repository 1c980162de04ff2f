"""Statements of the cast path, run at the driver's speed on the embedded default.

A :class:`Statement` is a SQLAlchemy Core statement, built once. On PostgreSQL (and on SQLite
through aiosqlite) it runs through SQLAlchemy as any other statement. On the SQLite writer
thread (:class:`ballots.db.SqliteWriter`, a stdlib ``sqlite3`` connection underneath) it runs
as the same SQL, compiled once for SQLite, straight on that connection, inside the same
transaction and savepoint: per statement that skips SQLAlchemy's parameter and result
processing, most of the cost of a vote's half dozen statements. The SQL text stays the Core
statement's own, so the two never drift apart; the few type conversions SQLAlchemy would make
(aware UTC datetimes to SQLite's text and back) are made here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql import Executable

_SQLITE = sqlite.dialect()


Db = Connection | sqlite3.Connection
"""Where a :class:`Statement` runs: a SQLAlchemy connection, or the sqlite3 one under it."""


def driver_of(connection: Connection) -> Db:
    """The stdlib ``sqlite3`` connection under ``connection`` if there is one, else
    ``connection`` itself: look it up once per transaction, then run statements on it."""
    if connection.dialect.name != "sqlite":
        return connection
    raw = connection.connection.driver_connection
    return raw if isinstance(raw, sqlite3.Connection) else connection


@lru_cache(maxsize=64)
def sqlite_time(moment: datetime) -> str:
    """An aware datetime as SQLAlchemy stores it on SQLite (naive UTC text); remembered, as
    every vote of an hour stores the same hour."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def parse_sqlite_time(text: str | None) -> datetime | None:
    """SQLite's stored text back as an aware UTC datetime (what the ORM would return)."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


class Statement:
    """A Core statement with its SQLite text compiled once; ``times`` are the positions of the
    result's datetime columns and ``binds_times`` says whether a parameter may be a datetime
    (both converted on the raw path as SQLAlchemy would)."""

    __slots__ = ("_expanded", "binds_times", "core", "names", "pick", "sql", "times")

    def __init__(
        self,
        core: Executable,
        *,
        columns: Sequence[str] | None = None,
        times: Sequence[int] = (),
        binds_times: bool = False,
    ) -> None:
        self.core = core
        compiled = core.compile(  # type: ignore[attr-defined]
            dialect=_SQLITE, column_keys=list(columns) if columns is not None else None
        )
        self.sql: str = str(compiled)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.pick = itemgetter(*self.names) if len(self.names) > 1 else None
        self.times = tuple(times)
        self.binds_times = binds_times
        self._expanded: dict[int, str] = {}

    def _raw_params(self, params: Mapping[str, Any]) -> Sequence[Any]:
        values = self.pick(params) if self.pick else [params[name] for name in self.names]
        if self.binds_times:
            return [sqlite_time(v) if isinstance(v, datetime) else v for v in values]
        return values

    def _converted(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if not self.times:
            return tuple(row)
        values = list(row)
        for position in self.times:
            values[position] = parse_sqlite_time(values[position])
        return tuple(values)

    def first(self, db: Db, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        if isinstance(db, sqlite3.Connection):
            found = db.execute(self.sql, self._raw_params(params)).fetchone()
            return None if found is None else self._converted(found)
        row = db.execute(self.core, dict(params)).first()
        return None if row is None else tuple(row)

    def rows_in(
        self, db: Db, name: str, values: Sequence[Any], params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """Every row, for a statement with ``IN`` over the expanding parameter ``name`` given
        ``values`` (one statement however many there are)."""
        if not isinstance(db, sqlite3.Connection):
            return [tuple(row) for row in db.execute(self.core, {**params, name: list(values)})]
        sql = self._expanded.get(len(values))
        if sql is None:
            marks = ", ".join("?" * len(values))
            sql = self._expanded[len(values)] = self.sql.replace(f"__[POSTCOMPILE_{name}]", marks)
        flat: list[Any] = []
        for each in self.names:
            if each == name:
                flat.extend(values)
            else:
                flat.append(params[each])
        return [self._converted(row) for row in db.execute(sql, flat)]

    def run(self, db: Db, params: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        if isinstance(db, sqlite3.Connection):
            return db.execute(self.sql, self._raw_params(params)).rowcount
        return int(db.execute(self.core, dict(params)).rowcount)

    def run_many(self, db: Db, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row of parameters."""
        if isinstance(db, sqlite3.Connection):
            db.executemany(self.sql, [self._raw_params(row) for row in rows])
        else:
            db.execute(self.core, [dict(row) for row in rows])
