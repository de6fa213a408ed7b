"""Users' patterns (regular expressions, templates, markup) evaluated in child processes that can be killed.

A pattern is a program the user wrote: a Jinja template can loop a billion times or
build a gigabyte string, and no check inside one Python process stops a single C
call that allocates, nor a loop that never yields to the event loop. So each
evaluation is a JSON message to a child process (`apps.blocks.sandbox_child`) that
runs under a memory limit and a CPU-time limit, and that the caller kills when it
does not answer in time. The caller only awaits, so an event loop (daphne's, a
worker's) never stalls on a pattern, and a stopped node simply stops waiting.

Children are started on first use, at most `PATTERN_PROCESSES` per process, and
reused; one that failed or was killed is replaced. They exit when their parent does
(their stdin closes). They get no environment beyond `PATH`, so no secret of ours is
within a template's reach even if the Jinja sandbox had a hole.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings

from apps.core.jsonsafe import json_safe
from config.env import BASE_DIR


class PatternError(ValueError):
    """The pattern failed (invalid, or over a limit); the message says why, for the node's `error`."""


class _Child:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "apps.blocks.sandbox_child", str(settings.PATTERN_MEMORY_LIMIT_MB)],
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(BASE_DIR)},
        )

    def call(self, message: bytes, timeout: float) -> dict[str, Any]:
        """The child's reply, or an error saying why there was none (the child is then killed)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        answered = True
        try:
            self.process.stdin.write(message)
            self.process.stdin.flush()
            answered = bool(select.select([self.process.stdout], [], [], timeout)[0])
            line = self.process.stdout.readline() if answered else b""
        except OSError:  # the child was gone before it could be asked
            line = b""
        if line.endswith(b"\n"):
            reply: dict[str, Any] = json.loads(line)
            return reply
        # No line: either no answer in time, or the child ended (SIGXCPU past its CPU limit, or a crash).
        try:
            ended_with = self.process.wait(timeout=1) if answered else None
        except subprocess.TimeoutExpired:
            ended_with = None
        self.kill()
        if ended_with in (None, -signal.SIGXCPU):
            limit = settings.PATTERN_TIME_LIMIT_SECONDS
            return {"error": f"Evaluating the pattern took longer than {limit:g} seconds", "fatal": True}
        return {"error": "Evaluating the pattern ended the process that ran it", "fatal": True}

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


class Sandbox:
    """A pool of children for one process; safe to share between threads."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._idle: queue.LifoQueue[_Child] = queue.LifoQueue()
        self._started = threading.BoundedSemaphore(settings.PATTERN_PROCESSES)

    def run(self, task: str, arguments: dict[str, Any]) -> Any:
        limit = settings.PATTERN_TIME_LIMIT_SECONDS
        message = json.dumps({"task": task, "arguments": arguments, "cpu_seconds": limit}).encode() + b"\n"
        child = self._checkout()
        # Wall-clock slack over the CPU limit the child enforces on itself: it may have waited for a core.
        reply = child.call(message, timeout=limit * 2 + 1)
        if reply.get("fatal"):
            self._retire(child)
        else:
            self._idle.put(child)
        if "error" in reply:
            raise PatternError(reply["error"])
        return reply["result"]

    def _checkout(self) -> _Child:
        while True:
            try:
                child = self._idle.get_nowait()
            except queue.Empty:
                if self._started.acquire(blocking=False):
                    try:
                        return _Child()
                    except BaseException:
                        self._started.release()
                        raise
                try:
                    # All busy: wait for one to come back, or for one to be retired and make room.
                    child = self._idle.get(timeout=0.05)
                except queue.Empty:
                    continue
            if child.alive:
                return child
            self._retire(child)

    def _retire(self, child: _Child) -> None:
        if child.alive:
            child.kill()
        self._started.release()


_sandbox: Sandbox | None = None
_sandbox_lock = threading.Lock()


def _current() -> Sandbox:
    """This process's pool (a forked worker process must not share its parent's children)."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None or _sandbox._pid != os.getpid():
            _sandbox = Sandbox()
        return _sandbox


async def sandboxed(task: str, **arguments: Any) -> Any:
    """Runs `task` (see `sandbox_child.TASKS`) in a child; raises `PatternError` with the reason it failed."""
    return await asyncio.to_thread(_current().run, task, arguments)


async def sandboxed_template(template: str, values: dict[str, Any], *, autoescape: bool) -> str:
    """`template` rendered with `values`, within `TEMPLATE_MAX_RENDERED_CHARS` (see `apps.blocks.text_format`)."""
    rendered: str = await sandboxed(
        "render_template",
        template=template,
        values=json_safe(values),
        autoescape=autoescape,
        max_chars=settings.TEMPLATE_MAX_RENDERED_CHARS,
    )
    return rendered
