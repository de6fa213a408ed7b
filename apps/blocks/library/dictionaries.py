"""Dictionary blocks: create, look up, add, remove, replace, test for emptiness."""

from __future__ import annotations

import json
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField

_MISSING = object()


def _existing_key(dictionary: dict[Any, Any], key: str | int) -> Any:
    """The key as stored: values arrive as JSON, whose object keys are always strings."""
    if key in dictionary:
        return key
    if str(key) in dictionary:
        return str(key)
    return _MISSING


def _key_not_found(key: str | int) -> str:
    return f"Key '{key}' not found in dictionary"


class CreateDictionaryBlock(Block):
    id = "b924ddf4-de4f-4b56-9a85-358930dcbc91"
    description = (
        "Creates a dictionary with the specified key-value pairs. "
        "Use this when you know all the values you want to add upfront."
    )
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(
            description="Key-value pairs to create the dictionary with",
            placeholder="e.g., {'name': 'Alice', 'age': 25}",
        )

    class Output(BlockSchemaOutput):
        dictionary: dict[str, Any] = SchemaField(
            description="The created dictionary containing the specified key-value pairs"
        )

    test_input = [
        {"values": {"name": "Alice", "age": 25, "city": "New York"}},
        {"values": {"numbers": [1, 2, 3], "active": True, "score": 95.5}},
    ]
    test_output = [
        ("dictionary", {"name": "Alice", "age": 25, "city": "New York"}),
        ("dictionary", {"numbers": [1, 2, 3], "active": True, "score": 95.5}),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "dictionary", dict(input_data.values)


class FindInDictionaryBlock(Block):
    """Looks a key up in a dict, an index up in a list, or a key up in every dict of a list."""

    id = "0e50422c-6dee-4145-83d6-3a5a392f65de"
    description = (
        "A block that looks up a value in a dictionary, list, or object by key or index "
        "and returns the corresponding value."
    )
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        input: Any = SchemaField(description="Dictionary to lookup from")
        key: str | int = SchemaField(description="Key to lookup in the dictionary")

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="Value found for the given key")
        missing: Any = SchemaField(description="Value of the input that missing the key")

    test_input = [
        {"input": {"apple": 1, "banana": 2, "cherry": 3}, "key": "banana"},
        {"input": {"x": 10, "y": 20, "z": 30}, "key": "w"},
        {"input": [1, 2, 3], "key": 1},
        {"input": [1, 2, 3], "key": 3},
        {"input": [{"k1": "v1"}, {"k2": "v2"}, {"k1": "v3"}], "key": "k1"},
    ]
    test_output = [
        ("output", 2),
        ("missing", {"x": 10, "y": 20, "z": 30}),
        ("output", 2),
        ("missing", [1, 2, 3]),
        ("output", ["v1", "v3"]),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        container, key = input_data.input, input_data.key
        if isinstance(container, str):
            # Text that is not JSON has no keys: it is "missing", not an error.
            try:
                container = json.loads(container)
            except ValueError:
                container = None

        if isinstance(container, dict):
            found = _existing_key(container, key)
            if found is not _MISSING:
                yield "output", container[found]
                return
        elif isinstance(container, list) and isinstance(key, int):
            if 0 <= key < len(container):
                yield "output", container[key]
                return
        elif isinstance(container, list):
            yield "output", [item[key] for item in container if isinstance(item, dict) and key in item]
            return
        yield "missing", input_data.input


class AddToDictionaryBlock(Block):
    id = "31d1064e-7446-4693-a7d4-65e5ca1180d1"
    description = "Adds a new key-value pair to a dictionary. If no dictionary is provided, a new one is created."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(
            default_factory=dict,
            description="The dictionary to add the entry to. If not provided, a new dictionary will be created.",
            advanced=False,
        )
        key: str = SchemaField(
            default="", description="The key for the new entry.", placeholder="new_key", advanced=False
        )
        value: Any = SchemaField(
            default=None, description="The value for the new entry.", placeholder="new_value", advanced=False
        )
        entries: dict[Any, Any] = SchemaField(
            default_factory=dict,
            description="The entries to add to the dictionary. "
            "This is the batch version of the `key` and `value` fields.",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[Any, Any] = SchemaField(description="The dictionary with the new entry added.")

    test_input = [
        {"dictionary": {"existing_key": "existing_value"}, "key": "new_key", "value": "new_value"},
        {"key": "first_key", "value": "first_value"},
        {
            "dictionary": {"existing_key": "existing_value"},
            "entries": {"new_key": "new_value", "first_key": "first_value"},
        },
    ]
    test_output = [
        ("updated_dictionary", {"existing_key": "existing_value", "new_key": "new_value"}),
        ("updated_dictionary", {"first_key": "first_value"}),
        ("updated_dictionary", {"existing_key": "existing_value", "new_key": "new_value", "first_key": "first_value"}),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        updated = dict(input_data.dictionary)
        if input_data.key and input_data.value is not None:
            updated[input_data.key] = input_data.value
        updated.update(input_data.entries)
        yield "updated_dictionary", updated


class RemoveFromDictionaryBlock(Block):
    id = "46afe2ea-c613-43f8-95ff-6692c3ef6876"
    description = "Removes a key-value pair from a dictionary."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(description="The dictionary to modify.")
        key: str | int = SchemaField(description="Key to remove from the dictionary.")
        return_value: bool = SchemaField(default=False, description="Whether to return the removed value.")

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[Any, Any] = SchemaField(description="The dictionary after removal.")
        removed_value: Any = SchemaField(description="The removed value if requested.")

    test_input = [
        {"dictionary": {"a": 1, "b": 2, "c": 3}, "key": "b", "return_value": True},
        {"dictionary": {"x": "hello", "y": "world"}, "key": "x"},
    ]
    test_output = [
        ("updated_dictionary", {"a": 1, "c": 3}),
        ("removed_value", 2),
        ("updated_dictionary", {"y": "world"}),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        updated = dict(input_data.dictionary)
        found = _existing_key(updated, input_data.key)
        if found is _MISSING:
            yield "error", _key_not_found(input_data.key)
            return
        removed = updated.pop(found)
        yield "updated_dictionary", updated
        if input_data.return_value:
            yield "removed_value", removed


class ReplaceDictionaryValueBlock(Block):
    id = "27e31876-18b6-44f3-ab97-f6226d8b3889"
    description = "Replaces the value for a specified key in a dictionary."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(description="The dictionary to modify.")
        key: str | int = SchemaField(description="Key to replace the value for.")
        value: Any = SchemaField(description="The new value for the given key.")

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[Any, Any] = SchemaField(description="The dictionary after replacement.")
        old_value: Any = SchemaField(description="The value that was replaced.")

    test_input = [
        {"dictionary": {"a": 1, "b": 2, "c": 3}, "key": "b", "value": 99},
        {"dictionary": {"x": "hello", "y": "world"}, "key": "y", "value": "universe"},
    ]
    test_output = [
        ("updated_dictionary", {"a": 1, "b": 99, "c": 3}),
        ("old_value", 2),
        ("updated_dictionary", {"x": "hello", "y": "universe"}),
        ("old_value", "world"),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        updated = dict(input_data.dictionary)
        found = _existing_key(updated, input_data.key)
        if found is _MISSING:
            yield "error", _key_not_found(input_data.key)
            return
        old_value, updated[found] = updated[found], input_data.value
        yield "updated_dictionary", updated
        yield "old_value", old_value


class DictionaryIsEmptyBlock(Block):
    id = "a3cf3f64-6bb9-4cc6-9900-608a0b3359b0"
    description = "Checks if a dictionary is empty."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(description="The dictionary to check.")

    class Output(BlockSchemaOutput):
        is_empty: bool = SchemaField(description="True if the dictionary is empty.")

    test_input = [{"dictionary": {}}, {"dictionary": {"a": 1}}]
    test_output = [("is_empty", True), ("is_empty", False)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "is_empty", not input_data.dictionary
