"""The designs not chosen, for the fan-out benchmark: the same consumer, routed by a Channels layer.

The workers publish on plain Redis channels (`agpt:exec:*`, `agpt:graph:*`,
`agpt:user:*`), so a layer needs a relay: one process that subscribes to all
of them and `group_send`s each message to a group named after its channel. The
consumer joins and leaves those groups instead of the process's fan-out.

    daphne bench.ws_layers:core_application      # RedisChannelLayer
    daphne bench.ws_layers:pubsub_application    # RedisPubSubChannelLayer
    python -m bench.ws_layers core|pubsub        # the relay
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.ws_settings")
get_asgi_application()

from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402
from redis.asyncio import Redis  # noqa: E402

from apps.realtime.consumers import ExecutionEventsConsumer  # noqa: E402

EVENT_TYPE = "realtime.event"


def group_name(channel: str) -> str:
    """Group names allow letters, digits, `-`, `_` and `.` only."""
    return channel.replace(":", ".")


class LayerConsumer(ExecutionEventsConsumer):
    async def join(self, channel: str) -> None:
        await self.channel_layer.group_add(group_name(channel), self.channel_name)

    async def leave(self, channel: str) -> None:
        await self.channel_layer.group_discard(group_name(channel), self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels runs `close_old_connections` in a thread before every handler (a
        # thread-pool hop per message per socket); events touch no database, so they
        # skip it: each layer is measured at its best.
        if message["type"] == EVENT_TYPE:
            self.deliver(message["channel"], message["payload"])
            return
        await super().dispatch(message)


class CoreLayerConsumer(LayerConsumer):
    channel_layer_alias = "core"


class PubSubLayerConsumer(LayerConsumer):
    channel_layer_alias = "pubsub"


def _application(consumer: type[LayerConsumer]) -> ProtocolTypeRouter:
    return ProtocolTypeRouter({"websocket": URLRouter([path("ws", consumer.as_asgi())])})


core_application = _application(CoreLayerConsumer)
pubsub_application = _application(PubSubLayerConsumer)


async def relay(alias: str) -> None:
    layer = get_channel_layer(alias)
    assert layer is not None
    client = Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub()
    await pubsub.psubscribe("agpt:exec:*", "agpt:graph:*", "agpt:user:*")
    print("relay ready", flush=True)
    async for message in pubsub.listen():
        if message["type"] != "pmessage":
            continue
        channel = message["channel"].decode()
        payload = message["data"].decode()
        await layer.group_send(group_name(channel), {"type": EVENT_TYPE, "channel": channel, "payload": payload})


if __name__ == "__main__":
    asyncio.run(relay(sys.argv[1]))
