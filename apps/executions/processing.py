"""The life of one node execution in a worker: claim, run the block, write, hand on.

Every step that changes state is a short transaction whose side effects
(events, sending successors to workers) happen after it commits. The claim is
a guarded update, so a duplicated or redelivered task finds the row claimed
or finished and does nothing. Outputs are written together with their
propagation, and the last batch together with the completion.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from apps.blocks.base import BlockType
from apps.core.jsonsafe import json_safe
from apps.core.redis import get_redis
from apps.credits.charging import credits_charge_node_execution
from apps.credits.exceptions import InsufficientBalanceError
from apps.executions import sql
from apps.executions.compiled import CompiledGraph, CompiledNode, compiled_graph
from apps.executions.context import RunMeta, run_meta
from apps.executions.dispatch import send_node_executions
from apps.executions.events import EventBatch
from apps.executions.metrics import count_finished
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution, NodeExecutionOutput
from apps.executions.propagation import Propagation, propagate_outputs
from apps.executions.runner import BlockRunner, EngineError, Outcome, Output
from apps.executions.serialization import graph_execution_json, node_execution_json
from apps.executions.status import transition

logger = structlog.get_logger(__name__)


class LostExecutionError(Exception):
    """The execution is no longer ours (the sweep gave it to another worker): stop touching it."""


def cancel_key(run_id: object) -> str:
    return f"agpt:cancel:{run_id}"


@dataclass
class Job:
    """One claimed node execution and what the worker accumulates while running it."""

    row: NodeExecution
    run: RunMeta
    graph: CompiledGraph
    node: CompiledNode
    outputs: dict[str, list[Any]] = field(default_factory=dict)
    written: int = 0
    lease_renewed_at: float = field(default_factory=time.monotonic)
    # Events not yet published. The RUNNING event waits here: a fast block's goes out
    # with its outputs and completion in one round trip, a slow block's on its first tick.
    events: EventBatch = field(default_factory=EventBatch)

    @property
    def run_id(self) -> str:
        return self.run.id

    def node_event(self, events: EventBatch, row: NodeExecution | None = None) -> None:
        row = row or self.row
        events.node(
            run_id=self.run_id,
            data=node_execution_json(
                row,
                run=self.run,
                block_id=self.node.block.id,
                input_data=row.input_data or {},
                output_data=self.outputs if row is self.row else {},
            ),
        )


# --- claim ------------------------------------------------------------------------


def claim(*, node_exec_id: str, run_id: str, node_id: str) -> NodeExecution | None:
    """QUEUED -> RUNNING, only for the head of its node's queue and only if none of that node runs."""
    now = timezone.now()
    return sql.claim_node_execution(
        node_exec_id=node_exec_id,
        run_id=run_id,
        node_id=node_id,
        now=now,
        lease_until=now + timedelta(seconds=settings.ENGINE_LEASE_SECONDS),
    )


def _mark_run_started(job: Job, events: EventBatch) -> None:
    """The first claimed starting node moves the run from QUEUED to RUNNING."""
    if job.node.id not in job.graph.starting_node_ids:
        return
    # The run starts when its first node did, not a moment later.
    if transition(GraphExecution.objects.filter(pk=job.run_id), S.RUNNING, started_at=job.row.started_at):
        run = GraphExecution.objects.get(pk=job.run_id)
        events.graph(run_id=job.run_id, graph_id=job.run.graph_id, data=graph_execution_json(run))


# --- writing outputs --------------------------------------------------------------


def _renew_lease(job: Job) -> None:
    """Extends the lease, and fails loudly if the execution was taken from us."""
    renewed = NodeExecution.objects.filter(pk=job.row.pk, status=S.RUNNING, attempt=job.row.attempt).update(
        lease_expires_at=timezone.now() + timedelta(seconds=settings.ENGINE_LEASE_SECONDS)
    )
    if not renewed:
        raise LostExecutionError(str(job.row.pk))
    job.lease_renewed_at = time.monotonic()


