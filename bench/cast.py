"""Benchmark: votes per second and latency of the real cast endpoint against honest baselines.

The default comparison (issue 12) runs three servers, each a process of its own:

- ``vote serve`` as an operator starts it (``python -m vote.cli serve --workers N``, settings
  from ``VOTE_*`` variables): SQLite file by default, or ``--database postgres`` with two
  workers and Redis; real credentials issued through the real services, every cast a distinct
  first vote on an open ballot;
- the naive endpoint on the same stack (Litestar, uvicorn with ``vote serve``'s options):
  msgspec-decode the same body, SHA-256 the credential, one stdlib ``sqlite3`` INSERT (WAL,
  ``synchronous=NORMAL``), a JSON answer;
- the ceiling: a constant JSON ``GET`` on the naive server.

They are measured alternately (the order rotating each round) by wrk with ``bench/cast.lua``
(64 connections on one thread, every request sent exactly once, latencies from wrk unpadded).
It prints votes/s, p50/p99, real/naive and real/ceiling, server CPU per request from the
server's process tree in /proc, and checks that acknowledged votes = cast rows = participation
rows = casts on the board exported with ``vote board export``, and ``tally verify`` on it.
``--profile`` samples ``vote serve`` with py-spy and prints where its CPU goes.

``--against orm`` is the comparison before issue 12: the real app in-process under uvicorn
against a bare endpoint inserting through ``ballots.db.create_engine`` (async SQLAlchemy), with
the raw-asyncio load generator in this process; ``--against nolog`` compares the real app with
itself with the board append switched off. Nothing here asserts on time: it is a benchmark.

``--against storm`` measures the real app alone, casting without and with a storm of wrong chair
logins (``POST /api/v1/auth/login``, 20 a second by default, each from its own user name and
X-Forwarded-For address, so every attempt costs a password check), in alternating rounds. It
prints the ratio storm/quiet throughput, both p99s, the password checks per second the storm
achieved, and whether the aims hold (ratio >= 0.8, p99 < 150 ms under the storm at 64 clients).

Usage (from the repository root; wrk from the system's packages)::

    .venv/bin/python bench/cast.py            # 3 rounds x 4,000 requests per target
    .venv/bin/python bench/cast.py --smoke    # a few seconds of load: does everything work?
    .venv/bin/python bench/cast.py --database postgres --requests 1500
    .venv/bin/python bench/cast.py --profile --rounds 1
    .venv/bin/python bench/cast.py --against storm --storm-rate 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

# Running `python bench/cast.py` puts bench/ first on sys.path, where bench/tally.py would
# shadow the tally package: look packages up from the repository root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import msgspec

ROSTER_ROWS_PER_AREA = 10_000  # parse_roster accepts at most 20,000 rows per file
ANSWERS = {"choice": ["o2"]}
AIM_RATIO = 0.5
AIM_P99_MS = 100.0
AIM_CPU_MS = 0.6  # server CPU per vote (issue 12)
CAST_EVENT = "cast"  # the type of a vote's event on the board
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/{db}"
AIM_BOARD_RATIO = 0.8
AIM_STORM_RATIO = 0.8
AIM_STORM_P99_MS = 150.0
LOGIN_PATH = "/api/v1/auth/login"
STORM_NETWORK = 0xC6120000  # 198.18.0.0/15, the range set aside for benchmarks (RFC 2544)
STORM_ADDRESSES = 1 << 17


# --- the naive baseline and the ceiling -------------------------------------------------------


class NaiveCastIn(msgspec.Struct, forbid_unknown_fields=True):
    """The same body a real cast sends."""

    credential: str
    answers: dict[str, list[str]]
    submission_id: str = ""


def create_naive_app(path: Path) -> Any:
    """The naive endpoint of issue 12, on the same stack as ``vote serve`` (Litestar, uvicorn).

    ``POST /api/v1/ballots/{id}/casts`` msgspec-decodes the body, hashes the credential with
    SHA-256, does one stdlib ``sqlite3`` INSERT (autocommit, WAL, ``synchronous=NORMAL``, a
    unique index on the hash) and answers 201 with JSON. ``GET /ceiling`` answers a constant
    JSON object: what the stack itself can do.
    """
    import hashlib
    import sqlite3

    from litestar import Litestar, Request, get, post
    from litestar.exceptions import ValidationException

    from vote.app import tune_runtime

    database = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=NORMAL")
    database.execute(
        "CREATE TABLE IF NOT EXISTS naive_casts (id INTEGER PRIMARY KEY, "
        "ballot_id INTEGER NOT NULL, credential_hash BLOB NOT NULL UNIQUE, "
        "answers TEXT NOT NULL, submission_id TEXT NOT NULL)"
    )
    insert = (
        "INSERT INTO naive_casts (ballot_id, credential_hash, answers, submission_id) "
        "VALUES (?, ?, ?, ?)"
    )
    encode = msgspec.json.encode

    @post("/api/v1/ballots/{ballot_id:int}/casts", status_code=201)
    async def cast(ballot_id: int, request: Request[Any, Any, Any]) -> dict[str, int]:
        try:
            data = msgspec.json.decode(await request.body(), type=NaiveCastIn)
        except msgspec.DecodeError as error:
            raise ValidationException(str(error)) from None
        digest = hashlib.sha256(data.credential.encode()).digest()
        cursor = database.execute(
            insert, (ballot_id, digest, encode(data.answers).decode(), data.submission_id[:100])
        )
        return {"ballot_id": ballot_id, "id": cursor.lastrowid or 0}

    @get("/ceiling")
    async def ceiling() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[cast, ceiling], on_startup=[tune_runtime], openapi_config=None)


# --- the SQLAlchemy reference (the baseline before issue 12) -----------------------------------


class BaselineCastIn(msgspec.Struct, forbid_unknown_fields=True):
    """The same body the real endpoint takes."""

    credential: str
    answers: dict[str, list[str]]
    submission_id: str = ""


def create_baseline_app(database_url: str) -> Any:
    """A bare Litestar app: validate the cast body, insert one row, answer 201."""
    from litestar import Litestar, get, post
    from litestar.datastructures import State
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

    from ballots.db import create_engine, dispose
    from vote.app import tune_runtime

    metadata = MetaData()
    table = Table(
        "baseline_casts",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("ballot_id", Integer, nullable=False),
        Column("credential", String(64), nullable=False),
        Column("answers", Text, nullable=False),
        Column("submission_id", String(100), nullable=False),
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(database_url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        app.state.engine = engine
        tune_runtime()  # the same interpreter settings as the real app, for a fair comparison
        try:
            yield
        finally:
            await dispose(engine)

    @post("/api/v1/ballots/{ballot_id:int}/casts", status_code=201)
    async def cast(state: State, ballot_id: int, data: BaselineCastIn) -> dict[str, int]:
        async with state.engine.begin() as conn:
            result = await conn.execute(
                insert(table).values(
                    ballot_id=ballot_id,
                    credential=data.credential,
                    answers=msgspec.json.encode(data.answers).decode(),
                    submission_id=data.submission_id[:100],
                )
            )
        return {"ballot_id": ballot_id, "id": result.inserted_primary_key[0]}

    @get("/ping", media_type="text/plain")
    async def ping() -> str:
        return "ok"

    return Litestar(route_handlers=[cast, ping], lifespan=[lifespan], openapi_config=None)


# --- servers (each in its own process) --------------------------------------------------------


def real_settings(data_dir: Path, secret_hex: str, port: int) -> Any:
    """The real server's settings: SQLite file, no Redis, 127.0.0.1 a trusted proxy."""
    from vote.settings import Settings

    return Settings(
        database_url=f"sqlite+aiosqlite:///{data_dir / 'vote.sqlite3'}",
        base_url=f"http://127.0.0.1:{port}",
        data_dir=data_dir,
        secret_key_hex=secret_hex,
        # As behind a reverse proxy: the login storm's X-Forwarded-For addresses are believed.
        trusted_proxies=("127.0.0.1",),
    )


