from __future__ import annotations

import enum
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput, BlockType
from apps.blocks.conversion import convert
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


class StoreValueBlock(Block):
    id = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
    description = "This block forwards an input value as output, allowing reuse without change."
    categories = frozenset({BlockCategory.BASIC})
    static_output = True

    class Input(BlockSchemaInput):
        input: Any = SchemaField(
            description="Trigger the block to produce the output. The value is only used when `data` is None."
        )
        data: Any = SchemaField(
            description="The constant data to be retained in the block. This value is passed as `output`.",
            default=None,
        )

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The stored data retained in the block.")

    test_input = [{"input": "Hello, World!"}, {"input": "Hello, World!", "data": "Existing Data"}]
    test_output = [("output", "Hello, World!"), ("output", "Existing Data")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "output", input_data.data or input_data.input


class PrintToConsoleBlock(Block):
    id = "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c"
    description = "Print the given text to the console, this is used for a debugging purpose."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="The data to print to the console.")

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The data printed to the console.")
        status: str = SchemaField(description="The status of the print operation.")

    test_input = {"text": "Hello, World!"}
    test_output = [("output", "Hello, World!"), ("status", "printed")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        print(">>>>> Print: ", input_data.text)
        yield "output", input_data.text
        yield "status", "printed"


class NoteBlock(Block):
    """A comment on the canvas. The engine never runs it."""

    id = "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc"
    description = "This block is used to display a sticky note with the given text."
    categories = frozenset({BlockCategory.BASIC})
    block_type = BlockType.NOTE

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to display in the sticky note.")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The text to display in the sticky note.")

    test_input = {"text": "Hello, World!"}
    test_output = [("output", "Hello, World!")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "output", input_data.text


class TypeOptions(enum.Enum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    DICTIONARY = "dictionary"


_PYTHON_TYPES: dict[TypeOptions, type] = {
    TypeOptions.STRING: str,
    TypeOptions.NUMBER: float,
    TypeOptions.BOOLEAN: bool,
    TypeOptions.LIST: list,
    TypeOptions.DICTIONARY: dict,
}


class UniversalTypeConverterBlock(Block):
    id = "95d1b990-ce13-4d88-9737-ba5c2070c97b"
    description = "This block is used to convert a value to a universal type."
    categories = frozenset({BlockCategory.BASIC})

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to convert to a universal type.")
        type: TypeOptions = SchemaField(description="The type to convert the value to.")

    class Output(BlockSchemaOutput):
        value: Any = SchemaField(description="The converted value.")

    test_input = [
        {"value": "42.5", "type": "number"},
        {"value": {"a": 1}, "type": "string"},
        {"value": "true", "type": "boolean"},
        {"value": "[1, 2]", "type": "list"},
        {"value": "plain text", "type": "list"},
        {"value": ["x", "y"], "type": "dictionary"},
        {"value": "not a number", "type": "number"},
    ]
    test_output = [
        ("value", 42.5),
        ("value", '{"a": 1}'),
        ("value", True),
        ("value", [1, 2]),
        ("value", ["plain text"]),
        ("value", {"0": "x", "1": "y"}),
        ("value", 0.0),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "value", convert(input_data.value, _PYTHON_TYPES[input_data.type])
