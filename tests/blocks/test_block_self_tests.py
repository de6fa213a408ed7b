from __future__ import annotations

import pytest

from apps.blocks.base import Block
from apps.blocks.registry import all_blocks
from apps.blocks.testing import execute_block_test


@pytest.mark.parametrize("block", all_blocks(), ids=lambda block: block.name)
async def test_block_passes_its_own_test(block: Block) -> None:
    await execute_block_test(type(block))


def test_block_ids_are_uuids() -> None:
    import uuid

    for block in all_blocks():
        assert str(uuid.UUID(block.id)) == block.id, block.name
