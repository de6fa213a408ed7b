"""Shared pieces of the benchmarks: a scratch database, a worker process, timing."""

from __future__ import annotations

import contextlib
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
def worker(*, processes: int = 1, log_name: str, environment: dict[str, str] | None = None) -> Iterator[None]:
    """Celery worker processes on the benchmark's database and broker, with the baseline tasks registered.

    Each runs as `make run` and the Procfile run it: the project's pool and concurrency settings.
    """
    # At warning level (so both sides pay for no per-task log lines) the worker prints no
    # "ready" line: give it a few seconds instead.
    with contextlib.ExitStack() as stack:
        for index in range(processes):
            command = [
                sys.executable, "-m", "celery", "-A", "bench.worker_app", "worker", "-l", "warning",
                "-n", f"{log_name}-{index}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
            started = time.monotonic()
            stack.enter_context(
                process(
                    command,
                    log_name=f"{log_name}-{index}",
                    ready=lambda _log, started=started: time.monotonic() - started > 3,
                    # The pool the Procfile's worker line gives a worker.
                    environment={**child_env(), "DATABASE_POOL_SIZE": "8", **(environment or {})},
                )
            )
        yield


def wait_for(predicate: Callable[[], bool], timeout: float = 300, interval: float = 0.05) -> None:
    """Polls `predicate` (for conditions with no event to wait on)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step did not finish in time")
        time.sleep(interval)


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


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def child_env() -> dict[str, str]:
    """The environment of the benchmark's processes: its own, on the benchmark's database."""
    from django.db import connection

    environment = dict(env.ENVIRON)
    if connection.vendor == "sqlite":
        environment["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    return environment


@contextmanager
def process(
    command: list[str], *, log_name: str, ready: Callable[[str], bool], environment: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own group, once `ready(log text)` holds; stopped with its group on exit."""
    log_path = Path(tempfile.gettempdir()) / f"{log_name}.log"
    with log_path.open("wb") as log:
        child = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=environment or child_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not ready(log_path.read_text(errors="replace")):
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[:3]} did not start; see {log_path}")
                time.sleep(0.1)
            yield child
        finally:
            os.killpg(child.pid, 15)
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, 9)