# What `vote serve` passes to uvicorn besides the app, host, port and workers (vote/cli.py),
# without --access-log; uvicorn's defaults otherwise (uvloop and httptools, when installed).
VOTE_SERVE_UVICORN: dict[str, Any] = {
    "log_level": "info",
    "access_log": False,
    "proxy_headers": False,
}


def serve(kind: str, port: int, data_dir: Path, secret_hex: str, as_vote_serve: bool) -> None:
    """Run one server with uvicorn (one worker) until terminated.

    ``as_vote_serve``: with the uvicorn options ``vote serve`` uses (no access log, level
    info); otherwise quiet (no access log, level warning), as the older comparisons ran.
    """
    import uvicorn

    def factory() -> Any:
        if kind in ("real", "nolog"):
            from vote.app import create_app

            if kind == "nolog":
                switch_board_off()
            return create_app(real_settings(data_dir, secret_hex, port))
        if kind == "naive":
            return create_naive_app(data_dir / "naive.sqlite3")
        return create_baseline_app(f"sqlite+aiosqlite:///{data_dir / 'baseline.sqlite3'}")

    options: dict[str, Any] = (
        VOTE_SERVE_UVICORN if as_vote_serve else {"access_log": False, "log_level": "warning"}
    )
    uvicorn.run(factory, factory=True, host="127.0.0.1", port=port, workers=1, **options)


def switch_board_off() -> None:
    """The real app with the board append replaced by a no-op: the "log off" comparison.

    Everything else on the cast path stays (lookup, checks, the cast row, participation, the
    signed head in the receipt), so the difference is exactly the cost of keeping the log.
    """
    from ballots import board

    def append_nothing(
        connection: Any, ballot_id: int, size: int, edge: bytes, events: Any
    ) -> tuple[list[int], int, bytes]:
        return list(range(size, size + len(events))), size, edge

    board.append_events = append_nothing  # type: ignore[assignment]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server(msgspec.Struct):
    kind: str
    port: int
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system, all threads) the server and the processes it started
        (``--workers``) have used so far; None off Linux."""
        return tree_cpu_seconds(self.pid)


def process_table() -> dict[int, tuple[str, int, int]] | None:
    """Every process: pid -> (name, parent pid, utime + stime in clock ticks), from /proc;
    None off Linux."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    table = {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, _, rest = stat.partition(" (")[2].rpartition(")")
        fields = rest.split()
        table[int(entry)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def tree_cpu_seconds(root: int) -> float | None:
    """utime + stime of ``root`` and its living descendants, from /proc; None off Linux."""
    processes = process_table()
    if processes is None:
        return None
    ticks = {pid: (parent, used) for pid, (_, parent, used) in processes.items()}
    if root not in ticks:
        return None
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in ticks.items():
            if ppid == parent and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return sum(ticks[pid][1] for pid in members) / os.sysconf("SC_CLK_TCK")


SERVICES = ("postgres", "redis-server")
"""Processes (by name) whose CPU counts as the database's and Redis's, not the server's."""


def services_cpu_seconds() -> float | None:
    """utime + stime of every running PostgreSQL and Redis process; None off Linux."""
    processes = process_table()
    if processes is None:
        return None
    used = sum(ticks for name, _, ticks in processes.values() if name.startswith(SERVICES))
    return used / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float] | None:
    """CPU seconds the whole machine has been busy, and in all, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    ticks = [int(value) for value in first[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    scale = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / scale, sum(ticks) / scale


def wait_for_port(
    process: subprocess.Popen[bytes], port: int, what: str, patience: float = 60.0
) -> None:
    """Return once ``port`` accepts connections; raise if ``process`` exits or after
    ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the {what} server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {what} server did not start") from None
            time.sleep(0.1)


def wait_for_answer(process: subprocess.Popen[bytes], port: int, path: str, log: Path) -> None:
    """Return once a worker answers ``GET path`` (any status); raise, quoting the end of
    ``log``, if the server exits or has not answered within 5 minutes (with several workers,
    uvicorn's supervisor binds the port long before a worker is ready)."""
    import http.client

    deadline = time.monotonic() + 300
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace").splitlines()[-20:]
            raise RuntimeError("vote serve did not start:\n" + "\n".join(tail))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
        finally:
            connection.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def server_process(
    kind: str, data_dir: Path, secret_hex: str, log: Path | None = None
) -> Iterator[Server]:
    """Start a server subprocess; yield it once it accepts connections; stop it.

    With ``log``, the server runs with ``vote serve``'s uvicorn options and writes its output
    (the access log) there.
    """
    port = free_port()
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--secret", secret_hex]
    command += ["--as-vote-serve"] if log is not None else []
    with contextlib.ExitStack() as stack:
        output = None if log is None else stack.enter_context(log.open("ab"))
        process = subprocess.Popen(command, stdout=output, stderr=output)
        try:
            wait_for_port(process, port, kind)
            yield Server(kind, port, process.pid)
        finally:
            stop(process)


# `vote serve` with uvicorn's worker health check given more time (--worker-healthcheck): a
# worker that has not answered the supervisor's ping within 5 s is killed and replaced, and a
# spawned worker first re-imports the CLI module (all of ballots and vote), which takes longer
# than that on a busy machine, so the workers would be replaced forever. `vote serve` itself
# allows 120 s since; this option overrides it.
PATIENT_VOTE_SERVE = """
import sys, uvicorn
_run, _patience = uvicorn.run, int(sys.argv.pop(1))
def run(*args, **kwargs):
    kwargs["timeout_worker_healthcheck"] = _patience
    return _run(*args, **kwargs)
uvicorn.run = run
from vote.cli import main
main(prog_name="vote")
"""


@contextmanager
def vote_serve(
    env: dict[str, str], workers: int, log: Path, probe: str, healthcheck: int = 0
) -> Iterator[Server]:
    """``vote serve --port P --workers N`` as an operator runs it, configured by ``env``
    (``VOTE_*`` variables); its output goes to ``log``. Ready once ``GET probe`` is answered."""
    port = free_port()
    command = [sys.executable, "-m", "vote.cli"]
    if healthcheck:
        command = [sys.executable, "-c", PATIENT_VOTE_SERVE, str(healthcheck)]
    command += ["serve", "--port", str(port), "--workers", str(workers)]
    full_env = {**os.environ, **env, "PYTHONPATH": str(_HERE.parent)}
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=full_env, cwd=_HERE.parent, stdout=output, stderr=output
        )
        try:
            wait_for_answer(process, port, probe, log)
            yield Server("real", port, process.pid)
        finally:
            stop(process)


# --- seeding through the real services --------------------------------------------------------


class Seeded(msgspec.Struct):
    ballot_id: int
    credentials: list[str]


