"""`/ws`: AutoGPT's websocket protocol, message for message (reference §4).

The consumer only handles transport: it authenticates, answers the four
client methods, checks that a subscribed run or graph is the user's (once, at
subscribe time) and moves the engine's events, as published, from the process's
fan-out to the socket's outbox. Beyond upstream: ownership refusals, a cap on
subscriptions per socket, a cap on inbound message size, and a bounded outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pydantic
import structlog
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from apps.core.events import user_channel
from apps.realtime import metrics, protocol
from apps.realtime.auth import Refusal, authenticate
from apps.realtime.fanout import StreamUnavailable, get_fanout
from apps.realtime.outbox import Outbox
from apps.realtime.protocol import WSMessage, WSMethod
from apps.realtime.subscriptions import Target, graph_target, run_target
from apps.realtime.transport import DaphneLink

logger = structlog.get_logger(__name__)

CLOSE_NOT_READING = (4008, "Too many unread messages")


def _error(text: str, code: str, **data: Any) -> str:
    return protocol.error(text, data={"code": code, **data})


class ExecutionEventsConsumer(AsyncWebsocketConsumer):
    # Events reach sockets through the process's fan-out (apps.realtime.fanout), not a
    # Channels layer (none is configured): no consumer needs a channel of its own.

    user_id: str | None = None
    link: DaphneLink | None = None
    _closing: asyncio.Task[None] | None = None
    outbox: Outbox
    # This socket's subscriptions by Redis channel (the user's notifications are not one).
    subscriptions: dict[str, Target]

    async def connect(self) -> None:
        await self.accept()
        self.link = DaphneLink.for_send(self.base_send)
        outcome = await authenticate(self.scope)
        if isinstance(outcome, Refusal):
            await self._close(outcome.code, outcome.reason)
            return
        self.user_id = outcome
        self.subscriptions = {}
        self.outbox = Outbox(
            send=self._send_text,
            max_events=settings.WS_BUFFER_EVENTS,
            gate=self.link.gate() if self.link else None,
            send_now=self.link.send_now if self.link else None,
            on_stuck=self._not_reading,
        )
        self.outbox.start()
        metrics.websockets_open.inc()
        try:
            await self.join(user_channel(self.user_id))
        except StreamUnavailable:
            logger.warning("realtime_notifications_unavailable", user_id=self.user_id)

    async def disconnect(self, code: int) -> None:
        if self.user_id is None:
            return
        for channel in [user_channel(self.user_id), *self.subscriptions]:
            await self.leave(channel)
        await self.outbox.close()
        metrics.websockets_open.dec()
        self.user_id = None

    # --- the fan-out (this consumer is its `Sink`) ------------------------------------

    async def join(self, channel: str) -> None:
        await get_fanout().join(channel, self)

    async def leave(self, channel: str) -> None:
        await get_fanout().leave(channel, self)

    def deliver(self, channel: str, payload: str) -> None:
        target = self.subscriptions.get(channel)
        if target is None:
            # The user's notifications: few, never dropped, on no channel key.
            self.outbox.reply(protocol.event_frame(payload, None))
        else:
            self.outbox.event(payload, channel=target.key)

    def interrupted(self, channel: str) -> None:
        target = self.subscriptions.get(channel)
        if target is not None:
            self.outbox.interrupted(channel=target.key, graph_exec_id=target.graph_exec_id, graph_id=target.graph_id)

    # --- from the client -----------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.user_id is None:
            return
        if text_data is None:
            self.outbox.reply(protocol.error(protocol.INVALID_FORMAT))
            return
        limit = settings.WS_MAX_MESSAGE_BYTES
        if len(text_data) > limit or len(text_data.encode()) > limit:
            self.outbox.reply(_error(f"Message too large: at most {limit} bytes", "MESSAGE_TOO_LARGE", max_bytes=limit))
            return
        try:
            message = protocol.parse(text_data)
        except pydantic.ValidationError:
            self.outbox.reply(protocol.error(protocol.INVALID_FORMAT))
            return
        handler = self._handlers().get(message.method)
        if handler is not None:
            try:
                await handler(message)
            except pydantic.ValidationError:
                self.outbox.reply(protocol.error(protocol.INVALID_DATA))
            return
        if message.method is WSMethod.ERROR:
            logger.info("realtime_client_error", user_id=self.user_id, data=str(message.data)[:200])
            return
        self.outbox.reply(protocol.error(protocol.NOT_PROCESSED))

    def _handlers(self) -> dict[WSMethod, Callable[[WSMessage], Awaitable[None]]]:
        return {
            WSMethod.HEARTBEAT: self._heartbeat,
            WSMethod.SUBSCRIBE_GRAPH_EXEC: self._subscribe,
            WSMethod.SUBSCRIBE_GRAPH_EXECS: self._subscribe,
            WSMethod.UNSUBSCRIBE: self._unsubscribe,
        }

    async def _heartbeat(self, message: WSMessage) -> None:
        self.outbox.reply(protocol.HEARTBEAT_REPLY)

    async def _subscribe(self, message: WSMessage) -> None:
        assert self.user_id is not None
        if not message.data:
            self.outbox.reply(protocol.error(protocol.SUBSCRIPTION_DATA_MISSING))
            return
        if message.method is WSMethod.SUBSCRIBE_GRAPH_EXEC:
            run_id = protocol.SubscribeGraphExecution.model_validate(message.data).graph_exec_id
            target = run_target(self.user_id, run_id)
        else:
            graph_id = protocol.SubscribeGraphExecutions.model_validate(message.data).graph_id
            target = graph_target(self.user_id, graph_id)
        if target.channel in self.subscriptions:
            self.outbox.reply(protocol.envelope(message.method, success=True, channel=target.key))
            return
        limit = settings.WS_MAX_SUBSCRIPTIONS
        if len(self.subscriptions) >= limit:
            text = f"Too many subscriptions: at most {limit} per connection"
            self.outbox.reply(_error(text, "TOO_MANY_SUBSCRIPTIONS", max_subscriptions=limit))
            return
        if not await target.is_owned():
            self.outbox.reply(_error(target.not_found, "NOT_FOUND"))
            return
        # The reply's place is held first: events that arrive while Redis confirms
        # the subscription queue behind it, so the client reads the reply first.
        slot = self.outbox.reserve()
        self.subscriptions[target.channel] = target
        try:
            await self.join(target.channel)
        except StreamUnavailable:
            del self.subscriptions[target.channel]
            slot.fill(_error("Events are unavailable at the moment: retry later", "UNAVAILABLE"))
            return
        slot.fill(protocol.envelope(message.method, success=True, channel=target.key))

    async def _unsubscribe(self, message: WSMessage) -> None:
        assert self.user_id is not None
        if not message.data:
            self.outbox.reply(protocol.error(protocol.SUBSCRIPTION_DATA_MISSING))
            return
        # As upstream, only a run's subscription can be dropped (`graph_exec_id`).
        run_id = protocol.SubscribeGraphExecution.model_validate(message.data).graph_exec_id
        target = self.subscriptions.pop(run_target(self.user_id, run_id).channel, None)
        if target is not None:
            await self.leave(target.channel)
        key = target.key if target is not None else None
        self.outbox.reply(protocol.envelope(WSMethod.UNSUBSCRIBE, success=True, channel=key))

    # --- to the client -------------------------------------------------------------

    async def _send_text(self, text: str) -> None:
        await self.send(text_data=text)

    def _not_reading(self) -> None:
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self._close(*CLOSE_NOT_READING))

    async def _close(self, code: int, reason: str) -> None:
        if self.link is not None:
            self.link.close(code=code, reason=reason)
        else:
            await self.close(code=code, reason=reason)
