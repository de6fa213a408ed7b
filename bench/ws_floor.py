"""The floor for the fan-out benchmark: the least daphne can do to broadcast Redis messages.

No Django, no Channels, no protocol: every socket is accepted, every message a
client sends is answered `{"success": true}`, and every message published on a
graph channel is sent as is to every socket, from one Redis subscription.

    daphne bench.ws_floor:application
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from apps.realtime.transport import plain_autobahn_debug_lines
from config.env import env

# The same daphne as the web process runs (see apps.realtime.transport).
plain_autobahn_debug_lines()

_sockets: set[Any] = set()
_reader: asyncio.Task[None] | None = None


async def _broadcast() -> None:
    pubsub = Redis.from_url(env.str("REDIS_URL")).pubsub()
    await pubsub.psubscribe("agpt:graph:*")
    async for message in pubsub.listen():
        if message["type"] == "pmessage":
            text = message["data"].decode()
            for send in tuple(_sockets):
                await send({"type": "websocket.send", "text": text})


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _reader
    if scope["type"] != "websocket":
        return
    if _reader is None:
        _reader = asyncio.get_running_loop().create_task(_broadcast())
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            _sockets.add(send)
        elif message["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": '{"success":true}'})
        else:
            _sockets.discard(send)
            return
