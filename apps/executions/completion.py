"""Writing what a node execution produced: outputs as they come, then its end, with their propagation.

Each is one transaction whose side effects (events, sending successors to
workers) happen after it commits; the last batch of outputs is written with the
execution's completion and the run's counters.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.jsonsafe import json_safe
from apps.credits.charging import execution_count_call
from apps.executions import sql
from apps.executions.dispatch import send_node_executions
from apps.executions.events import EventBatch
from apps.executions.job import Job, LostExecutionError
from apps.executions.metrics import count_finished
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import GraphExecution, NodeExecution, NodeExecutionOutput
from apps.executions.propagation import Propagation, propagate_outputs
from apps.executions.runner import Outcome, Output
from apps.executions.serialization import graph_execution_json, node_execution_json


def renew_lease(job: Job) -> None:
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
        renew_lease(job)
        safe = _write_outputs(job, outputs)
        propagation = _hand_on(job, safe, stopping=stopping)
        job.node_event(events)
        _propagation_events(job, propagation, events)
        transaction.on_commit(events.publish)
        transaction.on_commit(lambda: send_node_executions(propagation.dispatch))


# --- finishing ----------------------------------------------------------------------


def _node_stats(job: Job, outcome: Outcome, cost: int) -> dict[str, Any]:
    stats: dict[str, Any] = dict(job.row.stats or {})
    stats.update(outcome.block_stats)
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
    # The claimed execution's count for the execution-count charge, taken with this commit's events.
    claimed_execution_count: int | None = None


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
        counted = None
        if claimed is not None and settings.ENABLE_CREDIT:
            counted = events.call(*execution_count_call(user_id=job.run.user_id, node_exec_id=claimed.pk))
        job.node_event(events)
        _propagation_events(job, propagation, events)
        events.graph(run_id=job.run_id, graph_id=job.run.graph_id, data=graph_execution_json(run))
        count_finished(events, execution=job.row, walltime=outcome.walltime, cost=cost)
        transaction.on_commit(events.publish)
    return Finished(
        dispatch=dispatch,
        queued_any=bool(propagation.queued) or following is not None,
        claimed=claimed,
        claimed_execution_count=None if counted is None or counted.value is None else int(counted.value),
    )
