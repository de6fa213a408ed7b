"""Credentials through a real worker: a block gets the user's credentials, and only a block does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.credits.models import CreditTransaction
from apps.executions.models import ExecutionStatus, GraphExecution
from tests.blocks.local_http import LocalServer, local_http_server
from tests.graph_builders import AGENT_EXECUTOR, AGENT_OUTPUT, COUNTDOWN_TIMER, graph, link, node
from tests.runs import create_graph, node_executions_of, outputs_of, wait_for_run
from tests.worker import AUTHENTICATED_WEB_REQUEST_ID

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]

SECRET = "hdr-secret-5f1c9a"


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server() as local:
        yield local


def host_credentials(client: APIClient) -> dict[str, Any]:
    body = client.post(
        "/api/integrations/http/credentials",
        {"type": "host_scoped", "host": "127.0.0.1", "headers": {"X-API-Key": SECRET}},
        format="json",
    ).json()
    return {"id": body["id"], "provider": "http", "type": "host_scoped"}


def run(client: APIClient, created: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {"inputs": {}, "credentials_inputs": {"127.0.0.1-http_host_scoped_credentials": reference}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_a_run_hands_the_users_credentials_to_the_block(auth_client: APIClient, server: LocalServer) -> None:
    reference = host_credentials(auth_client)
    created = create_graph(
        auth_client, graph([node(AUTHENTICATED_WEB_REQUEST_ID, {"url": server.url("/ok"), "method": "GET"})])
    )

    finished = wait_for_run(run(auth_client, created, reference)["id"], timeout=30)

    assert finished.status == ExecutionStatus.COMPLETED
    assert [request["headers"].get("X-API-Key") for request in server.requests] == [SECRET]
    execution = node_executions_of(str(finished.id), AUTHENTICATED_WEB_REQUEST_ID)[0]
    assert outputs_of(execution) == {"response": [{"ok": True}]}
    assert execution.input_data["credentials"] == reference
    # Run on the user's own credentials, the block's price (7 credits for this worker) is not charged.
    assert finished.cost == 0
    assert not CreditTransaction.objects.filter(transaction_key=f"node_exec:{execution.pk}").exists()


def test_credentials_deleted_after_the_run_started_fail_their_node_clearly(
    auth_client: APIClient, server: LocalServer
) -> None:
    reference = host_credentials(auth_client)
    timer = node(COUNTDOWN_TIMER, {"seconds": 1, "input_message": "go"})
    request = node(AUTHENTICATED_WEB_REQUEST_ID, {"url": server.url("/ok"), "method": "POST"})
    created = create_graph(auth_client, graph([timer, request], [link(timer, "output_message", request, "body")]))
    started = run(auth_client, created, reference)

    deleted = auth_client.delete(f"/api/integrations/http/credentials/{reference['id']}?force=true")
    finished = wait_for_run(started["id"], timeout=30)

    assert deleted.json() == {"deleted": True, "revoked": None}
    assert server.requests == []
    execution = node_executions_of(str(finished.id), AUTHENTICATED_WEB_REQUEST_ID)[0]
    assert execution.status == ExecutionStatus.FAILED
    assert outputs_of(execution) == {
        "error": [f"Credentials #{reference['id']} are not available: they were deleted, or never were this user's"]
    }
    assert finished.status == ExecutionStatus.FAILED


def test_a_parents_credentials_inputs_reach_the_nodes_of_its_sub_graph(
    auth_client: APIClient, server: LocalServer
) -> None:
    reference = host_credentials(auth_client)
    request = node(AUTHENTICATED_WEB_REQUEST_ID, {"url": server.url("/ok"), "method": "GET"})
    answer = node(AGENT_OUTPUT, {"name": "answer"})
    child = create_graph(auth_client, graph([request, answer], [link(request, "response", answer, "value")], name="c"))
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
    parent = create_graph(auth_client, graph([agent, final], [link(agent, "answer", final, "value")], name="p"))

    assert list(parent["credentials_input_schema"]["properties"]) == ["127.0.0.1-http_host_scoped_credentials"]
    finished = wait_for_run(run(auth_client, parent, reference)["id"], timeout=30)

    assert finished.status == ExecutionStatus.COMPLETED
    assert GraphExecution.objects.get(parent_execution=finished).credential_inputs == {
        "127.0.0.1-http_host_scoped_credentials": reference
    }
    assert [request["headers"].get("X-API-Key") for request in server.requests] == [SECRET]


def test_a_run_waits_for_nothing_when_credentials_are_refused(auth_client: APIClient, server: LocalServer) -> None:
    created = create_graph(auth_client, graph([node(AUTHENTICATED_WEB_REQUEST_ID, {"url": server.url("/ok")})]))

    response = auth_client.post(f"/api/graphs/{created['id']}/execute/{created['version']}", {}, format="json")
    time.sleep(0.2)

    assert response.status_code == 400
    assert server.requests == []
