"""Driving a block's async generator from the (synchronous) node task.

The generator is advanced one step at a time on a per-process event loop. While
a step is pending the loop is left every `poll` seconds to do synchronous
housekeeping: flush outputs already yielded (so a slow block's first results
reach the graph without waiting for its end), check the run's cancel flag,
renew the worker's lease and enforce the time limit. Outputs a block yields in
quick succession are flushed together, and the last batch is left for the
caller to write with the execution's completion, in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.blocks.base import Block, BlockError
from apps.blocks.stats import ExecutionStats

Output = tuple[str, Any]

_loop: asyncio.AbstractEventLoop | None = None


def event_loop() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    return _loop


def _run_once(loop: asyncio.AbstractEventLoop) -> None:
    """Runs the callbacks ready now (a new task's first step among them), and returns."""
    loop.call_soon(loop.stop)
    loop.run_forever()


class EngineError(Exception):
    """The engine (database, Redis) failed while a block ran: not the block's failure, so it is not the node's.

    It propagates out of the task; the execution's lease then brings it back.
    """


@dataclass
class Outcome:
    """How a block execution ended. `pending` holds outputs not flushed yet."""

    status: str  # COMPLETED, FAILED or TERMINATED
    error: str | None = None
    retryable: bool = False
    pending: list[Output] = field(default_factory=list)
    flushed: int = 0
    walltime: float = 0.0
    cputime: float = 0.0
    # What the block reported about itself (token counts, model calls), for the node's stats.
    block_stats: dict[str, int] = field(default_factory=dict)


@dataclass
class BlockRunner:
    block: Block
    input_data: dict[str, Any]
    context: dict[str, Any]
    time_limit: float
    flush: Callable[[list[Output]], None]
    should_cancel: Callable[[], bool]
    housekeeping: Callable[[], None]
    flush_after: float = 0.02
    poll: float = 0.5
    batch_size: int = 100

    def run(self) -> Outcome:
        loop = event_loop()
        started, cpu_started = time.monotonic(), time.process_time()
        stats = ExecutionStats()
        outcome = self._drive(loop, started + self.time_limit, stats)
        outcome.walltime = time.monotonic() - started
        outcome.cputime = time.process_time() - cpu_started
        outcome.block_stats = stats.as_dict()
        return outcome

    def _drive(self, loop: asyncio.AbstractEventLoop, deadline: float, stats: ExecutionStats) -> Outcome:
        generator = self.block.execute(self.input_data, **self.context, execution_stats=stats)
        buffer: list[Output] = []
        flushed = 0
        quick = True  # the first wait is short, so a slow block is soon seen RUNNING
        try:
            while True:
                step = loop.create_task(generator.__anext__())
                _run_once(loop)  # a step that does not suspend is done now, without arming a timeout
                while not step.done():
                    remaining = deadline - time.monotonic()
                    timeout = min(self.flush_after if buffer or quick else self.poll, max(remaining, 0))
                    quick = False
                    loop.run_until_complete(asyncio.wait({step}, timeout=timeout))
                    if step.done():
                        break
                    if buffer:
                        self._engine(self.flush, buffer)
                        flushed, buffer = flushed + len(buffer), []
                    if time.monotonic() >= deadline:
                        self._cancel(loop, step)
                        return Outcome(
                            "FAILED",
                            f"Block {self.block.name} exceeded its time limit of {self.time_limit:g} seconds",
                            flushed=flushed,
                        )
                    if self._engine(self.should_cancel):
                        self._cancel(loop, step)
                        return Outcome("TERMINATED", "Execution was stopped", pending=buffer, flushed=flushed)
                    self._engine(self.housekeeping)
                try:
                    buffer.append(step.result())
                except StopAsyncIteration:
                    return Outcome("COMPLETED", pending=buffer, flushed=flushed)
                if len(buffer) >= self.batch_size:
                    self._engine(self.flush, buffer)
                    flushed, buffer = flushed + len(buffer), []
        except EngineError:
            raise
        except BlockError as error:
            return Outcome("FAILED", str(error) or type(error).__name__, pending=buffer, flushed=flushed)
        except Exception as error:  # noqa: BLE001 - only a block's declared transient errors get here
            retry = self.block.retry
            retryable = retry is not None and isinstance(error, retry.retry_on) and flushed == 0 and not buffer
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return Outcome("FAILED", message, retryable=retryable, pending=buffer, flushed=flushed)
        finally:
            # A generator left suspended (stopped, timed out) gets to clean up; one that
            # misbehaves while doing so must not mask the outcome.
            if getattr(generator, "ag_frame", None) is not None:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(generator.aclose())

    @staticmethod
    def _engine(callback: Callable[..., Any], *args: Any) -> Any:
        """Runs one of the engine's callbacks: its failures are the engine's, never the block's."""
        try:
            return callback(*args)
        except Exception as error:
            raise EngineError(str(error)) from error

    @staticmethod
    def _cancel(loop: asyncio.AbstractEventLoop, step: asyncio.Task[Any]) -> None:
        step.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):  # its result is being thrown away
            loop.run_until_complete(step)
