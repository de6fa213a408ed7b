"""List blocks: create (optionally in chunks), add, find, get, remove, replace, test for emptiness."""

from __future__ import annotations

import builtins
import json
import math
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField

# Pins named `list` shadow the builtin inside the schema classes, hence `builtins.list` there.

# Upstream counts tokens with tiktoken's o200k encoding, whose tables are downloaded at
# run time; offline we estimate with the usual ~4 characters per token of English text.
CHARS_PER_TOKEN = 4


def estimate_tokens(value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value)
    return math.ceil(len(text) / CHARS_PER_TOKEN)


class CreateListBlock(Block):
    id = "a912d5c7-6e00-4542-b2a9-8034136930e4"
    description = (
        "Creates a list with the specified values. Use this when you know all the values you want to add upfront. "
        "This block can also yield the list in batches based on a maximum size or token limit."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        values: builtins.list[Any] = SchemaField(
            description="A list of values to be combined into a new list.",
            placeholder="e.g., ['Alice', 25, True]",
        )
        max_size: int | None = SchemaField(
            default=None,
            description="Maximum size of the list. If provided, the list will be yielded in chunks of this size.",
            advanced=True,
        )
        max_tokens: int | None = SchemaField(
            default=None,
            description="Maximum tokens for the list. If provided, the list will be yielded in chunks "
            "that fit within this token limit.",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        list: builtins.list[Any] = SchemaField(description="The created list containing the specified values.")

    test_input = [
        {"values": ["Alice", 25, True]},
        {"values": [1, 2, 3, "four", {"key": "value"}]},
        {"values": [1, 2, 3, 4, 5], "max_size": 2},
        {"values": ["aaaa", "bbbb", "cccc"], "max_tokens": 2},
        {"values": []},
    ]
    test_output = [
        ("list", ["Alice", 25, True]),
        ("list", [1, 2, 3, "four", {"key": "value"}]),
        ("list", [1, 2]),
        ("list", [3, 4]),
        ("list", [5]),
        ("list", ["aaaa", "bbbb"]),
        ("list", ["cccc"]),
        ("list", []),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        # 0 or None means "no limit", as upstream.
        max_size, max_tokens = input_data.max_size or 0, input_data.max_tokens or 0
        chunk: list[Any] = []
        chunk_tokens = 0
        for value in input_data.values:
            tokens = estimate_tokens(value) if max_tokens else 0
            too_many = max_size > 0 and len(chunk) + 1 > max_size
            too_long = max_tokens > 0 and chunk_tokens + tokens > max_tokens
            # A value longer than the whole budget still travels, alone in its chunk.
            if chunk and (too_many or too_long):
                yield "list", chunk
                chunk, chunk_tokens = [], 0
            chunk.append(value)
            chunk_tokens += tokens
        if chunk or not input_data.values:
            yield "list", chunk


class AddToListBlock(Block):
    id = "aeb08fc1-2fc1-4141-bc8e-f758f183a822"
    description = (
        "Adds a new entry to a list. The entry can be of any type. If no list is provided, a new one is created."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(
            default_factory=builtins.list,
            advanced=False,
            description="The list to add the entry to. If not provided, a new list will be created.",
        )
        entry: Any = SchemaField(
            description="The entry to add to the list. Can be of any type (string, int, dict, etc.).",
            advanced=False,
            default=None,
        )
        entries: builtins.list[Any] = SchemaField(
            default_factory=builtins.list,
            description="The entries to add to the list. This is the batch version of the `entry` field.",
            advanced=True,
        )
        position: int | None = SchemaField(
            default=None,
            description="The position to insert the new entry. If not provided, the entry will be appended "
            "to the end of the list.",
        )

    class Output(BlockSchemaOutput):
        updated_list: builtins.list[Any] = SchemaField(description="The list with the new entry added.")

    test_input = {"list": ["a", "b"], "entry": "e", "entries": ["f", "g"], "position": 1}
    test_output = [("updated_list", ["a", "f", "g", "e", "b"])]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        added = [*input_data.entries]
        if input_data.entry is not None:
            added.append(input_data.entry)
        current = input_data.list
        position = input_data.position
        if position is None:
            yield "updated_list", [*current, *added]
        else:
            yield "updated_list", [*current[:position], *added, *current[position:]]


class FindInListBlock(Block):
    id = "5e2c6d0a-1e37-489f-b1d0-8e1812b23333"
    description = "Finds the index of the value in the list."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to search in.")
        value: Any = SchemaField(description="The value to search for.")

    class Output(BlockSchemaOutput):
        index: int = SchemaField(description="The index of the value in the list.")
        found: bool = SchemaField(description="Whether the value was found in the list.")
        not_found_value: Any = SchemaField(description="The value that was not found in the list.")

    test_input = [{"list": [1, 2, 3, 4, 5], "value": 3}, {"list": [1, 2, 3, 4, 5], "value": 6}]
    test_output = [("index", 2), ("found", True), ("found", False), ("not_found_value", 6)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        if input_data.value in input_data.list:
            yield "index", input_data.list.index(input_data.value)
            yield "found", True
        else:
            yield "found", False
            yield "not_found_value", input_data.value


class GetListItemBlock(Block):
    id = "262ca24c-1025-43cf-a578-534e23234e97"
    description = "Returns the element at the given index."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to get the item from.")
        index: int = SchemaField(description="The 0-based index of the item (supports negative indices).")

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="The item at the specified index.")

    test_input = [{"list": [1, 2, 3], "index": 1}, {"list": [1, 2, 3], "index": -1}]
    test_output = [("item", 2), ("item", 3)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        try:
            item = input_data.list[input_data.index]
        except IndexError:
            yield "error", "Index out of range"
            return
        yield "item", item


class RemoveFromListBlock(Block):
    id = "d93c5a93-ac7e-41c1-ae5c-ef67e6e9b826"
    description = "Removes an item from a list by value or index."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to modify.")
        value: Any = SchemaField(default=None, description="Value to remove from the list.")
        index: int | None = SchemaField(
            default=None, description="Index of the item to pop (supports negative indices)."
        )
        return_item: bool = SchemaField(default=False, description="Whether to return the removed item.")

    class Output(BlockSchemaOutput):
        updated_list: builtins.list[Any] = SchemaField(description="The list after removal.")
        removed_item: Any = SchemaField(description="The removed item if requested.")

    test_input = [
        {"list": [1, 2, 3], "index": 1, "return_item": True},
        {"list": ["a", "b", "c"], "value": "b"},
    ]
    test_output = [("updated_list", [1, 3]), ("removed_item", 2), ("updated_list", ["a", "c"])]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        updated = [*input_data.list]
        if input_data.index is not None and -len(updated) <= input_data.index < len(updated):
            removed = updated.pop(input_data.index)
        elif input_data.index is None and input_data.value is not None and input_data.value in updated:
            updated.remove(input_data.value)
            removed = input_data.value
        else:
            yield "error", "Index or value not found"
            return
        yield "updated_list", updated
        if input_data.return_item:
            yield "removed_item", removed


class ReplaceListItemBlock(Block):
    id = "fbf62922-bea1-4a3d-8bac-23587f810b38"
    description = "Replaces an item at the specified index."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to modify.")
        index: int = SchemaField(description="Index of the item to replace (supports negative indices).")
        value: Any = SchemaField(description="The new value for the given index.")

    class Output(BlockSchemaOutput):
        updated_list: builtins.list[Any] = SchemaField(description="The list after replacement.")
        old_item: Any = SchemaField(description="The item that was replaced.")

    test_input = [{"list": [1, 2, 3], "index": 1, "value": 99}, {"list": ["a", "b"], "index": -1, "value": "c"}]
    test_output = [("updated_list", [1, 99, 3]), ("old_item", 2), ("updated_list", ["a", "c"]), ("old_item", "b")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        updated = [*input_data.list]
        try:
            old_item = updated[input_data.index]
        except IndexError:
            yield "error", "Index out of range"
            return
        updated[input_data.index] = input_data.value
        yield "updated_list", updated
        yield "old_item", old_item


class ListIsEmptyBlock(Block):
    id = "896ed73b-27d0-41be-813c-c1c1dc856c03"
    description = "Checks if a list is empty."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to check.")

    class Output(BlockSchemaOutput):
        is_empty: bool = SchemaField(description="True if the list is empty.")

    test_input = [{"list": []}, {"list": [1]}]
    test_output = [("is_empty", True), ("is_empty", False)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "is_empty", not input_data.list
