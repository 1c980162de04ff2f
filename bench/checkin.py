"""Benchmark: a hearing's burst of check-ins and in-person votes, with the projector listening.

What it measures (issue 10, "Speed"): residents check in at a meeting on their own phones
(``POST /api/v1/meetings/{id}/check-in`` with the projected venue code and their invitation's
voting code), then vote on the ballot held at the meeting, which only those checked in may vote
on (``POST /api/v1/ballots/{id}/casts``). Meanwhile projector and console subscribers follow the
meeting's live quorum (``GET /chair/meetings/{id}/quorum/stream``, server-sent events, each with
a chair's login session) and note when each count reaches them.

It runs on two targets, each seeded afresh through the real services:

- **sqlite**: the embedded default, one uvicorn worker, no Redis (as ``bench/cast.py`` runs it);
- **postgres**: a fresh PostgreSQL database, two workers (two server processes, the load and the
  subscribers shared out between them as a proxy would) and Redis, so that a check-in on one
  worker must reach the subscribers of the other.

Beside them, in the same run, the cast baseline of ``bench/cast.py`` (a bare endpoint: msgspec
decode and one SQLite INSERT) takes the same two loads: the check-in arrivals and the votes.

It prints check-in p50/p99/max and errors, the offered and achieved arrival rates, votes/s and
p50/p99, each with the server's CPU per request; for the subscribers, the lag from the last
check-in's answer to each subscriber seeing the final count; the ratios against the baseline;
and, after each target, whether attendances = participation = residents and ``tally verify``
passes on the ballot's board. The aims (zero errors, check-in p99 < 300 ms, every subscriber
sees the final count within 1 s) are reported, never asserted: it is a benchmark, not a test.

Usage (from the repository root)::

    .venv/bin/python bench/checkin.py                  # 500 residents, 50 subscribers, 60 s
    .venv/bin/python bench/checkin.py --quick          # 100 residents, 10 subscribers, 12 s
    .venv/bin/python bench/checkin.py --skip-postgres --residents 300 --spread 0
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# As in bench/cast.py: bench/tally.py must not shadow the tally package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import msgspec  # noqa: E402

from bench import cast  # noqa: E402

AIM_CHECKIN_P99_MS = 300.0
AIM_LAG_SECONDS = 1.0
DEFAULT_RETRY_SECONDS = 3.0  # what browsers wait before reconnecting when no retry: is given
IDLE_SECONDS = 2.0  # server CPU is read this long with only the subscribers connected
SETTLE_SECONDS = 10.0
WARM_READS = 200  # per worker, before the subscribers connect (unless --cold)  # how long subscribers get to see a final count before it counts as missed


def checkin_path(meeting_id: int) -> str:
    return f"/api/v1/meetings/{meeting_id}/check-in"


def stream_path(meeting_id: int) -> str:
    return f"/chair/meetings/{meeting_id}/quorum/stream"


# --- seeding through the real services --------------------------------------------------------


class Hearing(msgspec.Struct):
    meeting_id: int
    ballot_id: int
    checkin_secret: str
    credentials: list[str]
    sessions: list[str]  # one chair login session per subscriber


async def seed(url: str, secret: bytes, residents: int, subscribers: int) -> Hearing:
    """Units and roll, a hearing matter, a meeting checking in, an open ballot held at it that
    only those checked in may vote on, one credential per resident, and a street chair with one
    login session per subscriber (as each projector or console logs in)."""
    from ballots import chairs, invitations, lifecycle, matters, units
    from ballots.access import operator
    from ballots.db import create_engine, create_sessionmaker, dispose
    from ballots.meetings import meetings
    from ballots.models import Chair
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
            for index, first in enumerate(range(0, residents, cast.ROSTER_ROWS_PER_AREA)):
                area = await units.create_unit(
                    session, op, name=f"居民区{index + 1}", code=f"area{index + 1}",
                    level="area", parent_id=street.id,
                )  # fmt: skip
                count = min(cast.ROSTER_ROWS_PER_AREA, residents - first)
                rows = parse_roster(cast.roster_csv(first, count), f"area{index + 1}.csv")
                await import_roll(session, op, area.id, rows, dry_run=False)
            matter = await matters.create_matter(
                session, op, unit_id=street.id, kind="hearing", title="基准测试听证会"
            )
            meeting = await meetings.create_meeting(
                session, op, matter_id=matter.id, title="基准测试听证会现场",
                starts_at=datetime.now(UTC), venue="街道社区活动中心",
            )  # fmt: skip
            question = Question(
                id="choice",
                kind="single",
                prompt="选择一个项目",
                options=[Option(id=f"o{i}", label=f"项目{i}") for i in range(1, 5)],
            )
            draft = lifecycle.BallotDraft(title="基准测试现场表决", questions=[question])
            ballot = await lifecycle.create_ballot(session, op, matter.id, draft)
            await meetings.hold_ballot_at(session, op, ballot.id, meeting.id, requires_checkin=True)
            await session.commit()
            await lifecycle.open_ballot(session, op, ballot.id)
            issued = await invitations.issue_invitations(
                session, op, secret, "http://127.0.0.1", ballot.id
            )
            await meetings.move_meeting(session, op, meeting.id, "start_checkin")
            created = await chairs.create_chair(
                session, op, secret, username="bench-chair", password=secrets.token_urlsafe(16),
                role="street_chair", unit_id=street.id, must_change_password=False,
            )  # fmt: skip
            chair = await session.get(Chair, created.chair_id)
            assert chair is not None
            sessions = [
                await chairs.create_token(session, chair, kind="session", source="127.0.0.1")
                for _ in range(subscribers)
            ]
            await session.commit()
            return Hearing(
                meeting_id=meeting.id,
                ballot_id=ballot.id,
                checkin_secret=meeting.checkin_secret,
                credentials=[inv.credential for inv in issued],
                sessions=sessions,
            )
    finally:
        await dispose(engine)


async def count_where(url: str, table: str, column: str, value: int) -> int:
    """Rows of ``table`` whose ``column`` is ``value``."""
    from sqlalchemy import text

    from ballots.db import create_engine, dispose

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            query = text(f"SELECT count(*) FROM {table} WHERE {column} = :value")
            return int((await conn.execute(query, {"value": value})).scalar_one())
    finally:
        await dispose(engine)


# --- PostgreSQL, Redis and the two-worker servers ---------------------------------------------


def serve_postgres(args: argparse.Namespace) -> None:
    """One worker of the two-worker target, until terminated (uvicorn, no access log)."""
    import uvicorn

    def factory() -> Any:
        from vote.app import create_app
        from vote.settings import Settings

        return create_app(
            Settings(
                database_url=args.database_url,
                base_url=f"http://127.0.0.1:{args.port}",
                data_dir=args.data_dir,
                redis_url=args.redis_url,
                secret_key_hex=args.secret,
                signing_key_hex=args.signing_key,
                trusted_proxies=("127.0.0.1",),
            )
        )

    uvicorn.run(
        factory, factory=True, host="127.0.0.1", port=args.port, workers=1,
        access_log=False, log_level="warning",
    )  # fmt: skip


@contextmanager
def postgres_worker(
    url: str, redis_url: str, data_dir: Path, secret_hex: str, signing_hex: str
) -> Iterator[cast.Server]:
    """Start one worker process; yield it once it accepts connections; stop it."""
    port = cast.free_port()
    command = [sys.executable, __file__, "--serve", "postgres", "--port", str(port)]
    command += ["--database-url", url, "--redis-url", redis_url, "--data-dir", str(data_dir)]
    command += ["--secret", secret_hex, "--signing-key", signing_hex]
    process = subprocess.Popen(command)
    try:
        _wait_for_port(process, port)
        yield cast.Server("postgres", port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(process: subprocess.Popen[bytes], port: int) -> None:
    import socket

    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)


# --- the check-in arrivals ----------------------------------------------------------------------


class Burst(msgspec.Struct):
    """What one phase of requests did: the run, when its last answer came, the offered rate
    (None for a closed loop) and how late the load generator itself started any request."""

    run: cast.RunResult
    last_answer: float
    offered_rate: float | None
    start_lag_ms: float


def head_request(port: int, ballot_id: int) -> bytes:
    return (
        f"GET /api/v1/ballots/{ballot_id}/board/head HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    ).encode()


def checkin_request(port: int, meeting_id: int, secret: str, credential: str) -> bytes:
    """A resident's check-in with the code the projector shows now (a phone scans it now)."""
    from ballots.meetings.venue_code import current_code

    code, _ = current_code(secret, datetime.now(UTC))
    body = msgspec.json.encode({"venue_code": code, "credential": credential})
    return cast.post_request(port, checkin_path(meeting_id), body)


