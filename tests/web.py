"""A real daphne process serving the project (HTTP and websockets) for integration tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config.env import BASE_DIR, env
from tests.processes import free_port, http_ok, stop_group, wait_until
from tests.worker import database_url_for_workers

# Small limits, so tests can reach them (the dashboard needs 2 subscriptions).
WEB_ENV = {
    "WS_MAX_SUBSCRIPTIONS": "5",
    "WS_MAX_MESSAGE_BYTES": "4096",
    "WS_BUFFER_EVENTS": "100",
    "PATTERN_TIME_LIMIT_SECONDS": "3",
}


@dataclass(frozen=True)
class Web:
    host: str
    log_path: Path

    @property
    def http(self) -> str:
        return f"http://{self.host}"

    @property
    def ws(self) -> str:
        return f"ws://{self.host}/ws"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def daphne(
    log_path: Path, *, ready: Callable[[str], bool] = lambda url: http_ok(f"{url}/health"), **env_overrides: str
) -> Iterator[Web]:
    """A daphne serving the project with the test settings; `env_overrides` replace the inherited environment."""
    port = free_port()
    child_env = dict(env.ENVIRON)
    child_env.update(
        DATABASE_URL=database_url_for_workers(),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PYTHONUNBUFFERED="1",
        **WEB_ENV,
    )
    child_env.update(env_overrides)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: ready(f"http://127.0.0.1:{port}"), timeout=60, what="daphne")
        yield Web(host=f"127.0.0.1:{port}", log_path=log_path)
    finally:
        stop_group(process)


@pytest.fixture(scope="session")
def web_process(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Web]:
    with daphne(tmp_path_factory.mktemp("web") / "daphne.log") as web:
        yield web
