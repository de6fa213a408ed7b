"""`make run`'s process set boots with the embedded defaults and serves /health."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.env import BASE_DIR, env
from tests.processes import free_port, http_ok, stop_group, wait_until

pytestmark = pytest.mark.slow


def test_run_serves_health_with_sqlite_and_embedded_redis(tmp_path: Path) -> None:
    port = free_port()
    child_env = {k: v for k, v in env.ENVIRON.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    child_env.update(
        LOCAL_DATA_DIR=str(tmp_path),
        PORT=str(port),
        DJANGO_SETTINGS_MODULE="config.settings.local",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "run.log"
    with log.open("wb") as output:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "config.embedded", "run"],
            cwd=BASE_DIR,
            env=child_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), timeout=90, what="/health")
            wait_until(lambda: b"ready." in log.read_bytes(), timeout=60, what="the Celery worker")
        finally:
            stop_group(launcher)

    text = log.read_text(errors="replace")
    assert "Demo login demo@example.com / " in text
    assert (tmp_path / "db.sqlite3").exists()
    assert "embedded Redis at redis://127.0.0.1:" in text
