"""Sub-graphs: a node that runs another graph (an "agent") and re-emits its outputs."""

from __future__ import annotations

from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockExecutionError, BlockOutput, BlockType
from apps.blocks.schema import BlockSchema, BlockSchemaInput, SchemaField


class AgentExecutorBlock(Block):
    """Definition only: the execution engine starts the child graph and relays its outputs.

    Links into this node target the child graph's input names (they arrive in `inputs`);
    its outputs are the child's AgentOutput names, so the output schema declares none.
    """

    id = "e189baac-8c20-45a1-94a7-55177ea42565"
    description = "Executes an existing agent inside your agent"
    categories = frozenset({BlockCategory.AGENT})
    block_type = BlockType.AGENT

    class Input(BlockSchemaInput):
        user_id: str = SchemaField(description="User ID")
        graph_id: str = SchemaField(description="Graph ID")
        graph_version: int = SchemaField(description="Graph Version")
        agent_name: str | None = SchemaField(default=None, description="Name to display in the Builder UI")
        inputs: dict[str, Any] = SchemaField(description="Input data for the graph")
        input_schema: dict[str, Any] = SchemaField(description="Input schema for the graph")
        output_schema: dict[str, Any] = SchemaField(description="Output schema for the graph")
        nodes_input_masks: dict[str, dict[str, Any]] | None = SchemaField(default=None, hidden=True)

    # No `error` pin: it could clash with a child graph output named "error".
    class Output(BlockSchema):
        pass

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        raise BlockExecutionError(
            "AgentExecutorBlock cannot run on its own: sub-graphs are run by the execution engine as part of a graph."
        )
        yield  # pragma: no cover - makes this an async generator like every other block
