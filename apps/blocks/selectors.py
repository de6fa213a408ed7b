from __future__ import annotations

import json
from functools import cache
from typing import Any

from apps.blocks.base import Block
from apps.blocks.models import StoredValue
from apps.blocks.registry import all_blocks, get_block
from apps.core.exceptions import NotFoundError


@cache
def blocks_catalog_json() -> bytes:
    """The `/api/blocks` body, serialized once per process: it only changes with the code and settings."""
    from apps.credits.costs import block_costs

    catalog = [{**block.as_dict(), "costs": [cost.as_dict() for cost in block_costs(block)]} for block in all_blocks()]
    return json.dumps(catalog, separators=(",", ":")).encode()


def block_get(*, block_id: str) -> Block:
    block = get_block(block_id)
    if block is None:
        raise NotFoundError(f"Block #{block_id} not found.")
    return block


async def stored_value_get(*, user_id: str, key: str) -> Any:
    """The value stored for the user under `key`, or None."""
    stored = await StoredValue.objects.filter(user_id=user_id, key=key).only("data").afirst()
    return None if stored is None else stored.data
