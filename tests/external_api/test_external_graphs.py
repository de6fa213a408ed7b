"""The external API runs a graph and returns its results with an API key alone."""

from __future__ import annotations

from unittest import mock

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.api_keys.models import APIKeyPermission
from apps.api_keys.services import api_key_create
from apps.executions.models import GraphExecution
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, CALCULATOR, graph, link, node
from tests.runs import create_graph, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def key_client(user: User, *permissions: str) -> APIClient:
    _, plaintext = api_key_create(user=user, name="ci", permissions=list(permissions))
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plaintext)
    return client


def calculator_graph() -> dict:
    number = node(AGENT_INPUT, {"name": "Input"})
    add = node(CALCULATOR, {"operation": "Add", "b": 34, "round_result": False})
    output = node(AGENT_OUTPUT, {"name": "Output"})
    return graph([number, add, output], [link(number, "result", add, "a"), link(add, "result", output, "value")])


def test_an_api_key_runs_a_graph_and_reads_its_results(user: User, auth_client: APIClient) -> None:
    created = create_graph(auth_client, calculator_graph())
    client = key_client(user, APIKeyPermission.EXECUTE_GRAPH, APIKeyPermission.READ_GRAPH)
    base = f"/external-api/v1/graphs/{created['id']}"

    started = client.post(f"{base}/execute/{created['version']}", {"node_input": {"Input": 8}}, format="json")
    wait_for_run(started.json()["id"])
    status = client.get(f"{base}/executions/{started.json()['id']}")
    results = client.get(f"{base}/executions/{started.json()['id']}/results")

    assert started.status_code == 200
    assert set(started.json()) == {"id"}
    assert status.json()["status"] == "COMPLETED"
    body = results.json()
    assert body["execution_id"] == started.json()["id"]
    assert body["status"] == "COMPLETED"
    assert body["output"] == [{"Output": 42.0}]
    inputs = {n["node_id"]: n["input"] for n in body["nodes"]}
    number_node = next(n for n in created["nodes"] if n["block_id"] == AGENT_INPUT)
    assert inputs[number_node["id"]] == 8
    assert len(body["nodes"]) == 3


def test_results_have_no_output_until_the_run_completes(user: User, auth_client: APIClient) -> None:
    created = create_graph(auth_client, calculator_graph())
    client = key_client(user, APIKeyPermission.EXECUTE_GRAPH, APIKeyPermission.READ_GRAPH)
    base = f"/external-api/v1/graphs/{created['id']}"
    with mock.patch("apps.executions.services.send_node_executions"):  # held back: the run stays QUEUED
        run_id = client.post(f"{base}/execute/1", {"node_input": {"Input": 1}}, format="json").json()["id"]

    body = client.get(f"{base}/executions/{run_id}/results").json()

    assert body["status"] == "QUEUED"
    assert body["output"] is None


def test_external_execute_reports_validation_errors(user: User, auth_client: APIClient) -> None:
    created = create_graph(auth_client, calculator_graph())
    client = key_client(user, APIKeyPermission.EXECUTE_GRAPH)

    response = client.post(f"/external-api/v1/graphs/{created['id']}/execute/1", {"node_input": {}}, format="json")

    assert response.status_code == 400
    assert "Input" in str(response.json()["detail"]["node_errors"])


def test_another_users_graph_is_not_found_through_the_external_api(auth_client: APIClient) -> None:
    from tests.conftest import funded_user

    created = create_graph(auth_client, calculator_graph())
    client = key_client(funded_user(), APIKeyPermission.EXECUTE_GRAPH, APIKeyPermission.READ_GRAPH)

    response = client.post(
        f"/external-api/v1/graphs/{created['id']}/execute/1", {"node_input": {"Input": 1}}, format="json"
    )

    assert response.status_code == 404
    assert not GraphExecution.objects.exists()