async def open_loop(
    label: str, ports: list[int], make: Callable[[int, int], bytes], count: int, spread: float
) -> Burst:
    """Request *i* leaves at ``i * spread / count`` seconds on a new connection of its own (a
    phone in the hall), to ``ports[i % len(ports)]``, whatever happened to the earlier ones.
    Latency is counted from when the request was due, so a lagging generator shows, never hides.
    """
    loop = asyncio.get_running_loop()
    clock = time.perf_counter
    rate = count / spread
    latencies: list[float] = []
    errors: dict[str, int] = {}
    answers: list[float] = []
    lags: list[float] = []

    def error(key: str) -> None:
        errors[key] = errors.get(key, 0) + 1

    async def one(number: int, due: float) -> None:
        await asyncio.sleep(max(due - clock(), 0.0))
        lags.append(clock() - due)
        port = ports[number % len(ports)]
        raw = make(number, port)
        connection: cast._Connection | None = None
        try:
            _, connection = await loop.create_connection(cast._Connection, "127.0.0.1", port)
            status, body = await connection.request(raw)
        except (ConnectionError, RuntimeError, OSError) as failure:
            error(f"{type(failure).__name__}: {failure}")
            return
        finally:
            if connection is not None and connection.transport is not None:
                connection.transport.close()
        now = clock()
        latencies.append((now - due) * 1000)
        answers.append(now)
        if not 200 <= status < 300:
            error(f"{status} {body[:200].decode(errors='replace')}")

    cpu_start, start = time.process_time(), clock() + 0.05
    await asyncio.gather(*(one(n, start + n / rate) for n in range(count)))
    last = max(answers, default=clock())
    run = cast.RunResult(
        label, count, last - start, time.process_time() - cpu_start, latencies, errors
    )
    return Burst(run, last, rate, max(lags, default=0.0) * 1000)


