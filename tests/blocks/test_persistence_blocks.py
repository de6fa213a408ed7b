"""PersistInformation and RetrieveInformation on our key-value table, scoped as upstream scopes them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from apps.accounts.models import User
from apps.blocks.base import BlockExecutionError
from apps.blocks.library.persistence import PersistInformationBlock, RetrieveInformationBlock
from apps.blocks.models import StoredValue
from tests.blocks.outputs import outputs_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GRAPH = str(uuid.uuid4())
OTHER_GRAPH = str(uuid.uuid4())


def persist(user: User, graph_id: str, **input_data: Any) -> list[tuple[str, Any]]:
    return async_to_sync(outputs_of)(PersistInformationBlock, input_data, user_id=str(user.id), graph_id=graph_id)


def retrieve(user: User, graph_id: str, **input_data: Any) -> Any:
    outputs = async_to_sync(outputs_of)(RetrieveInformationBlock, input_data, user_id=str(user.id), graph_id=graph_id)
    assert [pin for pin, _ in outputs] == ["value"]
    return outputs[0][1]


def test_a_value_persisted_within_an_agent_is_read_back_by_that_agent_only(user: User) -> None:
    assert persist(user, GRAPH, key="base", value={"id": "app123"}) == [("value", {"id": "app123"})]

    assert retrieve(user, GRAPH, key="base") == {"id": "app123"}
    assert retrieve(user, OTHER_GRAPH, key="base", default_value="none") == "none"
    assert StoredValue.objects.get().key == f"agent#{GRAPH}#base"


def test_a_value_persisted_across_agents_is_seen_by_all_the_users_agents_and_no_other_user(user: User) -> None:
    persist(user, GRAPH, key="tone", value="formal", scope="across_agents")

    assert retrieve(user, OTHER_GRAPH, key="tone", scope="across_agents") == "formal"
    assert retrieve(user, OTHER_GRAPH, key="tone") is None
    assert retrieve(UserFactory(), GRAPH, key="tone", scope="across_agents", default_value=0) == 0


def test_persisting_again_replaces_the_value_and_records_the_writer(user: User) -> None:
    persist(user, GRAPH, key="count", value=1)
    async_to_sync(outputs_of)(
        PersistInformationBlock,
        {"key": "count", "value": 2},
        user_id=str(user.id),
        graph_id=GRAPH,
        node_exec_id="node-exec-2",
    )

    stored = StoredValue.objects.get()
    assert (stored.data, stored.node_exec_id) == (2, "node-exec-2")
    assert retrieve(user, GRAPH, key="count") == 2


def test_a_missing_key_gives_the_default_value(user: User) -> None:
    assert retrieve(user, GRAPH, key="never-set", default_value='"no base"') == '"no base"'
    assert retrieve(user, GRAPH, key="never-set") is None


def test_a_key_too_long_to_store_is_a_clear_error(user: User) -> None:
    with pytest.raises(BlockExecutionError, match="The key is too long"):
        persist(user, GRAPH, key="k" * 1000, value=1)
    assert not StoredValue.objects.exists()


def test_retrieve_has_static_output_as_upstream() -> None:
    assert RetrieveInformationBlock.static_output is True
    assert PersistInformationBlock.static_output is False
