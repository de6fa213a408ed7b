"""Arithmetic on two numbers, and counting the items of a collection."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


class Operation(enum.Enum):
    ADD = "Add"
    SUBTRACT = "Subtract"
    MULTIPLY = "Multiply"
    DIVIDE = "Divide"
    POWER = "Power"


_OPERATIONS: dict[Operation, Callable[[float, float], Any]] = {
    Operation.ADD: operator.add,
    Operation.SUBTRACT: operator.sub,
    Operation.MULTIPLY: operator.mul,
    Operation.DIVIDE: operator.truediv,
    Operation.POWER: operator.pow,
}


class CalculatorBlock(Block):
    """Never fails: as upstream, division by zero gives `inf` and any other arithmetic error `nan`."""

    id = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
    description = "Performs a mathematical operation on two numbers."
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        operation: Operation = SchemaField(
            description="Choose the math operation you want to perform", placeholder="Select an operation"
        )
        a: float = SchemaField(description="Enter the first number (A)", placeholder="For example: 10")
        b: float = SchemaField(description="Enter the second number (B)", placeholder="For example: 5")
        round_result: bool = SchemaField(
            description="Do you want to round the result to a whole number?", default=False
        )

    class Output(BlockSchemaOutput):
        result: float = SchemaField(description="The result of your calculation")

    test_input = {"operation": "Add", "a": 10.0, "b": 5.0, "round_result": False}
    test_output = [("result", 15.0)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        if input_data.operation is Operation.DIVIDE and input_data.b == 0:
            yield "result", float("inf")
            return
        try:
            result = _OPERATIONS[input_data.operation](input_data.a, input_data.b)
            if isinstance(result, complex):  # a negative number to a fractional power
                raise ArithmeticError("complex result")
            if input_data.round_result:
                result = round(result)
        except (ArithmeticError, ValueError):
            result = float("nan")
        yield "result", result


class CountItemsBlock(Block):
    id = "3c9c2f42-b0c3-435f-ba35-05f7a25c772a"
    description = "Counts the number of items in a collection."
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        collection: Any = SchemaField(
            description="Enter the collection you want to count. This can be a list, dictionary, string, "
            "or any other iterable.",
            placeholder="For example: [1, 2, 3] or {'a': 1, 'b': 2} or 'hello'",
        )

    class Output(BlockSchemaOutput):
        count: int = SchemaField(description="The number of items in the collection")

    test_input = {"collection": [1, 2, 3, 4, 5]}
    test_output = [("count", 5)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        collection = input_data.collection
        # -1 rather than an error for a number or boolean, as upstream: graphs branch on it.
        yield "count", len(collection) if isinstance(collection, (str, list, tuple, set, dict)) else -1
