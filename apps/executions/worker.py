"""The life of node executions in a worker: claim, charge, run the block, hand on, end.

A node task claims its execution and opens a session on the worker thread. The
session runs the execution's block as a task on the thread's event loop
(`runner.BlockRun`), writes what it yields, and hands it on. Executions the
hand-on makes ready are written already claimed by this session, as far as the
worker process has slots (`ENGINE_WORKER_CONCURRENCY`), and run on the same
loop with no broker hop; the rest go to the broker. So executions waiting on
I/O wait together, and a chain of quick nodes never leaves the thread.

Writes are grouped: a transaction stays open while the loop has work that
does not wait (a chain of quick nodes, a burst of outputs) and commits when
every block waits on I/O, or after `ENGINE_GROUP_COMMIT_SECONDS`. Each group
takes the run's row lock first, so writers of one run take turns. Events, and
tasks for other workers, go out after the commit. If the worker dies before a
commit, what the group did is undone and the leases of the executions it had
claimed before bring them back.

Executions of one node run concurrently but hand their outputs on in the order
they were created (upstream's `NodeExecutionProgress`): each keeps `handed_on`
and `drained`, and only the oldest execution of a node that is not drained
hands on; when it ends, it hands on what the ones after it wrote meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import structlog
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.blocks.base import BlockType
from apps.credentials.exceptions import CredentialsUnavailableError
from apps.credentials.runs import credentials_for_block
from apps.credits.charging import credits_charge_node_execution
from apps.credits.exceptions import InsufficientBalanceError
from apps.executions import dispatch, sql
from apps.executions.compiled import CompiledGraph, compiled_graph
from apps.executions.context import RunMeta, cancel_requested, run_meta
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution, NodeExecutionOutput
from apps.executions.runner import BlockRun, Job, Outcome, Output, event_loop, lease_until, run_ready, slots
from apps.executions.serialization import graph_execution_json
from apps.executions.status import transition
from apps.executions.tool_sinks import has_tool_links, tool_sinks
from apps.executions.watchdog import SessionAbandoned, recycling, watchdog
from apps.executions.writes import GroupWrites

T = TypeVar("T")

logger = structlog.get_logger(__name__)


class Session(GroupWrites):
    """The node executions of one run that a worker thread holds, and the group of writes it has open."""

    def __init__(self, meta: RunMeta, graph: CompiledGraph) -> None:
        super().__init__(meta, graph, event_loop())
        self.wake = asyncio.Event()
        self.housekeeping_at = time.monotonic() + settings.ENGINE_POLL_SECONDS
        self.lease_renewed_at = time.monotonic()
        # What the watchdog watches: since when the thread has been in the loop (running blocks' steps),
        # and the database connection whose transaction is open meanwhile, if any.
        self.thread_id = threading.get_ident()
        self.in_loop_since: float | None = None
        self.open_connection: Any = None
        self.abandoned = False

    @classmethod
    def for_run(cls, run_id: str) -> Session:
        meta = run_meta(run_id)
        return cls(meta, compiled_graph(meta.graph_id, meta.graph_version))

    # --- starting executions ------------------------------------------------------------

    def start(self, row: NodeExecution, *, holds_slot: bool) -> Job:
        """Takes a claimed execution (holding one of the worker's slots): charges it and starts its block."""
        job = Job(row=row, node=self.graph.nodes[str(row.node_id)], holds_slot=holds_slot)
        return self._start(job)

    def end(self, row: NodeExecution, outcome: Outcome, *, outputs: list[Output], cost: int, extra_steps: int) -> None:
        """Ends a RUNNING execution whose outcome and outputs are known without running its block."""
        job = Job(row=row, node=self.graph.nodes[str(row.node_id)], outcome=outcome, cost=cost, pending=outputs)
        job.extra_steps = extra_steps
        self._start(job)

    def _start(self, job: Job) -> Job:
        row, outcome = job.row, job.outcome
        self.jobs.append(job)
        if row.attempt > 1 or outcome is not None:
            self._load_written(job)
        if outcome is not None:
            return job
        self._node_event(job)
        self._mark_run_started(job)
        try:
            credentials = credentials_for_block(
                user_id=self.meta.user_id, block=job.node.block, input_data=row.input_data or {}
            )
        except CredentialsUnavailableError as error:
            # Deleted since the run started, or tokens that cannot be refreshed: this node fails, uncharged.
            job.outcome = Outcome(S.FAILED, error.message)
            return job
        try:
            job.cost = credits_charge_node_execution(
                user_id=self.meta.user_id,
                node_exec_id=row.pk,
                graph_exec_id=self.meta.id,
                graph_id=self.meta.graph_id,
                node_id=job.node.id,
                block=job.node.block,
                input_data=row.input_data or {},
                agent_name=self.meta.graph_name,
            )
        except InsufficientBalanceError as error:
            # Out of credits: this node fails with the reason, and nothing after it runs.
            job.outcome, job.fatal = Outcome(S.FAILED, str(error)), True
            return job
        if job.node.block.block_type is BlockType.AGENT:
            job.awaits_child = True
            return job
        context = {**self.meta.block_context(node_id=job.node.id, node_exec_id=str(row.pk)), **credentials.kwargs}
        if has_tool_links(job.node):
            context["tool_sinks"] = tool_sinks(self.graph, job.node)
        job.block_run = BlockRun(
            block=job.node.block,
            input_data=row.input_data or {},
            context=context,
            time_limit=job.node.block.time_limit or settings.BLOCK_TIME_LIMIT_SECONDS,
            skip=job.written,
            wake=self.wake,
            scrub=credentials.scrub,
        )
        if self.stopping:
            job.block_run.stop()
        return job

    def _load_written(self, job: Job) -> None:
        """A re-run continues after the outputs its earlier attempts wrote."""
        for name, data in NodeExecutionOutput.objects.filter(node_execution=job.row).values_list("name", "data"):
            job.outputs.setdefault(name, []).append(data)
            job.written += 1
        job.first_position = job.written

    def _mark_run_started(self, job: Job) -> None:
        """The first claimed starting node moves the run from QUEUED to RUNNING, when it started."""
        if job.node.id not in self.graph.starting_node_ids:
            return
        if transition(GraphExecution.objects.filter(pk=self.meta.id), S.RUNNING, started_at=job.row.started_at):
            run = GraphExecution.objects.get(pk=self.meta.id)
            # The first starting node only now begins: no Output node has completed yet.
            data = graph_execution_json(run, outputs={})
            self.events.graph(run_id=self.meta.id, graph_id=self.meta.graph_id, data=data)

    # --- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        """Runs until every execution the session holds has ended (or gone to another worker)."""
        watchdog().watch(self)
        try:
            while self.jobs:
                self.wake.clear()
                self._in_loop(run_ready, self.loop)
                ready = [job for job in self.jobs if job.has_news]
                if ready:
                    self._write(ready)
                    if time.monotonic() - self.group_started >= settings.ENGINE_GROUP_COMMIT_SECONDS:
                        self._commit()
                elif self.atomic is not None:
                    # Every block waits: give them the rest of the group's window, then commit.
                    remaining = self.group_started + settings.ENGINE_GROUP_COMMIT_SECONDS - time.monotonic()
                    if not self._sleep(remaining):
                        self._commit()
                else:
                    self.events.publish()
                    _release_connection()
                    self._sleep(max(0.0, self.housekeeping_at - time.monotonic()))
                if time.monotonic() >= self.housekeeping_at:
                    self._housekeeping()
            self._commit()
        except BaseException:
            self._abandon()
            raise
        finally:
            watchdog().unwatch(self)
            self.slots.give(sum(job.holds_slot for job in self.jobs))
            self.slots.share.release_all()

    def _in_loop(self, step: Callable[..., T], *args: Any) -> T:
        """Runs the loop (blocks' steps) where the watchdog sees it; raises if the watchdog gave up on it."""
        self.open_connection = connection.connection if connection.in_atomic_block else None
        self.in_loop_since = time.monotonic()
        try:
            return step(*args)
        finally:
            self.in_loop_since = None
            if self.abandoned:
                raise SessionAbandoned(self.meta.id)

    def stepping(self) -> Job | None:
        """The execution whose block step runs on the loop right now (asked from the watchdog's thread)."""
        task = asyncio.current_task(self.loop)
        return next((job for job in list(self.jobs) if job.block_run is not None and job.block_run.task is task), None)

    def _sleep(self, timeout: float) -> bool:
        """Waits on the loop until a block has news or `timeout` passes; says whether one had."""

        async def wait() -> bool:
            try:
                async with asyncio.timeout(max(timeout, 0.0)):
                    await self.wake.wait()
            except TimeoutError:
                return False
            return True

        return self._in_loop(self.loop.run_until_complete, wait())

    def _housekeeping(self) -> None:
        """Stop requests, leases: every `ENGINE_POLL_SECONDS` while blocks run."""
        self.housekeeping_at = time.monotonic() + settings.ENGINE_POLL_SECONDS
        if not self.stopping and cancel_requested(self.meta.id):
            self._stop_all()
        for job in self.jobs:
            if job.block_run is not None:
                job.block_run.leave_if_deaf(stopping_since=self.stopping_since)
        if time.monotonic() - self.lease_renewed_at > settings.ENGINE_LEASE_SECONDS / 3:
            self.lease_renewed_at = time.monotonic()
            running = [job for job in self.jobs if job.outcome is None and not job.awaits_child]
            ours = sql.renew_leases(claims=[job.claim for job in running], lease_until=lease_until())
            self.slots.share.renew()
            for job in running:
                if job.row.pk not in ours:
                    self._lose(job)

    def _abandon(self) -> None:
        """The session failed (the database or Redis went away): undo the open group; leases bring work back."""
        if self.atomic is not None:
            atomic, self.atomic = self.atomic, None
            with contextlib.suppress(Exception):
                atomic.__exit__(RuntimeError, RuntimeError("session abandoned"), None)
        for job in list(self.jobs):
            if job.block_run is not None:
                job.block_run.stop()
                self._finish_task(job.block_run)
            self._drop(job)


def _release_connection() -> None:
    """While every block waits on I/O the thread holds no database connection: with a pool, it goes back."""
    if getattr(connection, "pool", None) is not None and not connection.in_atomic_block:
        connection.close()


def process_node_execution(*, node_exec_id: str, run_id: str, node_id: str = "") -> None:
    """Claims a node execution sent to this worker and runs it, with whatever it makes ready."""
    if recycling():
        # This process is on its way out (`watchdog`): the execution goes to another worker, or its successor.
        _send_again(node_exec_id, run_id, node_id)
        return
    slots().take_one()
    try:
        session = Session.for_run(run_id)
    except GraphExecution.DoesNotExist:
        slots().give(1)
        return  # deleted since: nothing to run
    except BaseException:
        slots().give(1)
        raise
    if not session.slots.take_user_slot():
        # The run's user holds all the slots a user may (`fairness`): the execution waits its turn, QUEUED.
        slots().give(1)
        _send_again(node_exec_id, run_id, node_id)
        return
    rows = sql.claim_node_executions(ids=[node_exec_id], now=timezone.now(), lease_until=lease_until())
    if not rows:
        session.slots.give(1)
        session.slots.share.release_all()
        return
    structlog.contextvars.bind_contextvars(graph_exec_id=run_id, node_exec_id=node_exec_id)
    session.start(rows[0], holds_slot=True)
    session.run()


SEND_AGAIN_SECONDS = 1.0


def _send_again(node_exec_id: str, run_id: str, node_id: str) -> None:
    row = NodeExecution(id=node_exec_id, graph_execution_id=run_id, node_id=node_id)
    dispatch.send_node_execution_later(row, SEND_AGAIN_SECONDS)


def end_node_execution(
    *, row: NodeExecution, outcome: Outcome, outputs: Sequence[Output] = (), cost: int = 0, extra_steps: int = 0
) -> None:
    """Ends a RUNNING execution whose outcome is known without running its block (an Agent node)."""
    session = Session.for_run(str(row.graph_execution_id))
    session.end(row, outcome, outputs=list(outputs), cost=cost, extra_steps=extra_steps)
    session.run()
