"""A worker session's group of writes: what its node executions yielded, how they ended, what they hand on.

One transaction holds a group: it takes the run's row lock first (so writers of
one run take turns and never wait on each other in a cycle), then writes each
execution's news. The end of a node is `GroupWrites._record` followed, in the
same group, by the hand-on of its node's line and, at the commit, the run's
counters and, if nothing is left to run, the run's end (`run_finalize`, which
also wakes the parent run's Agent node). Events and messages to other workers
go out after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.jsonsafe import json_safe
from apps.credits.events import notify_agent_run
from apps.executions import dispatch, sql
from apps.executions.compiled import CompiledGraph, CompiledNode
from apps.executions.context import RunMeta, set_cancel_flag
from apps.executions.events import EventBatch
from apps.executions.fairness import SessionSlots
from apps.executions.metrics import count_finished
from apps.executions.models import ACTIVE_STATUSES, FINAL_STATUSES, GraphExecution, NodeExecution, NodeExecutionOutput
from apps.executions.models import ExecutionStatus as S
from apps.executions.propagation import hand_on_line
from apps.executions.runner import BlockRun, Job, Outcome, Output, lease_until
from apps.executions.selectors import run_outputs
from apps.executions.serialization import graph_execution_json, node_execution_json, run_stats
from apps.executions.status import transition
from apps.graphs.models import Graph

logger = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass
class Counts:
    """What a group's ended executions add to the run's counters."""

    steps: int = 0
    errors: int = 0
    cost: int = 0
    walltime: float = 0.0
    cputime: float = 0.0
    error: str = ""

    def __bool__(self) -> bool:
        return self.steps > 0


class GroupWrites:
    """The writing half of a worker session (`worker.Session` runs the blocks): the executions it holds,
    and the transaction it has open for them."""

    def __init__(self, meta: RunMeta, graph: CompiledGraph, loop: asyncio.AbstractEventLoop) -> None:
        self.meta, self.graph, self.loop = meta, graph, loop
        self.jobs: list[Job] = []
        self.events = EventBatch()
        self.to_send: list[NodeExecution] = []
        # Executions this session made ready but had no slot for yet: it runs them as its slots free up,
        # and sends what is left to the broker when it ends.
        self.backlog: list[NodeExecution] = []
        self.retries: list[tuple[NodeExecution, float]] = []
        self.subgraphs: list[Any] = []
        self.counts = Counts()
        self.atomic: transaction.Atomic | None = None
        self.group_started = 0.0
        self.stopping = False
        self.stopping_since: float | None = None
        # Slots of the worker process and of the run's user (`fairness`).
        self.slots = SessionSlots(meta.user_id)
        self.local_until = time.monotonic() + settings.ENGINE_LOCAL_CHAIN_SECONDS

    if TYPE_CHECKING:

        def start(self, row: NodeExecution, *, holds_slot: bool) -> Job: ...

        def _in_loop(self, step: Callable[..., T], *args: Any) -> T: ...

    def _stop_all(self) -> None:
        self.stopping = True
        self.stopping_since = self.stopping_since or time.monotonic()
        for job in self.jobs:
            if job.block_run is not None:
                job.block_run.stop()

    def _lose(self, job: Job) -> None:
        """The execution was handed to another worker (its lease expired): stop touching it."""
        logger.warning("node_execution_lost", node_exec_id=str(job.row.pk))
        if job.block_run is not None:
            job.block_run.stop()
            self._finish_task(job.block_run)
        self._drop(job)

    def _drop(self, job: Job) -> None:
        self.jobs.remove(job)
        if job.holds_slot:
            job.holds_slot = False
            self.slots.give(1)

    def _finish_task(self, block_run: BlockRun) -> None:
        if not block_run.task.done():
            # Bounded: a block that ignores its cancellation is left behind.
            wait = asyncio.wait({block_run.task}, timeout=settings.ENGINE_STEP_GRACE_SECONDS)
            with contextlib.suppress(Exception, asyncio.CancelledError):
                self._in_loop(self.loop.run_until_complete, wait)

    def _begin(self) -> None:
        if self.atomic is not None:
            return
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.group_started = time.monotonic()
        state = sql.lock_run(run_id=self.meta.id)
        if state.is_stopping and not self.stopping:
            self._stop_all()
        elif self.stopping and not state.is_stopping:
            # The cancel flag was seen before the stop API's own write: the run was stopped all the same.
            GraphExecution.objects.filter(pk=self.meta.id, stop_requested_at__isnull=True).update(
                stop_requested_at=timezone.now()
            )

    def _write(self, ready: list[Job]) -> None:
        self._begin()
        by_node: dict[str, list[Job]] = {}
        for job in ready:
            if self._record(job):
                by_node.setdefault(job.node.id, []).append(job)
        for node_id, jobs in by_node.items():
            self._hand_on(self.graph.nodes[node_id], jobs)
        self._take_backlog()

    def _take_backlog(self) -> None:
        if not self.backlog:
            return
        if time.monotonic() >= self.local_until:
            self.to_send += self.backlog
            self.backlog.clear()
            return
        granted = self.slots.take_up_to(len(self.backlog))
        if not granted:
            return
        wanted, self.backlog = self.backlog[:granted], self.backlog[granted:]
        rows = sql.claim_node_executions(ids=[row.pk for row in wanted], now=timezone.now(), lease_until=lease_until())
        self.slots.give(granted - len(rows))
        for row in rows:
            self.start(row, holds_slot=True)

    def _record(self, job: Job) -> bool:
        """Writes a job's news: its new outputs, and its end if it ended. False if there is nothing to hand on."""
        if job.block_run is not None and job.outcome is None:
            job.outcome = job.block_run.outcome
        outputs = job.block_run.take_outputs() if job.block_run is not None else job.pending
        job.pending = []
        if job.awaits_child:
            # An Agent node waits for its child run without a lease (`subgraphs`).
            self._drop(job)
            NodeExecution.objects.filter(pk=job.row.pk, attempt=job.row.attempt, status=S.RUNNING).update(
                lease_expires_at=None
            )
            self.subgraphs.append(job.row.pk)
            return False
        if job.outcome is None:
            if job.row.pk not in sql.renew_leases(claims=[job.claim], lease_until=lease_until()):
                self._lose(job)
                return False
            safe = _safe(outputs)
            sql.insert_rows(NodeExecutionOutput, self._output_rows(job, safe))
            self._remember_outputs(job, safe)
            self._node_event(job)
            return True
        self._drop(job)
        outcome = job.outcome
        if outcome.status == S.FAILED and outcome.retryable and self._retry(job, outcome):
            return False
        if outcome.status == S.FAILED:
            outputs.append(("error", outcome.error or "Unknown error"))
        now = timezone.now()
        stats = job.end_stats(outcome)
        safe = _safe(outputs)
        if not sql.end_node_execution(
            node_exec_id=job.row.pk,
            attempt=job.row.attempt,
            status=outcome.status,
            ended_at=now,
            stats=stats,
            drained=False,
            outputs=self._output_rows(job, safe),
        ):
            logger.warning("node_execution_lost", node_exec_id=str(job.row.pk))
            return False
        if job.fatal:
            self._halt()
        self._remember_outputs(job, safe)
        if outputs:
            self._node_event(job)  # the outputs, while the execution still reads RUNNING
        job.row.status, job.row.ended_at, job.row.stats = outcome.status, now, stats
        self._node_event(job)
        self._count(job, outcome)
        count_finished(self.events, execution=job.row, walltime=outcome.walltime, cost=job.cost)
        return True

    @staticmethod
    def _output_rows(job: Job, safe: list[Output]) -> list[NodeExecutionOutput]:
        now = timezone.now()
        return [
            NodeExecutionOutput(
                node_execution_id=job.row.pk, name=pin, data=value, position=job.written + offset, added_at=now
            )
            for offset, (pin, value) in enumerate(safe)
        ]

    @staticmethod
    def _remember_outputs(job: Job, safe: list[Output]) -> None:
        job.written += len(safe)
        job.produced += safe
        for pin, value in safe:
            job.outputs.setdefault(pin, []).append(value)

    def _hand_on(self, node: CompiledNode, jobs: list[Job]) -> None:
        """Hands on what the node's line has to give (`propagation.hand_on_line`), then runs what that
        made ready as far as the worker has slots; the rest waits in the backlog."""
        local = time.monotonic() < self.local_until
        lines = hand_on_line(
            run_id=self.meta.id,
            graph=self.graph,
            node=node,
            held={job.row.pk: job for job in jobs},
            masks=self.meta.masks,
            stopping=self.stopping,
            local=local,
            slots=self.slots,
        )
        for propagation in lines:
            claimed = {id(row) for row in propagation.claimed}
            for pending in propagation.touched:
                row = shown = pending.row
                if id(row) in claimed:
                    # Claimed in the same commit: clients see it QUEUED, then RUNNING from the job that runs it.
                    shown = copy.copy(row)
                    shown.status, shown.started_at = S.QUEUED, None
                self.events.node(
                    run_id=self.meta.id,
                    data=node_execution_json(
                        shown,
                        run=self.meta,
                        block_id=self.graph.nodes[str(row.node_id)].block.id,
                        input_data=row.input_data or pending.inputs,
                        output_data={},
                    ),
                )
            self.backlog += propagation.to_send
            for row in propagation.claimed:
                self.start(row, holds_slot=True)

    def _retry(self, job: Job, outcome: Outcome) -> bool:
        """Puts a transiently failed execution back in the queue, if its block's policy allows another attempt."""
        policy = job.node.block.retry
        if policy is None or job.row.attempt >= policy.max_attempts:
            return False
        stats = dict(job.row.stats or {})
        stats.setdefault("attempts", []).append({"attempt": job.row.attempt, "error": outcome.error})
        now = timezone.now()
        moved = transition(
            NodeExecution.objects.filter(pk=job.row.pk, attempt=job.row.attempt),
            S.QUEUED,
            stats=stats,
            lease_expires_at=None,
            queued_at=now,
        )
        if moved:
            job.row.status, job.row.stats, job.row.queued_at = S.QUEUED, stats, now
            self._node_event(job)
            self.retries.append((job.row, policy.delay_before(job.row.attempt)))
        return bool(moved)

    def _halt(self) -> None:
        """The run's user is out of credits: nothing more starts, and the run ends FAILED."""
        now = timezone.now()
        GraphExecution.objects.filter(pk=self.meta.id, halted_at__isnull=True).update(halted_at=now)
        transition(
            NodeExecution.objects.filter(
                graph_execution_id=uuid.UUID(self.meta.id), status__in=(S.QUEUED, S.INCOMPLETE)
            ),
            S.TERMINATED,
            ended_at=now,
            drained=True,
        )
        transaction.on_commit(lambda: set_cancel_flag(self.meta.id))
        self._stop_all()

    def _count(self, job: Job, outcome: Outcome) -> None:
        """Adds an ended execution to the group's counters. The first unhandled failure becomes the run's
        error; a fatal one (out of credits) is the run's error as it stands, whatever the graph handles."""
        counts = self.counts
        counts.steps += 1 + job.extra_steps
        counts.errors += outcome.status == S.FAILED
        counts.cost += job.cost
        counts.walltime += outcome.walltime
        counts.cputime += outcome.cputime
        if not counts.error:
            if job.fatal:
                counts.error = outcome.error or ""
            elif outcome.status == S.FAILED and not job.node.error_is_handled:
                counts.error = f"Node {job.node.block.name} #{job.node.id} failed: {outcome.error}"

    def _commit(self) -> None:
        """Ends the group: the run's counters, the run's end if this was its last work, then the commit,
        the events and the messages to other workers."""
        if self.atomic is None:
            return
        if self.counts:
            counts, self.counts = self.counts, Counts()
            changing = sql.count_into_run(
                run_id=self.meta.id,
                steps=counts.steps,
                errors=counts.errors,
                cost=counts.cost,
                walltime=counts.walltime,
                cputime=counts.cputime,
                error=counts.error,
                now=timezone.now(),
            )
            run = self.meta.run_with(**changing)
            # Outputs are read only for graphs that can have any: most groups end no Output node.
            outputs = run_outputs(run_id=self.meta.id) if self.graph.has_output_nodes else {}
            self.events.graph(
                run_id=self.meta.id, graph_id=self.meta.graph_id, data=graph_execution_json(run, outputs=outputs)
            )
        if not self.jobs:
            self.to_send += self.backlog
            self.backlog.clear()
        # The group's events go out first after the commit: a run's final event precedes its AGENT_RUN
        # notification, which `run_finalize` also sends on commit.
        transaction.on_commit(self.events.publish)
        if not self.jobs and not self.to_send and not self.retries:
            run_finalize(run_id=self.meta.id, events=self.events)
        atomic, self.atomic = self.atomic, None
        atomic.__exit__(None, None, None)
        self.slots.share.release_idle()
        to_send, self.to_send = self.to_send, []
        dispatch.send_node_executions(to_send)
        for row, delay in self.retries:
            dispatch.send_node_execution_later(row, delay)
        self.retries.clear()
        for node_exec_id in self.subgraphs:
            dispatch.send_subgraph_start(node_exec_id)
        self.subgraphs.clear()

    def _node_event(self, job: Job) -> None:
        self.events.node(
            run_id=self.meta.id,
            data=node_execution_json(
                job.row,
                run=self.meta,
                block_id=job.node.block.id,
                input_data=job.row.input_data or {},
                output_data=job.outputs,
            ),
        )


