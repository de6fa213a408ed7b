"""Upstream's execution JSON, shared by the REST API and the websocket events.

Secrets never leave in it: the value of an Input or Output node marked `secret`
(where the run's inputs and outputs name it, and in that node's own data), and
every block input whose schema is marked secret, are shown as `SECRET_MASK`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.utils import timezone

from apps.blocks.base import Block, BlockType
from apps.executions.compiled import BlockUnavailableError, compiled_graph
from apps.executions.models import GraphExecution, NodeExecution
from apps.graphs.models import Graph

# As upstream shows a `SecretStr`.
SECRET_MASK = "**********"
# The pins carrying an Input or Output node's value, on the way in and on the way out.
_VALUE_PINS = {BlockType.INPUT: ("value", "result"), BlockType.OUTPUT: ("value", "output")}


@dataclass(frozen=True)
class _Masks:
    """What a graph version's run JSON hides (computed once per version: versions never change)."""

    names: frozenset[str] = frozenset()  # the run's input and output names whose value is secret
    inputs: dict[str, frozenset[str]] = field(default_factory=dict)  # node id → its input pins to hide
    outputs: dict[str, frozenset[str]] = field(default_factory=dict)  # node id → its output pins to hide


@lru_cache(maxsize=256)
def _masks(graph_id: str, version: int) -> _Masks:
    try:
        graph = compiled_graph(graph_id, version)
    except (Graph.DoesNotExist, BlockUnavailableError):
        return _Masks()
    names, inputs, outputs = set(), {}, {}
    for node in graph.nodes.values():
        hidden = set(_secret_fields(node.block))
        if node.block.block_type in _VALUE_PINS and node.input_default.get("secret") is True:
            value_in, value_out = _VALUE_PINS[node.block.block_type]
            names.add(str(node.input_default.get("name")))
            hidden.add(value_in)
            outputs[node.id] = frozenset({value_out})
        if hidden:
            inputs[node.id] = frozenset(hidden)
    return _Masks(names=frozenset(names), inputs=inputs, outputs=outputs)


def _secret_fields(block: Block) -> frozenset[str]:
    properties = block.Input.jsonschema().get("properties", {})
    return frozenset(name for name, prop in properties.items() if prop.get("secret"))


def _masked(values: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    if not names or not any(name in values for name in names):
        return values
    return {name: SECRET_MASK if name in names else value for name, value in values.items()}


def _masked_lists(values: dict[str, list[Any]], names: frozenset[str]) -> dict[str, list[Any]]:
    if not names or not any(name in values for name in names):
        return values
    return {name: [SECRET_MASK] * len(items) if name in names else items for name, items in values.items()}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def run_stats(run: GraphExecution) -> dict[str, Any]:
    """`GraphExecutionMeta.Stats`: the run's counters under upstream's names."""
    duration = 0.0 if run.started_at is None else ((run.ended_at or timezone.now()) - run.started_at).total_seconds()
    return {
        "cost": run.cost,
        "duration": duration,
        "duration_cpu_only": run.nodes_cputime,
        "node_exec_time": run.nodes_walltime,
        "node_exec_time_cpu_only": run.nodes_cputime,
        "node_exec_count": run.node_count,
        "node_error_count": run.node_error_count,
        "error": run.error or None,
        "activity_status": None,
        "correctness_score": None,
    }


def graph_execution_json(run: GraphExecution, *, outputs: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    """Upstream's `GraphExecutionMeta`, or with `outputs` its `GraphExecution` (what every websocket
    `graph_execution_event` carries: `{}` until an Output node completes)."""
    masks = _masks(str(run.graph_public_id), run.graph_version)
    body = {
        "id": str(run.id),
        "user_id": str(run.user_id),
        "graph_id": str(run.graph_public_id),
        "graph_version": run.graph_version,
        "inputs": _masked(run.inputs, masks.names) if isinstance(run.inputs, dict) else run.inputs,
        "credential_inputs": run.credential_inputs,
        "nodes_input_masks": run.nodes_input_masks or None,
        "preset_id": str(run.preset_id) if run.preset_id else None,
        "parent_graph_exec_id": str(run.parent_execution_id) if run.parent_execution_id else None,
        "status": run.status,
        # Upstream's timestamps are never null: a run not yet started "started" when it was created,
        # and one still going "ended" at its last change.
        "started_at": _iso(run.started_at or run.created_at),
        "ended_at": _iso(run.ended_at or run.updated_at or run.created_at),
        "stats": run_stats(run),
        "is_shared": run.is_shared,
        "share_token": str(run.share_token) if run.share_token else None,
    }
    if outputs is not None:
        body["outputs"] = _masked_lists(outputs, masks.names)
    return body


class RunIdentity(Protocol):
    """What a node execution's JSON needs of its run: a `GraphExecution` or the worker's cached `RunMeta`."""

    @property
    def id(self) -> Any: ...
    @property
    def user_id(self) -> Any: ...
    @property
    def graph_public_id(self) -> Any: ...
    @property
    def graph_version(self) -> int: ...


def node_execution_json(
    node_execution: NodeExecution,
    *,
    run: RunIdentity,
    block_id: str,
    input_data: dict[str, Any],
    output_data: dict[str, list[Any]],
) -> dict[str, Any]:
    node_id = str(node_execution.node_id)
    masks = _masks(str(run.graph_public_id), run.graph_version)
    input_data = _masked(input_data, masks.inputs.get(node_id, frozenset()))
    output_data = _masked_lists(output_data, masks.outputs.get(node_id, frozenset()))
    return {
        "user_id": str(run.user_id),
        "graph_id": str(run.graph_public_id),
        "graph_version": run.graph_version,
        "graph_exec_id": str(run.id),
        "node_exec_id": str(node_execution.id),
        "node_id": node_id,
        "block_id": block_id,
        "status": node_execution.status,
        "input_data": input_data,
        "output_data": output_data,
        "add_time": _iso(node_execution.added_at),
        "queue_time": _iso(node_execution.queued_at),
        "start_time": _iso(node_execution.started_at),
        "end_time": _iso(node_execution.ended_at),
        "stats": node_execution.stats or None,
    }


def node_execution_rest_json(node_execution: NodeExecution, run: GraphExecution) -> dict[str, Any]:
    """A stored node execution (inputs, outputs and node prefetched) in the event's shape."""
    input_data = node_execution.input_data or {item.name: item.data for item in node_execution.inputs.all()}
    output_data: dict[str, list[Any]] = {}
    for item in node_execution.outputs.all():
        output_data.setdefault(item.name, []).append(item.data)
    return node_execution_json(
        node_execution, run=run, block_id=node_execution.node.block_id, input_data=input_data, output_data=output_data
    )


def shared_run_json(run: GraphExecution, *, outputs: dict[str, list[Any]]) -> dict[str, Any]:
    """What anyone holding a run's share token sees: never its inputs, credentials or node details."""
    return {
        "id": str(run.id),
        "graph_name": run.graph.name,
        "graph_description": run.graph.description or None,
        "status": run.status,
        "created_at": run.created_at.isoformat(),
        "outputs": outputs,
    }
