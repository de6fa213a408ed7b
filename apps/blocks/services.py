"""Running one block outside a graph (POST /api/blocks/{id}/execute)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from django.conf import settings

from apps.blocks.base import Block
from apps.core.exceptions import ApplicationError


class BlockTimeoutError(ApplicationError):
    code = "BLOCK_TIMEOUT"


async def _collect(block: Block, input_data: dict[str, Any], context: dict[str, Any]) -> dict[str, list[Any]]:
    outputs: dict[str, list[Any]] = {}
    async for pin, value in block.execute(input_data, **context):
        outputs.setdefault(pin, []).append(value)
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
