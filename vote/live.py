"""Live updates: "ballot N changed" and "meeting N changed" notices through Litestar Channels,
for the chair's console and the meeting's projector.

One process uses the in-memory backend. With ``VOTE_REDIS_URL`` the notices go through Redis
pub/sub, so a vote cast on any worker reaches the live views on every worker. Losing Redis
degrades live views only: :class:`ResilientChannelsBackend` then delivers notices within this
process, logs the loss once, and subscribes again when Redis answers. Casting never waits for a
notice and never sees one fail (:meth:`LiveChannels.ballot_changed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

from vote.ratelimit import REDIS_FAILURES, redis_client
from vote.settings import Settings

log = logging.getLogger("vote.live")

CHANGED = b"changed"
# At most four notices a second per ballot per worker; a burst ends with one last notice.
NOTICE_INTERVAL = 0.25
# Always subscribed, so the listener reads (and notices a lost connection) even when idle.
KEEPALIVE_CHANNEL = "vote:live"


def ballot_channel(ballot_id: int) -> str:
    """The channel of one ballot's "something changed" notices."""
    return f"ballot:{ballot_id}"


def meeting_channel(meeting_id: int) -> str:
    """The channel of one meeting's "presence changed" notices (a check-in, a proxy…)."""
    return f"meeting:{meeting_id}"


