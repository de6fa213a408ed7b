"""Handing a node's outputs to the nodes its links lead to (upstream's `_enqueue_next_nodes`).

For each output and each matching link, the value goes into the oldest
pending (INCOMPLETE) execution of the sink that lacks that pin, or a new one:
values arriving on different pins pair up first-in first-out. Static links
back-fill missing static pins from the sink's latest execution, and a value on
a static link also completes every pending execution still lacking it. An
execution whose linked pins are all present becomes QUEUED with its input
frozen; it is dispatched at once only if no other execution of that node is
queued or running in the run (one at a time, in order).

Runs inside the caller's transaction, holding the sinks' queue locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.jsonsafe import json_safe
from apps.executions import sql
from apps.executions.compiled import CompiledGraph, CompiledNode
from apps.executions.inputs import build_node_input
from apps.executions.locks import lock_node_queues
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import NodeExecution, NodeExecutionInput
from apps.executions.status import transition
from apps.graphs.pins import parse_execution_output


@dataclass(eq=False)
class PendingExecution:
    row: NodeExecution
    inputs: dict[str, Any]
    is_new: bool = False
    new_inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class SinkQueue:
    node: CompiledNode
    pending: list[PendingExecution] = field(default_factory=list)
    busy: bool = False  # an execution of this node is queued or running
    latest_inputs: dict[str, Any] | None = None
    first_queued: NodeExecution | None = None


@dataclass
class Propagation:
    queued: list[PendingExecution] = field(default_factory=list)
    dispatch: list[NodeExecution] = field(default_factory=list)
    touched: list[PendingExecution] = field(default_factory=list)
    # With `release_source`: the source node's next QUEUED execution, now that the source's current one ended.
    source_next: NodeExecution | None = None
    # With `claim_lone_successor`: the one execution to dispatch, written already RUNNING for this worker.
    claimed: NodeExecution | None = None


def _load_queues(run_id: Any, sinks: list[CompiledNode], source: CompiledNode | None) -> dict[str, SinkQueue]:
    queues = {node.id: SinkQueue(node=node) for node in sinks}
    if source is not None and source.id not in queues:
        queues[source.id] = SinkQueue(node=source)
    state = sql.queue_state(
        run_id=run_id,
        node_ids=list(queues),
        pending_for=[node.id for node in sinks],
        head_of=source.id if source is not None else None,
    )
    for node_id in state.busy:
        queues[node_id].busy = True
    if source is not None and state.head is not None:
        # All that is needed to claim it or send it to a worker.
        queues[source.id].first_queued = NodeExecution(
            id=state.head, graph_execution_id=run_id, node_id=source.id, status=S.QUEUED
        )
    pending_rows = state.pending
    inputs: dict[Any, dict[str, Any]] = {}
    if pending_rows:
        for item in NodeExecutionInput.objects.filter(node_execution__in=pending_rows).values_list(
            "node_execution_id", "name", "data"
        ):
            inputs.setdefault(item[0], {})[item[1]] = item[2]
    for row in pending_rows:
        queues[str(row.node_id)].pending.append(PendingExecution(row=row, inputs=inputs.get(row.id, {})))
    return queues


def _latest_inputs(run_id: Any, queue: SinkQueue) -> dict[str, Any]:
    """The inputs of the sink's latest execution past INCOMPLETE, the source of static back-fill."""
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


def _give(execution: PendingExecution, pin: str, value: Any) -> None:
    execution.inputs[pin] = value
    execution.new_inputs[pin] = value


