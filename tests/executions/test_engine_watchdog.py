"""Block steps that never give their thread back are still stopped (apps/executions/watchdog.py).

A worker of its own (`worker_on_own_queue`) with the holding blocks, two threads, a grace of
one second and recycling at two stuck threads. The tests run in order: the stuck threads add up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from apps.executions.runner import STOPPED, time_limit_message
from apps.executions.watchdog import RECYCLE_EXIT_STATUS
from tests.executions.holding_blocks import HoldingBlock, LongHoldingBlock, register
from tests.executions.test_engine_control import wait_until_running
from tests.graph_builders import AGENT_OUTPUT, STORE_VALUE, graph, link, node
from tests.runs import create_graph, execute, node_executions_of, outputs_of, wait_for_run
from tests.worker import Worker, worker_on_own_queue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def holding_worker(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    register()
    environment = {
        "ENGINE_WORKER_CONCURRENCY": "2",
        "ENGINE_STEP_GRACE_SECONDS": "1",
        "ENGINE_WORKER_MAX_STUCK_THREADS": "2",
    }
    with worker_on_own_queue(
        tmp_path_factory.mktemp("holding-worker") / "worker.log",
        environment,
        app="tests.executions.holding_worker_app",
    ) as worker:
        yield worker


def _holding_run(client: APIClient, block_id: str, how: str) -> dict:
    hold = node(block_id, {"how": how})
    after = node(STORE_VALUE)
    return execute(client, create_graph(client, graph([hold, after], [link(hold, "output", after, "input")])))


def _quick_run_completes(client: APIClient) -> None:
    start = node(STORE_VALUE, {"input": "still serving"})
    output = node(AGENT_OUTPUT, {"name": "out"})
    created = create_graph(client, graph([start, output], [link(start, "output", output, "value")]))
    run = wait_for_run(execute(client, created)["id"], timeout=15)
    assert run.status == ExecutionStatus.COMPLETED


def test_a_python_loop_that_never_awaits_is_interrupted_at_its_time_limit(
    auth_client: APIClient, holding_worker: Worker
) -> None:
    started = time.monotonic()
    run = wait_for_run(_holding_run(auth_client, HoldingBlock.id, "spin")["id"], timeout=30)

    assert run.status == ExecutionStatus.FAILED
    held = node_executions_of(str(run.id), HoldingBlock.id)[0]
    assert held.status == ExecutionStatus.FAILED
    assert outputs_of(held) == {"error": [time_limit_message("HoldingBlock", 2)]}
    assert time.monotonic() - started < 15
    assert "block_step_interrupted" in holding_worker.log()
    assert "block_step_abandoned" not in holding_worker.log()  # the thread came back by itself
    _quick_run_completes(auth_client)


def test_a_block_that_ignores_its_cancellation_is_left_behind_at_its_time_limit(
    auth_client: APIClient, holding_worker: Worker
) -> None:
    run = wait_for_run(_holding_run(auth_client, HoldingBlock.id, "deaf")["id"], timeout=30)

    assert run.status == ExecutionStatus.FAILED
    held = node_executions_of(str(run.id), HoldingBlock.id)[0]
    assert outputs_of(held) == {"error": [time_limit_message("HoldingBlock", 2)]}
    assert "block_step_abandoned" not in holding_worker.log()  # the loop was never held
    _quick_run_completes(auth_client)


def test_a_blocking_call_past_its_time_limit_is_abandoned_and_its_slot_freed(
    auth_client: APIClient, holding_worker: Worker
) -> None:
    run = wait_for_run(_holding_run(auth_client, HoldingBlock.id, "sleep")["id"], timeout=30)

    assert run.status == ExecutionStatus.FAILED
    held = node_executions_of(str(run.id), HoldingBlock.id)[0]
    assert held.status == ExecutionStatus.FAILED
    assert outputs_of(held) == {"error": [time_limit_message("HoldingBlock", 2)]}
    assert run.error.endswith(time_limit_message("HoldingBlock", 2))
    assert "block_step_abandoned" in holding_worker.log()
    # One of the worker's two threads sleeps on; the worker still serves, as it did.
    _quick_run_completes(auth_client)
    _quick_run_completes(auth_client)
    assert holding_worker.process is not None and holding_worker.process.poll() is None


def test_stopping_a_run_whose_block_holds_its_thread_terminates_it_and_recycles_the_worker(
    auth_client: APIClient, holding_worker: Worker
) -> None:
    run = _holding_run(auth_client, LongHoldingBlock.id, "sleep")
    wait_until_running(run["id"], LongHoldingBlock.id)
    time.sleep(0.5)

    started = time.monotonic()
    response = auth_client.post(f"/api/graphs/{run['graph_id']}/executions/{run['id']}/stop")

    assert response.status_code == 200
    assert response.json()["status"] == ExecutionStatus.TERMINATED
    assert time.monotonic() - started < 10
    held = node_executions_of(run["id"], LongHoldingBlock.id)[0]
    assert held.status == ExecutionStatus.TERMINATED
    assert outputs_of(held) == {}
    assert held.stats.get("error") == STOPPED
    # Two threads stuck now: the worker, holding nothing else, exits for its supervisor to restart it.
    assert holding_worker.process is not None
    assert holding_worker.process.wait(timeout=20) == RECYCLE_EXIT_STATUS
    assert "worker_recycled" in holding_worker.log()
