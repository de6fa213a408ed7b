"""Stop, time limits, retries and sub-graphs, with a real worker."""

from __future__ import annotations

import http.server
import threading
import time

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, GraphExecution, NodeExecution
from tests.graph_builders import (
    AGENT_EXECUTOR,
    AGENT_INPUT,
    AGENT_OUTPUT,
    COUNTDOWN_TIMER,
    FILL_TEXT_TEMPLATE,
    STORE_VALUE,
    graph,
    link,
    node,
)
from tests.processes import free_port
from tests.runs import create_graph, execute, node_executions_of, run_details, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]

SEND_WEB_REQUEST = "6595ae1f-b924-42cb-9a41-551a0611c4b4"


def timer_graph(seconds: int) -> dict:
    start = node(STORE_VALUE, {"input": "go"})
    timer = node(COUNTDOWN_TIMER, {"seconds": seconds})
    after = node(STORE_VALUE)
    return graph(
        [start, timer, after],
        [link(start, "output", timer, "input_message"), link(timer, "output_message", after, "input")],
    )


def wait_until_running(run_id: str, block_id: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if NodeExecution.objects.filter(graph_execution_id=run_id, node__block_id=block_id, status="RUNNING").exists():
            return
        time.sleep(0.05)
    raise TimeoutError(f"no {block_id} execution started running")


def test_stopping_a_running_run_cancels_its_block_and_terminates_it(auth_client: APIClient) -> None:
    created = create_graph(auth_client, timer_graph(5))
    run = execute(auth_client, created)
    wait_until_running(run["id"], COUNTDOWN_TIMER)

    started = time.monotonic()
    response = auth_client.post(f"/api/graphs/{created['id']}/executions/{run['id']}/stop")
    took = time.monotonic() - started

    assert response.status_code == 200
    assert response.json()["status"] == "TERMINATED"
    assert took < 4, "the block was not cancelled: the stop waited for the timer"
    timer = node_executions_of(run["id"], COUNTDOWN_TIMER)[0]
    assert timer.status == ExecutionStatus.TERMINATED
    assert node_executions_of(run["id"], STORE_VALUE)[1:] == []


def test_a_block_over_its_time_limit_fails_with_a_clear_message(auth_client: APIClient) -> None:
    created = create_graph(auth_client, timer_graph(30))

    run = wait_for_run(execute(auth_client, created)["id"], timeout=20)

    timer = node_executions_of(str(run.id), COUNTDOWN_TIMER)[0]
    assert timer.status == ExecutionStatus.FAILED
    assert timer.outputs.get().data == "Block CountdownTimerBlock exceeded its time limit of 6 seconds"
    assert run.status == ExecutionStatus.FAILED


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args: object) -> None:
        pass


def test_a_transient_failure_is_retried_then_succeeds(auth_client: APIClient) -> None:
    port = free_port()
    request = node(SEND_WEB_REQUEST, {"url": f"http://127.0.0.1:{port}/", "method": "GET"})
    output = node(AGENT_OUTPUT, {"name": "response"})
    created = create_graph(auth_client, graph([request, output], [link(request, "response", output, "value")]))

    run = execute(auth_client, created)
    # The first attempt finds nobody listening and goes back to the queue;
    # the server is up before the retry (1 s later).
    deadline = time.monotonic() + 10
    while not NodeExecution.objects.filter(graph_execution_id=run["id"], attempt=1, status="QUEUED").exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        finished = wait_for_run(run["id"], timeout=20)
    finally:
        server.shutdown()

    assert finished.status == ExecutionStatus.COMPLETED
    execution = node_executions_of(run["id"], SEND_WEB_REQUEST)[0]
    assert execution.attempt == 2
    assert [item["attempt"] for item in execution.stats["attempts"]] == [1]
    assert "ConnectError" in execution.stats["attempts"][0]["error"]
    assert run_details(auth_client, run)["outputs"] == {"response": [{"ok": True}]}


def child_graph(client: APIClient, *, timer_seconds: int = 0) -> dict:
    topic = node(AGENT_INPUT, {"name": "topic"})
    template = node(FILL_TEXT_TEMPLATE, {"format": "About {{t}}"})
    summary = node(AGENT_OUTPUT, {"name": "summary"})
    nodes, links = [topic, template, summary], [link(topic, "result", template, "values_#_t")]
    if timer_seconds:
        timer = node(COUNTDOWN_TIMER, {"seconds": timer_seconds})
        nodes.append(timer)
        links += [link(template, "output", timer, "input_message"), link(timer, "output_message", summary, "value")]
    else:
        links.append(link(template, "output", summary, "value"))
    return create_graph(client, graph(nodes, links, name="child"))


def parent_graph(client: APIClient, child: dict) -> dict:
    subject = node(AGENT_INPUT, {"name": "subject"})
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
    links = [link(subject, "result", agent, "topic"), link(agent, "summary", final, "value")]
    return create_graph(client, graph([subject, agent, final], links, name="parent"))


def test_a_sub_graph_runs_as_a_child_run_and_hands_back_its_outputs(auth_client: APIClient) -> None:
    parent = parent_graph(auth_client, child_graph(auth_client))

    run = wait_for_run(execute(auth_client, parent, {"subject": "otters"})["id"], timeout=20)

    details = run_details(auth_client, {"id": str(run.id), "graph_id": parent["id"]})
    assert run.status == ExecutionStatus.COMPLETED, details
    assert details["outputs"] == {"final": ["About otters"]}
    child = GraphExecution.objects.get(parent_execution=run)
    assert child.status == ExecutionStatus.COMPLETED
    agent = node_executions_of(str(run.id), AGENT_EXECUTOR)[0]
    assert agent.outputs.get().data == "About otters"
    # The parent counts its 3 nodes plus the child's 3.
    assert details["stats"]["node_exec_count"] == 6


def test_stopping_a_parent_stops_its_running_child_first(auth_client: APIClient) -> None:
    parent = parent_graph(auth_client, child_graph(auth_client, timer_seconds=5))
    run = execute(auth_client, parent, {"subject": "otters"})
    deadline = time.monotonic() + 10
    while not GraphExecution.objects.filter(parent_execution_id=run["id"]).exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = GraphExecution.objects.get(parent_execution_id=run["id"])
    wait_until_running(str(child.id), COUNTDOWN_TIMER)

    response = auth_client.post(f"/api/graphs/{parent['id']}/executions/{run['id']}/stop")

    child.refresh_from_db()
    assert child.status == ExecutionStatus.TERMINATED
    assert response.json()["status"] == "TERMINATED"
    assert child.ended_at <= GraphExecution.objects.get(pk=run["id"]).ended_at
