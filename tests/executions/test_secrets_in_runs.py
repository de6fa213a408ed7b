"""Secret values stay out of run responses, events and exports."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from apps.executions.serialization import SECRET_MASK
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, graph, link, node
from tests.runs import EventRecorder, create_graph, execute, run_details, wait_for_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process"),
]

SEND_WEB_REQUEST = "6595ae1f-b924-42cb-9a41-551a0611c4b4"
TOKEN = "tok-7f3a9c-secret"
HEADER_SECRET = "Bearer hdr-55e1-secret"


def _graph_with_secrets(client: APIClient) -> dict:
    token = node(AGENT_INPUT, {"name": "token", "secret": True}, id="token")
    shown = node(AGENT_OUTPUT, {"name": "shown", "secret": True}, id="shown")
    plain = node(AGENT_INPUT, {"name": "plain"}, id="plain")
    echo = node(STORE_VALUE, {}, id="echo")
    request = node(
        SEND_WEB_REQUEST,
        {"url": "http://127.0.0.1:9/", "method": "GET", "headers": {"Authorization": HEADER_SECRET}},
        id="request",
    )
    links = [link(token, "result", shown, "value"), link(plain, "result", echo, "input")]
    return create_graph(client, graph([token, shown, plain, echo, request], links))


def test_secret_input_values_and_secret_block_inputs_are_masked_in_responses_and_events(
    auth_client: APIClient,
) -> None:
    created = _graph_with_secrets(auth_client)
    recorder = EventRecorder()
    try:
        started = execute(auth_client, created, {"token": TOKEN, "plain": "visible"})
        wait_for_run(started["id"])
    finally:
        recorder.close()

    details = run_details(auth_client, started)
    listed = auth_client.get("/api/executions").content.decode()
    events = json.dumps(recorder.for_run(started["id"]))
    assert details["inputs"] == {"token": SECRET_MASK, "plain": "visible"}
    assert details["outputs"]["shown"] == [SECRET_MASK]
    by_block = {execution["block_id"]: execution for execution in details["node_executions"]}
    assert by_block[SEND_WEB_REQUEST]["input_data"]["headers"] == SECRET_MASK
    assert by_block[STORE_VALUE]["output_data"] == {"output": ["visible"]}
    for text in (json.dumps(details), listed, json.dumps(started), events):
        assert TOKEN not in text
        assert HEADER_SECRET not in text
    assert SECRET_MASK in events
    assert "visible" in events


def test_web_request_headers_are_left_out_of_exports(auth_client: APIClient) -> None:
    created = _graph_with_secrets(auth_client)

    exported = auth_client.get(f"/api/graphs/{created['id']}?for_export=true").json()

    request = next(node for node in exported["nodes"] if node["block_id"] == SEND_WEB_REQUEST)
    assert "headers" not in request["input_default"]
    assert HEADER_SECRET not in json.dumps(exported)
