"""Branching: route a value to `yes_output` or `no_output`."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.conversion import can_convert_to, convert
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


class ComparisonOperator(enum.Enum):
    EQUAL = "=="
    NOT_EQUAL = "!="
    GREATER_THAN = ">"
    LESS_THAN = "<"
    GREATER_THAN_OR_EQUAL = ">="
    LESS_THAN_OR_EQUAL = "<="


_COMPARISONS: dict[ComparisonOperator, Callable[[Any, Any], bool]] = {
    ComparisonOperator.EQUAL: operator.eq,
    ComparisonOperator.NOT_EQUAL: operator.ne,
    ComparisonOperator.GREATER_THAN: operator.gt,
    ComparisonOperator.LESS_THAN: operator.lt,
    ComparisonOperator.GREATER_THAN_OR_EQUAL: operator.ge,
    ComparisonOperator.LESS_THAN_OR_EQUAL: operator.le,
}


def _numeric_if_possible(value: Any) -> Any:
    """Text from an LLM or a text input compares as a number when it is one ("10" > 5)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        return text


class ConditionBlock(Block):
    id = "715696a0-e1da-45c8-b209-c2fa9c3b0be6"
    description = "Handles conditional logic based on comparison operators"
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        value1: Any = SchemaField(
            description="Enter the first value for comparison", placeholder="For example: 10 or 'hello' or True"
        )
        operator: ComparisonOperator = SchemaField(
            description="Choose the comparison operator", placeholder="Select an operator"
        )
        value2: Any = SchemaField(
            description="Enter the second value for comparison", placeholder="For example: 20 or 'world' or False"
        )
        yes_value: Any = SchemaField(
            description="(Optional) Value to output if the condition is true. If not provided, value1 will be used.",
            placeholder="Leave empty to use value1, or enter a specific value",
            default=None,
        )
        no_value: Any = SchemaField(
            description="(Optional) Value to output if the condition is false. If not provided, value1 will be used.",
            placeholder="Leave empty to use value1, or enter a specific value",
            default=None,
        )

    class Output(BlockSchemaOutput):
        result: bool = SchemaField(description="The result of the condition evaluation (True or False)")
        yes_output: Any = SchemaField(description="The output value if the condition is true")
        no_output: Any = SchemaField(description="The output value if the condition is false")

    test_input = {"value1": 10, "operator": ">", "value2": 5, "yes_value": "Greater", "no_value": "Not greater"}
    test_output = [("result", True), ("yes_output", "Greater")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        value1 = _numeric_if_possible(input_data.value1)
        value2 = _numeric_if_possible(input_data.value2)
        try:
            result = bool(_COMPARISONS[input_data.operator](value1, value2))
        except TypeError as error:
            raise ValueError(
                f"Cannot compare {type(value1).__name__} {value1!r} with {type(value2).__name__} {value2!r} "
                f"using {input_data.operator.value}"
            ) from error

        yield "result", result
        # Upstream's code (not its field description) falls back to value2 on the "no" side.
        if result:
            yield "yes_output", input_data.yes_value if input_data.yes_value is not None else value1
        else:
            yield "no_output", input_data.no_value if input_data.no_value is not None else value2


class IfInputMatchesBlock(Block):
    id = "6dbbc4b3-ca6c-42b6-b508-da52d23e13f2"
    description = "Handles conditional logic based on comparison operators"
    categories = frozenset({BlockCategory.LOGIC})

    class Input(BlockSchemaInput):
        input: Any = SchemaField(
            description="The input to match against", placeholder="For example: 10 or 'hello' or True"
        )
        # Optional here (upstream: required) so that "no value" can be matched against: the
        # engine and the schema both read a null input as "not given".
        value: Any = SchemaField(
            description="The value to output if the input matches",
            placeholder="For example: 'Greater' or 20 or False",
            default=None,
            advanced=False,
        )
        yes_value: Any = SchemaField(
            description="The value to output if the input matches",
            placeholder="For example: 'Greater' or 20 or False",
            default=None,
        )
        no_value: Any = SchemaField(
            description="The value to output if the input does not match",
            placeholder="For example: 'Greater' or 20 or False",
            default=None,
        )

    class Output(BlockSchemaOutput):
        result: bool = SchemaField(description="The result of the condition evaluation (True or False)")
        yes_output: Any = SchemaField(description="The output value if the condition is true")
        no_output: Any = SchemaField(description="The output value if the condition is false")

    test_input = [
        {"input": 10, "value": 10, "yes_value": "Greater", "no_value": "Not greater"},
        {"input": 10, "value": 20, "yes_value": "Greater", "no_value": "Not greater"},
        {"input": 10, "value": None, "yes_value": "Yes", "no_value": "No"},
    ]
    test_output = [
        ("result", True),
        ("yes_output", "Greater"),
        ("result", False),
        ("no_output", "Not greater"),
        ("result", False),
        ("no_output", "No"),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        expected = input_data.value
        if expected is not None and input_data.input is not None and can_convert_to(type(input_data.input)):
            # Compare like with like: "10" from a text pin matches the number 10.
            expected = convert(expected, type(input_data.input))

        if input_data.input == expected:
            yield "result", True
            yield "yes_output", input_data.yes_value
        else:
            yield "result", False
            yield "no_output", input_data.no_value
