"""Handing a node's outputs to the nodes its links lead to (upstream's `_enqueue_next_nodes`).

`propagate_outputs` loads the sinks' queues, pairs the outputs into them
(`pairing.pair_outputs`: which execution each value goes to, and which become
QUEUED) and writes the result, inside the caller's transaction (which holds the
run's row lock, so writers of one run take turns).

`hand_on_line` decides which outputs go: executions of one node run concurrently
but hand their outputs on in the order they were created (upstream's
`NodeExecutionProgress`). Each keeps `handed_on` (outputs handed on so far) and
`drained` (ended, and all of them handed on); only the oldest execution of a
node that is not drained hands on, and when it ends, the next one hands on what
it wrote meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from apps.executions import sql
from apps.executions.compiled import CompiledGraph, CompiledNode
from apps.executions.models import FINAL_STATUSES, NodeExecution, NodeExecutionInput
from apps.executions.models import ExecutionStatus as S
from apps.executions.pairing import PendingExecution, SinkQueue, pair_outputs
from apps.executions.runner import Job, Output


@dataclass
class Propagation:
    touched: list[PendingExecution] = field(default_factory=list)
    # Newly QUEUED executions, in order: the first `claimed` of them were written already RUNNING
    # for the calling worker, the rest are to be sent to workers.
    queued: list[NodeExecution] = field(default_factory=list)
    claimed: list[NodeExecution] = field(default_factory=list)

    @property
    def to_send(self) -> list[NodeExecution]:
        return self.queued[len(self.claimed) :]


def _latest_inputs_from_database(run_id: Any) -> Callable[[SinkQueue], dict[str, Any]]:
    def latest_inputs(queue: SinkQueue) -> dict[str, Any]:
        if queue.latest_inputs is None:
            latest = (
                NodeExecution.objects.filter(graph_execution_id=run_id, node_id=queue.node.id)
                .exclude(status=S.INCOMPLETE)
                .order_by("-added_at", "-id")
                .first()
            )
            queue.latest_inputs = (
                dict(NodeExecutionInput.objects.filter(node_execution=latest).values_list("name", "data"))
                if latest is not None
                else {}
            )
        return queue.latest_inputs

    return latest_inputs


def load_queues(pending_ids: list[uuid.UUID], graph: CompiledGraph, sink_ids: list[str]) -> dict[str, SinkQueue]:
    """The sinks' queues from their INCOMPLETE executions (as `sql.queue_state` found them) and their inputs."""
    queues = {node_id: SinkQueue(node=graph.nodes[node_id]) for node_id in sink_ids}
    inputs: dict[Any, dict[str, Any]] = {}
    # Usually nothing is pending (a chain): then there is nothing to load.
    pending = list(NodeExecution.objects.filter(pk__in=pending_ids).order_by("added_at", "id")) if pending_ids else []
    if pending:
        for pk, name, data in NodeExecutionInput.objects.filter(node_execution__in=pending).values_list(
            "node_execution_id", "name", "data"
        ):
            inputs.setdefault(pk, {})[name] = data
    for row in pending:
        queues[str(row.node_id)].pending.append(PendingExecution(row=row, inputs=inputs.get(row.id, {})))
    return queues


def propagate_outputs(
    *,
    run_id: Any,
    graph: CompiledGraph,
    source: CompiledNode,
    outputs: list[tuple[str, Any]],
    queues: dict[str, SinkQueue],
    masks: dict[str, Any],
    claim: int = 0,
) -> Propagation:
    """Delivers `outputs` of `source` into `queues` and writes the result.

    The first `claim` executions that become QUEUED are written already claimed
    (RUNNING, attempt 1, leased) by the calling worker, which runs them next:
    no broker hop, no separate claim. If the worker dies first, their leases
    bring them back.
    """
    now = timezone.now()
    pairing = pair_outputs(
        run_id=run_id,
        source=source,
        outputs=outputs,
        queues=queues,
        masks=masks,
        latest_inputs=_latest_inputs_from_database(run_id),
        now=now,
    )
    result = Propagation(touched=pairing.touched, queued=[execution.row for execution in pairing.queued])
    for row in result.queued[:claim]:
        row.status, row.started_at, row.attempt = S.RUNNING, now, 1
        row.lease_expires_at = now + timedelta(seconds=settings.ENGINE_LEASE_SECONDS)
        result.claimed.append(row)
    _persist(pairing.touched, now)
    return result


