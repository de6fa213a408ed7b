from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, NodeExecution
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, graph, link, node
from tests.processes import wait_until
from tests.runs import EventRecorder, create_graph, execute, outputs_of, run_details, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def test_input_flows_through_to_the_output(auth_client: APIClient) -> None:
    source = node(AGENT_INPUT, {"name": "question"})
    store = node(STORE_VALUE)
    answer = node(AGENT_OUTPUT, {"name": "answer"})
    created = create_graph(
        auth_client,
        graph(
            [source, store, answer], [link(source, "result", store, "input"), link(store, "output", answer, "value")]
        ),
    )

    started = execute(auth_client, created, {"question": "hello"})
    run = wait_for_run(started["id"])

    assert started["status"] == "QUEUED"
    assert run.status == ExecutionStatus.COMPLETED
    details = run_details(auth_client, started)
    assert details["outputs"] == {"answer": ["hello"]}
    assert [n["status"] for n in details["node_executions"]] == ["COMPLETED"] * 3
    assert details["stats"]["node_exec_count"] == 3


def test_a_linear_chain_runs_every_node_once(auth_client: APIClient) -> None:
    nodes = [node(STORE_VALUE, {"input": "start"})] + [node(STORE_VALUE) for _ in range(19)]
    links = [link(a, "output", b, "input") for a, b in itertools.pairwise(nodes)]
    created = create_graph(auth_client, graph(nodes, links))

    run = wait_for_run(execute(auth_client, created)["id"])

    assert run.status == ExecutionStatus.COMPLETED
    executions = NodeExecution.objects.filter(graph_execution=run)
    assert executions.count() == 20
    assert set(executions.values_list("status", flat=True)) == {ExecutionStatus.COMPLETED}
    last = executions.get(node_id=created["nodes"][-1]["id"])
    assert outputs_of(last) == {"output": ["start"]}


def test_events_of_a_node_go_queued_running_outputs_completed_with_increasing_seq(auth_client: APIClient) -> None:
    first = node(STORE_VALUE, {"input": 1})
    second = node(STORE_VALUE)
    created = create_graph(auth_client, graph([first, second], [link(first, "output", second, "input")]))
    recorder = EventRecorder()
    try:
        run = wait_for_run(execute(auth_client, created)["id"])
        wait_until(
            lambda: any(
                e["data"]["status"] == "COMPLETED" and e["method"] == "graph_execution_event"
                for e in recorder.for_run(str(run.id))
            ),
            timeout=5,
            what="the final run event",
        )
        events = recorder.for_run(str(run.id))
    finally:
        recorder.close()

    seqs = [event["data"]["seq"] for event in events]
    assert seqs == list(range(1, len(seqs) + 1))
    second_id = created["nodes"][1]["id"]
    node_events = [
        e["data"] for e in events if e["method"] == "node_execution_event" and e["data"]["node_id"] == second_id
    ]
    assert [e["status"] for e in node_events] == ["QUEUED", "RUNNING", "RUNNING", "COMPLETED"]
    assert node_events[2]["output_data"] == {"output": [1]}
    assert node_events[3]["output_data"] == {"output": [1]}
    graph_events = [e["data"] for e in events if e["method"] == "graph_execution_event"]
    assert graph_events[0]["status"] == "QUEUED"
    assert graph_events[-1]["status"] == "COMPLETED"
    assert graph_events[-1]["event_type"] == "graph_execution_update"
    assert node_events[0]["event_type"] == "node_execution_update"


def test_metrics_count_what_the_workers_did(auth_client: APIClient) -> None:
    first = node(STORE_VALUE, {"input": 1})
    second = node(STORE_VALUE)
    created = create_graph(auth_client, graph([first, second], [link(first, "output", second, "input")]))
    wait_for_run(execute(auth_client, created)["id"])
    wait_until(
        lambda: b'agpt_node_executions_finished_total{status="COMPLETED"} 2.0' in auth_client.get("/metrics").content,
        timeout=5,
        what="the workers' counters",
    )

    text = auth_client.get("/metrics").content.decode()

    assert 'agpt_node_execution_seconds_total{status="COMPLETED"}' in text
    assert "agpt_node_queue_waits_total 2.0" in text
