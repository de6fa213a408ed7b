"""Test settings plus the two Channels layers the fan-out benchmark compares with ours (the project configures none)."""

from __future__ import annotations

from config.settings.test import *  # noqa: F403
from config.settings.test import REDIS_URL

CHANNEL_LAYERS = {
    "core": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}},
    "pubsub": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}},
}