def _persist(executions: list[PendingExecution], now: datetime) -> None:
    new_rows = [execution.row for execution in executions if execution.is_new]
    for offset, row in enumerate(new_rows):
        row.added_at = now + timedelta(microseconds=offset)
    sql.insert_rows(NodeExecution, new_rows)
    for execution in executions:
        if not execution.is_new and execution.row.status != S.INCOMPLETE:
            NodeExecution.objects.filter(pk=execution.row.pk, status=S.INCOMPLETE).update(
                status=execution.row.status,
                queued_at=execution.row.queued_at,
                input_data=execution.row.input_data,
                started_at=execution.row.started_at,
                attempt=execution.row.attempt,
                lease_expires_at=execution.row.lease_expires_at,
            )
    sql.insert_rows(
        NodeExecutionInput,
        [
            NodeExecutionInput(node_execution=execution.row, name=name, data=value, added_at=now)
            for execution in executions
            for name, value in execution.new_inputs.items()
        ],
    )
    for execution in executions:  # written: a later hand-on of the same walk adds only its own
        execution.is_new, execution.new_inputs = False, {}


# --- the hand-on of a node's line ---------------------------------------------------------


class SlotTaker(Protocol):
    """Where the hand-on takes slots for what it claims (the session's: `fairness.SessionSlots`)."""

    def take_up_to(self, wanted: int) -> int: ...

    def give(self, count: int) -> None: ...


def hand_on_line(
    *,
    run_id: Any,
    graph: CompiledGraph,
    node: CompiledNode,
    held: dict[uuid.UUID, Job],
    masks: dict[str, Any],
    stopping: bool,
    local: bool,
    slots: SlotTaker,
) -> list[Propagation]:
    """Hands on, in creation order, what `node`'s executions wrote: from the oldest that is not
    drained, as far as each one has ended (an execution still running stops the line).

    `held` are the caller's executions of the node, whose outputs it has in memory. With `local`,
    what becomes ready is claimed for the caller as far as the worker process has free slots (a
    chain never leaves the thread); the rest is to be sent. A stopping run hands nothing on.
    """
    sink_ids = sorted({link.sink_id for link in node.output_links})
    # One round trip finds the line and its sinks' pending executions; the queues, loaded when first
    # needed, then follow every hand-on of the walk in memory.
    state = sql.queue_state(run_id=run_id, pending_for=sink_ids, line_of=node.id)
    head = state.line[0] if state.line else None
    if head is None or (head.written == head.handed_on and head.status not in FINAL_STATUSES):
        return []  # the oldest execution runs on with nothing new: the line waits for it
    propagations: list[Propagation] = []
    drained: list[uuid.UUID] = []
    # What the walk writes is read by nobody before the group commits: it goes in as few round trips as the
    # walk's reads allow.
    with sql.pipelined():
        while True:
            queues: dict[str, SinkQueue] | None = None
            line = [entry for entry in state.line if entry.id not in drained]
            for entry in line:
                outputs = _unhanded(entry, held.get(entry.id)) if entry.written > entry.handed_on else []
                if outputs and sink_ids and not stopping:
                    if queues is None:
                        queues = load_queues(state.pending_ids, graph, sink_ids)
                    propagations.append(
                        _hand_on(
                            run_id=run_id,
                            graph=graph,
                            source=node,
                            outputs=outputs,
                            queues=queues,
                            masks=masks,
                            local=local,
                            slots=slots,
                        )
                    )
                if entry.status in FINAL_STATUSES:
                    drained.append(entry.id)
                    continue
                if outputs:
                    sql.set_handed_on(node_exec_id=entry.id, handed_on=entry.written, drained=False)
                break
            else:
                if len(line) == sql.HAND_ON_LINE:
                    _mark_drained(drained)
                    state = sql.queue_state(run_id=run_id, pending_for=sink_ids, line_of=node.id)
                    continue
            break
        _mark_drained(drained)
    return propagations


def _hand_on(
    *,
    run_id: Any,
    graph: CompiledGraph,
    source: CompiledNode,
    outputs: list[Output],
    queues: dict[str, SinkQueue],
    masks: dict[str, Any],
    local: bool,
    slots: SlotTaker,
) -> Propagation:
    granted = slots.take_up_to(len(outputs) * len(source.output_links) if local else 0)
    propagation = propagate_outputs(
        run_id=run_id, graph=graph, source=source, outputs=outputs, queues=queues, masks=masks, claim=granted
    )
    slots.give(granted - len(propagation.claimed))
    return propagation


def _unhanded(entry: sql.InLine, job: Job | None) -> list[Output]:
    """An execution's outputs from `handed_on` on: from memory where the caller has them."""
    if job is None or entry.handed_on < job.first_position:
        return sql.outputs_from(node_exec_id=entry.id, position=entry.handed_on)
    return job.produced[entry.handed_on - job.first_position :]


def _mark_drained(ids: list[uuid.UUID]) -> None:
    if ids:
        NodeExecution.objects.filter(pk__in=ids).update(drained=True)
        ids.clear()
