"""A real `celery beat` process (django-celery-beat's database scheduler, as in the Procfile) for integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from config.env import BASE_DIR, env
from tests.processes import stop_group, wait_until
from tests.worker import database_url_for_workers


class Beat:
    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Beat:
        child_env = dict(env.ENVIRON)
        child_env.update(
            DATABASE_URL=database_url_for_workers(),
            DJANGO_SETTINGS_MODULE="config.settings.test",
            PYTHONUNBUFFERED="1",
        )
        started = self.log_path.read_bytes().count(b"beat: Starting") if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info", "-S", "django", "--pidfile="],
            cwd=BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: self.log_path.read_bytes().count(b"beat: Starting") > started, timeout=60, what="celery beat"
        )
        return self

    def kill(self) -> None:
        """SIGKILL: beat gets no chance to save when it last sent each task."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_group(self.process)

    def sent(self, entry_name: str) -> int:
        """How many times beat has sent the periodic task `entry_name` (across restarts)."""
        return self.log_path.read_text(errors="replace").count(f"Sending due task {entry_name} ")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
