"""A real Celery worker process for integration tests, on the test database and the test Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from config.env import BASE_DIR, env
from tests.processes import stop_group, wait_until


def database_url_for_workers() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class Worker:
    """`celery worker` in its own process group, so a test can kill it like a crash would."""

    def __init__(self, log_path: Path, extra_env: dict[str, str] | None = None, *, app: str = "config") -> None:
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.app = app
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        child_env = dict(env.ENVIRON)
        child_env.update(
            DATABASE_URL=database_url_for_workers(),
            DJANGO_SETTINGS_MODULE="config.settings.test",
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                self.app,
                "worker",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{time.monotonic_ns()}@%h",
            ],
            cwd=BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: b" ready." in self.log_path.read_bytes(), timeout=60, what="the Celery worker")
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and children): what a crash does."""
        import os
        import signal

        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_group(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


# The shared worker: short leases and time limits so the tests about them run in seconds,
# and loopback HTTP allowed so web-request blocks can reach servers the tests start.
# Calculators cost 5 credits, so the engine's charging can be seen; authenticated web
# requests are priced too, so that running them on a user's own credentials is seen to cost nothing.
PRICED_BLOCK_ID = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
PRICED_BLOCK_COST = 5
AUTHENTICATED_WEB_REQUEST_ID = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"
WORKER_ENV = {
    "BLOCK_COSTS": json.dumps(
        {
            PRICED_BLOCK_ID: [{"cost_amount": PRICED_BLOCK_COST, "cost_filter": {}, "cost_type": "run"}],
            AUTHENTICATED_WEB_REQUEST_ID: [{"cost_amount": 7, "cost_filter": {}, "cost_type": "run"}],
        }
    ),
    "ENGINE_LEASE_SECONDS": "4",
    "DATABASE_POOL_SIZE": "8",  # as the Procfile's worker line
    "BLOCK_TIME_LIMIT_SECONDS": "6",
    "PATTERN_TIME_LIMIT_SECONDS": "2",
    "BLOCK_HTTP_ALLOW_PRIVATE_TARGETS": "true",
}


@contextmanager
def worker_on_own_queue(log_path: Path, extra_env: dict[str, str], *, app: str = "config") -> Iterator[Worker]:
    """A worker that takes only the work this process sends while it runs: both use a queue of their own,
    so the session's shared worker (if started) never gets it."""
    from config.celery import app as celery_app

    queue = f"own-{time.monotonic_ns()}"
    sent_to = celery_app.conf.task_default_queue
    worker = Worker(log_path, extra_env={**WORKER_ENV, **extra_env, "CELERY_TASK_DEFAULT_QUEUE": queue}, app=app)
    celery_app.conf.task_default_queue = queue
    try:
        yield worker.start()
    finally:
        worker.stop()
        celery_app.conf.task_default_queue = sent_to


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    worker = Worker(tmp_path_factory.mktemp("worker") / "worker.log", extra_env=WORKER_ENV).start()
    yield worker
    worker.stop()
