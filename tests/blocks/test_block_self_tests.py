from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from apps.accounts.models import User
from apps.blocks.base import Block
from apps.blocks.library.agent import AgentExecutorBlock
from apps.blocks.library.files import FileStoreBlock
from apps.blocks.library.persistence import PersistInformationBlock, RetrieveInformationBlock
from apps.blocks.registry import all_blocks
from apps.blocks.testing import declares_self_test, execute_block_test
from tests.fakes.all_providers import FakeProviders, fake_providers

STATEFUL_BLOCKS = (PersistInformationBlock, RetrieveInformationBlock, FileStoreBlock)


@pytest.fixture(scope="module")
def providers() -> Iterator[FakeProviders]:
    with fake_providers() as started:
        yield started


@pytest.mark.parametrize(
    "block", [b for b in all_blocks() if not isinstance(b, STATEFUL_BLOCKS)], ids=lambda block: block.name
)
async def test_block_passes_its_own_test(block: Block, providers: FakeProviders, settings: Any) -> None:
    # Integration blocks run their real code path against the fake providers (seeded with
    # upstream's sample data), not a mock.
    providers.reset()
    providers.apply(settings)
    if not declares_self_test(type(block)):
        pytest.skip(f"{block.name} declares no self-test (test_input/test_output are empty)")
    await execute_block_test(type(block))


@pytest.mark.parametrize("block_class", STATEFUL_BLOCKS, ids=lambda block_class: block_class.__name__)
def test_block_keeping_state_passes_its_own_test_on_the_database(block_class: type[Block], user: User) -> None:
    # Run from sync code so the async ORM shares the test's transaction (and its user).
    async_to_sync(execute_block_test)(block_class, user_id=str(user.id))


def test_block_ids_are_uuids() -> None:
    for block in all_blocks():
        assert str(uuid.UUID(block.id)) == block.id, block.name


def test_only_the_sub_graph_block_goes_without_a_self_test() -> None:
    untested = [block.name for block in all_blocks() if not declares_self_test(type(block))]

    assert untested == [AgentExecutorBlock.__name__]


async def test_running_the_self_test_of_a_block_without_one_is_refused() -> None:
    with pytest.raises(ValueError, match="AgentExecutorBlock declares no test_input/test_output"):
        await execute_block_test(AgentExecutorBlock)