def _try_queue(
    run_id: Any, queue: SinkQueue, execution: PendingExecution, masks: dict[str, Any], result: Propagation
) -> None:
    for link in queue.node.static_links:
        if link.sink_name not in execution.inputs:
            latest = _latest_inputs(run_id, queue)
            if link.sink_name in latest:
                _give(execution, link.sink_name, latest[link.sink_name])
    prepared = build_node_input(queue.node, execution.inputs, masks.get(queue.node.id))
    if not prepared.waiting_for:
        # Invalid input still queues: the node task then fails with the validation error as its output.
        execution.row.status = S.QUEUED
        execution.row.queued_at = timezone.now()
        execution.row.input_data = (
            prepared.data if prepared.ready else json_safe({**queue.node.input_default, **execution.inputs})
        )
        queue.pending.remove(execution)
        queue.latest_inputs = dict(execution.inputs)
        result.queued.append(execution)
        if not queue.busy:
            queue.busy = True
            result.dispatch.append(execution.row)


def propagate_outputs(
    *,
    run_id: Any,
    graph: CompiledGraph,
    source: CompiledNode,
    outputs: list[tuple[str, Any]],
    masks: dict[str, Any],
    release_source: bool = False,
    claim_lone_successor: bool = False,
) -> Propagation:
    """Delivers `outputs` of `source`.

    With `release_source` (the source's execution just ended), the source's
    queue is locked too, in the same ordered step, and its next QUEUED
    execution is returned to be dispatched. With `claim_lone_successor`, when
    exactly one new execution is to be dispatched (and no other), it is written
    already claimed by the calling worker, which runs it next: no broker hop,
    no separate claim. If the worker dies first, its lease brings it back.
    """
    deliveries = []
    for pin, value in outputs:
        for link in source.output_links:
            matched, data = parse_execution_output(pin, value, link.source_name)
            if matched:
                deliveries.append((link, json_safe(data)))
    result = Propagation()
    sinks = [graph.nodes[node_id] for node_id in sorted({link.sink_id for link, _ in deliveries})]
    lock_node_queues(run_id, [*([source.id] if release_source else []), *(node.id for node in sinks)])
    if not deliveries and not release_source:
        return result
    queues = _load_queues(run_id, sinks, source if release_source else None)
    if release_source:
        result.source_next = queues[source.id].first_queued
    touched: dict[int, PendingExecution] = {}
    for link, value in deliveries:
        queue = queues[link.sink_id]
        target = next((p for p in queue.pending if link.sink_name not in p.inputs), None)
        if target is None:
            target = PendingExecution(
                row=NodeExecution(graph_execution_id=run_id, node_id=queue.node.id, status=S.INCOMPLETE),
                inputs={},
                is_new=True,
            )
            queue.pending.append(target)
        candidates = [target]
        if link.is_static:
            candidates += [p for p in queue.pending if p is not target and link.sink_name not in p.inputs]
        for execution in candidates:
            _give(execution, link.sink_name, value)
            touched[id(execution)] = execution
            _try_queue(run_id, queue, execution, masks, result)
    result.touched = list(touched.values())
    lone = result.dispatch[0] if len(result.dispatch) == 1 and result.source_next is None else None
    if claim_lone_successor and lone is not None and any(p.row is lone and p.is_new for p in result.touched):
        now = timezone.now()
        lone.status, lone.started_at, lone.attempt = S.RUNNING, now, 1
        lone.lease_expires_at = now + timedelta(seconds=settings.ENGINE_LEASE_SECONDS)
        result.claimed = lone
    _persist(result.touched)
    return result


def _persist(executions: list[PendingExecution]) -> None:
    now = timezone.now()
    new_rows = [execution.row for execution in executions if execution.is_new]
    for offset, row in enumerate(new_rows):
        row.added_at = now + timedelta(microseconds=offset)
    sql.insert_rows(NodeExecution, new_rows)
    for execution in executions:
        if not execution.is_new and execution.row.status == S.QUEUED:
            transition(
                NodeExecution.objects.filter(pk=execution.row.pk),
                S.QUEUED,
                input_data=execution.row.input_data,
                queued_at=execution.row.queued_at,
            )
    sql.insert_rows(
        NodeExecutionInput,
        [
            NodeExecutionInput(node_execution=execution.row, name=name, data=value, added_at=now)
            for execution in executions
            for name, value in execution.new_inputs.items()
        ],
    )
