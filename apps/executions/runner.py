"""A block's async generator, run as a task on the worker thread's event loop.

Each worker thread has one event loop; every node execution the thread holds
is a task on it, so executions waiting on I/O wait together. A task collects
the block's outputs in `buffer` and sets `wake` whenever there is something
for the worker to write; the worker (`apps.executions.worker`) takes them out
between steps of the loop. The block's time limit is the task's own timeout;
stopping cancels the task. How the block ended is its `outcome`: a block's
failure is the node's, and never raises out of here.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.blocks.base import Block, BlockError
from apps.blocks.stats import ExecutionStats
from apps.executions.compiled import CompiledNode
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import NodeExecution

Output = tuple[str, Any]


class StepInterrupted(BaseException):
    """Raised by the watchdog in a worker thread whose block step held it past its time limit or a stop."""


_local = threading.local()


def event_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop (a worker thread runs many node executions on it)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def run_ready(loop: asyncio.AbstractEventLoop) -> None:
    """Runs the callbacks ready now (new tasks' first steps among them), and returns."""
    loop.call_soon(loop.stop)
    loop.run_forever()


@dataclass
class Outcome:
    """How a block execution ended."""

    status: str  # COMPLETED, FAILED or TERMINATED
    error: str | None = None
    retryable: bool = False
    walltime: float = 0.0
    cputime: float = 0.0
    # What the block reported about itself (token counts, model calls), for the node's stats.
    block_stats: dict[str, int] = field(default_factory=dict)


STOPPED = "Execution was stopped"


def time_limit_message(block_name: str, time_limit: float) -> str:
    return f"Block {block_name} exceeded its time limit of {time_limit:g} seconds"


class BlockRun:
    """One block execution on the thread's loop.

    `skip` outputs are ones an earlier attempt already wrote: a re-run after a
    crash yields them again, and they are matched by position and skipped.
    """

    def __init__(
        self,
        *,
        block: Block,
        input_data: dict[str, Any],
        context: dict[str, Any],
        time_limit: float,
        skip: int,
        wake: asyncio.Event,
        scrub: Callable[[str | None], str | None] = lambda text: text,
    ) -> None:
        self.block = block
        self.time_limit = time_limit
        self.skip = skip
        self.wake = wake
        self.scrub = scrub
        self.buffer: list[Output] = []
        self.yielded = 0
        self.outcome: Outcome | None = None
        self.started = time.monotonic()
        # Set by the watchdog when a step held the thread past the time limit or a stop (`watchdog`).
        self.interrupted: Outcome | None = None
        self.interrupted_at = 0.0
        self._cpu_started = time.thread_time()
        self.stats = ExecutionStats()
        generator = block.execute(input_data, **context, execution_stats=self.stats)
        self.task = event_loop().create_task(self._consume(generator))

    def take_outputs(self) -> list[Output]:
        outputs, self.buffer = self.buffer, []
        return outputs

    def stop(self) -> None:
        """Cancels the block; it ends TERMINATED unless it had ended already."""
        self.task.cancel()

    def leave_if_deaf(self, *, stopping_since: float | None) -> None:
        """Ends a block that ignores its cancellation (it catches it and awaits again) without it, a grace
        past its time limit or the stop: its task is left on the loop, and whatever it does is not read."""
        if self.outcome is not None:
            return
        now, grace = time.monotonic(), settings.ENGINE_STEP_GRACE_SECONDS
        if now - self.started >= self.time_limit + grace:
            self.outcome = Outcome(S.FAILED, time_limit_message(self.block.name, self.time_limit))
        elif stopping_since is not None and now - stopping_since >= grace:
            self.outcome = Outcome(S.TERMINATED, STOPPED)
        else:
            return
        self.outcome.walltime = now - self.started
        self.wake.set()

    async def _consume(self, generator: Any) -> None:
        try:
            self.outcome = await self._drive(generator)
        finally:
            # A generator left suspended (stopped, timed out) gets to clean up; one that
            # misbehaves while doing so must not mask the outcome.
            if getattr(generator, "ag_frame", None) is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await generator.aclose()
            if self.outcome is not None:
                self.outcome.walltime = time.monotonic() - self.started
                self.outcome.cputime = time.thread_time() - self._cpu_started
                self.outcome.block_stats = self.stats.as_dict()
                # A block's error may quote its credentials' secrets: they never reach the database.
                self.outcome.error = self.scrub(self.outcome.error)
            self.wake.set()

    async def _drive(self, generator: Any) -> Outcome:
        try:
            async with asyncio.timeout(self.time_limit) as scope:
                async for output in generator:
                    self.yielded += 1
                    if self.yielded > self.skip:
                        self.buffer.append(output)
                        self.wake.set()
            return Outcome(S.COMPLETED)
        except TimeoutError as error:
            if not scope.expired():
                return self._failed(error)
            return Outcome(S.FAILED, time_limit_message(self.block.name, self.time_limit))
        except StepInterrupted:
            return self.interrupted or Outcome(S.FAILED, time_limit_message(self.block.name, self.time_limit))
        except asyncio.CancelledError:
            return Outcome(S.TERMINATED, STOPPED)
        except BlockError as error:
            return Outcome(S.FAILED, str(error) or type(error).__name__)
        except Exception as error:  # noqa: BLE001 - only a block's declared transient errors get here
            return self._failed(error)

    def _failed(self, error: Exception) -> Outcome:
        retry = self.block.retry
        # Only an execution that has yielded nothing yet may run again from the start.
        retryable = retry is not None and isinstance(error, retry.retry_on) and self.yielded == 0
        message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return Outcome(S.FAILED, message, retryable=retryable)


class Slots:
    """How many node executions this worker process runs at once."""

    def __init__(self, limit: int) -> None:
        self._free = limit
        self._changed = threading.Condition()

    def take_one(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._free > 0)
            self._free -= 1

    def take_up_to(self, wanted: int) -> int:
        with self._changed:
            granted = max(0, min(wanted, self._free))
            self._free -= granted
            return granted

    def give(self, count: int) -> None:
        with self._changed:
            self._free += count
            self._changed.notify_all()


_slots: Slots | None = None
_slots_lock = threading.Lock()


def slots() -> Slots:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = Slots(settings.ENGINE_WORKER_CONCURRENCY)
        return _slots


def lease_until() -> Any:
    return timezone.now() + timedelta(seconds=settings.ENGINE_LEASE_SECONDS)


@dataclass(eq=False)
class Job:
    """A claimed node execution, as the session holds it."""

    row: NodeExecution
    node: CompiledNode
    block_run: BlockRun | None = None
    # Every output of the execution so far (for its events), and those of this attempt in order.
    outputs: dict[str, list[Any]] = field(default_factory=dict)
    produced: list[Output] = field(default_factory=list)
    first_position: int = 0  # the position of produced[0]: outputs an earlier attempt wrote come first
    written: int = 0
    # Outputs known without running the block (an Agent node's, from its child run).
    pending: list[Output] = field(default_factory=list)
    cost: int = 0
    extra_steps: int = 0
    outcome: Outcome | None = None
    fatal: bool = False
    awaits_child: bool = False
    holds_slot: bool = False

    @property
    def has_news(self) -> bool:
        if self.outcome is not None or self.awaits_child:
            return True
        return self.block_run is not None and (bool(self.block_run.buffer) or self.block_run.outcome is not None)

    @property
    def claim(self) -> tuple[Any, int]:
        return self.row.pk, self.row.attempt

    def end_stats(self, outcome: Outcome) -> dict[str, Any]:
        """The execution's `stats` once it ended with `outcome`."""
        stats: dict[str, Any] = dict(self.row.stats or {})
        stats.update(outcome.block_stats)
        stats.update(
            walltime=outcome.walltime,
            cputime=outcome.cputime,
            input_size=len(str(self.row.input_data or "")),
            output_size=sum(len(str(values)) for values in self.outputs.values()),
            attempt=self.row.attempt,
        )
        if self.cost:
            stats["cost"] = self.cost
        if outcome.error:
            stats["error"] = outcome.error
        return stats
