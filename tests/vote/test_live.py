"""Live updates in one process: a vote's notice reaches subscribers; with Redis unreachable
votes are still accepted and notices are delivered in this process; when Redis returns, notices
go through it again."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import msgspec
import pytest
import redis.asyncio as redis_asyncio
from litestar.channels import Subscriber
from litestar.testing import AsyncTestClient

from tests.vote.conftest import one_window_limiter
from tests.vote.helpers import World
from tests.vote.test_ratelimit import IN_CI, _free_port, _start_redis
from vote.app import create_app
from vote.live import (
    CHANGED,
    LiveChannels,
    ResilientChannelsBackend,
    ballot_channel,
)
from vote.settings import Settings

PROJECTS = {"projects": ["p2", "p3"]}
PATIENCE = 60.0  # a guard against hanging, never a measure of speed


class Captured(logging.Handler):
    """The messages one logger sends while the block runs (the app's logging setup may take
    pytest's own capture off the root logger)."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.WARNING)
        self.logger = logging.getLogger(name)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> Captured:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        self.logger.removeHandler(self)


def closed_port() -> int:
    """A port on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def next_event(subscriber: Subscriber) -> bytes:
    events = subscriber.iter_events()
    return await asyncio.wait_for(anext(events), PATIENCE)


async def test_votes_succeed_while_redis_is_unreachable(settings: Settings, world: World) -> None:
    unreachable = msgspec.structs.replace(
        settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0"
    )
    app = create_app(unreachable, limiter=one_window_limiter())
    with Captured("vote.live") as captured:
        async with AsyncTestClient(app=app) as client:
            for index in range(2):  # the second after the publisher met the failure
                response = await client.post(
                    f"/api/v1/ballots/{world.practical_id}/casts",
                    json={
                        "credential": world.credential(world.practical_id, index),
                        "answers": PROJECTS,
                    },
                )
                assert response.status_code == 201, response.text
    assert sum("unreachable" in m for m in captured.messages) == 1  # once, not once per vote


async def test_notices_are_coalesced_per_ballot() -> None:
    from litestar.channels.backends.memory import MemoryChannelsBackend

    live = LiveChannels(MemoryChannelsBackend(), notice_interval=0.05)
    async with live, live.start_subscription(ballot_channel(7)) as subscriber:
        for _ in range(50):
            live.ballot_changed(7)
        # One notice at once, one after the interval for everything since.
        assert await next_event(subscriber) == CHANGED
        assert await next_event(subscriber) == CHANGED
        await asyncio.sleep(0.2)
        assert subscriber.qsize == 0


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server not installed")
    yield _free_port(), tmp_path


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(int(PATIENCE / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting: {what}")


async def test_the_backend_falls_back_and_returns_with_redis(
    own_redis: tuple[int, Path],
) -> None:
    port, directory = own_redis
    url = f"redis://127.0.0.1:{port}/0"
    server = _start_redis(port, directory)
    backend = ResilientChannelsBackend(url, retry_seconds=0.1)
    live = LiveChannels(backend, notice_interval=0.0)
    outside = redis_asyncio.Redis.from_url(url)
    try:
        with Captured("vote.live") as captured:
            async with live, live.start_subscription(ballot_channel(1)) as subscriber:
                await until(lambda: backend.connected, "connected to Redis")
                live.ballot_changed(1)
                assert await next_event(subscriber) == CHANGED

                server.kill()
                server.wait()
                live.ballot_changed(1)  # Redis is gone: delivered here all the same
                assert await next_event(subscriber) == CHANGED
                assert backend.degraded

                server = _start_redis(port, directory)
                await until(lambda: backend.connected, "back on Redis")
                # A notice published by another worker reaches this one again.
                await outside.publish(ballot_channel(1), CHANGED)
                assert await next_event(subscriber) == CHANGED
    finally:
        await outside.aclose()
        server.kill()
        server.wait()
    assert sum("unreachable" in m for m in captured.messages) == 1, captured.messages
    assert sum(m.startswith("Redis answers again") for m in captured.messages) == 1, (
        captured.messages
    )
