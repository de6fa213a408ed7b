"""Running one block outside a graph (POST /api/blocks/{id}/execute)."""

from __future__ import annotations

import asyncio
import math
import uuid
from typing import Any

from django.conf import settings

from apps.blocks.base import Block, BlockError, BlockExecutionError
from apps.core.exceptions import ApplicationError


class BlockTimeoutError(ApplicationError):
    code = "BLOCK_TIMEOUT"


def json_safe(value: Any) -> Any:
    """`value` with every non-finite float (a Calculator's `inf`) as the text JavaScript prints for it.

    JSON has no Infinity or NaN; strict renderers refuse them, so without this a valid
    block result would end as a server error.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


async def _collect(block: Block, input_data: dict[str, Any], context: dict[str, Any]) -> dict[str, list[Any]]:
    outputs: dict[str, list[Any]] = {}
    try:
        async for pin, value in block.execute(input_data, **context):
            outputs.setdefault(pin, []).append(json_safe(value))
    except BlockError:
        raise
    except Exception as error:
        # `execute` lets transient failures (its RetryPolicy's) through for the engine to retry;
        # inline there is no retry, so they are the caller's error like any other failure.
        raise BlockExecutionError(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__) from error
    return outputs


def block_execute_inline(*, block: Block, input_data: dict[str, Any], user_id: str) -> dict[str, list[Any]]:
    """`{pin: [values]}` of one execution, within the inline time limit. Raises `BlockError` as is."""
    context = {
        "user_id": user_id,
        "graph_id": "",
        "graph_version": 0,
        "graph_exec_id": "",
        "node_id": "",
        "node_exec_id": str(uuid.uuid4()),
    }
    limit = settings.BLOCK_INLINE_TIME_LIMIT_SECONDS
    try:
        return asyncio.run(asyncio.wait_for(_collect(block, input_data, context), timeout=limit))
    except TimeoutError as error:
        raise BlockTimeoutError(f"Block {block.name} did not finish within {limit:g} seconds") from error
