"""Key-value storage for graphs: values that outlive a run, per user, as upstream's `blocks/persistence.py`.

A value is kept for one agent (all its runs and versions) or across all of the user's agents;
the scope is part of the stored key, exactly as upstream builds it.
"""

from __future__ import annotations

from typing import Any, Literal

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.models import STORED_KEY_MAX_LENGTH
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.blocks.selectors import stored_value_get
from apps.blocks.services import stored_value_set

StorageScope = Literal["within_agent", "across_agents"]
SCOPE_DESCRIPTION = (
    "Scope of persistence: within_agent (shared across all runs of this agent) or "
    "across_agents (shared across all agents for this user)"
)


def storage_key(key: str, scope: StorageScope, graph_id: str) -> str:
    scoped = f"global#{key}" if scope == "across_agents" else f"agent#{graph_id}#{key}"
    if len(scoped) > STORED_KEY_MAX_LENGTH:
        raise ValueError(f"The key is too long: at most {STORED_KEY_MAX_LENGTH - 50} characters")
    return scoped


class PersistInformationBlock(Block):
    id = "1d055e55-a2b9-4547-8311-907d05b0304d"
    description = "Persist key-value information for the current user"
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        key: str = SchemaField(description="Key to store the information under")
        value: Any = SchemaField(description="Value to store")
        scope: StorageScope = SchemaField(description=SCOPE_DESCRIPTION, default="within_agent")

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="Value that was stored")

    test_input = {"key": "user_preference", "value": {"theme": "dark", "language": "en"}, "scope": "within_agent"}
    test_output = [("value", {"theme": "dark", "language": "en"})]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, user_id: str, graph_id: str, node_exec_id: str, **context: Any
    ) -> BlockOutput:
        key = storage_key(input_data.key, input_data.scope, graph_id)
        yield (
            "value",
            await stored_value_set(user_id=user_id, key=key, data=input_data.value, node_exec_id=node_exec_id),
        )


class RetrieveInformationBlock(Block):
    id = "d8710fc9-6e29-481e-a7d5-165eb16f8471"
    description = "Retrieve key-value information for the current user"
    categories = frozenset({BlockCategory.DATA})
    static_output = True

    class Input(BlockSchemaInput):
        key: str = SchemaField(description="Key to retrieve the information for")
        scope: StorageScope = SchemaField(description=SCOPE_DESCRIPTION, default="within_agent")
        default_value: Any = SchemaField(description="Default value to return if key is not found", default=None)

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="Retrieved value or default value")

    test_input = {
        "key": "user_preference",
        "scope": "within_agent",
        "default_value": {"theme": "light", "language": "en"},
    }
    test_output = [("value", {"theme": "light", "language": "en"})]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, user_id: str, graph_id: str, **context: Any
    ) -> BlockOutput:
        stored = await stored_value_get(user_id=user_id, key=storage_key(input_data.key, input_data.scope, graph_id))
        yield "value", input_data.default_value if stored is None else stored
