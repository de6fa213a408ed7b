"""When is a node execution ready, and with which input (upstream's `validate_exec`).

A linked pin always waits for its link, even when the node has a default for
it. Once every linked pin has a value: defaults are merged under the linked
values, the run's input masks for the node are applied, dynamic pins are
assembled, and the block's schema validates the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.blocks.base import BlockInputError
from apps.core.jsonsafe import json_safe
from apps.executions.compiled import CompiledNode
from apps.graphs.pins import DynamicPinError, merge_execution_input


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
    try:
        node.block.parse_input(merged)
    except BlockInputError as error:
        return NodeInput(error=f"Input data missing or mismatch for `{node.block.name}`: {error}")
    return NodeInput(data=json_safe(merged))
