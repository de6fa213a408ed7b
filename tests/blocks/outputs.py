"""Run a block the way the engine does (validation, output checks, error mapping) and collect its outputs."""

from __future__ import annotations

from typing import Any

from apps.blocks.base import Block
from apps.blocks.testing import random_context


async def outputs_of(block_class: type[Block], input_data: dict[str, Any], **context: Any) -> list[tuple[str, Any]]:
    block = block_class()
    return [output async for output in block.execute(input_data, **{**random_context(), **context})]