def roster_csv(first: int, count: int) -> bytes:
    """A minimal roster (编号,姓名,楼栋,门牌,户号), two residents per household."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["编号", "姓名", "楼栋", "门牌", "户号"])
    for number in range(first, first + count):
        flat = number // 2
        building, room = f"{flat // 60 + 1}号楼", f"{(flat % 60) // 4 + 1}0{flat % 4 + 1}"
        writer.writerow([f"B{number:06d}", f"居民{number}", building, room, f"H{flat:06d}"])
    return buffer.getvalue().encode("utf-8")


async def seed(url: str, secret: bytes, base_url: str, voters: int) -> Seeded:
    """Units, roll import, matter, an open single-choice ballot, one credential per voter."""
    from ballots import invitations, lifecycle, matters, units
    from ballots.access import operator
    from ballots.db import create_engine, create_sessionmaker, dispose
    from ballots.roll import import_roll, parse_roster
    from tally import Option, Question

    engine = create_engine(url)
    op = operator("bench")
    try:
        async with create_sessionmaker(engine)() as session:
            district = await units.create_unit(
                session, op, name="卢湾区", code="luwan", level="district"
            )
            street = await units.create_unit(
                session, op, name="瑞金二路街道", code="ruijin2", level="street",
                parent_id=district.id,
            )  # fmt: skip
            for index, first in enumerate(range(0, voters, ROSTER_ROWS_PER_AREA)):
                area = await units.create_unit(
                    session, op, name=f"居民区{index + 1}", code=f"area{index + 1}",
                    level="area", parent_id=street.id,
                )  # fmt: skip
                count = min(ROSTER_ROWS_PER_AREA, voters - first)
                rows = parse_roster(roster_csv(first, count), f"area{index + 1}.csv")
                await import_roll(session, op, area.id, rows, dry_run=False)
            matter = await matters.create_matter(
                session, op, unit_id=street.id, kind="practical", title="基准测试实事项目"
            )
            question = Question(
                id="choice",
                kind="single",
                prompt="选择一个项目",
                options=[Option(id=f"o{i}", label=f"项目{i}") for i in range(1, 5)],
            )
            draft = lifecycle.BallotDraft(title="基准测试投票", questions=[question])
            ballot = await lifecycle.create_ballot(session, op, matter.id, draft)
            await session.commit()
            await lifecycle.open_ballot(session, op, ballot.id)
            issued = await invitations.issue_invitations(session, op, secret, base_url, ballot.id)
            await session.commit()
            return Seeded(ballot_id=ballot.id, credentials=[inv.credential for inv in issued])
    finally:
        await dispose(engine)


async def count_rows(url: str, table: str, ballot_id: int | None = None) -> int:
    """Rows in ``table`` (optionally of one ballot), read through the same engine settings."""
    from sqlalchemy import text

    from ballots.db import create_engine, dispose

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            query = f"SELECT count(*) FROM {table}"
            if ballot_id is not None:
                query += f" WHERE ballot_id = {int(ballot_id)}"
            return int((await conn.execute(text(query))).scalar_one())
    finally:
        await dispose(engine)


# --- the load generator -----------------------------------------------------------------------


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: send a request, wait for one response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            response = self._take_response()
            if response is not None:
                self.waiter.set_result(response)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("connection closed by the server"))

    def _take_response(self) -> tuple[int, bytes] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).lower()
        start = head.find(b"\r\ncontent-length:")
        if start < 0:
            raise RuntimeError("response without Content-Length: " + head.decode(errors="replace"))
        stop = head.find(b"\r\n", start + 2)
        length = int(head[start + 17 : stop if stop >= 0 else len(head)])
        total = end + 4 + length
        if len(self.buffer) < total:
            return None
        status = int(head[9:12])
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        return status, body

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


class RunResult(msgspec.Struct):
    label: str
    requests: int
    seconds: float
    cpu_seconds: float
    latencies_ms: list[float]
    errors: dict[str, int]
    server_cpu_seconds: float | None = None

    @property
    def ok(self) -> int:
        return self.requests - sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(q * len(data)))]


def post_request(port: int, path: str, body: bytes, extra: str = "") -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def cast_requests(
    port: int, ballot_id: int, credentials: list[str], spread: bool = False
) -> list[bytes]:
    """One request per credential, each a first vote with its own submission id.

    With ``spread`` each vote comes from its own X-Forwarded-For address in 100.64.0.0/10, as
    phones on mobile networks; otherwise all come from this host, as behind one router.
    """
    path = f"/api/v1/ballots/{ballot_id}/casts"
    return [
        post_request(
            port,
            path,
            msgspec.json.encode(
                {"credential": c, "answers": ANSWERS, "submission_id": secrets.token_hex(8)}
            ),
            f"X-Forwarded-For: 100.{64 + (i >> 16) % 64}.{(i >> 8) & 255}.{i & 255}\r\n"
            if spread
            else "",
        )
        for i, c in enumerate(credentials)
    ]


async def drive(label: str, port: int, raws: list[bytes], concurrency: int) -> RunResult:
    """Send ``raws`` over ``concurrency`` keep-alive connections; time each request."""
    loop = asyncio.get_running_loop()
    connections = []
    for _ in range(concurrency):
        _, protocol = await loop.create_connection(_Connection, "127.0.0.1", port)
        connections.append(protocol)
    feed = iter(raws)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    clock = time.perf_counter

    async def client(connection: _Connection) -> None:
        for raw in feed:
            started = clock()
            try:
                status, body = await connection.request(raw)
            except (ConnectionError, RuntimeError) as error:
                key = f"{type(error).__name__}: {error}"
                errors[key] = errors.get(key, 0) + 1
                return
            latencies.append((clock() - started) * 1000)
            if not 200 <= status < 300:
                key = f"{status} {body[:160].decode(errors='replace')}"
                errors[key] = errors.get(key, 0) + 1

    cpu_start, wall_start = time.process_time(), clock()
    await asyncio.gather(*(client(c) for c in connections))
    seconds, cpu = clock() - wall_start, time.process_time() - cpu_start
    for connection in connections:
        if connection.transport is not None:
            connection.transport.close()
    return RunResult(label, len(raws), seconds, cpu, latencies, errors)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop when installed, like the servers."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.new_event_loop
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run_load(label: str, server: Server, raws: list[bytes], concurrency: int) -> RunResult:
    """Run :func:`drive` on a fresh event loop (uvloop when installed, like the servers).

    Also records the CPU time the server process used meanwhile.
    """
    cpu_before = server.cpu_seconds()
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        result = runner.run(drive(label, server.port, raws, concurrency))
    cpu_after = server.cpu_seconds()
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu_seconds = cpu_after - cpu_before
    return result


# --- the login storm --------------------------------------------------------------------------


class StormResult(msgspec.Struct):
    """What the storm sent during one round and how the server answered.

    ``checks`` counts the wrong logins answered 401 while the storm ran (each one cost the
    server a password check); ``statuses`` and ``latencies_ms`` include the late answers.
    """

    rate: float
    seconds: float
    sent: int
    held_back: int
    statuses: dict[str, int]
    latencies_ms: list[float]
    checks: int
    abandoned: int = 0

    def percentile(self, q: float) -> float:
        data = sorted(self.latencies_ms) or [float("nan")]
        return data[min(len(data) - 1, int(q * len(data)))]


def storm_address(number: int) -> str:
    """The ``number``-th client address of the storm, in 198.18.0.0/15."""
    value = STORM_NETWORK + number % STORM_ADDRESSES
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def storm_request(port: int, number: int, salt: str) -> bytes:
    """One wrong login: a user name and an address of its own, so no limit counts it twice.

    Unknown user names still cost a full password check (against a dummy hash), so every
    attempt is as expensive for the server as a wrong password for a real chair.
    """
    body = msgspec.json.encode(
        {
            "username": f"storm-{salt}-{number:07d}",
            "password": secrets.token_urlsafe(12),
            "totp": f"{secrets.randbelow(10**6):06d}",
        }
    )
    raw = post_request(port, LOGIN_PATH, body)
    forwarded = f"X-Forwarded-For: {storm_address(number)}\r\n\r\n".encode()
    return raw.replace(b"\r\n\r\n", b"\r\n" + forwarded, 1)


class Storm:
    """Wrong chair logins at a steady rate, open loop: an attacker does not wait for answers.

    Attempt *n* leaves at ``start + n / rate`` whatever happened to earlier ones, on an idle
    keep-alive connection or a new one. At most ``inflight`` attempts wait for an answer at a
    time (the attacker's own connections); an attempt due while that many wait is held back
    and counted. Once the server is busy hashing, more waiting attempts add queue, not work.
    """

    def __init__(self, port: int, rate: float, inflight: int, first: int) -> None:
        self.port, self.rate, self.inflight = port, rate, inflight
        self.number = first
        self.salt = secrets.token_hex(3)
        self.idle: list[_Connection] = []
        self.pending: set[asyncio.Task[None]] = set()
        self.stopping = asyncio.Event()
        self.sent = self.held_back = 0
        self.statuses: dict[str, int] = {}
        self.latencies_ms: list[float] = []
        self.checks = 0
        self.seconds = 0.0

    async def run(self) -> None:
        """Send attempts on schedule until :meth:`stop`."""
        clock, started, due = time.perf_counter, time.perf_counter(), 0
        while not self.stopping.is_set():
            delay = started + due / self.rate - clock()
            if delay > 0:
                try:
                    await asyncio.wait_for(self.stopping.wait(), delay)
                    break
                except TimeoutError:
                    pass
            due += 1
            if len(self.pending) >= self.inflight:
                self.held_back += 1
                continue
            task = asyncio.create_task(self._attempt(self.number))
            self.number += 1
            self.sent += 1
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        self.seconds = clock() - started

    def stop(self) -> None:
        self.stopping.set()

    async def drain(self, patience: float) -> int:
        """Wait for the attempts still out; return how many were given up after ``patience`` s."""
        if self.pending:
            _, late = await asyncio.wait(set(self.pending), timeout=patience)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for connection in self.idle:
            if connection.transport is not None:
                connection.transport.close()
        return len(self.pending)

    async def _attempt(self, number: int) -> None:
        raw = storm_request(self.port, number, self.salt)
        while self.idle:
            connection = self.idle.pop()
            if connection.transport is not None and not connection.transport.is_closing():
                break
        else:
            loop = asyncio.get_running_loop()
            _, connection = await loop.create_connection(_Connection, "127.0.0.1", self.port)
        started = time.perf_counter()
        try:
            status, _ = await connection.request(raw)
        except (ConnectionError, RuntimeError) as error:
            key = type(error).__name__
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if connection.transport is not None:
                connection.transport.close()
            return
        except asyncio.CancelledError:
            if connection.transport is not None:
                connection.transport.close()
            raise
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if status == 401 and not self.stopping.is_set():
            self.checks += 1
        self.idle.append(connection)

    def result(self, abandoned: int) -> StormResult:
        return StormResult(
            self.rate, self.seconds, self.sent, self.held_back, dict(self.statuses),
            list(self.latencies_ms), self.checks, abandoned,
        )  # fmt: skip


def run_in_storm(
    label: str,
    server: Server,
    warmup: list[bytes],
    raws: list[bytes],
    concurrency: int,
    storm: Storm,
    lead_in: float = 1.0,
    drain_timeout: float = 120.0,
) -> tuple[RunResult, RunResult, StormResult]:
    """Start the storm, cast the warm-up and the measured votes in it, stop it, drain it.

    Returns the warm-up run, the measured run (with the server's CPU time meanwhile) and what
    the storm did over the whole round.
    """

    async def round_() -> tuple[RunResult, RunResult, StormResult]:
        task = asyncio.create_task(storm.run())
        await asyncio.sleep(lead_in)  # the storm is at full rate before the first vote
        warm = await drive("warm-up", server.port, warmup, concurrency)
        cpu_before = server.cpu_seconds()
        result = await drive(label, server.port, raws, concurrency)
        cpu_after = server.cpu_seconds()
        if cpu_before is not None and cpu_after is not None:
            result.server_cpu_seconds = cpu_after - cpu_before
        storm.stop()
        await task
        return warm, result, storm.result(await storm.drain(drain_timeout))

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(round_())


def show_storm(storm: StormResult) -> None:
    statuses = ", ".join(f"{n} x {k}" for k, n in sorted(storm.statuses.items()))
    print(
        f"  {'':<21} storm: {storm.sent / storm.seconds:.1f} wrong logins/s sent "
        f"(asked {storm.rate:g}/s), {storm.checks / storm.seconds:.1f}/s answered 401 in time "
        f"(a password check each); login p50 {storm.percentile(0.5):.0f} ms, "
        f"p99 {storm.percentile(0.99):.0f} ms; {statuses or 'no answers'}"
        + (f"; {storm.held_back} held back (too many waiting)" if storm.held_back else "")
        + (f"; {storm.abandoned} never answered" if storm.abandoned else ""),
        flush=True,
    )


# --- reporting --------------------------------------------------------------------------------


def merged(label: str, runs: list[RunResult]) -> RunResult:
    return RunResult(
        label,
        sum(r.requests for r in runs),
        sum(r.seconds for r in runs),
        sum(r.cpu_seconds for r in runs),
        [ms for r in runs for ms in r.latencies_ms],
        {k: sum(r.errors.get(k, 0) for r in runs) for r in runs for k in r.errors},
        None if any(r.server_cpu_seconds is None for r in runs)
        else sum(r.server_cpu_seconds or 0.0 for r in runs),
    )  # fmt: skip


def show(result: RunResult) -> None:
    server_cpu = ""
    if result.server_cpu_seconds is not None:
        server_cpu = (
            f", server CPU {result.server_cpu_seconds / result.seconds:.0%}"
            f" = {result.server_cpu_seconds / result.requests * 1000:.2f} ms/req"
        )
    print(
        f"  {result.label:<21} {result.rate:>6.0f} req/s  p50 {result.percentile(0.50):>6.1f} ms"
        f"  p99 {result.percentile(0.99):>6.1f} ms  max {max(result.latencies_ms):>6.1f} ms"
        f"  {result.requests:>5} req, {sum(result.errors.values())} errors"
        f"  (client CPU {result.cpu_seconds / result.seconds:.0%}{server_cpu})",
        flush=True,
    )
    for key, count in sorted(result.errors.items(), key=lambda item: -item[1])[:10]:
        print(f"      {count} x {key}")


# --- the wrk driver (issue 12) ------------------------------------------------------------------


WRK_SCRIPT = _HERE / "cast.lua"


class WrkRun(msgspec.Struct):
    """One wrk run: every request sent once and answered (unless ``sent > answered``)."""

    label: str
    seconds: float
    sent: int
    answered: int
    ok: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    error_samples: list[str]
    client_cpu_seconds: float
    server_cpu_seconds: float | None = None
    services_cpu_seconds: float | None = None  # PostgreSQL and Redis meanwhile
    machine_busy: float | None = None  # the whole machine's busy share, of all its cores

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    label: str,
    server: Server,
    method: str,
    path: str,
    bodies: list[bytes],
    connections: int,
    threads: int,
    work_dir: Path,
) -> WrkRun:
    """Send ``bodies`` (one request each; for GET only their number counts) with wrk over
    ``connections`` keep-alive connections on ``threads`` threads; measure the server's CPU.

    wrk runs closed loop (each connection sends its next request once the last is answered) and
    reports the latency of each request from its write to its answer, unpadded.
    """
    run_wrk.counter += 1  # type: ignore[attr-defined]
    state = work_dir / f"wrk-{run_wrk.counter}"  # type: ignore[attr-defined]
    lines = state.with_suffix(".bodies")
    lines.write_bytes(b"".join(body + b"\n" for body in bodies))
    safety = max(120, len(bodies) // 5)  # seconds: only a run that never completes hits it
    command = ["wrk", "-t", str(threads), "-c", str(max(connections, threads))]
    command += ["-d", f"{safety}s", "--timeout", "60s", "-s", str(WRK_SCRIPT)]
    command += [f"http://127.0.0.1:{server.port}", "--", method, path, str(lines)]
    command += [str(threads), str(state)]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before, services_before = server.cpu_seconds(), services_cpu_seconds()
    machine_before = machine_busy_seconds()
    done = wrk_until_done(command, state.with_suffix(".done"), threads)
    cpu_after, services_after = server.cpu_seconds(), services_cpu_seconds()
    machine_after = machine_busy_seconds()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    found = [line for line in done.stdout.splitlines() if line.startswith("BENCH-RESULT ")]
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    data = msgspec.json.decode(found[-1].partition(" ")[2])
    error_file = state.with_suffix(".err")
    samples = error_file.read_text().splitlines() if error_file.exists() else []
    socket_errors = {k: int(data[k]) for k in ("connect", "read", "write") if data[k]}
    if data["sent"] > data["answered"]:  # idle connections count as timeouts only then
        socket_errors["timeout"] = int(data["timeout"])
    return WrkRun(
        label=label,
        seconds=data["duration_us"] / 1e6,
        sent=int(data["sent"]),
        answered=int(data["answered"]),
        ok=int(data["ok"]),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        statuses={str(k): int(v) for k, v in data["statuses"].items()},
        socket_errors=socket_errors,
        error_samples=samples,
        client_cpu_seconds=client_cpu,
        server_cpu_seconds=None if cpu_before is None or cpu_after is None
        else cpu_after - cpu_before,
        services_cpu_seconds=None if services_before is None or services_after is None
        else services_after - services_before,
        machine_busy=None if machine_before is None or machine_after is None
        else (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1]),
    )  # fmt: skip


run_wrk.counter = 0  # type: ignore[attr-defined]


def wrk_until_done(
    command: list[str], marker: Path, threads: int
) -> subprocess.CompletedProcess[str]:
    """Run wrk; interrupt it (it then reports) once each thread has marked itself done."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        while process.poll() is None:
            try:
                finished = len(marker.read_text().split())
            except OSError:
                finished = 0
            if finished >= threads:
                process.send_signal(signal.SIGINT)
                break
            time.sleep(0.02)
        stdout, stderr = process.communicate()
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def cast_bodies(credentials: list[str]) -> list[bytes]:
    """The JSON body of a first vote per credential, each with its own submission id."""
    return [
        msgspec.json.encode(
            {"credential": c, "answers": ANSWERS, "submission_id": secrets.token_hex(8)}
        )
        for c in credentials
    ]


def show_wrk(run: WrkRun, round_number: int | None = None) -> None:
    cpu = ""
    if run.server_cpu_seconds is not None and run.answered:
        cpu = (
            f"  server CPU {run.server_cpu_seconds / run.seconds:>4.0%}"
            f" = {run.server_cpu_seconds / run.answered * 1000:.2f} ms/req"
        )
    if run.services_cpu_seconds and run.answered:
        cpu += f", PostgreSQL+Redis {run.services_cpu_seconds / run.answered * 1000:.2f} ms/req"
    if run.machine_busy is not None:
        cpu += f", machine {run.machine_busy:.0%} busy"
    failed = run.answered - run.ok
    where = "" if round_number is None else f"round {round_number}"
    print(
        f"  {run.label:<22} {where:<8} {run.rate:>6.0f}/s  p50 {run.p50_ms:>6.1f} ms"
        f"  p99 {run.p99_ms:>6.1f} ms  max {run.max_ms:>6.1f} ms  {run.answered:>5} answered,"
        f" {failed} non-2xx{cpu}  (wrk CPU {run.client_cpu_seconds / run.seconds:.0%})",
        flush=True,
    )
    if run.sent > run.answered or run.socket_errors:
        print(f"      {run.sent - run.answered} sent but never answered; {run.socket_errors}")
    for sample in run.error_samples:
        print(f"      e.g. {sample[:200]}")


# --- where the server's CPU goes (py-spy) -------------------------------------------------------


@contextmanager
def py_spy(pid: int, out: Path) -> Iterator[None]:
    """Sample ``pid`` and its worker processes with py-spy (every thread, 200 Hz, without
    pausing the server) while the block runs; collapsed stacks go to ``out``."""
    command = ["py-spy", "record", "--pid", str(pid), "--subprocesses", "--threads"]
    command += ["--nonblocking", "--rate", "200", "--format", "raw", "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)  # attached before the load starts
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


OUR_PACKAGES = ("ballots/", "vote/", "tally/")


def profile_summary(paths: list[Path], top: int = 15) -> list[str]:
    """Shares of py-spy's samples (threads on CPU): per thread, per function (self; ours also
    with what they call), per package and per source file (self)."""
    threads: dict[str, int] = {}
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    files: dict[str, int] = {}
    packages: dict[str, int] = {}
    total = 0
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = stack.split(";")
            if frames and frames[0].startswith("process "):
                frames = frames[1:]
            if not frames:
                continue
            name = frames[0].partition(": ")[2] or frames[0]
            threads[name] = threads.get(name, 0) + count
            calls = [frame.rpartition(":")[0] + ")" if ":" in frame else frame
                     for frame in frames[1:]]  # fmt: skip
            if calls:
                own[calls[-1]] = own.get(calls[-1], 0) + count
                where = calls[-1].partition("(")[2].rstrip(")")
                files[where] = files.get(where, 0) + count
                package = where.split("/")[0] if "/" in where else where
                packages[package] = packages.get(package, 0) + count
            for call in set(calls):
                if call.partition("(")[2].startswith(OUR_PACKAGES):
                    inclusive[call] = inclusive.get(call, 0) + count
            total += count
    if not total:
        return ["  (no samples)"]

    def table(title: str, counts: dict[str, int], limit: int) -> list[str]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:limit]
        return [f"  {title}:"] + [f"    {n / total:6.1%}  {key}" for key, n in ranked]

    return [
        f"  {total} samples of threads on CPU",
        *table("threads", threads, 8),
        *table("functions, self", own, top),
        *table("our functions (ballots, vote, tally), with what they call", inclusive, top),
        *table("packages, self (a C call counts for the Python frame calling it)", packages, 10),
        *table("files, self", files, top),
    ]


# --- the honest comparison (issue 12) -----------------------------------------------------------


class Target(msgspec.Struct):
    """One thing measured each round: a server, and what is sent to it."""

    name: str
    server: Server
    method: str  # POST: a cast per credential; GET: the ceiling
    path: str
    pool: str  # "real": credentials of the real database, each used once; "copy": reused
    runs: list[WrkRun] = msgspec.field(default_factory=list)
    acknowledged: int = 0  # 2xx answers, warm-ups included


def summed(runs: list[WrkRun]) -> tuple[float, float | None]:
    """Throughput over all runs, and the server's CPU ms per request (None off Linux)."""
    answered = sum(r.answered for r in runs)
    seconds = sum(r.seconds for r in runs)
    cpu = None if any(r.server_cpu_seconds is None for r in runs) else sum(
        r.server_cpu_seconds or 0.0 for r in runs
    )  # fmt: skip
    return answered / seconds, None if cpu is None else cpu / answered * 1000


def spread(values: list[float], digits: int = 0) -> str:
    low, high = min(values), max(values)
    return f"{low:,.{digits}f}" if round(low, digits) == round(high, digits) else (
        f"{low:,.{digits}f}–{high:,.{digits}f}"
    )  # fmt: skip


@contextmanager
def postgres_database(prefix: str = "bench_cast") -> Iterator[str]:
    """A fresh PostgreSQL database of our own, dropped afterwards; yields its SQLAlchemy URL.
    (bench/checkin.py uses it too.)"""
    import asyncpg  # type: ignore[import-untyped]

    name = f"{prefix}_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.format(name=name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def redis_database(first: int) -> Iterator[str]:
    """The first empty Redis database from ``first`` on (one holding keys is left alone),
    flushed afterwards; yields its URL. (bench/checkin.py uses it too.)"""
    import redis

    for number in range(first, 16):
        client = redis.Redis.from_url(REDIS_URL.format(db=number))
        try:
            if client.dbsize() == 0:
                break
        finally:
            client.close()
    else:
        raise SystemExit(f"no empty Redis database from {first} to 15")
    url = REDIS_URL.format(db=number)
    try:
        yield url
    finally:
        client = redis.Redis.from_url(url)
        try:
            client.flushdb()
        finally:
            client.close()


def export_and_verify(env: dict[str, str], ballot_id: int, out: Path) -> tuple[int, str]:
    """``vote board export`` the ballot's board to ``out``, then ``tally verify`` it.

    Returns the number of cast leaves on the board and tally verify's verdict.
    """
    full_env = {**os.environ, **env, "PYTHONPATH": str(_HERE.parent)}
    exported = subprocess.run(
        [sys.executable, "-m", "vote.cli", "board", "export", str(ballot_id), "--out", str(out)],
        env=full_env, cwd=_HERE.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if exported.returncode != 0:
        return -1, f"export FAILED: {exported.stderr.strip()[-300:]}"
    casts = 0
    with out.open("rb") as handle:
        for line in handle:
            entry = msgspec.json.decode(line)
            if entry.get("kind") == "leaf":
                event = msgspec.json.decode(entry["data"])
                casts += event.get("type") == CAST_EVENT
    checked = subprocess.run(
        [sys.executable, "-m", "tally", "verify", str(out)],
        env=full_env, cwd=_HERE.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = (checked.stdout + checked.stderr).strip().splitlines()
    verdict = "PASSED" if checked.returncode == 0 else "FAILED"
    return casts, f"{verdict} ({lines[0] if lines else 'no output'})" + (
        "" if checked.returncode == 0 else f" {lines[-1] if lines else ''}"
    )


def honest_benchmark(args: argparse.Namespace, data_dir: Path) -> None:
    """`vote serve`, the naive endpoint and the ceiling, alternately, loaded by wrk."""
    with contextlib.ExitStack() as stack:
        if args.database == "postgres":
            url = stack.enter_context(postgres_database())
            redis_url = stack.enter_context(redis_database(args.redis_db))
        else:
            url, redis_url = f"sqlite+aiosqlite:///{data_dir / 'vote.sqlite3'}", ""
        compare(args, data_dir, url, redis_url)


def compare(args: argparse.Namespace, data_dir: Path, url: str, redis_url: str) -> None:
    from ballots import migrate

    if not wrk_available():
        raise SystemExit("wrk is not installed (apt-get install wrk); --against orm, nolog and "
                         "storm use the built-in asyncio client instead")  # fmt: skip
    workers = args.workers or (2 if args.database == "postgres" else 1)
    secret_hex = secrets.token_hex(32)
    per_run = args.warmup + args.requests
    board_off = args.board == "both"
    voters = per_run * args.rounds * (2 if board_off else 1)
    print(f"cast benchmark (issue 12): {args.rounds} round(s) x {args.requests} requests per "
          f"target after {args.warmup} warm-up, wrk with {args.concurrency} connections on "
          f"{args.wrk_threads} thread(s), {os.cpu_count()} CPUs; `vote serve --workers "
          f"{workers}` on {args.database}{' with Redis' if redis_url else ''}")  # fmt: skip
    print(f"load average before: {load_average()}")
    started = time.perf_counter()
    migrate.upgrade(url)
    seeded = asyncio.run(seed(url, bytes.fromhex(secret_hex), "http://127.0.0.1", voters))
    print(f"seeded {len(seeded.credentials)} voters with credentials through the real services "
          f"in {time.perf_counter() - started:.1f} s ({data_dir})", flush=True)  # fmt: skip
    if len(seeded.credentials) < voters:
        raise SystemExit(f"only {len(seeded.credentials)} credentials for {voters} casts")

    env = {
        "VOTE_DATABASE_URL": url,
        "VOTE_DATA_DIR": str(data_dir),
        "VOTE_SECRET_KEY": secret_hex,
        "VOTE_BASE_URL": "http://127.0.0.1",
        "VOTE_REDIS_URL": redis_url,
    }
    # The servers stop (and finish their writes) before the counts.
    with contextlib.ExitStack() as stack:
        logs = data_dir / "logs"
        logs.mkdir(exist_ok=True)
        cast_path = f"/api/v1/ballots/{seeded.ballot_id}/casts"
        probe = f"/api/v1/ballots/{seeded.ballot_id}/board/head"
        real = stack.enter_context(
            vote_serve(env, workers, logs / "vote-serve.log", probe, args.worker_healthcheck)
        )
        naive = stack.enter_context(
            server_process("naive", data_dir, secret_hex, log=logs / "naive.log")
        )
        targets = [
            Target("vote serve (real)", real, "POST", cast_path, "real"),
            Target("naive endpoint", naive, "POST", cast_path, "copy"),
            Target("ceiling (GET)", naive, "GET", "/ceiling", "copy"),
        ]
        if board_off:
            nolog = stack.enter_context(
                server_process("nolog", data_dir, secret_hex, log=logs / "nolog.log")
            )
            targets.append(Target("real, board off", nolog, "POST", cast_path, "real"))
        fresh = iter(range(0, voters, per_run))
        profiles: list[Path] = []
        if args.profile and shutil.which("py-spy") is None:
            raise SystemExit("--profile needs py-spy on PATH (pip install -e '.[bench]')")
        for round_number in range(1, args.rounds + 1):
            shift = (round_number - 1) % len(targets)
            for target in targets[shift:] + targets[:shift]:
                # The naive endpoint has a database of its own: it reuses the credentials of one
                # real run, a different one each round, so its votes are distinct first votes too.
                first = next(fresh) if target.pool == "real" else (round_number - 1) * per_run
                bodies = cast_bodies(seeded.credentials[first : first + per_run])
                warm = run_wrk("warm-up", target.server, target.method, target.path,
                               bodies[: args.warmup], args.concurrency, args.wrk_threads, data_dir)  # fmt: skip
                with contextlib.ExitStack() as profiling:
                    if args.profile and target is targets[0]:
                        out = data_dir / f"profile-round{round_number}.txt"
                        profiling.enter_context(py_spy(target.server.pid, out))
                        profiles.append(out)
                    run = run_wrk(target.name, target.server, target.method, target.path,
                                  bodies[args.warmup :], args.concurrency, args.wrk_threads,
                                  data_dir)  # fmt: skip
                if warm.ok != warm.answered or warm.sent != warm.answered:
                    show_wrk(warm, round_number)
                show_wrk(run, round_number)
                target.runs.append(run)
                target.acknowledged += warm.ok + run.ok

    report(args, targets, workers)
    if profiles:
        print(f"\n  where `vote serve` spends its CPU while casting (py-spy, {', '.join(map(str, profiles))}; "
              "the profiler itself takes CPU from the same cores, so these rounds are slower):")  # fmt: skip
        print("\n".join(profile_summary(profiles)))
        print()
    # The counts, from the databases themselves, and the board as an operator exports it.
    participation = asyncio.run(count_rows(url, "participation", seeded.ballot_id))
    casts = asyncio.run(count_rows(url, "casts", seeded.ballot_id))
    real_acks = targets[0].acknowledged
    board_casts, verdict = export_and_verify(env, seeded.ballot_id, data_dir / "board.jsonl")
    off_acks = targets[3].acknowledged if board_off else 0
    lost_ok = real_acks + off_acks == participation == casts and board_casts == real_acks
    print(f"  no lost votes: {real_acks + off_acks} acknowledged"
          + (f" ({real_acks} board on, {off_acks} board off)" if board_off else "")
          + f", {casts} cast rows, {participation} participation rows, {board_casts} casts on "
          f"the exported board -> {'OK' if lost_ok else 'MISMATCH'}")  # fmt: skip
    naive_rows = count_naive(data_dir / "naive.sqlite3")
    print(f"  naive endpoint: {targets[1].acknowledged} acknowledged, {naive_rows} rows -> "
          f"{'OK' if naive_rows == targets[1].acknowledged else 'MISMATCH'}")  # fmt: skip
    print(f"  tally verify on the exported board: {verdict}")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def count_naive(path: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as database:
        return int(database.execute("SELECT count(*) FROM naive_casts").fetchone()[0])


def report(args: argparse.Namespace, targets: list[Target], workers: int) -> None:
    """Each target over all rounds, the ratios, and the aims of issue 12."""
    print()
    rates: dict[str, float] = {}
    cpus: dict[str, float | None] = {}
    for target in targets:
        rate, cpu = summed(target.runs)
        rates[target.name], cpus[target.name] = rate, cpu
        print(
            f"  {target.name:<22} {rate:>6,.0f}/s (rounds {spread([r.rate for r in target.runs])})"
            f"  p50 {spread([r.p50_ms for r in target.runs], 1)} ms"
            f"  p99 {spread([r.p99_ms for r in target.runs], 1)} ms"
            + ("" if cpu is None else f"  server CPU {cpu:.2f} ms/req")
        )
    real, naive, ceiling = targets[0], targets[1], targets[2]
    per_round = [r.rate / n.rate for r, n in zip(real.runs, naive.runs, strict=True)]
    to_ceiling = [r.rate / c.rate for r, c in zip(real.runs, ceiling.runs, strict=True)]
    ratio = rates[real.name] / rates[naive.name]
    print(f"\n  real/naive throughput: {ratio:.2f} (rounds {spread(per_round, 2)})"
          f"  (aim >= {AIM_RATIO})")  # fmt: skip
    print(f"  real/ceiling throughput: {rates[real.name] / rates[ceiling.name]:.2f} "
          f"(rounds {spread(to_ceiling, 2)})")  # fmt: skip
    p99 = max(r.p99_ms for r in real.runs)
    print(f"  real p99 (worst round) at {args.concurrency} connections: {p99:.1f} ms"
          f"  (aim < {AIM_P99_MS:.0f} ms)")  # fmt: skip
    cpu = cpus[real.name]
    if cpu is not None:
        print(f"  real server CPU per vote: {cpu:.2f} ms, naive {cpus[naive.name] or 0:.2f} ms"
              f"  (aim <= {AIM_CPU_MS} ms)")  # fmt: skip
    if len(targets) > 3:
        board = rates[real.name] / rates[targets[3].name]
        print(f"  board on/off throughput: {board:.2f}  (aim >= {AIM_BOARD_RATIO})")
    errors = sum(r.answered - r.ok + r.sent - r.answered for t in targets for r in t.runs)
    holds = (
        ratio >= AIM_RATIO and p99 < AIM_P99_MS and (cpu is None or cpu <= AIM_CPU_MS)
        and not errors
    )  # fmt: skip
    if args.database == "postgres":
        print(f"  (PostgreSQL, {workers} workers: its aim is >= 2x the single-worker SQLite "
              "figure of a run with --database sqlite)")  # fmt: skip
    print(f"  aims of issue 12 {'HOLD' if holds else 'DO NOT HOLD'}; {errors} failed requests")
    print(f"  load average after: {load_average()}")


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="measured casts per run")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=400, help="unmeasured casts before each run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="rounds of alternating runs (3 by default, 2 for --against orm, nolog and storm)",
    )
    parser.add_argument("--quick", action="store_true", help="~30 s short run")
    parser.add_argument(
        "--smoke", action="store_true", help="a few seconds: 40 requests per target (for tests)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument(
        "--against",
        choices=["naive", "orm", "baseline", "nolog", "storm"],
        default="naive",
        help="naive (default): `vote serve` against the naive stdlib endpoint and the constant "
        "GET ceiling, alternately, loaded by wrk (issue 12); orm (or its old name baseline): "
        "the in-process real app against the SQLAlchemy reference endpoint, with the asyncio "
        "client; nolog: the real app with itself with the board switched off (aim: the board "
        "keeps >= 80%% of the throughput); storm: with itself under a storm of wrong chair "
        "logins (aim: the storm keeps >= 80%% of the throughput and p99 < 150 ms)",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="--against naive: the real server's database (postgres: a fresh database on "
        "127.0.0.1:5432 and an empty Redis database, dropped afterwards)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="--against naive: `vote serve --workers N` (default 1 on sqlite, 2 on postgres)",
    )
    parser.add_argument(
        "--board",
        choices=["on", "both"],
        default="on",
        help="--against naive: both adds the real app with the board append switched off (the "
        "product has no such switch: the bench replaces ballots.board.append_events with a "
        "no-op in that server process; sqlite only)",
    )
    parser.add_argument(
        "--worker-healthcheck",
        type=int,
        default=0,
        metavar="SECONDS",
        help="--against naive with --workers > 1: start vote serve with uvicorn's worker "
        "health-check timeout raised from 5 s to SECONDS (on a busy machine a worker's start "
        "takes longer than 5 s and uvicorn replaces the workers forever)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="--against naive: sample `vote serve` with py-spy during its measured runs and "
        "print where its CPU goes (needs py-spy: pip install -e '.[bench]')",
    )
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="--against naive: wrk threads (default 1)"
    )
    parser.add_argument(
        "--redis-db", type=int, default=13, help="--database postgres: first Redis db to try"
    )
    parser.add_argument(
        "--storm-rate", type=float, default=20.0, help="wrong logins per second (--against storm)"
    )
    parser.add_argument(
        "--spread-voters",
        action="store_true",
        help="each vote from its own X-Forwarded-For address (--against storm; default: all "
        "votes from one address, as behind a meeting hall's router)",
    )
    parser.add_argument(
        "--storm-inflight",
        type=int,
        default=64,
        help="most storm logins waiting for an answer at once (--against storm)",
    )
    parser.add_argument(
        "--serve", choices=["real", "baseline", "nolog", "naive"], help=argparse.SUPPRESS
    )
    parser.add_argument("--as-vote-serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--secret", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (3 if args.against == "naive" else 2)
    if args.quick:
        args.requests, args.warmup, args.rounds = 1000, 200, 1
    if args.smoke:
        args.requests, args.warmup, args.rounds, args.concurrency = 40, 8, 1, 4
    if args.against == "baseline":
        args.against = "orm"
    if args.board == "both" and args.database != "sqlite":
        parser.error("--board both runs on sqlite only")
    return args


def benchmark(args: argparse.Namespace, data_dir: Path) -> None:
    from ballots import migrate

    secret_hex = secrets.token_hex(32)
    url = f"sqlite+aiosqlite:///{data_dir / 'vote.sqlite3'}"
    per_run = args.warmup + args.requests
    # The board on/off comparison runs the real app twice: each needs voters of its own.
    pools = 2 if args.against == "nolog" else 1
    voters = per_run * args.rounds * pools
    print(f"cast benchmark: {args.rounds} round(s) x {args.requests} casts per target, "
          f"{args.warmup} warm-up, {args.concurrency} concurrent clients, {os.cpu_count()} CPUs")  # fmt: skip
    started = time.perf_counter()
    migrate.upgrade(url)
    seeded = asyncio.run(seed(url, bytes.fromhex(secret_hex), "http://127.0.0.1", voters))
    print(f"seeded {len(seeded.credentials)} voters with credentials through the real services "
          f"in {time.perf_counter() - started:.1f} s ({data_dir})", flush=True)  # fmt: skip
    if len(seeded.credentials) < voters:
        raise SystemExit(f"only {len(seeded.credentials)} credentials for {voters} casts")

    baseline_runs: list[RunResult] = []
    real_runs: list[RunResult] = []
    real_ok = other_ok = 0
    with (
        server_process(
            "baseline" if args.against == "orm" else args.against, data_dir, secret_hex
        ) as base_server,
        server_process("real", data_dir, secret_hex) as real_server,
    ):
        if args.against == "orm":
            ping = post_request(base_server.port, "/ping", b"").replace(b"POST", b"GET", 1)
            run_load("warm-up", base_server, [ping] * 1000, args.concurrency)
            show(
                run_load("trivial GET /ping", base_server, [ping] * args.requests, args.concurrency)
            )
        for round_number in range(args.rounds):
            mine = seeded.credentials[round_number * per_run : (round_number + 1) * per_run]
            base_raws = cast_requests(base_server.port, seeded.ballot_id, mine)
            other_ok += run_load(
                "warm-up", base_server, base_raws[: args.warmup], args.concurrency
            ).ok
            baseline = run_load(
                f"{args.against} round {round_number + 1}",
                base_server,
                base_raws[args.warmup :],
                args.concurrency,
            )
            show(baseline)
            baseline_runs.append(baseline)
            other_ok += baseline.ok

            if pools == 2:
                offset = (args.rounds + round_number) * per_run
                mine = seeded.credentials[offset : offset + per_run]
            real_raws = cast_requests(real_server.port, seeded.ballot_id, mine)
            warm = run_load("warm-up", real_server, real_raws[: args.warmup], args.concurrency)
            if warm.errors:
                show(warm)
            real = run_load(
                f"real round {round_number + 1}",
                real_server,
                real_raws[args.warmup :],
                args.concurrency,
            )
            show(real)
            real_runs.append(real)
            real_ok += warm.ok + real.ok

    participation = asyncio.run(count_rows(url, "participation", seeded.ballot_id))
    casts = asyncio.run(count_rows(url, "casts", seeded.ballot_id))
    base, real = (
        merged(f"{args.against} (all rounds)", baseline_runs),
        merged("real (all rounds)", real_runs),
    )
    ratio = real.rate / base.rate
    p99 = real.percentile(0.99)
    print()
    show(base)
    show(real)
    if args.against == "nolog":
        print(f"\n  board on/off throughput: {ratio:.2f}  (aim >= {AIM_BOARD_RATIO})")
        both = real_ok + other_ok
        print(f"  no lost votes: {both} successful casts (both servers), {participation} "
              f"participation rows -> {'OK' if both == participation else 'MISMATCH'}")  # fmt: skip
        holds = ratio >= AIM_BOARD_RATIO and not real.errors
        print(f"  aim {'HOLDS' if holds else 'DOES NOT HOLD'}")
        return
    base_rows = asyncio.run(count_rows(f"sqlite+aiosqlite:///{data_dir / 'baseline.sqlite3'}",
                                       "baseline_casts"))  # fmt: skip
    print(f"\n  ratio real/baseline throughput: {ratio:.2f}  (aim >= {AIM_RATIO})")
    print(f"  real p99 at {args.concurrency} clients: {p99:.1f} ms  (aim < {AIM_P99_MS:.0f} ms)")
    print(f"  no lost votes: {real_ok} successful casts, {participation} participation rows, "
          f"{casts} cast rows -> {'OK' if real_ok == participation == casts else 'MISMATCH'}; "
          f"baseline rows {base_rows}")  # fmt: skip
    ratio_ok, p99_ok = ratio >= AIM_RATIO, p99 < AIM_P99_MS
    errors_ok = not real.errors
    if args.concurrency != 64:
        print("  (the aims are stated for 64 concurrent clients)")
    verdict = "HOLD" if ratio_ok and p99_ok and errors_ok else "DO NOT HOLD"
    print(f"  aims {verdict}: throughput {'ok' if ratio_ok else 'below aim'}, "
          f"p99 {'ok' if p99_ok else 'above aim'}, errors {'none' if errors_ok else 'present'}")  # fmt: skip


def storm_benchmark(args: argparse.Namespace, data_dir: Path) -> None:
    """The real app alone, casting without and with a login storm in alternating rounds.

    Each round runs both halves, in the order quiet/storm in odd rounds and storm/quiet in
    even ones, so a drift over the run weighs on both alike. The storm starts a second before
    the warm-up votes and stops after the measured ones; its last answers are awaited before
    the next half begins.
    """
    from ballots import migrate

    secret_hex = secrets.token_hex(32)
    url = f"sqlite+aiosqlite:///{data_dir / 'vote.sqlite3'}"
    per_run = args.warmup + args.requests
    voters = per_run * args.rounds * 2
    print(f"cast benchmark under a login storm: {args.rounds} round(s) x {args.requests} casts "
          f"without and with {args.storm_rate:g} wrong logins/s (POST {LOGIN_PATH}, each from "
          f"its own user name and X-Forwarded-For address), {args.warmup} warm-up, "
          f"{args.concurrency} concurrent clients, {os.cpu_count()} CPUs; votes "
          f"{'each from its own address' if args.spread_voters else 'all from one address'}")  # fmt: skip
    started = time.perf_counter()
    migrate.upgrade(url)
    seeded = asyncio.run(seed(url, bytes.fromhex(secret_hex), "http://127.0.0.1", voters))
    print(f"seeded {len(seeded.credentials)} voters with credentials through the real services "
          f"in {time.perf_counter() - started:.1f} s ({data_dir})", flush=True)  # fmt: skip
    if len(seeded.credentials) < voters:
        raise SystemExit(f"only {len(seeded.credentials)} credentials for {voters} casts")

    quiet_runs: list[RunResult] = []
    storm_runs: list[RunResult] = []
    storms: list[StormResult] = []
    cast_ok = attempts = 0
    with server_process("real", data_dir, secret_hex) as server:
        pool = iter(range(0, voters, per_run))
        for round_number in range(args.rounds):
            order = ("quiet", "storm") if round_number % 2 == 0 else ("storm", "quiet")
            for half in order:
                first = next(pool)
                voters_here = seeded.credentials[first : first + per_run]
                raws = cast_requests(server.port, seeded.ballot_id, voters_here, args.spread_voters)
                label = f"{half} round {round_number + 1}"
                if half == "quiet":
                    warm = run_load("warm-up", server, raws[: args.warmup], args.concurrency)
                    run = run_load(label, server, raws[args.warmup :], args.concurrency)
                    quiet_runs.append(run)
                else:
                    storm = Storm(server.port, args.storm_rate, args.storm_inflight, attempts)
                    warm, run, storm_result = run_in_storm(
                        label,
                        server,
                        raws[: args.warmup],
                        raws[args.warmup :],
                        args.concurrency,
                        storm,
                    )
                    attempts += storm_result.sent
                    storm_runs.append(run)
                    storms.append(storm_result)
                if warm.errors:
                    show(warm)
                show(run)
                if half == "storm":
                    show_storm(storm_result)
                cast_ok += warm.ok + run.ok

    participation = asyncio.run(count_rows(url, "participation", seeded.ballot_id))
    casts = asyncio.run(count_rows(url, "casts", seeded.ballot_id))
    quiet, stormy = (
        merged("quiet (all rounds)", quiet_runs),
        merged("storm (all rounds)", storm_runs),
    )
    storm_seconds = sum(s.seconds for s in storms)
    checks_rate = sum(s.checks for s in storms) / storm_seconds
    print()
    show(quiet)
    show(stormy)
    ratio = stormy.rate / quiet.rate
    quiet_p99, storm_p99 = quiet.percentile(0.99), stormy.percentile(0.99)
    print(f"\n  ratio storm/quiet throughput: {ratio:.2f}  (aim >= {AIM_STORM_RATIO})")
    print(f"  p99 at {args.concurrency} clients: quiet {quiet_p99:.1f} ms, storm {storm_p99:.1f} ms"
          f"  (aim: storm < {AIM_STORM_P99_MS:.0f} ms)")  # fmt: skip
    print(f"  the storm: {sum(s.sent for s in storms) / storm_seconds:.1f} wrong logins/s sent, "
          f"{checks_rate:.1f}/s answered 401 while it ran (asked {args.storm_rate:g}/s)")  # fmt: skip
    if checks_rate < 0.95 * args.storm_rate:
        print("  (the storm was weaker than asked: the server did not keep up with it, or "
              "refused attempts without a password check; see the statuses above)")  # fmt: skip
    print(f"  no lost votes: {cast_ok} successful casts, {participation} participation rows, "
          f"{casts} cast rows -> {'OK' if cast_ok == participation == casts else 'MISMATCH'}")  # fmt: skip
    ratio_ok, p99_ok = ratio >= AIM_STORM_RATIO, storm_p99 < AIM_STORM_P99_MS
    errors_ok = not quiet.errors and not stormy.errors
    if args.concurrency != 64:
        print("  (the aims are stated for 64 concurrent clients)")
    verdict = "HOLD" if ratio_ok and p99_ok and errors_ok else "DO NOT HOLD"
    print(f"  aims {verdict}: throughput {'ok' if ratio_ok else 'below aim'}, "
          f"p99 {'ok' if p99_ok else 'above aim'}, cast errors {'none' if errors_ok else 'present'}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.data_dir, args.secret, args.as_vote_serve)
        return
    run = {"storm": storm_benchmark, "naive": honest_benchmark}.get(args.against, benchmark)
    if args.keep:
        run(args, Path(tempfile.mkdtemp(prefix="vote-bench-")))
        return
    with tempfile.TemporaryDirectory(prefix="vote-bench-") as directory:
        run(args, Path(directory))


if __name__ == "__main__":
    main()
