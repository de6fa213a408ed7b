"""How a node's outputs pair up into its sinks' executions, on values in memory (no database).

For each output and each matching link, the value goes into the oldest
pending (INCOMPLETE) execution of the sink that lacks that pin, or a new one:
values arriving on different pins pair up first-in first-out. Static links
back-fill missing static pins from the sink's latest execution, and a value on
a static link also completes every pending execution still lacking it. An
execution whose linked pins are all present (a linked pin always waits, even
with a default) gets its input frozen (upstream's `validate_exec`: defaults
merged under the linked values, the run's masks applied, dynamic pins
assembled, the block's schema checked) and becomes QUEUED.

`propagation.propagate_outputs` loads the queues, applies `pair_outputs` and writes the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.blocks.base import BlockInputError
from apps.core.jsonsafe import json_safe
from apps.executions.compiled import CompiledNode
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import NodeExecution
from apps.graphs.pins import DynamicPinError, merge_execution_input, parse_execution_output


@dataclass(frozen=True)
class NodeInput:
    """`data` is set when the execution can run; `error` when its input can never be valid."""

    data: dict[str, Any] | None = None
    error: str | None = None
    waiting_for: frozenset[str] = frozenset()

    @property
    def ready(self) -> bool:
        return self.data is not None


def build_node_input(node: CompiledNode, linked: dict[str, Any], masks: dict[str, Any] | None = None) -> NodeInput:
    missing = node.linked_pins - linked.keys()
    if missing:
        return NodeInput(waiting_for=frozenset(missing))
    data = {**node.input_default, **linked, **(masks or {})}
    try:
        merged = merge_execution_input(data)
    except DynamicPinError as error:
        return NodeInput(error=str(error))
    if waiting := node.block.waiting_for(merged):
        return NodeInput(waiting_for=frozenset(waiting))
    try:
        node.block.parse_input(merged)
    except BlockInputError as error:
        return NodeInput(error=f"Input data missing or mismatch for `{node.block.name}`: {error}")
    return NodeInput(data=json_safe(merged))


def unvalidated_input(node: CompiledNode, linked: dict[str, Any], masks: dict[str, Any] | None) -> dict[str, Any]:
    """The input an execution whose input is invalid runs with, put together as a valid one is (masks
    applied, dynamic pins merged), so that its node fails with the validation error: without the masks
    it would fail for want of the run's credentials instead, and with its pins unmerged it could even
    pass validation on its defaults."""
    data = {**node.input_default, **linked, **(masks or {})}
    try:
        return json_safe(merge_execution_input(data))
    except DynamicPinError:
        return json_safe(data)


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
    # The inputs of the sink's latest execution past INCOMPLETE (static back-fill); None: not looked up yet.
    latest_inputs: dict[str, Any] | None = None


@dataclass
class Pairing:
    touched: list[PendingExecution] = field(default_factory=list)
    queued: list[PendingExecution] = field(default_factory=list)


def pair_outputs(
    *,
    run_id: Any,
    source: CompiledNode,
    outputs: list[tuple[str, Any]],
    queues: dict[str, SinkQueue],
    masks: dict[str, Any],
    latest_inputs: Callable[[SinkQueue], dict[str, Any]],
    now: datetime,
) -> Pairing:
    """Delivers `outputs` of `source` into the sinks' `queues` (changed in place): no database.

    `latest_inputs(queue)` gives a sink's latest inputs the first time a static
    pin needs back-filling.
    """
    result = Pairing()
    touched: dict[int, PendingExecution] = {}
    for pin, value in outputs:
        for link in source.output_links:
            matched, data = parse_execution_output(
                pin, value, link.source_name, sink_id=link.sink_id, sink_name=link.sink_name
            )
            if not matched:
                continue
            queue = queues[link.sink_id]
            target = next((p for p in queue.pending if link.sink_name not in p.inputs), None)
            if target is None:
                row = NodeExecution(graph_execution_id=run_id, node_id=queue.node.id, status=S.INCOMPLETE)
                target = PendingExecution(row=row, inputs={}, is_new=True)
                queue.pending.append(target)
            candidates = [target]
            if link.is_static:
                candidates += [p for p in queue.pending if p is not target and link.sink_name not in p.inputs]
            for execution in candidates:
                _give(execution, link.sink_name, json_safe(data))
                touched[id(execution)] = execution
                _try_queue(queue, execution, masks.get(queue.node.id), latest_inputs, now, result)
    result.touched = list(touched.values())
    return result


def _give(execution: PendingExecution, pin: str, value: Any) -> None:
    execution.inputs[pin] = value
    execution.new_inputs[pin] = value


def _try_queue(
    queue: SinkQueue,
    execution: PendingExecution,
    masks: dict[str, Any] | None,
    latest_inputs: Callable[[SinkQueue], dict[str, Any]],
    now: datetime,
    result: Pairing,
) -> None:
    for link in queue.node.static_links:
        if link.sink_name not in execution.inputs:
            latest = latest_inputs(queue)
            if link.sink_name in latest:
                _give(execution, link.sink_name, latest[link.sink_name])
    prepared = build_node_input(queue.node, execution.inputs, masks)
    if prepared.waiting_for:
        return
    # Invalid input still queues: the node then fails with the validation error as its output.
    execution.row.status = S.QUEUED
    execution.row.queued_at = now
    execution.row.input_data = (
        prepared.data if prepared.data is not None else unvalidated_input(queue.node, execution.inputs, masks)
    )
    queue.pending.remove(execution)
    queue.latest_inputs = dict(execution.inputs)
    result.queued.append(execution)
