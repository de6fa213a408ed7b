"""Credentials when a run starts: mapped onto nodes, checked with upstream's messages, kept as references only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.executions.models import GraphExecution, NodeExecution
from tests.credentials.blocks import OpenAIEcho, registered
from tests.graph_builders import graph, node
from tests.runs import create_graph

pytestmark = pytest.mark.django_db

AUTHENTICATED_WEB_REQUEST = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"
HOST_INPUT = "api.example.com-http_host_scoped_credentials"


@pytest.fixture(autouse=True)
def _no_dispatch(user_has_credits: None) -> Iterator[None]:
    with mock.patch("apps.executions.services.send_node_executions"), registered(OpenAIEcho):
        yield


def host_credentials(client: APIClient, host: str = "api.example.com") -> dict[str, Any]:
    body = client.post(
        "/api/integrations/http/credentials",
        {"type": "host_scoped", "host": host, "headers": {"X-Key": "hdr-secret"}, "title": "API"},
        format="json",
    ).json()
    return {"id": body["id"], "provider": "http", "type": "host_scoped", "title": "API"}


def web_request_graph(client: APIClient, **inputs: Any) -> tuple[dict[str, Any], str]:
    request = node(AUTHENTICATED_WEB_REQUEST, {"url": "https://api.example.com/x", "method": "GET", **inputs})
    return create_graph(client, graph([request])), request


def execute(client: APIClient, created: dict[str, Any], credentials_inputs: Any) -> Any:
    return client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {"inputs": {}, "credentials_inputs": credentials_inputs},
        format="json",
    )


def node_id_of(created: dict[str, Any]) -> str:
    return str(created["nodes"][0]["id"])


def test_credentials_inputs_are_frozen_into_the_run_as_references(auth_client: APIClient) -> None:
    reference = host_credentials(auth_client)
    created, _ = web_request_graph(auth_client)

    response = execute(auth_client, created, {HOST_INPUT: {**reference, "headers": {"X-Key": "smuggled"}}})

    assert response.status_code == 200, response.json()
    run = GraphExecution.objects.get(pk=response.json()["id"])
    assert run.credential_inputs == {HOST_INPUT: reference}
    assert run.nodes_input_masks == {node_id_of(created): {"credentials": reference}}
    execution = NodeExecution.objects.get(graph_execution=run)
    assert execution.input_data["credentials"] == reference
    assert response.json()["credential_inputs"] == {HOST_INPUT: reference}


def test_a_reference_saved_on_the_node_is_enough(auth_client: APIClient) -> None:
    reference = host_credentials(auth_client)
    created, _ = web_request_graph(auth_client, credentials=reference)

    response = execute(auth_client, created, {})

    assert response.status_code == 200, response.json()
    assert NodeExecution.objects.get().input_data["credentials"] == reference


def test_credentials_inputs_override_the_reference_saved_on_the_node(auth_client: APIClient) -> None:
    saved, given = host_credentials(auth_client), host_credentials(auth_client)
    created, _ = web_request_graph(auth_client, credentials=saved)

    execute(auth_client, created, {HOST_INPUT: given})

    assert NodeExecution.objects.get().input_data["credentials"] == given


def _refused(response: Any, created: dict[str, Any], message: str) -> None:
    assert response.status_code == 400, response.json()
    assert response.json()["detail"]["node_errors"] == {node_id_of(created): {"credentials": message}}
    assert response.json()["message"] == "Graph validation failed: 1 issues on 1 nodes"
    assert not GraphExecution.objects.exists()


def test_missing_credentials_refuse_the_run(auth_client: APIClient) -> None:
    created, _ = web_request_graph(auth_client)

    _refused(execute(auth_client, created, {}), created, "These credentials are required")


def test_another_users_credentials_are_unknown(auth_client: APIClient, other_client: APIClient) -> None:
    theirs = host_credentials(other_client)
    created, _ = web_request_graph(auth_client)

    _refused(execute(auth_client, created, {HOST_INPUT: theirs}), created, f"Unknown credentials #{theirs['id']}")


def test_credentials_of_another_type_than_their_reference_says_are_refused(auth_client: APIClient) -> None:
    key = auth_client.post("/api/integrations/http/credentials", {"type": "api_key", "api_key": "k"}, format="json")
    created, _ = web_request_graph(auth_client)
    reference = {"id": key.json()["id"], "provider": "http", "type": "host_scoped"}

    _refused(
        execute(auth_client, created, {HOST_INPUT: reference}), created, "Invalid credentials: type/provider mismatch"
    )


def test_a_reference_to_a_provider_the_block_does_not_take_is_refused(auth_client: APIClient) -> None:
    key = auth_client.post("/api/integrations/openai/credentials", {"type": "api_key", "api_key": "k"}, format="json")
    reference = {"id": key.json()["id"], "provider": "openai", "type": "api_key"}
    created, _ = web_request_graph(auth_client, credentials=reference)

    _refused(
        execute(auth_client, created, {}),
        created,
        "Invalid credentials: provider: Input should be 'http'; type: Input should be 'host_scoped'",
    )


def test_platform_credentials_are_usable_by_every_user(auth_client: APIClient, settings: Any, user: User) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform"}
    platform = {"id": "53c25cb8-e3ee-465c-a4d1-e75a4c899c2a", "provider": "openai", "type": "api_key"}
    created = create_graph(auth_client, graph([node(OpenAIEcho.id)]))

    response = execute(auth_client, created, {"openai_api_key_credentials": platform})

    assert response.status_code == 200, response.json()
    settings.PLATFORM_API_KEYS = {}
    again = execute(auth_client, created, {"openai_api_key_credentials": platform})
    assert again.status_code == 400
    assert again.json()["detail"]["node_errors"][node_id_of(created)] == {
        "credentials": f"Unknown credentials #{platform['id']}"
    }


@pytest.mark.parametrize(
    "credentials_inputs",
    [
        [],
        {HOST_INPUT: "not an object"},
        {HOST_INPUT: {"provider": "http", "type": "host_scoped"}},
        {HOST_INPUT: {"id": "x", "provider": "http", "type": "password"}},
    ],
)
def test_malformed_credentials_inputs_are_a_422(auth_client: APIClient, credentials_inputs: Any) -> None:
    created, _ = web_request_graph(auth_client)

    response = execute(auth_client, created, credentials_inputs)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "credentials_inputs"]
