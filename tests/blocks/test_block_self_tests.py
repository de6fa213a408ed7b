from __future__ import annotations

import uuid
from typing import Any

import pytest

from apps.blocks.base import Block
from apps.blocks.library.agent import AgentExecutorBlock
from apps.blocks.registry import all_blocks
from apps.blocks.testing import declares_self_test, execute_block_test
from tests.blocks.provider_worlds import provider_worlds


@pytest.mark.parametrize("block", all_blocks(), ids=lambda block: block.name)
async def test_block_passes_its_own_test(block: Block, settings: Any) -> None:
    if not declares_self_test(type(block)):
        pytest.skip(f"{block.name} declares no self-test (test_input/test_output are empty)")
    with provider_worlds(block, settings):
        await execute_block_test(type(block))


def test_block_ids_are_uuids() -> None:
    for block in all_blocks():
        assert str(uuid.UUID(block.id)) == block.id, block.name


def test_only_the_sub_graph_block_goes_without_a_self_test() -> None:
    untested = [block.name for block in all_blocks() if not declares_self_test(type(block))]

    assert untested == [AgentExecutorBlock.__name__]


async def test_running_the_self_test_of_a_block_without_one_is_refused() -> None:
    with pytest.raises(ValueError, match="AgentExecutorBlock declares no test_input/test_output"):
        await execute_block_test(AgentExecutorBlock)
