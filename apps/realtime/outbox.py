"""A socket's outgoing messages: bounded, in order, drained by one task per socket.

Replies and notifications are never dropped. Execution events are: when more
than `max_events` wait (the client reads too slowly, or the connection stalls),
every waiting event is dropped and, in their place, the client gets one error
per run naming the last `seq` it lost, so it can re-read that run over REST.
A client that does not even read the replies to its own messages is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from apps.realtime import protocol

logger = structlog.get_logger(__name__)

EVENTS_DROPPED = "EVENTS_DROPPED"
EVENTS_DROPPED_TEXT = "Events were dropped because this connection is too slow: re-read the run over REST."
EVENTS_LOST_TEXT = "Events may have been lost while the server reconnected to Redis: re-read the run over REST."
EVENT_TOO_LARGE_TEXT = "An event was too large to send: re-read the run over REST."


# Daphne's (autobahn's) limit on a message, both ways, unless started with another
# `--websocket_max_message_size`; a larger one is refused and would end the socket's sending.
MAX_FRAME_BYTES = 1024 * 1024


def _too_large(text: str) -> bool:
    if len(text) * 4 <= MAX_FRAME_BYTES:
        return False
    return len(text) > MAX_FRAME_BYTES or len(text.encode()) > MAX_FRAME_BYTES


class WritableGate(Protocol):
    @property
    def is_open(self) -> bool:
        """Whether the transport takes more data now."""

    async def wait(self) -> None:
        """Returns when the transport can take more data."""


class AlwaysWritable:
    is_open = True

    async def wait(self) -> None:
        return None


@dataclass
class _Message:
    text: str | None
    # Events only: the engine's payload, read again (only) if the event is dropped.
    payload: str | None = None
    channel: str | None = None

    @property
    def droppable(self) -> bool:
        return self.payload is not None


@dataclass
class _Gap:
    channel: str | None
    graph_exec_id: str | None
    graph_id: str | None
    text: str = EVENTS_DROPPED_TEXT
    last_seq: int | None = None
    dropped: int = 0


class _GapMarker:
    """Where the drop notices go: before every event that was kept."""


@dataclass
class Slot:
    """A place held in the queue for a reply whose text is not known yet."""

    outbox: Outbox
    message: _Message = field(default_factory=lambda: _Message(text=None))

    def fill(self, text: str) -> None:
        self.message.text = text
        self.outbox._wake.set()


class Outbox:
    def __init__(
        self,
        *,
        send: Callable[[str], Awaitable[None]],
        max_events: int,
        gate: WritableGate | None = None,
        send_now: Callable[[str], bool] | None = None,
        on_stuck: Callable[[], None] = lambda: None,
    ) -> None:
        self._send = send
        self._send_now = send_now
        self._sending = False
        self._max_events = max_events
        self._gate = gate or AlwaysWritable()
        self._on_stuck = on_stuck
        self._queue: deque[_Message | _GapMarker] = deque()
        self._events = 0
        self._others = 0
        self._gaps: dict[tuple[str | None, str | None], _Gap] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._drain(), name="realtime-outbox")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def reply(self, text: str) -> None:
        if not self._send_directly(text):
            self._put(_Message(text=text))

    def reserve(self) -> Slot:
        slot = Slot(outbox=self)
        self._put(slot.message)
        return slot

    def event(self, payload: str, *, channel: str | None) -> None:
        text = protocol.event_frame(payload, channel)
        if _too_large(text):
            # Daphne refuses to send it (and the engine's truncation is best effort): a gap like any other.
            self._record_gap(payload, channel, text=EVENT_TOO_LARGE_TEXT)
            self._mark_gap(len(self._queue))
            logger.info("realtime_event_too_large", channel=channel, characters=len(text))
            return
        if self._send_directly(text):
            return
        if self._events >= self._max_events:
            self._drop_events(channel=channel)
        self._queue.append(_Message(text=text, payload=payload, channel=channel))
        self._events += 1
        self._wake.set()

    def interrupted(self, *, channel: str | None, graph_exec_id: str | None, graph_id: str | None) -> None:
        """Events may have been lost upstream of us: tell the client, as for a drop."""
        key = (channel, graph_exec_id or graph_id)
        self._gaps.setdefault(key, _Gap(channel, graph_exec_id, graph_id, text=EVENTS_LOST_TEXT))
        self._mark_gap(len(self._queue))

    def _send_directly(self, text: str) -> bool:
        """Writes at once when nothing waits and the transport takes it, without waking the
        drain task: daphne's writes never block, and at 1 000 sockets the wake-ups cost."""
        if self._send_now is None or self._queue or self._sending or self._task is None or not self._gate.is_open:
            return False
        try:
            return self._send_now(text)
        except Exception:  # refused, as in `_send_one`: the next message must still go
            logger.exception("realtime_send_failed", characters=len(text))
            return True

    def _put(self, message: _Message) -> None:
        if self._others >= self._max_events:
            logger.info("realtime_socket_stuck", queued=len(self._queue))
            self._on_stuck()
            return
        self._queue.append(message)
        self._others += 1
        self._wake.set()

    def _drop_events(self, *, channel: str | None) -> None:
        kept: deque[_Message | _GapMarker] = deque()
        first_dropped: int | None = None
        for item in self._queue:
            if isinstance(item, _Message) and item.droppable:
                if first_dropped is None:
                    first_dropped = len(kept)
                self._record_gap(item.payload or "{}", item.channel)
            else:
                kept.append(item)
        self._queue = kept
        self._events = 0
        if first_dropped is not None:
            self._mark_gap(first_dropped)
        logger.info("realtime_events_dropped", channel=channel, runs=len(self._gaps))

    def _record_gap(self, payload: str, channel: str | None, *, text: str = EVENTS_DROPPED_TEXT) -> None:
        data: dict[str, Any] = json.loads(payload).get("data") or {}
        graph_exec_id = data.get("graph_exec_id") or data.get("id")
        gap = self._gaps.setdefault(
            (channel, graph_exec_id), _Gap(channel, graph_exec_id, data.get("graph_id"), text=text)
        )
        gap.dropped += 1
        seq = data.get("seq")
        if isinstance(seq, int) and (gap.last_seq is None or seq > gap.last_seq):
            gap.last_seq = seq

    def _mark_gap(self, position: int) -> None:
        if not any(isinstance(item, _GapMarker) for item in self._queue):
            self._queue.insert(position, _GapMarker())
        self._wake.set()

    def _gap_notices(self) -> list[str]:
        gaps, self._gaps = self._gaps, {}
        return [
            protocol.error(
                gap.text,
                channel=gap.channel,
                data={
                    "code": EVENTS_DROPPED,
                    "graph_exec_id": gap.graph_exec_id,
                    "graph_id": gap.graph_id,
                    "last_seq": gap.last_seq,
                    "dropped": gap.dropped,
                },
            )
            for gap in gaps.values()
        ]

    def _ready(self) -> bool:
        return bool(self._queue) and not (isinstance(self._queue[0], _Message) and self._queue[0].text is None)

    async def _drain(self) -> None:
        while True:
            await self._gate.wait()
            if not self._ready():
                self._wake.clear()
                await self._wake.wait()
                continue
            item = self._queue.popleft()
            self._sending = True
            try:
                if isinstance(item, _GapMarker):
                    for notice in self._gap_notices():
                        await self._send_one(notice)
                    continue
                if item.droppable:
                    self._events -= 1
                else:
                    self._others -= 1
                assert item.text is not None
                await self._send_one(item.text)
            finally:
                self._sending = False

    async def _send_one(self, text: str) -> None:
        try:
            await self._send(text)
        except Exception:  # a message the server will not send must not silence the socket
            logger.exception("realtime_send_failed", characters=len(text))
