"""Shared Redis clients: one connection pool per URL per process."""

from __future__ import annotations

import functools

import redis
from django.conf import settings


@functools.cache
def _client(url: str, socket_timeout: float | None) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout or 5)


def get_redis(*, socket_timeout: float | None = 5.0) -> redis.Redis:
    return _client(settings.REDIS_URL, socket_timeout)