def _safe(outputs: list[Output]) -> list[Output]:
    return [(pin, json_safe(value)) for pin, value in outputs]


def run_finalize(*, run_id: Any, events: EventBatch | None = None) -> GraphExecution | None:
    """Ends the run if no node execution is queued or running (upstream: TERMINATED, FAILED or COMPLETED),
    and wakes the parent run's Agent node if it is a sub-graph run.

    Called after the work that may have been the last, inside or outside a transaction; the run's row
    lock makes concurrent callers take turns, and the guarded transition makes all but one a no-op.
    """
    with transaction.atomic():
        run = GraphExecution.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in FINAL_STATUSES:
            return None
        if NodeExecution.objects.filter(graph_execution_id=run_id, status__in=ACTIVE_STATUSES).exists():
            return None
        target = S.TERMINATED if run.stop_requested_at else S.FAILED if run.error or run.halted_at else S.COMPLETED
        now = timezone.now()
        if not transition(GraphExecution.objects.filter(pk=run_id), target, ended_at=now):
            return None
        run.status, run.ended_at = target, now
        outputs = run_outputs(run_id=run.id)
        batch = events if events is not None else EventBatch()
        batch.graph(run_id=run.id, graph_id=run.graph_public_id, data=graph_execution_json(run, outputs=outputs))
        if events is None:
            transaction.on_commit(batch.publish)
        notify_agent_run(
            user_id=run.user_id,
            graph_id=str(run.graph_public_id),
            graph_exec_id=str(run.id),
            agent_name=Graph.objects.filter(pk=run.graph_id).values_list("name", flat=True).first(),
            credits_used=run.cost,
            node_count=run.node_count,
            execution_time=run_stats(run)["duration"],
            outputs=[{"name": name, "output": values} for name, values in outputs.items()],
        )
        if run.parent_node_execution_id:
            parent = run.parent_node_execution_id
            transaction.on_commit(lambda: dispatch.send_parent_resume(parent))
    return run
