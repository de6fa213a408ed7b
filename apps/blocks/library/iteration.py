"""Iteration: emit each element of a list or dict as its own output."""

from __future__ import annotations

import json
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField

# Each element becomes a node execution downstream: bound the fan-out and the parsing work.
MAX_ITEMS = 10_000
MAX_ITEMS_STR_CHARS = 1024 * 1024

_PLACEHOLDER = "[1, 2, 3, 4, 5] or {'key1': 'value1', 'key2': 'value2'}"


def _parse_items_str(text: str) -> list[Any] | dict[str, Any]:
    if len(text) > MAX_ITEMS_STR_CHARS:
        raise ValueError(f"Input too large: {len(text)} characters > {MAX_ITEMS_STR_CHARS} characters")
    try:
        parsed = json.loads(text)
    except ValueError as error:
        raise ValueError(f"items_str is not valid JSON: {error}") from error
    if not isinstance(parsed, (list, dict)):
        raise ValueError(f"items_str must be a JSON list or object, not {type(parsed).__name__}")
    return parsed


class StepThroughItemsBlock(Block):
    id = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
    description = "Iterates over a list or dictionary and outputs each item."
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        items: list[Any] = SchemaField(
            advanced=False,
            description="The list or dictionary of items to iterate over",
            placeholder=_PLACEHOLDER,
            default_factory=list,
        )
        items_object: dict[str, Any] = SchemaField(
            advanced=False,
            description="The list or dictionary of items to iterate over",
            placeholder=_PLACEHOLDER,
            default_factory=dict,
        )
        items_str: str = SchemaField(
            advanced=False,
            description="The list or dictionary of items to iterate over",
            placeholder=_PLACEHOLDER,
            default="",
        )

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="The current item in the iteration")
        key: Any = SchemaField(description="The key or index of the current item in the iteration")

    test_input = {"items": [1, 2, 3, {"key1": "value1", "key2": "value2"}]}
    test_output = [
        ("item", 1),
        ("key", 0),
        ("item", 2),
        ("key", 1),
        ("item", 3),
        ("key", 2),
        ("item", {"key1": "value1", "key2": "value2"}),
        ("key", 3),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        collections: list[list[Any] | dict[str, Any]] = [input_data.items, input_data.items_object]
        if input_data.items_str:
            collections.append(_parse_items_str(input_data.items_str))
        # Checked before the first output, so a graph never sees a truncated iteration.
        total = sum(len(collection) for collection in collections)
        if total > MAX_ITEMS:
            raise ValueError(f"Too many items: {total} > {MAX_ITEMS}")

        for collection in collections:
            pairs = collection.items() if isinstance(collection, dict) else enumerate(collection)
            for key, item in pairs:
                yield "item", item
                yield "key", key
