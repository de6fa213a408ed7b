"""One Redis subscription per web process, fanned out to the process's sockets.

Workers PUBLISH every event once, on `agpt:exec:<run>`, `agpt:graph:<graph>` or
`agpt:user:<user>` (`apps.executions.events`, `apps.core.events`). A process
subscribes to a channel while at least one of its sockets wants it, on one
pub/sub connection, and hands each message to those sockets' sinks without
awaiting them: a slow socket only ever fills its own outbox. No database read,
no extra Redis round trip per event. `docs/realtime.md` has the measurements
behind this choice over the channel layers.

`join()` returns once Redis has confirmed the subscription, so every event
published after a subscribe is acknowledged reaches the socket. After the
connection drops, the fan-out reconnects, subscribes again and, once Redis
confirms, tells every sink that events may have been lost meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Protocol

import structlog
from django.conf import settings
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = structlog.get_logger(__name__)

JOIN_TIMEOUT_SECONDS = 5.0
# An idle connection is pinged this often, and given up after two silent intervals.
PING_SECONDS = 15.0
RECONNECT_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)
# Channels nobody listens to any more are unsubscribed this long after, in one batch:
# a socket that reconnects at once finds its channels still subscribed.
SWEEP_SECONDS = 10.0
# At most this many bytes of events are handed to sockets between two turns of the event loop.
# Redis delivers a burst (one commit of a fast run) in a few reads that need no turn, while
# Twisted writes a socket's frames only when the loop polls, and pauses its producer (the
# socket's gate) once 64 KiB wait: handed a burst of large events at once, every socket's
# outbox would fill and drop, however fast its client reads. Under half that mark, a socket
# that keeps up has written one share before the next arrives.
TURN_BYTES = 32 * 1024


class Sink(Protocol):
    def deliver(self, channel: str, payload: str) -> None:
        """Takes one message; must not block (it runs in the fan-out's loop, for every socket)."""

    def interrupted(self, channel: str) -> None:
        """The subscription was lost for a while: messages may have been missed."""


class StreamUnavailable(Exception):
    """Redis did not confirm a subscription in time."""


class Fanout:
    def __init__(self, url: str) -> None:
        self._url = url
        self._sinks: dict[str, set[Sink]] = {}
        self._subscribed: set[str] = set()
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        # Channels subscribed again after the connection dropped: their sinks are told once Redis confirms.
        self._interrupted: set[str] = set()
        self._lock = asyncio.Lock()
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None

    async def join(self, channel: str, sink: Sink) -> None:
        async with self._lock:
            self._sinks.setdefault(channel, set()).add(sink)
            if self._task is None:
                self._task = asyncio.get_running_loop().create_task(self._run(), name="realtime-fanout")
            if channel in self._subscribed:
                return
            confirmation = self._confirmations.get(channel)
            if confirmation is None:
                confirmation = self._confirmations[channel] = asyncio.get_running_loop().create_future()
                if self._pubsub is not None:
                    # A failure here is the connection's: the reader reconnects and subscribes again.
                    with contextlib.suppress(RedisError, OSError):
                        await self._pubsub.subscribe(channel)
        try:
            await asyncio.wait_for(asyncio.shield(confirmation), JOIN_TIMEOUT_SECONDS)
        except TimeoutError as error:
            await self.leave(channel, sink)
            raise StreamUnavailable(channel) from error

    async def leave(self, channel: str, sink: Sink) -> None:
        async with self._lock:
            sinks = self._sinks.get(channel)
            if sinks is None or sink not in sinks:
                return
            sinks.discard(sink)
            if not sinks:
                del self._sinks[channel]
            if not self._sinks:
                await self._stop()

    async def _stop(self) -> None:
        """Nobody listens any more: the connection goes (the next join opens another)."""
        task, self._task = self._task, None
        self._subscribed.clear()
        for confirmation in self._confirmations.values():
            if not confirmation.done():
                confirmation.set_exception(StreamUnavailable())
                confirmation.exception()  # retrieved: nobody waits for it any more
        self._confirmations.clear()
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        client = Redis.from_url(self._url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=5, socket_keepalive=True)
        failures = 0
        try:
            while True:
                pubsub = client.pubsub()
                try:
                    if not await self._connect(pubsub, reconnecting=failures > 0):
                        return
                    failures = 0
                    await self._read(pubsub)
                except (RedisError, OSError, TimeoutError) as error:
                    logger.warning("realtime_fanout_disconnected", error=type(error).__name__)
                finally:
                    self._pubsub = None
                    with contextlib.suppress(RedisError, OSError):
                        await pubsub.aclose()
                await asyncio.sleep(RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)])
                failures += 1
        finally:
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()

    async def _connect(self, pubsub: PubSub, *, reconnecting: bool) -> bool:
        async with self._lock:
            self._subscribed.clear()
            channels = list(self._sinks)
            if not channels:
                # Everyone left before the connection was made: this task ends, the next join starts another.
                self._task = None
                return False
            loop = asyncio.get_running_loop()
            for channel in channels:
                if channel not in self._confirmations:
                    self._confirmations[channel] = loop.create_future()
            if reconnecting:
                self._interrupted = set(channels)
                logger.info("realtime_fanout_reconnected", channels=len(channels))
            await pubsub.subscribe(*channels)
            self._pubsub = pubsub
        return True

    async def _read(self, pubsub: PubSub) -> None:
        loop = asyncio.get_running_loop()
        heard_at = swept_at = loop.time()
        handed = 0
        while True:
            message = await pubsub.get_message(timeout=PING_SECONDS)
            now = loop.time()
            if message is not None:
                heard_at = now
                size = _size(message)
                if handed and handed + size > TURN_BYTES:
                    await asyncio.sleep(0)  # the transports write what they were handed
                    handed = 0
                handed += size
                self._handle(message)
            elif now - heard_at > 2 * PING_SECONDS:
                raise TimeoutError("no answer from Redis")
            else:
                await pubsub.ping()
            if now - swept_at > SWEEP_SECONDS:
                swept_at = now
                await self._sweep(pubsub)

    def _handle(self, message: dict[str, object]) -> None:
        kind = message["type"]
        channel = _text(message["channel"])
        if kind == "message":
            payload = _text(message["data"])
            for sink in tuple(self._sinks.get(channel, ())):
                try:
                    sink.deliver(channel, payload)
                except Exception:  # one broken socket must not starve the others
                    logger.exception("realtime_sink_failed", channel=channel)
        elif kind == "subscribe":
            self._subscribed.add(channel)
            confirmation = self._confirmations.pop(channel, None)
            if confirmation is not None and not confirmation.done():
                confirmation.set_result(None)
            if channel in self._interrupted:
                self._interrupted.discard(channel)
                for sink in tuple(self._sinks.get(channel, ())):
                    sink.interrupted(channel)

    async def _sweep(self, pubsub: PubSub) -> None:
        async with self._lock:
            unused = self._subscribed - self._sinks.keys()
            if unused:
                self._subscribed -= unused
                await pubsub.unsubscribe(*unused)


def _size(message: dict[str, object]) -> int:
    data = message["data"]
    return len(data) if isinstance(data, bytes | str) else 0


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


_fanouts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout] = weakref.WeakKeyDictionary()


def get_fanout() -> Fanout:
    """The running event loop's fan-out (one per process under daphne; tests run one loop each)."""
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None:
        fanout = _fanouts[loop] = Fanout(settings.REDIS_URL)
    return fanout
