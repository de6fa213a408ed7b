"""Runs a block's own `test_input` against its `test_output`, as upstream's block self-test does.

Order and count of outputs are part of the contract: each yielded `(pin, value)`
is compared with the expected entry at the same position, which may be a value,
a type (isinstance) or a predicate.
"""

from __future__ import annotations

import uuid
from typing import Any

from apps.blocks.base import Block
from apps.credentials.fields import credentials_fields


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, type):
        return isinstance(actual, expected)
    if callable(expected):
        return bool(expected(actual))
    return bool(expected == actual)


def random_context() -> dict[str, Any]:
    return {
        "user_id": str(uuid.uuid4()),
        "graph_id": str(uuid.uuid4()),
        "graph_version": 1,
        "graph_exec_id": str(uuid.uuid4()),
        "node_id": str(uuid.uuid4()),
        "node_exec_id": str(uuid.uuid4()),
    }


def test_credentials_kwargs(block: Block) -> dict[str, Any]:
    """The block's `test_credentials` as the keyword arguments its credentials fields name."""
    fields = list(credentials_fields(block.Input))
    if block.test_credentials is None or not fields:
        return {}
    if isinstance(block.test_credentials, dict):
        return dict(block.test_credentials)
    return {fields[0]: block.test_credentials}


def declares_self_test(block_class: type[Block]) -> bool:
    """Blocks the engine runs itself (sub-graphs) have nothing to test here and declare neither side."""
    return bool(block_class.test_input) or bool(block_class.test_output)


async def execute_block_test(block_class: type[Block], **context: Any) -> None:
    """Runs the self-test; `context` replaces parts of the random run context (a real `user_id`)."""
    if not declares_self_test(block_class):
        raise ValueError(f"{block_class.__name__} declares no test_input/test_output")
    block = block_class()
    for name, replacement in block.test_mock.items():
        setattr(block, name, replacement)
    inputs = block.test_input if isinstance(block.test_input, list) else [block.test_input]
    credentials = test_credentials_kwargs(block)
    expected = list(block.test_output)
    produced: list[tuple[str, Any]] = []
    for input_data in inputs:
        async for pin, value in block.execute(input_data, **{**random_context(), **context}, **credentials):
            index = len(produced)
            produced.append((pin, value))
            if index >= len(expected):
                raise AssertionError(f"{block.name} produced output more than expected: {produced[len(expected) :]}")
            expected_pin, expected_value = expected[index]
            if pin != expected_pin or not _matches(expected_value, value):
                raise AssertionError(
                    f"{block.name} output #{index}: expected {expected[index]!r}, got {(pin, value)!r}"
                )
    if len(produced) < len(expected):
        raise AssertionError(f"{block.name} produced output less than expected: missing {expected[len(produced) :]}")
