"""The project's Celery app plus the benchmark's baseline tasks, for the benchmark's worker."""

from __future__ import annotations

import time

from celery import shared_task

from config.celery import app

__all__ = ("app",)


@shared_task(name="bench.hop")
def hop(remaining: int, done_key: str) -> None:
    """The floor: a task that only enqueues the next one (same broker, same worker settings)."""
    if remaining > 0:
        hop.delay(remaining - 1, done_key)
        return
    from apps.core.redis import get_redis

    get_redis().publish(done_key, repr(time.time()))


@shared_task(name="bench.noop")
def noop(done_key: str, total: int) -> None:
    from apps.core.redis import get_redis

    if get_redis().incr(done_key) == total:
        get_redis().publish(done_key, "done")
