from __future__ import annotations

import math

import pytest

from apps.blocks.base import BlockExecutionError, BlockInputError
from apps.blocks.library.branching import ConditionBlock, IfInputMatchesBlock
from apps.blocks.library.maths import CalculatorBlock, CountItemsBlock
from tests.blocks.outputs import outputs_of


@pytest.mark.parametrize(
    ("value1", "operator", "value2", "expected"),
    [
        ("10", ">", "9", True),  # numbers, not text ("10" < "9" as strings)
        ("10", ">", 9, True),
        (" 2.5 ", "==", 2.5, True),
        ("007", "==", "7", True),
        (3, "<=", "3.0", True),
        ("10", "<", "9", False),
    ],
)
async def test_condition_compares_numeric_strings_as_numbers(value1, operator, value2, expected) -> None:
    outputs = await outputs_of(ConditionBlock, {"value1": value1, "operator": operator, "value2": value2})

    assert outputs[0] == ("result", expected)


async def test_condition_without_yes_value_forwards_the_coerced_value1() -> None:
    outputs = await outputs_of(ConditionBlock, {"value1": "42", "operator": ">", "value2": "0"})

    assert outputs == [("result", True), ("yes_output", 42.0)]


async def test_condition_without_no_value_forwards_value2_as_upstream_does() -> None:
    outputs = await outputs_of(ConditionBlock, {"value1": 1, "operator": "==", "value2": "2"})

    assert outputs == [("result", False), ("no_output", 2.0)]


async def test_condition_compares_non_numeric_text_as_text() -> None:
    outputs = await outputs_of(ConditionBlock, {"value1": " apple ", "operator": "<", "value2": "banana"})

    assert outputs == [("result", True), ("yes_output", "apple")]


async def test_condition_on_incomparable_values_fails_with_a_message() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(ConditionBlock, {"value1": "abc", "operator": ">", "value2": 5})

    assert str(raised.value) == "Cannot compare str 'abc' with int 5 using >"


async def test_condition_rejects_an_unknown_operator() -> None:
    with pytest.raises(BlockInputError) as raised:
        await outputs_of(ConditionBlock, {"value1": 1, "operator": "=>", "value2": 2})

    assert str(raised.value) == (
        "Unable to execute block with invalid input data: operator: Input should be '==', '!=', '>', '<', '>=' or '<='"
    )


async def test_if_input_matches_converts_the_value_to_the_input_type() -> None:
    outputs = await outputs_of(IfInputMatchesBlock, {"input": True, "value": "true", "yes_value": "y"})

    assert outputs == [("result", True), ("yes_output", "y")]


@pytest.mark.parametrize("b", [0, 0.0, "0"])
async def test_calculator_division_by_zero_is_infinity(b) -> None:
    outputs = await outputs_of(CalculatorBlock, {"operation": "Divide", "a": 1, "b": b})

    assert outputs == [("result", math.inf)]


@pytest.mark.parametrize(
    ("operation", "a", "b"),
    [("Power", -8, 0.5), ("Power", 10, 400), ("Multiply", 1e308, 10)],
)
async def test_calculator_other_arithmetic_failures_are_nan(operation, a, b) -> None:
    outputs = await outputs_of(CalculatorBlock, {"operation": operation, "a": a, "b": b, "round_result": True})

    assert len(outputs) == 1
    assert outputs[0][0] == "result"
    assert math.isnan(outputs[0][1])


async def test_calculator_coerces_numeric_strings_like_the_calculator_agent_needs() -> None:
    outputs = await outputs_of(CalculatorBlock, {"operation": "Add", "a": "8", "b": 34, "round_result": False})

    assert outputs == [("result", 42.0)]


async def test_calculator_rejects_text_that_is_no_number() -> None:
    with pytest.raises(BlockInputError) as raised:
        await outputs_of(CalculatorBlock, {"operation": "Add", "a": "eight", "b": 34})

    assert raised.value.field_errors == {"a": "Input should be a valid number, unable to parse string as a number"}


@pytest.mark.parametrize(("collection", "count"), [([], 0), ({"a": 1}, 1), ("héllo", 5), (True, -1), (3.5, -1)])
async def test_count_items(collection, count) -> None:
    assert await outputs_of(CountItemsBlock, {"collection": collection}) == [("count", count)]


async def test_if_input_matches_compares_a_numeric_string_with_a_number() -> None:
    data = {"input": 10, "value": "10", "yes_value": "Same number", "no_value": "Different"}

    assert await outputs_of(IfInputMatchesBlock, data) == [("result", True), ("yes_output", "Same number")]


@pytest.mark.parametrize(
    ("data", "result"),
    [
        ({"operation": "Divide", "a": 7, "b": 2, "round_result": True}, 4),
        ({"operation": "Subtract", "a": 1.5, "b": 4}, -2.5),
        ({"operation": "Multiply", "a": "3", "b": "-2"}, -6.0),
        ({"operation": "Power", "a": "2", "b": "10"}, 1024.0),
    ],
)
async def test_calculator_operations(data, result) -> None:
    assert await outputs_of(CalculatorBlock, data) == [("result", result)]
