"""What ASGI cannot express, asked of daphne's websocket protocol directly.

1. Backpressure. Daphne's `send` never waits: it writes into Twisted's transport,
   whose buffer grows without limit for a client that does not read. Twisted's
   own flow control (a push producer registered on the transport) tells us when
   that buffer passes its 64 KiB mark and when it drains, so a socket's outbox
   stops sending and fills up instead, and its bound applies. The transport's
   producer is still the HTTP channel the socket was upgraded from; ours takes
   its place and passes every call on to it, so it keeps doing what it did.
2. Writing without waking a task. When nothing waits in a socket's outbox, a frame
   is written at once (`send_now`), as daphne's own `send` would, but without a task
   switch per socket per event.
3. Close reasons. Daphne drops the `reason` of `websocket.close`; upstream's
   clients are told why (`"Missing authentication token"`), so the close frame is
   sent with it.
4. Autobahn (daphne's websocket layer) formats a debug line for every frame it
   sends, logged or not, and colours it with click when click is importable
   (Celery brings it): a fifth of daphne's time per message in the fan-out
   benchmark. `plain_autobahn_debug_lines()` turns the colouring off.

Under any other server (and Channels' test communicator) all fall back to plain
ASGI: no gate, every frame through `send`, and a close without reason.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from daphne.ws_protocol import WebSocketProtocol
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer


def plain_autobahn_debug_lines() -> None:
    import autobahn.util

    autobahn.util._HAS_CLICK = False


@implementer(IPushProducer)
class TransportGate:
    """Open while the transport's buffer is below its mark (a Twisted push producer)."""

    def __init__(self, previous: Any = None) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._previous = previous

    async def wait(self) -> None:
        await self._open.wait()

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    # Twisted's IPushProducer.
    def pauseProducing(self) -> None:
        self._open.clear()
        if self._previous is not None:
            self._previous.pauseProducing()

    def resumeProducing(self) -> None:
        self._open.set()
        if self._previous is not None:
            self._previous.resumeProducing()

    def stopProducing(self) -> None:
        # The connection is gone: the consumer stops on its own.
        self._open.set()
        if self._previous is not None:
            self._previous.stopProducing()


class DaphneLink:
    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    @classmethod
    def for_send(cls, send: Any) -> DaphneLink | None:
        """The link behind an ASGI `send` callable, if daphne made it (`partial(server.handle_reply, protocol)`)."""
        if not isinstance(send, functools.partial) or not send.args:
            return None
        protocol = send.args[0]
        return cls(protocol) if isinstance(protocol, WebSocketProtocol) else None

    def gate(self) -> TransportGate | None:
        transport = getattr(self._protocol, "transport", None)
        if transport is None or not hasattr(transport, "registerProducer"):
            return None
        previous = getattr(transport, "producer", None)
        gate = TransportGate(previous)
        if previous is not None:
            transport.unregisterProducer()
        transport.registerProducer(gate, True)
        return gate

    def send_now(self, text: str) -> bool:
        """Writes a text frame at once, as daphne's `handle_reply` does; False if the socket is not open."""
        protocol = self._protocol
        if protocol.state != protocol.STATE_OPEN:
            return False
        protocol.serverSend(text, False)
        return True

    def close(self, *, code: int, reason: str) -> None:
        self._protocol.sendClose(code=code, reason=reason)