async def closed_loop(
    label: str, ports: list[int], raws: list[list[bytes]], concurrency: int
) -> Burst:
    """``bench/cast.py``'s closed-loop driver on each port at once (the clients shared out), as
    one run; ``raws[k]`` go to ``ports[k]``."""
    clock = time.perf_counter
    cpu_start = time.process_time()
    each = max(1, concurrency // len(ports))
    parts = await asyncio.gather(
        *(cast.drive(label, port, mine, each) for port, mine in zip(ports, raws, strict=True))
    )
    last = clock()
    errors: dict[str, int] = {}
    for part in parts:
        for key, number in part.errors.items():
            errors[key] = errors.get(key, 0) + number
    run = cast.RunResult(
        label,
        sum(part.requests for part in parts),
        max(part.seconds for part in parts),
        time.process_time() - cpu_start,
        [ms for part in parts for ms in part.latencies_ms],
        errors,
    )
    return Burst(run, last, None, 0.0)


# --- the projector and console subscribers ----------------------------------------------------


class Subscriber:
    """One projector or console following the quorum stream as a browser's EventSource does:
    it reconnects when the stream ends, after the ``retry`` the server asked for."""

    def __init__(self, number: int, port: int, meeting_id: int, session: str) -> None:
        self.number, self.port = number, port
        self.request = (
            f"GET {stream_path(meeting_id)} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Accept: text/event-stream\r\nCookie: vote_session={session}\r\n\r\n"
        ).encode()
        self.retry = DEFAULT_RETRY_SECONDS
        self.seen: list[tuple[float, int | None, int | None]] = []  # (time, checked in, voted)
        self.connects = 0
        self.spans: list[list[float]] = []  # [opened, closed] of each stream that answered 200
        self.failures: dict[str, int] = {}
        self.events = 0
        self.first = asyncio.Event()

    async def run(self, delay: float) -> None:
        await asyncio.sleep(delay)
        while True:
            try:
                await self._once()
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                key = f"{type(error).__name__}: {error}"
                self.failures[key] = self.failures.get(key, 0) + 1
            await asyncio.sleep(self.retry)

    async def _once(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(self.request)
            status = int((await reader.readline()).split()[1])
            headers: dict[bytes, bytes] = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip().lower()
            if status != 200:
                body = await reader.read(300)
                key = f"{status} {body.decode(errors='replace')}"
                self.failures[key] = self.failures.get(key, 0) + 1
                return
            self.connects += 1
            span = [time.perf_counter(), float("inf")]
            self.spans.append(span)
            pending = b""
            chunked = headers.get(b"transfer-encoding") == b"chunked"
            while True:
                if chunked:
                    size = int((await reader.readline()).split(b";")[0], 16)
                    if size == 0:
                        return
                    data = await reader.readexactly(size)
                    await reader.readexactly(2)
                else:
                    data = await reader.read(65536)
                    if not data:
                        return
                pending = self._feed(pending + data)
        finally:
            if self.spans and self.spans[-1][1] == float("inf"):
                self.spans[-1][1] = time.perf_counter()
            writer.close()

    def _feed(self, data: bytes) -> bytes:
        """Dispatch every complete event in ``data``; return the incomplete rest."""
        data = data.replace(b"\r\n", b"\n")
        while (end := data.find(b"\n\n")) >= 0:
            block, data = data[:end], data[end + 2 :]
            lines = [line.partition(b":") for line in block.split(b"\n")]
            payload = b"\n".join(v[1:] if v.startswith(b" ") else v for k, _, v in lines
                                 if k == b"data")  # fmt: skip
            for key, _, value in lines:
                if key == b"retry" and value.strip().isdigit():
                    self.retry = int(value) / 1000
            if payload:
                self._event(payload)
        return data

    def _event(self, payload: bytes) -> None:
        now = time.perf_counter()
        self.events += 1
        self.first.set()
        try:
            quorum = msgspec.json.decode(payload)
        except msgspec.DecodeError:
            return
        if not isinstance(quorum, dict):
            return
        checked = quorum.get("checked_in")
        ballots = quorum.get("ballots") or [{}]
        voted = ballots[0].get("voted") if isinstance(ballots[0], dict) else None
        self.seen.append((now, checked if isinstance(checked, int) else None,
                          voted if isinstance(voted, int) else None))  # fmt: skip

    def listening(self, at: float) -> bool:
        """True when a stream of this subscriber was open at ``at`` (not waiting to reconnect)."""
        return any(opened <= at <= closed for opened, closed in self.spans)

    def saw(self, field: int, value: int) -> float | None:
        """When this subscriber first saw ``value`` in ``field`` (1 checked in, 2 voted)."""
        return next((seen[0] for seen in self.seen if seen[field] == value), None)


class Lag(msgspec.Struct):
    """How late the subscribers saw a final count: seconds after the last answer, per subscriber
    that saw it, and how many never did within the settling time."""

    lags: list[float]
    missed: int
    reconnecting: int  # subscribers whose stream had ended and who waited to reconnect then
    listening_lags: list[float]  # the lags of those whose stream was open then

    def describe(self) -> str:
        if not self.lags:
            return f"none saw it ({self.missed} missed)"
        lags = sorted(self.lags)
        return (
            f"max {lags[-1] * 1000:.0f} ms, p50 {lags[len(lags) // 2] * 1000:.0f} ms over "
            f"{len(lags)} subscribers"
            + (f", {self.missed} MISSED" if self.missed else "")
            + (
                f" ({self.reconnecting} were waiting to reconnect then; max "
                f"{max(self.listening_lags, default=0) * 1000:.0f} ms among those listening)"
                if self.reconnecting
                else ""
            )
        )


async def settle(subscribers: list[Subscriber], field: int, value: int, after: float) -> Lag:
    """Wait (up to :data:`SETTLE_SECONDS`) for every subscriber to see ``value``."""
    deadline = time.perf_counter() + SETTLE_SECONDS
    while time.perf_counter() < deadline:
        if all(s.saw(field, value) is not None for s in subscribers):
            break
        await asyncio.sleep(0.02)
    times = [s.saw(field, value) for s in subscribers]
    return Lag(
        [t - after for t in times if t is not None],
        sum(t is None for t in times),
        sum(not s.listening(after) for s in subscribers),
        [t - after for s, t in zip(subscribers, times, strict=True)
         if t is not None and s.listening(after)],
    )  # fmt: skip


# --- one target ---------------------------------------------------------------------------------


class Outcome(msgspec.Struct):
    label: str
    checkin: Burst
    votes: Burst
    checkin_server_cpu: float | None = None
    votes_server_cpu: float | None = None
    checkin_lag: Lag | None = None
    voted_lag: Lag | None = None
    subscriber_connects: int = 0
    subscriber_failures: dict[str, int] = {}
    subscriber_events: int = 0
    attendances: int | None = None
    participation: int | None = None
    verify: str = ""
    idle_cpu_share: float | None = None  # server CPU while only the subscribers listen
    checkin_events: int = 0  # quorum events the subscribers received during the check-ins


def server_cpu(servers: list[cast.Server]) -> float | None:
    readings = [server.cpu_seconds() for server in servers]
    return None if any(r is None for r in readings) else sum(r or 0.0 for r in readings)


def spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


async def hearing(
    label: str, servers: list[cast.Server], seeded: Hearing, args: argparse.Namespace
) -> Outcome:
    """Subscribers connect; the check-in burst; they settle; the votes; they settle again."""
    ports = [server.port for server in servers]
    subscribers = [
        Subscriber(n, ports[n % len(ports)], seeded.meeting_id, session)
        for n, session in enumerate(seeded.sessions)
    ]
    if not args.cold:
        # A server that has been up a while has its database pool open: read the public board
        # head as many times at once as votes will come, so the first votes do not pay for it.
        heads = [[head_request(port, seeded.ballot_id)] * WARM_READS for port in ports]
        warm = await closed_loop("warm-up", ports, heads, args.concurrency)
        if warm.run.errors:
            show_phase("warm-up", warm, None)
    # Projectors and consoles come on at different times: their streams end and reconnect out of
    # step, as they would in a hall, instead of all at once.
    tasks = [
        asyncio.create_task(s.run(n * args.stagger / len(subscribers)))
        for n, s in enumerate(subscribers)
    ]
    try:
        try:
            await asyncio.wait_for(
                asyncio.gather(*(s.first.wait() for s in subscribers)), args.stagger + 30
            )
        except TimeoutError:
            early = {k: v for s in subscribers for k, v in s.failures.items()}
            print(f"  {label}: not every subscriber got its first event: {early}")
        before = server_cpu(servers)
        await asyncio.sleep(IDLE_SECONDS)
        idle = spent(before, server_cpu(servers))
        credentials = seeded.credentials
        count = len(credentials)

        def make(number: int, port: int) -> bytes:
            return checkin_request(
                port, seeded.meeting_id, seeded.checkin_secret, credentials[number]
            )

        before, events = server_cpu(servers), sum(s.events for s in subscribers)
        if args.spread > 0:
            checkin = await open_loop(f"{label} check-in", ports, make, count, args.spread)
        else:
            raws = [
                [make(n, port) for n in range(k, count, len(ports))] for k, port in enumerate(ports)
            ]
            checkin = await closed_loop(f"{label} check-in", ports, raws, args.concurrency)
        checkin_cpu = spent(before, server_cpu(servers))
        checkin_events = sum(s.events for s in subscribers) - events
        checkin_lag = await settle(subscribers, 1, count, checkin.last_answer)

        raws = [
            cast.cast_requests(port, seeded.ballot_id, credentials[k :: len(ports)])
            for k, port in enumerate(ports)
        ]
        before = server_cpu(servers)
        votes = await closed_loop(f"{label} votes", ports, raws, args.concurrency)
        votes_cpu = spent(before, server_cpu(servers))
        voted_lag = await settle(subscribers, 2, count, votes.last_answer)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    failures: dict[str, int] = {}
    for subscriber in subscribers:
        for key, number in subscriber.failures.items():
            failures[key] = failures.get(key, 0) + number
    return Outcome(
        label, checkin, votes, checkin_cpu, votes_cpu, checkin_lag, voted_lag,
        sum(s.connects for s in subscribers), failures, sum(s.events for s in subscribers),
        idle_cpu_share=None if idle is None else idle / IDLE_SECONDS,
        checkin_events=checkin_events,
    )  # fmt: skip


def run_hearing(
    label: str, servers: list[cast.Server], seeded: Hearing, args: argparse.Namespace
) -> Outcome:
    with asyncio.Runner(loop_factory=cast.loop_factory()) as runner:
        outcome = runner.run(hearing(label, servers, seeded, args))
    outcome.verify = verify_board(servers[0].port, seeded.ballot_id)
    return outcome


def verify_board(port: int, ballot_id: int) -> str:
    """``tally verify`` on the ballot's board as the server publishes it: its summary line."""
    board = f"http://127.0.0.1:{port}/api/v1/ballots/{ballot_id}/board"
    done = subprocess.run(
        [sys.executable, "-m", "tally", "verify", board],
        capture_output=True, text=True, cwd=_HERE.parent, timeout=300, check=False,
    )  # fmt: skip
    lines = (done.stdout + done.stderr).strip().splitlines()
    verdict = "PASSED" if done.returncode == 0 else "FAILED"
    return f"{verdict} ({lines[0] if lines else 'no output'})" + (
        "" if done.returncode == 0 else f" {lines[-1] if lines else ''}"
    )


def baseline_checkins(server: cast.Server, args: argparse.Namespace) -> Outcome:
    """The cast baseline of bench/cast.py taking the same check-in arrivals (a cast body each)."""

    def make(number: int, port: int) -> bytes:
        return cast.cast_requests(port, 1, [f"check-in-{number}"])[0]

    async def arrivals() -> Burst:
        if args.spread > 0:
            return await open_loop(
                "baseline check-in", [server.port], make, args.residents, args.spread
            )
        raws = [[make(n, server.port) for n in range(args.residents)]]
        return await closed_loop("baseline check-in", [server.port], raws, args.concurrency)

    before = server_cpu([server])
    with asyncio.Runner(loop_factory=cast.loop_factory()) as runner:
        checkin = runner.run(arrivals())
    empty = Burst(cast.RunResult("", 0, 1.0, 0.0, [], {}), 0.0, None, 0.0)
    return Outcome("baseline", checkin, empty, spent(before, server_cpu([server])))


def baseline_votes(server: cast.Server, base: Outcome, args: argparse.Namespace) -> Outcome:
    """The baseline's check-ins with the same votes cast on it, just before a target's run (so
    the two meet the machine's load of the same minute)."""
    raws = cast.cast_requests(server.port, 1, [f"vote-{secrets.token_hex(4)}"] * args.residents)
    ping = f"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
    with asyncio.Runner(loop_factory=cast.loop_factory()) as runner:
        if not args.cold:  # as the targets are warmed: as many requests at once as votes come
            runner.run(
                closed_loop("warm-up", [server.port], [[ping] * WARM_READS], args.concurrency)
            )
        before = server_cpu([server])
        votes = runner.run(closed_loop("baseline votes", [server.port], [raws], args.concurrency))
    return Outcome(
        "baseline",
        base.checkin,
        votes,
        base.checkin_server_cpu,
        spent(before, server_cpu([server])),
    )


def sqlite_target(data_dir: Path, secret_hex: str, args: argparse.Namespace) -> Outcome:
    from ballots import migrate

    url = f"sqlite+aiosqlite:///{data_dir / 'vote.sqlite3'}"
    migrate.upgrade(url)
    started = time.perf_counter()
    seeded = asyncio.run(seed(url, bytes.fromhex(secret_hex), args.residents, args.subscribers))
    print(f"  sqlite: seeded {len(seeded.credentials)} residents, a meeting checking in and an "
          f"in-person ballot in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    with cast.server_process("real", data_dir, secret_hex) as server:
        outcome = run_hearing("sqlite, 1 worker", [server], seeded, args)
    return counted(outcome, url, seeded)


def postgres_target(data_dir: Path, secret_hex: str, args: argparse.Namespace) -> Outcome:
    from ballots import migrate

    signing_hex = secrets.token_hex(32)
    with (
        cast.postgres_database("bench_checkin") as url,
        cast.redis_database(args.redis_db) as redis_url,
    ):
        migrate.upgrade(url)
        started = time.perf_counter()
        seeded = asyncio.run(seed(url, bytes.fromhex(secret_hex), args.residents, args.subscribers))
        print(f"  postgres: seeded {len(seeded.credentials)} residents in "
              f"{time.perf_counter() - started:.1f} s; Redis {redis_url}", flush=True)  # fmt: skip
        work = data_dir / "postgres"
        work.mkdir()
        with (
            postgres_worker(url, redis_url, work, secret_hex, signing_hex) as first,
            postgres_worker(url, redis_url, work, secret_hex, signing_hex) as second,
        ):
            outcome = run_hearing("postgres, 2 workers", [first, second], seeded, args)
        return counted(outcome, url, seeded)


def counted(outcome: Outcome, url: str, seeded: Hearing) -> Outcome:
    outcome.attendances = asyncio.run(
        count_where(url, "attendances", "meeting_id", seeded.meeting_id)
    )
    outcome.participation = asyncio.run(
        count_where(url, "participation", "ballot_id", seeded.ballot_id)
    )
    return outcome


# --- reporting ----------------------------------------------------------------------------------


def per_request(cpu: float | None, run: cast.RunResult) -> str:
    return "" if cpu is None else f", server CPU {cpu / run.requests * 1000:.2f} ms/req"


def show_phase(name: str, burst: Burst, cpu: float | None) -> None:
    run = burst.run
    offered = "" if burst.offered_rate is None else f"offered {burst.offered_rate:.1f}/s, "
    lag = f", generator late by <= {burst.start_lag_ms:.0f} ms" if burst.offered_rate else ""
    print(
        f"    {name:<9} {offered}achieved {run.rate:.1f}/s; p50 {run.percentile(0.5):.1f} ms, "
        f"p99 {run.percentile(0.99):.1f} ms, max {max(run.latencies_ms, default=0):.1f} ms; "
        f"{sum(run.errors.values())} errors (client CPU {run.cpu_seconds / run.seconds:.0%}"
        f"{per_request(cpu, run)}{lag})",
        flush=True,
    )
    for key, number in sorted(run.errors.items(), key=lambda item: -item[1])[:8]:
        print(f"        {number} x {key}")


def show(outcome: Outcome, base: Outcome | None, residents: int) -> None:
    print(f"  {outcome.label}:")
    show_phase("check-in", outcome.checkin, outcome.checkin_server_cpu)
    show_phase("votes", outcome.votes, outcome.votes_server_cpu)
    if outcome.checkin_lag is not None and outcome.voted_lag is not None:
        print(f"    subscribers: final check-in count seen {outcome.checkin_lag.describe()}; "
              f"final voted count seen {outcome.voted_lag.describe()}; {outcome.subscriber_connects} "
              f"stream connections, {outcome.subscriber_events} events")  # fmt: skip
        if outcome.idle_cpu_share is not None:
            print(f"    server CPU with only the subscribers listening: "
                  f"{outcome.idle_cpu_share:.0%} of a core; during the check-ins the subscribers "
                  f"received {outcome.checkin_events} quorum events (each a recount on the "
                  f"server), which the check-ins' server CPU above includes")  # fmt: skip
        for key, number in sorted(outcome.subscriber_failures.items())[:8]:
            print(f"        subscriber failure {number} x {key}")
    if outcome.attendances is not None:
        good = outcome.attendances == outcome.participation == residents
        print(f"    attendances {outcome.attendances}, participation {outcome.participation} "
              f"(residents {residents}) -> {'OK' if good else 'MISMATCH'}; "
              f"tally verify {outcome.verify}")  # fmt: skip
    if base is None:
        return
    c, b = outcome.checkin.run, base.checkin.run
    v, w = outcome.votes.run, base.votes.run
    print(f"    against the cast baseline: check-in p99 x{c.percentile(0.99) / b.percentile(0.99):.1f}"
          f" (p50 x{c.percentile(0.5) / b.percentile(0.5):.1f}); votes/s "
          f"{v.rate / w.rate:.2f} of the baseline's, vote p99 x"
          f"{v.percentile(0.99) / w.percentile(0.99):.1f}")  # fmt: skip
    errors = sum(c.errors.values()) + sum(v.errors.values())
    errors += sum(outcome.subscriber_failures.values())
    p99 = c.percentile(0.99)
    lag = outcome.checkin_lag
    lag_ok = lag is not None and not lag.missed and max(lag.lags, default=0) < AIM_LAG_SECONDS
    lag_word = "ok" if lag_ok else "above aim or missed"
    if lag is None or not (lag.lags or lag.missed):
        lag_word = "not measured (no subscribers)"
    holds = not errors and p99 < AIM_CHECKIN_P99_MS and lag_ok
    print(f"    aims {'HOLD' if holds else 'DO NOT HOLD'}: errors {errors} (aim 0; subscribers' too), check-in p99 "
          f"{p99:.0f} ms (aim < {AIM_CHECKIN_P99_MS:.0f}), subscriber lag "
          f"{lag_word} (aim < {AIM_LAG_SECONDS:.0f} s)")  # fmt: skip


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--residents", type=int, help="residents who check in and vote (500)")
    parser.add_argument("--subscribers", type=int, help="projector/console subscribers (50)")
    parser.add_argument(
        "--spread",
        type=float,
        help="seconds over which the check-ins arrive, open loop (60; quick 12); 0 sends them "
        "as fast as --concurrency closed-loop clients go",
    )
    parser.add_argument("--concurrency", type=int, default=64, help="clients casting the votes")
    parser.add_argument(
        "--stagger",
        type=float,
        help="seconds over which the subscribers connect before the check-ins (33, a stream's "
        "30 s life and 3 s reconnection; quick 6)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no warm-up: the votes also pay for opening the database pool's connections",
    )
    parser.add_argument("--quick", action="store_true", help="100 residents, 10 subscribers")
    parser.add_argument("--skip-postgres", action="store_true", help="the embedded default only")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--redis-db", type=int, default=12, help="first Redis database to try (an empty one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--serve", choices=["postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--redis-url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--secret", help=argparse.SUPPRESS)
    parser.add_argument("--signing-key", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.residents = args.residents or (100 if quick else 500)
    args.subscribers = args.subscribers if args.subscribers is not None else (10 if quick else 50)
    if args.stagger is None:
        args.stagger = 6.0 if quick else 33.0
    if args.spread is None:
        args.spread = 12.0 if quick else 60.0
    return args


def benchmark(args: argparse.Namespace, data_dir: Path) -> None:
    secret_hex = secrets.token_hex(32)
    arrivals = (
        f"arriving over {args.spread:g} s (open loop, a new connection each)"
        if args.spread > 0
        else f"as fast as {args.concurrency} clients go"
    )
    print(f"hearing burst: {args.residents} residents check in {arrivals}, then vote "
          f"({args.concurrency} clients); {args.subscribers} quorum subscribers; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start", flush=True)  # fmt: skip
    with cast.server_process("baseline", data_dir, secret_hex) as server:
        checkins = baseline_checkins(server, args)
        targets = [] if args.skip_sqlite else [sqlite_target]
        targets += [] if args.skip_postgres else [postgres_target]
        for target in targets:
            base = baseline_votes(server, checkins, args)
            print("  baseline (its votes cast just before the next target):")
            show_phase("check-in", base.checkin, base.checkin_server_cpu)
            show_phase("votes", base.votes, base.votes_server_cpu)
            show(target(data_dir, secret_hex, args), base, args.residents)
    print(f"  load average {os.getloadavg()[0]:.1f} at the end")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.serve:
        serve_postgres(args)
        return
    if args.keep:
        benchmark(args, Path(tempfile.mkdtemp(prefix="vote-bench-")))
        return
    with tempfile.TemporaryDirectory(prefix="vote-bench-") as directory:
        benchmark(args, Path(directory))


if __name__ == "__main__":
    main()