def _write_outputs(job: Job, outputs: list[Output]) -> list[Output]:
    safe = [(pin, json_safe(value)) for pin, value in outputs]
    now = timezone.now()
    sql.insert_rows(
        NodeExecutionOutput,
        [
            NodeExecutionOutput(
                node_execution_id=job.row.pk, name=pin, data=value, position=job.written + offset, added_at=now
            )
            for offset, (pin, value) in enumerate(safe)
        ],
    )
    job.written += len(safe)
    for pin, value in safe:
        job.outputs.setdefault(pin, []).append(value)
    return safe


def _hand_on(
    job: Job, outputs: list[Output], *, stopping: bool, release_source: bool = False, claim: bool = False
) -> Propagation:
    if stopping:
        outputs = []
    return propagate_outputs(
        run_id=job.run_id,
        graph=job.graph,
        source=job.node,
        outputs=outputs,
        masks=job.run.masks,
        release_source=release_source,
        claim_lone_successor=claim,
    )


def _propagation_events(job: Job, propagation: Propagation, events: EventBatch) -> None:
    for pending in propagation.touched:
        sink = job.graph.nodes[str(pending.row.node_id)]
        row = pending.row
        if row is propagation.claimed:
            # Claimed in the same commit: clients see it QUEUED, then RUNNING from the job that runs it.
            row = copy.copy(row)
            row.status, row.started_at = S.QUEUED, None
        events.node(
            run_id=job.run_id,
            data=node_execution_json(
                row,
                run=job.run,
                block_id=sink.block.id,
                input_data=pending.row.input_data or pending.inputs,
                output_data={},
            ),
        )


def flush_outputs(job: Job, outputs: list[Output]) -> None:
    """Writes and hands on outputs of a still-running execution."""
    events = job.events
    with transaction.atomic():
        stopping = (
            GraphExecution.objects.select_for_update()
            .filter(pk=job.run_id)
            .values_list("stop_requested_at", flat=True)
            .get()
            is not None
        )
        _renew_lease(job)
        safe = _write_outputs(job, outputs)
        propagation = _hand_on(job, safe, stopping=stopping)
        job.node_event(events)
        _propagation_events(job, propagation, events)
        transaction.on_commit(events.publish)
        transaction.on_commit(lambda: send_node_executions(propagation.dispatch))


# --- finishing ----------------------------------------------------------------------


def _node_stats(job: Job, outcome: Outcome, cost: int) -> dict[str, Any]:
    stats: dict[str, Any] = dict(job.row.stats or {})
    stats.update(
        walltime=outcome.walltime,
        cputime=outcome.cputime,
        input_size=len(str(job.row.input_data or "")),
        output_size=sum(len(str(values)) for values in job.outputs.values()),
        attempt=job.row.attempt,
    )
    if cost:
        stats["cost"] = cost
    if outcome.error:
        stats["error"] = outcome.error
    return stats


def _count_into_run(
    job: Job, outcome: Outcome, *, cost: int, extra_steps: int = 0, fatal: bool = False
) -> GraphExecution:
    """Adds this execution to the run's counters (under the run's row lock) and returns the run.

    The first unhandled failure becomes the run's error; a fatal one (the user ran
    out of credits) is the run's error as it stands, whatever the graph handles.
    """
    unhandled = outcome.status == S.FAILED and not job.node.error_is_handled
    if fatal:
        error = outcome.error or ""
    elif unhandled:
        error = f"Node {job.node.block.name} #{job.node.id} failed: {outcome.error}"
    else:
        error = ""
    changing = sql.count_into_run(
        run_id=job.run_id,
        steps=1 + extra_steps,
        errors=1 if outcome.status == S.FAILED else 0,
        cost=cost,
        walltime=outcome.walltime,
        cputime=outcome.cputime,
        error=error,
        now=timezone.now(),
    )
    return job.run.run_with(**changing)


@dataclass
class Finished:
    dispatch: list[NodeExecution]
    queued_any: bool
    claimed: NodeExecution | None = None


