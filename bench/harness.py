"""Shared pieces of the benchmarks: a scratch database, a worker process, timing."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from config.env import BASE_DIR, database_url_is_set, env


def setup_django() -> None:
    """Django on the benchmark's database: DATABASE_URL if set, else a fresh SQLite file."""
    if not database_url_is_set():
        env.ENVIRON["LOCAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-")
    env.ENVIRON.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", env.ENVIRON["DJANGO_SETTINGS_MODULE"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def worker(*, concurrency: int, log_name: str) -> Iterator[subprocess.Popen[bytes]]:
    from django.db import connection

    child_env = dict(env.ENVIRON)
    if connection.vendor == "sqlite":
        child_env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    log_path = Path(tempfile.gettempdir()) / f"{log_name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bench.worker_app",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            time.sleep(3)
            if process.poll() is not None:
                raise RuntimeError(f"the benchmark worker exited; see {log_path}")
            yield process
        finally:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)


class Waiter:
    """Waits for a message on Redis pub/sub: blocking, so the waiting takes no CPU from the workers."""

    def __init__(self, pattern: str) -> None:
        from apps.core.redis import get_redis

        self.pubsub = get_redis(socket_timeout=None).pubsub(ignore_subscribe_messages=True)
        self.pubsub.psubscribe(pattern)

    def wait(self, accept: Callable[[str, bytes], bool], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.pubsub.get_message(timeout=1.0)
            if message is not None and accept(message["channel"].decode(), message["data"]):
                return
        raise TimeoutError("benchmark step did not finish in time")

    def close(self) -> None:
        self.pubsub.close()


def median_iqr(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], 0.0
    quartiles = statistics.quantiles(values, n=4)
    return statistics.median(values), quartiles[2] - quartiles[0]
