"""Runs a command, and runs it again each time it exits asking for it (status 75).

A worker whose threads are stuck in blocks that never give them back exits with
EX_TEMPFAIL to be replaced (apps.executions.watchdog). Under systemd or Kubernetes
the supervisor does that; under the Procfile (honcho in `make run`, a dyno
manager) one process ending ends or restarts them all, so the `worker` line runs
under this instead: `python -m config.respawn celery -A config worker`.

Signals it receives are passed on to the command, and after one it never starts
the command again: it exits with the command's status.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

RESPAWN_STATUS = 75
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)
# Not in a tight loop when a command exits 75 at once, every time.
RESPAWN_DELAY_SECONDS = 1.0


def run(command: list[str]) -> int:
    signalled = False
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: object) -> None:
        nonlocal signalled
        signalled = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        status = child.wait()
        if status != RESPAWN_STATUS or signalled:
            return status if status >= 0 else 128 - status
        print(f"respawn: {command[0]} exited with status {RESPAWN_STATUS}; starting it again", file=sys.stderr)
        time.sleep(max(0.0, RESPAWN_DELAY_SECONDS - (time.monotonic() - started)))


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m config.respawn COMMAND [ARGUMENT ...]")
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