def finish(
    job: Job, outcome: Outcome, *, cost: int = 0, extra_steps: int = 0, claim: bool = False, fatal: bool = False
) -> Finished:
    """Writes the last outputs, the final status and the run's counters in one transaction.

    A `fatal` failure hands nothing on, not even its `error` output: the run is halting.
    """
    outputs = list(outcome.pending)
    if outcome.status == S.FAILED:
        outputs.append(("error", outcome.error or "Unknown error"))
    events = job.events
    now = timezone.now()
    with transaction.atomic():
        stats = _node_stats(job, outcome, cost)
        moved = sql.end_node_execution(
            node_exec_id=job.row.pk, attempt=job.row.attempt, status=outcome.status, ended_at=now, stats=stats
        )
        if not moved:
            raise LostExecutionError(str(job.row.pk))
        run = _count_into_run(job, outcome, cost=cost, extra_steps=extra_steps, fatal=fatal)
        stopping = run.is_stopping or fatal
        safe = _write_outputs(job, outputs)
        if safe:
            job.node_event(events)  # the outputs, while the execution still reads RUNNING
        job.row.status, job.row.ended_at, job.row.stats = outcome.status, now, stats
        propagation = _hand_on(job, safe, stopping=stopping, release_source=True, claim=claim)
        following = None if stopping else propagation.source_next
        claimed = propagation.claimed
        if claim and claimed is None and following is not None and not propagation.dispatch:
            # This node's next execution is the only work: run it here too, as a lone successor.
            now_ = timezone.now()
            claimed = sql.claim_node_execution(
                node_exec_id=following.pk,
                run_id=job.run_id,
                node_id=job.node.id,
                now=now_,
                lease_until=now_ + timedelta(seconds=settings.ENGINE_LEASE_SECONDS),
            )
        dispatch = [] if claimed is not None else [*propagation.dispatch, *([following] if following else [])]
        job.node_event(events)
        _propagation_events(job, propagation, events)
        events.graph(run_id=job.run_id, graph_id=job.run.graph_id, data=graph_execution_json(run))
        count_finished(events, execution=job.row, walltime=outcome.walltime, cost=cost)
        transaction.on_commit(events.publish)
    return Finished(dispatch=dispatch, queued_any=bool(propagation.queued) or following is not None, claimed=claimed)


def _retry_later(job: Job, outcome: Outcome) -> bool:
    """Puts a transiently failed execution back in the queue, if its block's policy allows another attempt."""
    policy = job.node.block.retry
    if policy is None or not outcome.retryable or job.row.attempt >= policy.max_attempts:
        return False
    stats = dict(job.row.stats or {})
    stats.setdefault("attempts", []).append({"attempt": job.row.attempt, "error": outcome.error})
    now = timezone.now()
    with transaction.atomic():
        moved = transition(
            NodeExecution.objects.filter(pk=job.row.pk, attempt=job.row.attempt),
            S.QUEUED,
            stats=stats,
            lease_expires_at=None,
            queued_at=now,
        )
        if moved:
            job.row.status, job.row.stats, job.row.queued_at = S.QUEUED, stats, now
            job.node_event(job.events)  # RUNNING (if not sent yet), then QUEUED again
            delay = policy.delay_before(job.row.attempt)
            transaction.on_commit(job.events.publish)
            transaction.on_commit(lambda: _send_later(job.row, delay))
    return bool(moved)


def _send_later(row: NodeExecution, delay: float) -> None:
    from apps.executions.tasks import run_node_execution

    run_node_execution.apply_async(args=[str(row.pk), str(row.graph_execution_id), str(row.node_id)], countdown=delay)


# --- the pipeline ----------------------------------------------------------------------


def _should_cancel(job: Job) -> bool:
    """The run's cancel flag. Redis being away cancels nothing: a stop is also in the database,
    and the execution's end checks it."""
    try:
        return bool(get_redis().exists(cancel_key(job.run_id)))
    except (RedisError, OSError):
        return False


def _housekeeping(job: Job) -> None:
    job.events.publish()
    if time.monotonic() - job.lease_renewed_at > settings.ENGINE_LEASE_SECONDS / 3:
        _renew_lease(job)


