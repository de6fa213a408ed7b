from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, NodeExecution
from tests.graph_builders import (
    AGENT_INPUT,
    AGENT_OUTPUT,
    COUNTDOWN_TIMER,
    STEP_THROUGH_ITEMS,
    STORE_VALUE,
    graph,
    link,
    node,
)
from tests.processes import wait_until
from tests.runs import EventRecorder, create_graph, execute, outputs_of, run_details, wait_for_run
from tests.upstream_shapes import pointer, schema_errors

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


def test_executions_of_one_node_run_at_once_and_hand_on_in_the_order_they_were_created(
    auth_client: APIClient,
) -> None:
    # The timer of the first item waits longest, so the executions end in the reverse of their order.
    items = node(STEP_THROUGH_ITEMS, {"items": [2, 1, 0]})
    timer = node(COUNTDOWN_TIMER)
    seen = node(AGENT_OUTPUT, {"name": "seen"})
    links = [
        link(items, "item", timer, "input_message"),
        link(items, "item", timer, "seconds"),
        link(timer, "output_message", seen, "value"),
    ]
    created = create_graph(auth_client, graph([items, timer, seen], links))

    run = wait_for_run(execute(auth_client, created)["id"])

    assert run.status == ExecutionStatus.COMPLETED
    timers = list(
        NodeExecution.objects.filter(graph_execution=run, node_id=created["nodes"][1]["id"]).order_by("added_at")
    )
    assert [t.input_data["input_message"] for t in timers] == [2, 1, 0]
    assert [t.ended_at for t in timers] == sorted((t.ended_at for t in timers), reverse=True)
    assert max(t.started_at for t in timers) < min(t.ended_at for t in timers), "they ran one after another"
    outputs = NodeExecution.objects.filter(graph_execution=run, node_id=created["nodes"][2]["id"]).order_by("added_at")
    assert [o.input_data["value"] for o in outputs] == [2, 1, 0]
    assert run_details(auth_client, {"id": str(run.id), "graph_id": created["id"]})["outputs"] == {"seen": [2, 1, 0]}


def test_every_run_event_carries_the_outputs_empty_until_an_output_node_completes(auth_client: APIClient) -> None:
    source = node(AGENT_INPUT, {"name": "question"})
    chain = [node(STORE_VALUE) for _ in range(3)]  # a few steps, so the run has events before its output
    answer = node(AGENT_OUTPUT, {"name": "answer"})
    steps = [source, *chain, answer]
    links = [link(a, "result" if a is source else "output", b, "input") for a, b in itertools.pairwise(steps[:-1])]
    links.append(link(chain[-1], "output", answer, "value"))
    created = create_graph(auth_client, graph(steps, links))
    recorder = EventRecorder()
    try:
        run = wait_for_run(execute(auth_client, created, {"question": "hello"})["id"])
        wait_until(
            lambda: any(
                e["method"] == "graph_execution_event" and e["data"]["status"] == "COMPLETED"
                for e in recorder.for_run(str(run.id))
            ),
            timeout=5,
            what="the final run event",
        )
        events = sorted(recorder.for_run(str(run.id)), key=lambda e: e["data"]["seq"])
    finally:
        recorder.close()

    run_events = [e["data"] for e in events if e["method"] == "graph_execution_event"]
    assert len(run_events) >= 3
    for event in run_events:
        assert schema_errors(event, pointer("components", "schemas", "GraphExecution")) == [], event
    outputs = [event["outputs"] for event in run_events]
    # Empty until the Output node completes, its value from then on.
    assert outputs[0] == {}
    assert outputs == sorted(outputs, key=bool)
    assert set(map(str, outputs)) <= {"{}", str({"answer": ["hello"]})}
    [output_done] = [
        e["data"]["seq"]
        for e in events
        if e["method"] == "node_execution_event"
        and e["data"]["block_id"] == AGENT_OUTPUT
        and e["data"]["status"] == "COMPLETED"
    ]
    for event in run_events:
        assert event["outputs"] == ({} if event["seq"] < output_done else {"answer": ["hello"]}), event
    assert run_events[-1]["outputs"] == {"answer": ["hello"]}
