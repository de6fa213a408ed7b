"""Crash safety: a killed worker, and the same task delivered twice, lose and duplicate nothing."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from unittest import mock

import pytest
from rest_framework.test import APIClient

from apps.executions.dispatch import send_node_executions
from apps.executions.models import ExecutionStatus, GraphExecution, NodeExecution, NodeExecutionOutput
from apps.executions.sweep import execution_sweep
from tests.graph_builders import COUNTDOWN_TIMER, STEP_THROUGH_ITEMS, STORE_VALUE, graph, link, node
from tests.runs import create_graph, execute
from tests.worker import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def slow_chain(length: int) -> dict:
    """StoreValues, with a one-second timer every tenth node so the chain takes a while."""
    nodes = []
    for index in range(length):
        if index % 10 == 5:
            nodes.append(node(COUNTDOWN_TIMER, {"seconds": 1}))
        else:
            nodes.append(node(STORE_VALUE, {"input": "start"} if index == 0 else {}))
    links = []
    for a, b in itertools.pairwise(nodes):
        source_pin = "output_message" if a["block_id"] == COUNTDOWN_TIMER else "output"
        sink_pin = "input_message" if b["block_id"] == COUNTDOWN_TIMER else "input"
        links.append(link(a, source_pin, b, sink_pin))
    return graph(nodes, links)


def sweep_until_finished(run_id: str, timeout: float = 90) -> GraphExecution:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = GraphExecution.objects.get(pk=run_id)
        if run.status in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.TERMINATED):
            return run
        execution_sweep()
        time.sleep(0.5)
    raise TimeoutError(f"run {run_id} did not finish after the crash")


def test_a_run_survives_its_worker_being_killed(
    auth_client: APIClient, celery_worker_process: Worker, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ENGINE_REQUEUE_AFTER_SECONDS = 1
    created = create_graph(auth_client, slow_chain(50))
    run_id = execute(auth_client, created)["id"]
    deadline = time.monotonic() + 30
    while NodeExecution.objects.filter(graph_execution_id=run_id, status="COMPLETED").count() < 12:
        assert time.monotonic() < deadline, "the run did not get going"
        time.sleep(0.05)

    celery_worker_process.kill()
    killed_at = NodeExecution.objects.filter(graph_execution_id=run_id, status="COMPLETED").count()
    celery_worker_process.start()
    run = sweep_until_finished(run_id)

    assert 12 <= killed_at < 50
    assert run.status == ExecutionStatus.COMPLETED
    executions = NodeExecution.objects.filter(graph_execution_id=run_id)
    per_node = Counter(executions.values_list("node_id", flat=True))
    assert len(per_node) == 50
    assert set(per_node.values()) == {1}
    assert set(executions.values_list("status", flat=True)) == {ExecutionStatus.COMPLETED}
    assert NodeExecutionOutput.objects.filter(node_execution__graph_execution_id=run_id).count() == 50
    assert run.node_count == 50


def test_a_task_delivered_twice_runs_once(auth_client: APIClient) -> None:
    items = node(STEP_THROUGH_ITEMS, {"items": [1, 2, 3]})
    sink = node(STORE_VALUE)
    created = create_graph(auth_client, graph([items, sink], [link(items, "item", sink, "input")]))

    def twice(executions):  # type: ignore[no-untyped-def]
        executions = list(executions)
        send_node_executions(executions)
        send_node_executions(executions)

    with mock.patch("apps.executions.services.send_node_executions", side_effect=twice):
        run_id = execute(auth_client, created)["id"]
    deadline = time.monotonic() + 30
    while GraphExecution.objects.get(pk=run_id).status != ExecutionStatus.COMPLETED:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # And once more, long after it finished.
    send_node_executions(NodeExecution.objects.filter(graph_execution_id=run_id))
    time.sleep(1)

    executions = NodeExecution.objects.filter(graph_execution_id=run_id)
    assert executions.count() == 4
    source = executions.get(node_id=created["nodes"][0]["id"])
    assert source.attempt == 1
    assert list(source.outputs.values_list("name", "data")) == [
        ("item", 1),
        ("key", 0),
        ("item", 2),
        ("key", 1),
        ("item", 3),
        ("key", 2),
    ]
    assert GraphExecution.objects.get(pk=run_id).node_count == 4


def test_a_node_killed_between_its_outputs_continues_after_the_ones_it_handed_on(
    auth_client: APIClient, celery_worker_process: Worker, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ENGINE_REQUEUE_AFTER_SECONDS = 1
    timer = node(COUNTDOWN_TIMER, {"input_message": "tick", "seconds": 1, "repeat": 3})
    store = node(STORE_VALUE)
    created = create_graph(auth_client, graph([timer, store], [link(timer, "output_message", store, "input")]))
    run_id = execute(auth_client, created)["id"]
    stores = NodeExecution.objects.filter(graph_execution_id=run_id, node_id=created["nodes"][1]["id"])
    deadline = time.monotonic() + 30
    while not stores.filter(status=ExecutionStatus.COMPLETED).exists():
        assert time.monotonic() < deadline, "the timer's first output was not handed on"
        time.sleep(0.05)

    celery_worker_process.kill()
    written_before = NodeExecutionOutput.objects.filter(node_execution__node_id=created["nodes"][0]["id"]).count()
    celery_worker_process.start()
    run = sweep_until_finished(run_id)

    assert written_before == 1
    assert run.status == ExecutionStatus.COMPLETED, run.error
    timer_execution = NodeExecution.objects.get(graph_execution_id=run_id, node_id=created["nodes"][0]["id"])
    assert timer_execution.attempt == 2
    assert list(timer_execution.outputs.values_list("position", "data")) == [(0, "tick"), (1, "tick"), (2, "tick")]
    assert stores.count() == 3
    assert set(stores.values_list("status", flat=True)) == {ExecutionStatus.COMPLETED}
    assert run.node_count == 4
