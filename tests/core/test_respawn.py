"""The Procfile's worker runs under `config.respawn`: replaced when it asks to be, stopped when told."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

RESPAWN = [sys.executable, "-m", "config.respawn"]


def script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "command.py"
    path.write_text(body)
    return [sys.executable, str(path)]


def test_a_command_that_exits_75_is_started_again_and_its_final_status_is_passed_on(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    command = script(
        tmp_path,
        f"import pathlib, sys\n"
        f"p = pathlib.Path({str(starts)!r})\n"
        f"n = len(p.read_text()) if p.exists() else 0\n"
        f"p.write_text('x' * (n + 1))\n"
        f"sys.exit(75 if n < 2 else 3)\n",
    )

    finished = subprocess.run([*RESPAWN, *command], timeout=60, capture_output=True, text=True)

    assert finished.returncode == 3
    assert starts.read_text() == "xxx"
    assert finished.stderr.count("exited with status 75") == 2


def test_a_signal_reaches_the_command_and_nothing_is_started_after_it(tmp_path: Path) -> None:
    ready, starts = tmp_path / "ready", tmp_path / "starts"
    command = script(
        tmp_path,
        f"import pathlib, signal, sys, time\n"
        f"p = pathlib.Path({str(starts)!r})\n"
        f"p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
        f"signal.signal(signal.SIGTERM, lambda *a: sys.exit(75))\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        f"time.sleep(60)\n",
    )
    process = subprocess.Popen([*RESPAWN, *command])
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

    process.send_signal(signal.SIGTERM)

    # The command asked to be replaced on its way out, but it was told to stop: it stays stopped.
    assert process.wait(timeout=30) == 75
    assert starts.read_text() == "x"