class ResilientChannelsBackend(ChannelsBackend):
    """Redis pub/sub while Redis answers; this process's own delivery while it does not.

    A listener task keeps one Redis subscription (every wanted channel) and feeds the events
    stream; when Redis fails, the failure is logged once, notices are delivered in this process,
    and the listener tries again every ``retry_seconds``, subscribing afresh. No method raises a
    Redis error: the plugin's publisher and subscriber tasks must outlive any Redis outage.
    """

    def __init__(self, url: str, retry_seconds: float = 2.0) -> None:
        self._url = url
        self._retry_seconds = retry_seconds
        self._wanted: set[str] = set()
        self._events: asyncio.Queue[tuple[str, bytes]] | None = None
        self._client: Redis | None = None
        self._redis: RedisChannelsPubSubBackend | None = None
        self._broken: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._listener: asyncio.Task[None] | None = None
        self.degraded = False

    @property
    def connected(self) -> bool:
        """True while notices go through Redis."""
        return self._redis is not None and not self.degraded

    def _failed(self, error: BaseException) -> None:
        if not self.degraded:
            log.warning(
                "Redis is unreachable (%s); live updates reach this worker's pages only until "
                "it answers again",
                error,
            )
        self.degraded = True
        if self._broken is not None:
            self._broken.set()

    def _recovered(self) -> None:
        if self.degraded:
            log.warning("Redis answers again; live updates reach every worker once more")
        self.degraded = False

    def _deliver(self, channel: str, data: bytes) -> None:
        if channel in self._wanted and self._events is not None:
            self._events.put_nowait((channel, data))

    async def on_startup(self) -> None:
        self._events = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._client = redis_client(self._url)
        self._listener = asyncio.create_task(self._listen())

    async def on_shutdown(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._client is not None:
            with contextlib.suppress(*REDIS_FAILURES):
                await self._client.aclose()
            self._client = None
        self._events = None

    async def _listen(self) -> None:
        while True:
            try:
                await self._listen_once()
            except REDIS_FAILURES as error:
                self._failed(error)
            except Exception:  # never let the live view die for good
                log.exception("the live-update listener failed")
                self.degraded = True
            await asyncio.sleep(self._retry_seconds)

    async def _listen_once(self) -> None:
        assert self._client is not None and self._lock is not None
        backend = RedisChannelsPubSubBackend(redis=self._client)
        self._broken = asyncio.Event()
        pump = asyncio.create_task(self._pump(backend))
        broken = asyncio.create_task(self._broken.wait())
        try:
            async with self._lock:
                await backend.subscribe([KEEPALIVE_CHANNEL, *self._wanted])
                self._redis = backend
            self._recovered()
            done, _ = await asyncio.wait({pump, broken}, return_when=asyncio.FIRST_COMPLETED)
            if pump in done:
                pump.result()
            raise ConnectionError("a Redis command failed")
        finally:
            self._redis = None
            for task in (pump, broken):
                task.cancel()
            await asyncio.gather(pump, broken, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(backend.on_shutdown(), self._retry_seconds)

    async def _pump(self, backend: RedisChannelsPubSubBackend) -> None:
        async for channel, data in backend.stream_events():
            self._deliver(channel, data)

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        channels = list(channels)
        backend = self._redis
        if backend is not None and not self.degraded:
            try:
                await backend.publish(data, channels)
                return
            except Exception as error:  # any failure: delivered here instead, below
                self._failed(error)
        for channel in channels:
            self._deliver(channel, data)

    async def subscribe(self, channels: Iterable[str]) -> None:
        channels = list(channels)
        self._wanted.update(channels)
        backend = self._redis
        if backend is None or self.degraded or self._lock is None:
            return  # the listener subscribes to every wanted channel when Redis is back
        try:
            async with self._lock:
                await backend.subscribe(channels)
        except REDIS_FAILURES as error:
            self._failed(error)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        channels = list(channels)
        self._wanted.difference_update(channels)
        backend = self._redis
        if backend is None or self.degraded or self._lock is None:
            return
        try:
            async with self._lock:
                await backend.unsubscribe(channels)
        except REDIS_FAILURES as error:
            self._failed(error)

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        assert self._events is not None, "the backend has not started"
        events = self._events
        while True:
            yield await events.get()

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        return []


class LiveChannels(ChannelsPlugin):
    """The channels plugin, with coalesced, fire-and-forget "something changed" notices."""

    def __init__(self, backend: ChannelsBackend, notice_interval: float = NOTICE_INTERVAL) -> None:
        super().__init__(
            backend,
            arbitrary_channels_allowed=True,
            subscriber_max_backlog=8,
            subscriber_backlog_strategy="dropleft",
        )
        self.backend = backend
        self._interval = notice_interval
        self._last: dict[str, float] = {}
        self._pending: set[str] = set()

    def forget_notices(self) -> None:
        """Forget the notices of an earlier run of the app: a notice waiting on a stopped event
        loop would otherwise hold back every later notice on its channel."""
        self._last.clear()
        self._pending.clear()

    def ballot_changed(self, ballot_id: int) -> None:
        """Tell live views that ``ballot_id`` changed: at once, or once the interval since the
        last notice has passed. Never raises and never waits."""
        self.changed(ballot_channel(ballot_id))

    def meeting_changed(self, meeting_id: int) -> None:
        """Tell live views that who is present at ``meeting_id`` changed, like
        :meth:`ballot_changed`."""
        self.changed(meeting_channel(meeting_id))

    def changed(self, channel: str) -> None:
        """A coalesced notice on ``channel``; never raises and never waits."""
        try:
            self._notice(channel)
        except Exception:  # a live view is never worth a failed vote
            log.exception("could not send a live notice on %s", channel)

    def _notice(self, channel: str) -> None:
        if channel in self._pending:
            return
        loop = asyncio.get_running_loop()
        wait = self._last.get(channel, float("-inf")) + self._interval - loop.time()
        if wait <= 0:
            self._send(channel)
            return
        self._pending.add(channel)
        loop.call_later(wait, self._send_later, channel)

    def _send_later(self, channel: str) -> None:
        self._pending.discard(channel)
        try:
            self._send(channel)
        except Exception:  # the app may be shutting down
            log.exception("could not send a live notice on %s", channel)

    def _send(self, channel: str) -> None:
        now = asyncio.get_running_loop().time()
        if len(self._last) > 10_000:  # forget channels not heard of for a while
            self._last = {c: t for c, t in self._last.items() if now - t < self._interval}
        self._last[channel] = now
        self.publish(CHANGED, channel)


def channels_plugin(settings: Settings) -> LiveChannels:
    """In-memory channels, or Redis pub/sub (surviving its loss) when ``VOTE_REDIS_URL`` is set."""
    backend: ChannelsBackend = (
        ResilientChannelsBackend(settings.redis_url)
        if settings.redis_url
        else MemoryChannelsBackend()
    )
    return LiveChannels(backend)


def live_channels(app: Litestar) -> LiveChannels | None:
    """The app's live channels, if it has them."""
    try:
        return app.plugins.get(LiveChannels)
    except KeyError:
        return None


def ballot_changed(app: Litestar, ballot_id: int) -> None:
    """After a vote: tell live views of ``ballot_id``, never failing or slowing the vote."""
    live = live_channels(app)
    if live is not None:
        live.ballot_changed(ballot_id)


def meeting_changed(app: Litestar, meeting_id: int) -> None:
    """After a check-in (or anything else that changes who is present): tell the meeting's live
    views, never failing or slowing what caused it."""
    live = live_channels(app)
    if live is not None:
        live.meeting_changed(meeting_id)
