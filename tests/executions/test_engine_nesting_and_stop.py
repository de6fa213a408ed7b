"""Sub-graph depth at run time, stopping deep runs, and stopping while Redis is down."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.executions.models import ExecutionStatus, GraphExecution, NodeExecution
from apps.executions.services import execution_stop
from apps.executions.subgraphs import depth_exceeded_message
from apps.graphs.models import Graph
from config.embedded import start_redis_server, stop_redis_server
from tests.executions.test_engine_control import child_graph, timer_graph, wait_until_running
from tests.graph_builders import AGENT_EXECUTOR, AGENT_OUTPUT, COUNTDOWN_TIMER, STORE_VALUE, graph, link, node
from tests.processes import free_port
from tests.realtime.conftest import access_token
from tests.runs import create_graph, execute, node_executions_of, wait_for_run
from tests.web import daphne
from tests.worker import database_url_for_workers

pytestmark = [pytest.mark.django_db(transaction=True)]


def _timer_then_agent(client: APIClient) -> dict:
    child = child_graph(client)
    start = node(STORE_VALUE, {"input": "otters"})
    timer = node(COUNTDOWN_TIMER, {"seconds": 2})
    agent = node(
        AGENT_EXECUTOR,
        {
            "graph_id": child["id"],
            "graph_version": child["version"],
            "input_schema": child["input_schema"],
            "output_schema": child["output_schema"],
            "inputs": {},
        },
    )
    final = node(AGENT_OUTPUT, {"name": "final"})
    links = [
        link(start, "output", timer, "input_message"),
        link(timer, "output_message", agent, "topic"),
        link(agent, "summary", final, "value"),
    ]
    return create_graph(client, graph([start, timer, agent, final], links, name="parent"))


@pytest.mark.usefixtures("celery_worker_process")
def test_an_agent_node_past_the_depth_limit_fails_at_run_time(auth_client: APIClient) -> None:
    parent = _timer_then_agent(auth_client)
    run = execute(auth_client, parent)
    wait_until_running(run["id"], COUNTDOWN_TIMER)
    # As if this run were already a sub-run at the deepest level allowed.
    GraphExecution.objects.filter(pk=run["id"]).update(depth=settings.SUB_GRAPH_MAX_DEPTH)

    finished = wait_for_run(run["id"], timeout=20)

    agent = node_executions_of(run["id"], AGENT_EXECUTOR)[0]
    assert agent.status == ExecutionStatus.FAILED
    message = depth_exceeded_message(settings.SUB_GRAPH_MAX_DEPTH + 1)
    assert agent.outputs.get().data == message
    assert "SUB_GRAPH_MAX_DEPTH" in message
    assert finished.status == ExecutionStatus.FAILED
    assert not GraphExecution.objects.filter(parent_execution_id=run["id"]).exists()


@pytest.mark.usefixtures("celery_worker_process")
def test_a_sub_run_records_its_depth(auth_client: APIClient) -> None:
    run = wait_for_run(execute(auth_client, _timer_then_agent(auth_client))["id"], timeout=20)

    assert run.status == ExecutionStatus.COMPLETED
    assert run.depth == 0
    assert GraphExecution.objects.get(parent_execution=run).depth == 1


def test_stopping_a_run_with_deeply_nested_sub_runs_stops_them_all(auth_client: APIClient) -> None:
    # Deeper than Python's recursion limit: a stop that recursed per level would fail.
    levels = 1500
    created = create_graph(auth_client, timer_graph(1))
    stored = Graph.objects.get(graph_id=created["id"], version=created["version"])
    runs = [
        GraphExecution(
            graph=stored,
            graph_public_id=stored.graph_id,
            graph_version=stored.version,
            user=stored.user,
            status=ExecutionStatus.RUNNING,
            depth=level,
        )
        for level in range(levels)
    ]
    for parent, child in itertools.pairwise(runs):
        child.parent_execution = parent
    for run in runs:  # one by one: each names the one above it
        run.save()
    timer = stored.nodes.get(block_id=COUNTDOWN_TIMER)
    NodeExecution.objects.create(graph_execution=runs[-1], node=timer, status=ExecutionStatus.QUEUED)

    stopped = execution_stop(run=runs[0], wait_seconds=0)

    assert stopped.status == ExecutionStatus.TERMINATED
    assert set(GraphExecution.objects.filter(pk__in=[run.pk for run in runs]).values_list("status", flat=True)) == {
        ExecutionStatus.TERMINATED
    }
    assert NodeExecution.objects.get(graph_execution=runs[-1]).status == ExecutionStatus.TERMINATED


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite") or not os.environ.get("DATABASE_URL"),
    reason="counts the web process's connections on PostgreSQL",
)
def test_stop_while_redis_hangs_answers_503_and_holds_no_connection_while_it_waits(
    auth_client: APIClient, user: User, tmp_path: Path
) -> None:
    run = GraphExecution.objects.create(
        graph=(stored := Graph.objects.get(pk=_stored_graph_pk(auth_client))),
        graph_public_id=stored.graph_id,
        graph_version=stored.version,
        user=user,
        status=ExecutionStatus.RUNNING,
    )
    redis_port = free_port()
    redis = start_redis_server(port=redis_port, data_dir=tmp_path / "redis")
    name = f"stopweb{os.getpid()}"
    try:
        with daphne(
            tmp_path / "daphne.log",
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            DATABASE_URL=f"{database_url_for_workers()}?application_name={name}",
        ) as web:
            # Stopped, not gone: connections are accepted and never answered, so callers wait.
            os.kill(redis.pid, signal.SIGSTOP)
            samples: list[tuple[float, int]] = []
            done = threading.Event()

            def watch() -> None:
                while not done.is_set():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name])
                        samples.append((time.monotonic(), cursor.fetchone()[0]))
                    time.sleep(0.05)
                connection.close()

            watcher = threading.Thread(target=watch)
            watcher.start()
            started = time.monotonic()
            try:
                response = httpx.post(
                    f"{web.http}/api/graphs/{stored.graph_id}/executions/{run.pk}/stop",
                    headers={"Authorization": f"Bearer {access_token(user)}"},
                    timeout=60,
                )
            finally:
                answered = time.monotonic()
                done.set()
                watcher.join()
    finally:
        os.kill(redis.pid, signal.SIGCONT)
        stop_redis_server(redis)

    assert response.status_code == 503, response.text
    assert response.json()["message"] == "Redis is unreachable; retry shortly."
    assert response.headers["Retry-After"] == "5"
    # The web waited for Redis (its client's 5 s timeout), and held no database connection meanwhile.
    assert answered - started >= 4
    waiting = [count for moment, count in samples if answered - 3.5 <= moment <= answered - 0.3]
    assert waiting and max(waiting) == 0, samples
    run.refresh_from_db()
    assert run.stop_requested_at is None  # nothing changed: the client retries


def _stored_graph_pk(client: APIClient) -> int:
    created = create_graph(client, timer_graph(1))
    return Graph.objects.get(graph_id=created["id"], version=created["version"]).pk
