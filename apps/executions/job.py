"""A claimed node execution, as a worker holds it while running it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from apps.executions.compiled import CompiledGraph, CompiledNode
from apps.executions.context import RunMeta
from apps.executions.events import EventBatch
from apps.executions.models import NodeExecution
from apps.executions.serialization import node_execution_json


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
