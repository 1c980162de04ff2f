"""Live turnout over real HTTP: ``vote serve`` in subprocesses, the event stream read with httpx.

One worker alone (SQLite, in-process channels); one worker whose Redis is a closed port (votes
go on, its own pages still update); and two workers on one PostgreSQL database sharing the real
Redis: a chair watching worker A sees a vote cast on worker B.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
import redis

from tests.conftest import IN_CI, _pg_execute, _pg_url
from vote.demo import DEMO_PASSWORD

VOTE = [sys.executable, "-c", "from vote.cli import main; main()"]
REDIS_URL = os.environ.get("VOTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROJECTS = {"projects": ["p2", "p3"]}
PATIENCE = 120.0  # a guard against hanging, never a measure of speed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo(env: dict[str, str]) -> tuple[str, list[str]]:
    """Seed the demo; return the chair's TOTP secret and the practical ballot's codes."""
    out = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", out.stdout)
    assert secret, out.stdout
    return secret.group(1), re.findall(r"/v/1#([0-9-]+)", out.stdout)


@contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[str]:
    server = subprocess.Popen(
        [*VOTE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code < 500:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def chair_token(base: str, secret: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": "chair", "password": DEMO_PASSWORD, "totp": pyotp.TOTP(secret).now()},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def cast(base: str, credential: str) -> None:
    response = httpx.post(
        f"{base}/api/v1/ballots/1/casts", json={"credential": credential, "answers": PROJECTS}
    )
    assert response.status_code == 201, response.text


class Events:
    """The ``turnout`` events of one open stream, one at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.iter_lines()
        self.heartbeats = 0

    def next_turnout(self) -> dict[str, Any]:
        kind, data = "", ""
        for line in self._lines:
            if line.startswith(":"):
                self.heartbeats += 1
                assert self.heartbeats < 20, "only heartbeats for minutes"
            elif line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif not line and kind == "turnout":
                return dict(json.loads(data))
        raise AssertionError("the stream ended")

    def until_voted(self, voted: int) -> dict[str, Any]:
        """The first event that counts ``voted`` (other test runs may share the Redis)."""
        for _ in range(50):
            turnout = self.next_turnout()
            if turnout["voted"] >= voted:
                return turnout
        raise AssertionError(f"no event with {voted} voted")


@contextmanager
def watching(base: str, token: str) -> Iterator[Events]:
    timeout = httpx.Timeout(10.0, read=PATIENCE)
    with httpx.stream(
        "GET",
        f"{base}/chair/ballots/1/turnout/stream",
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Events(response)


def test_the_stream_follows_votes_on_one_worker(tmp_path: Path) -> None:
    env = {**os.environ, "VOTE_DATA_DIR": str(tmp_path)}
    env.pop("VOTE_REDIS_URL", None)
    secret, codes = demo(env)
    with serving(env, free_port()) as base:
        token = chair_token(base, secret)
        with watching(base, token) as events:
            first = events.next_turnout()
            assert first["state"] == "open"
            cast(base, codes[0])
            after = events.until_voted(first["voted"] + 1)
            assert after["voted"] == first["voted"] + 1
            assert sum(b["voted"] for b in after["buildings"]) == after["voted"]


def test_votes_and_this_workers_pages_go_on_with_redis_unreachable(tmp_path: Path) -> None:
    env = {**os.environ, "VOTE_DATA_DIR": str(tmp_path)}
    env["VOTE_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    secret, codes = demo(env)
    with serving(env, free_port()) as base:
        token = chair_token(base, secret)
        with watching(base, token) as events:
            first = events.next_turnout()
            for number, code in enumerate(codes, start=1):
                cast(base, code)
                assert events.until_voted(first["voted"] + number)["voted"] == (
                    first["voted"] + number
                )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = f"vote_live_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_execute(f"CREATE DATABASE {name}"))
    except Exception as error:  # any connection failure means "no server"
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    yield _pg_url(name)
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis is required in CI but unreachable: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    return REDIS_URL


def test_a_vote_on_one_worker_reaches_a_chair_watching_another(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    env = {
        **os.environ,
        "VOTE_DATA_DIR": str(tmp_path),
        "VOTE_DATABASE_URL": postgres_url,
        "VOTE_REDIS_URL": redis_url,
    }
    secret, codes = demo(env)
    with serving(env, free_port()) as worker_a, serving(env, free_port()) as worker_b:
        token = chair_token(worker_a, secret)
        with watching(worker_a, token) as events:
            first = events.next_turnout()
            cast(worker_b, codes[0])
            after = events.until_voted(first["voted"] + 1)
            assert after["voted"] == first["voted"] + 1