@dataclass
class Step:
    """What processing one execution leaves to do: executions to send, and one already claimed to run here."""

    dispatch: list[NodeExecution] = field(default_factory=list)
    claimed: NodeExecution | None = None


def execute_claimed(row: NodeExecution, *, may_claim_next: bool) -> Step:
    """Runs a node execution this worker has claimed, through to its completion."""
    run_id, node_id = str(row.graph_execution_id), str(row.node_id)
    meta = run_meta(run_id)
    graph = compiled_graph(meta.graph_id, meta.graph_version)
    job = Job(row=row, run=meta, graph=graph, node=graph.nodes[node_id])
    structlog.contextvars.bind_contextvars(graph_exec_id=run_id, node_exec_id=str(row.pk))
    job.node_event(job.events)
    _mark_run_started(job, job.events)
    try:
        cost = credits_charge_node_execution(
            user_id=meta.user_id,
            node_exec_id=row.pk,
            graph_exec_id=run_id,
            graph_id=meta.graph_id,
            node_id=node_id,
            block=job.node.block,
            input_data=row.input_data or {},
            agent_name=meta.graph_name,
        )
    except InsufficientBalanceError as error:
        # Out of credits: this node fails with the reason and nothing after it runs.
        from apps.executions.services import execution_halt

        execution_halt(run_id=run_id)
        finished = finish(job, Outcome(S.FAILED, str(error)), fatal=True)
        return Step(dispatch=after_finish(job, finished))
    if job.node.block.block_type is BlockType.AGENT:
        job.events.publish()
        from apps.executions.subgraphs import subgraph_start

        subgraph_start(job)
        return Step()
    runner = BlockRunner(
        block=job.node.block,
        input_data=row.input_data or {},
        context=meta.block_context(node_id=node_id, node_exec_id=str(row.pk)),
        time_limit=job.node.block.time_limit or settings.BLOCK_TIME_LIMIT_SECONDS,
        flush=lambda outputs: flush_outputs(job, outputs),
        should_cancel=lambda: _should_cancel(job),
        housekeeping=lambda: _housekeeping(job),
    )
    try:
        outcome = runner.run()
        if outcome.status == S.FAILED and _retry_later(job, outcome):
            return Step()
        finished = finish(job, outcome, cost=cost, claim=may_claim_next)
    except LostExecutionError:
        logger.warning("node_execution_lost", node_exec_id=str(row.pk))
        return Step()
    except EngineError:
        raise  # the lease brings the execution back once the database or Redis is
    except Exception:
        # A bug, not a block failure: fail this execution rather than retry it forever.
        # (If the database itself is down this raises again, and the lease brings the execution back.)
        logger.exception("node_execution_crashed", node_exec_id=str(row.pk))
        finished = finish(job, Outcome(S.FAILED, "Internal error while executing this node"), cost=cost)
    return Step(dispatch=after_finish(job, finished), claimed=finished.claimed)


def after_finish(job: Job, finished: Finished) -> list[NodeExecution]:
    """Ends the run if this was its last work; returns what to send on."""
    if not finished.queued_any:
        from apps.executions.services import execution_finalize_if_done

        execution_finalize_if_done(run_id=job.run_id)
    return finished.dispatch


def process_chain(*, node_exec_id: str, run_id: str, node_id: str) -> None:
    """Claims and runs a node execution, then, while it leaves exactly one successor, that one too.

    The lone successor is written already claimed by this worker in the same
    commit that creates it, so it costs neither a broker hop nor a separate
    claim. The chain is bounded so one long graph cannot hold a worker for
    long; if this worker dies, the successor's lease brings it back.
    """
    row = claim(node_exec_id=node_exec_id, run_id=run_id, node_id=node_id)
    deadline = time.monotonic() + settings.ENGINE_LOCAL_CHAIN_SECONDS
    for remaining in range(settings.ENGINE_LOCAL_CHAIN_MAX, 0, -1):
        if row is None:
            return
        step = execute_claimed(row, may_claim_next=remaining > 1 and time.monotonic() < deadline)
        send_node_executions(step.dispatch)
        row = step.claimed
