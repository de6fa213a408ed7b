"""Publishing events to Redis for the websocket layer to route.

Publishing never fails the caller: the database is the source of truth and a
client that misses an event re-reads over REST. Several events go out in one
pipelined round trip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import structlog
from django.core.serializers.json import DjangoJSONEncoder
from redis.exceptions import RedisError

from apps.core.redis import get_redis

logger = structlog.get_logger(__name__)

CHANNEL_PREFIX = "agpt"


def user_channel(user_id: object) -> str:
    """Per-user channel: notifications for every socket of that user."""
    return f"{CHANNEL_PREFIX}:user:{user_id}"


def publish_many(messages: Iterable[tuple[str, dict[str, Any]]]) -> None:
    pipeline = get_redis().pipeline(transaction=False)
    count = 0
    for channel, message in messages:
        pipeline.publish(channel, json.dumps(message, cls=DjangoJSONEncoder, separators=(",", ":")))
        count += 1
    if not count:
        return
    try:
        pipeline.execute()
    except (RedisError, OSError) as error:
        logger.warning("event_publish_failed", count=count, error=type(error).__name__)


def publish(channel: str, message: dict[str, Any]) -> None:
    publish_many([(channel, message)])
