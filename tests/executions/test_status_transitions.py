"""Statuses only move along the transition table: a writer that lost a race moves nothing back."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.executions import sql
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import NodeExecution, NodeExecutionOutput
from apps.executions.services import execution_start
from apps.executions.status import transition
from apps.graphs.selectors import graph_get_for_user
from apps.graphs.services import graph_create
from apps.graphs.spec import GraphSpec
from tests.graph_builders import STORE_VALUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def execution(user: User) -> NodeExecution:
    spec = GraphSpec.from_payload({"nodes": [{"id": "a", "block_id": STORE_VALUE, "input_default": {"input": 1}}]})
    graph = graph_get_for_user(user=user, graph_id=graph_create(user=user, spec=spec).graph_id)
    # Not sent to the broker: a worker running it would move its status under the test.
    with mock.patch("apps.executions.services.send_node_executions"):
        run = execution_start(user=user, graph=graph, inputs={})
    return NodeExecution.objects.get(graph_execution=run)


@pytest.mark.parametrize(
    ("start", "target", "moves"),
    [
        (S.QUEUED, S.RUNNING, True),
        (S.RUNNING, S.COMPLETED, True),
        (S.RUNNING, S.QUEUED, True),  # the sweep, for an expired lease
        (S.COMPLETED, S.RUNNING, False),
        (S.COMPLETED, S.QUEUED, False),
        (S.COMPLETED, S.FAILED, False),
        (S.COMPLETED, S.TERMINATED, False),
        (S.TERMINATED, S.QUEUED, False),  # a stopped run is never resumed
        (S.TERMINATED, S.RUNNING, False),
        (S.FAILED, S.COMPLETED, False),
        (S.QUEUED, S.COMPLETED, False),
        (S.INCOMPLETE, S.TERMINATED, True),
    ],
)
def test_a_status_moves_only_along_the_table(execution: NodeExecution, start: str, target: str, moves: bool) -> None:
    NodeExecution.objects.filter(pk=execution.pk).update(status=start)

    moved = transition(NodeExecution.objects.filter(pk=execution.pk), target)

    execution.refresh_from_db()
    assert moved == (1 if moves else 0)
    assert execution.status == (target if moves else start)


@pytest.mark.parametrize(("attempt", "ours"), [(2, True), (1, False)])
def test_an_end_writes_its_last_outputs_only_if_the_claim_is_still_ours(
    execution: NodeExecution, attempt: int, ours: bool
) -> None:
    # The execution was claimed again (attempt 2) after the first claim's lease expired.
    NodeExecution.objects.filter(pk=execution.pk).update(status=S.RUNNING, attempt=2)
    outputs = [
        NodeExecutionOutput(
            node_execution_id=execution.pk, name="output", data=data, position=position, added_at=timezone.now()
        )
        for position, data in enumerate([None, {"a": [1, "b"]}, "text"])
    ]

    ended = sql.end_node_execution(
        node_exec_id=execution.pk,
        attempt=attempt,
        status=S.COMPLETED,
        ended_at=timezone.now(),
        stats={},
        drained=False,
        outputs=outputs,
    )

    execution.refresh_from_db()
    written = list(execution.outputs.order_by("position").values_list("data", flat=True))
    assert ended is ours
    assert execution.status == (S.COMPLETED if ours else S.RUNNING)
    assert written == ([None, {"a": [1, "b"]}, "text"] if ours else [])
