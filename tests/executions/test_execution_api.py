"""The execution routes, without a worker: what the API answers and writes."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, GraphExecution, NodeExecution
from tests.conftest import client_for, funded_user
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, NOTE, STORE_VALUE, graph, link, node
from tests.runs import create_graph

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_dispatch():  # type: ignore[no-untyped-def]
    """Nothing is sent to a worker here: these tests look at what the API writes."""
    with mock.patch("apps.executions.services.send_node_executions") as sent:
        yield sent


def input_graph() -> dict:
    source = node(AGENT_INPUT, {"name": "question"})
    answer = node(AGENT_OUTPUT, {"name": "answer"})
    return graph([source, answer, node(NOTE, {"text": "never runs"})], [link(source, "result", answer, "value")])


def execute(client: APIClient, created: dict, body: dict | None = None, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}", body or {}, format="json", **headers
    )


def test_execute_creates_a_queued_run_with_its_starting_executions(auth_client: APIClient, no_dispatch) -> None:  # type: ignore[no-untyped-def]
    created = create_graph(auth_client, input_graph())

    response = execute(auth_client, created, {"inputs": {"question": "why?"}})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "QUEUED"
    assert body["graph_id"] == created["id"]
    assert body["inputs"] == {"question": "why?"}
    assert body["stats"]["node_exec_count"] == 0
    executions = NodeExecution.objects.filter(graph_execution_id=body["id"])
    # The Input node only: the Output node waits for its link, the Note never runs.
    assert [e.status for e in executions] == [ExecutionStatus.QUEUED]
    assert executions[0].input_data["value"] == "why?"
    assert list(executions[0].inputs.values_list("name", "data")) == [("value", "why?")]
    no_dispatch.assert_called_once()


def test_a_missing_graph_input_is_a_400_naming_it(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())

    response = execute(auth_client, created, {"inputs": {}})

    assert response.status_code == 400
    node_errors = response.json()["detail"]["node_errors"]
    assert list(node_errors.values()) == [{"value": "Graph input `question` is required"}]
    assert not GraphExecution.objects.exists()


def test_run_validation_checks_every_node(auth_client: APIClient) -> None:
    created = create_graph(auth_client, graph([node(STORE_VALUE, id="lonely")]))

    response = execute(auth_client, created)

    assert response.status_code == 400
    assert list(response.json()["detail"]["node_errors"].values()) == [{"input": "This field is required"}]


def test_executing_an_unknown_version_or_someone_elses_graph_is_a_404(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())
    theirs = create_graph(client_for(funded_user()), input_graph())

    assert auth_client.post(f"/api/graphs/{created['id']}/execute/7", {}, format="json").status_code == 404
    assert execute(auth_client, theirs, {"inputs": {"question": "x"}}).status_code == 404


def test_execute_body_must_have_the_right_shape(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())

    response = execute(auth_client, created, {"inputs": "nope"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "inputs"]


def test_the_same_idempotency_key_returns_the_first_run(auth_client: APIClient, no_dispatch) -> None:  # type: ignore[no-untyped-def]
    created = create_graph(auth_client, input_graph())

    first = execute(auth_client, created, {"inputs": {"question": "a"}}, HTTP_IDEMPOTENCY_KEY="k-1").json()
    again = execute(auth_client, created, {"inputs": {"question": "b"}}, HTTP_IDEMPOTENCY_KEY="k-1").json()
    other = execute(auth_client, created, {"inputs": {"question": "c"}}, HTTP_IDEMPOTENCY_KEY="k-2").json()

    assert again["id"] == first["id"]
    assert other["id"] != first["id"]
    assert GraphExecution.objects.count() == 2
    assert no_dispatch.call_count == 2


def test_an_idempotency_key_is_per_user_and_expires_after_a_day(auth_client: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    created = create_graph(auth_client, input_graph())
    first = execute(auth_client, created, {"inputs": {"question": "a"}}, HTTP_IDEMPOTENCY_KEY="k").json()
    GraphExecution.objects.filter(pk=first["id"]).update(
        created_at=GraphExecution.objects.get(pk=first["id"]).created_at
        - __import__("datetime").timedelta(seconds=settings.IDEMPOTENCY_WINDOW_SECONDS + 1)
    )

    later = execute(auth_client, created, {"inputs": {"question": "a"}}, HTTP_IDEMPOTENCY_KEY="k").json()

    assert later["id"] != first["id"]
    assert GraphExecution.objects.get(pk=first["id"]).idempotency_key is None


def test_stopping_a_queued_run_terminates_it_at_once(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())
    run = execute(auth_client, created, {"inputs": {"question": "a"}}).json()

    response = auth_client.post(f"/api/graphs/{created['id']}/executions/{run['id']}/stop")

    assert response.status_code == 200
    assert response.json()["status"] == "TERMINATED"
    assert set(NodeExecution.objects.filter(graph_execution_id=run["id"]).values_list("status", flat=True)) == {
        ExecutionStatus.TERMINATED
    }
    again = auth_client.post(f"/api/graphs/{created['id']}/executions/{run['id']}/stop")
    assert again.json()["status"] == "TERMINATED"


def test_runs_are_listed_paginated_and_read_with_their_node_executions(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())
    runs = [execute(auth_client, created, {"inputs": {"question": str(i)}}).json() for i in range(3)]

    everything = auth_client.get("/api/executions").json()
    page = auth_client.get(f"/api/graphs/{created['id']}/executions?page=2&page_size=2").json()
    detail = auth_client.get(f"/api/graphs/{created['id']}/executions/{runs[0]['id']}").json()

    assert [r["id"] for r in everything] == [r["id"] for r in reversed(runs)]
    assert page["pagination"] == {"total_items": 3, "total_pages": 2, "current_page": 2, "page_size": 2}
    assert [r["id"] for r in page["executions"]] == [runs[0]["id"]]
    assert detail["outputs"] == {}
    assert len(detail["node_executions"]) == 1
    assert detail["node_executions"][0]["input_data"]["value"] == "0"


def test_run_lists_take_a_constant_number_of_queries(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())
    execute(auth_client, created, {"inputs": {"question": "a"}})
    with CaptureQueriesContext(connection) as few:
        auth_client.get("/api/executions")
        auth_client.get(f"/api/graphs/{created['id']}/executions")
    for _ in range(4):
        execute(auth_client, created, {"inputs": {"question": "a"}})

    with CaptureQueriesContext(connection) as many:
        auth_client.get("/api/executions")
        auth_client.get(f"/api/graphs/{created['id']}/executions")

    assert len(many) == len(few)


def test_page_size_is_bounded(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())

    assert auth_client.get(f"/api/graphs/{created['id']}/executions?page_size=101").status_code == 422
    assert auth_client.get(f"/api/graphs/{created['id']}/executions?page=0").status_code == 422


def test_delete_hides_the_run(auth_client: APIClient) -> None:
    created = create_graph(auth_client, input_graph())
    run = execute(auth_client, created, {"inputs": {"question": "a"}}).json()

    response = auth_client.delete(f"/api/executions/{run['id']}")

    assert response.status_code == 204
    assert GraphExecution.objects.get(pk=run["id"]).is_deleted
    assert auth_client.get("/api/executions").json() == []
    assert auth_client.get(f"/api/graphs/{created['id']}/executions/{run['id']}").status_code == 404


def test_someone_elses_run_is_not_found(auth_client: APIClient) -> None:
    owner = client_for(funded_user())
    created = create_graph(owner, input_graph())
    run = execute(owner, created, {"inputs": {"question": "a"}}).json()
    base = f"/api/graphs/{created['id']}/executions/{run['id']}"

    assert auth_client.get(base).status_code == 404
    assert auth_client.post(f"{base}/stop").status_code == 404
    assert auth_client.delete(f"/api/executions/{run['id']}").status_code == 404
    assert auth_client.get(f"/api/graphs/{created['id']}/executions/{uuid.uuid4()}").status_code == 404
    assert GraphExecution.objects.get(pk=run["id"]).status == ExecutionStatus.QUEUED
