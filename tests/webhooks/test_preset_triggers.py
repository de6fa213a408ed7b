"""Presets set up as triggers: their own webhook, runs with their inputs plus the payload, released on delete."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import GraphExecution, NodeExecution
from apps.library.models import AgentPreset
from apps.webhooks.models import Webhook
from apps.webhooks.providers.github import github_signature
from apps.webhooks.services import webhook_secret
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.fakes.github import FakeGitHubApi
from tests.graph_builders import AGENT_OUTPUT, STORE_VALUE, graph, node
from tests.runs import create_graph
from tests.upstream_shapes import assert_upstream_shape
from tests.webhooks.conftest import GITHUB_PR_TRIGGER, PLATFORM, deliver, trigger_node, triggered_graph

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("user_has_credits")]


def setup_trigger(client: APIClient, created: dict[str, Any], **fields: Any) -> Any:
    body = {"name": "On signup", "graph_id": created["id"], "graph_version": created["version"], **fields}
    return client.post("/api/library/presets/setup-trigger", body, format="json")


def test_setting_up_a_trigger_makes_a_preset_owning_a_webhook_shown_as_upstream(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())

    response = setup_trigger(auth_client, created, trigger_config={"constants": {"source": "preset"}})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert_upstream_shape(body, "LibraryAgentPreset")
    preset = AgentPreset.objects.get()
    webhook = Webhook.objects.get(pk=preset.webhook_id)
    assert webhook.pk != trigger_node(created)["webhook_id"]
    assert body["webhook_id"] == str(webhook.id)
    assert body["webhook"]["url"] == f"{PLATFORM}/api/integrations/generic_webhook/webhooks/{webhook.id}/ingress"
    assert body["webhook"]["secret"] == "**********"
    assert (body["inputs"], body["is_active"], body["description"]) == ({"constants": {"source": "preset"}}, True, "")
    assert auth_client.get(f"/api/library/presets/{preset.id}").json()["webhook"] == body["webhook"]
    listed = auth_client.get(f"/api/library/presets?graph_id={created['id']}").json()["presets"]
    assert [item["webhook"] for item in listed] == [body["webhook"]]


def test_a_delivery_to_the_presets_webhook_runs_its_graph_with_the_presets_inputs_and_the_payload(
    auth_client: APIClient,
) -> None:
    created = create_graph(auth_client, triggered_graph({"constants": {"source": "graph"}}))
    url = setup_trigger(auth_client, created, trigger_config={"constants": {"source": "preset"}}).json()["webhook"][
        "url"
    ]

    response = deliver(APIClient(), url, {"event": "signup"})

    assert response.status_code == 200
    [run] = GraphExecution.objects.filter(graph_public_id=created["id"])
    assert run.preset_id == AgentPreset.objects.get().id
    starting = NodeExecution.objects.get(graph_execution=run, node_id=trigger_node(created)["id"])
    assert starting.input_data["payload"] == {"event": "signup"}
    assert starting.input_data["constants"] == {"source": "preset"}


def test_an_inactive_preset_starts_nothing(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    preset = setup_trigger(auth_client, created, trigger_config={}).json()
    auth_client.patch(f"/api/library/presets/{preset['id']}", {"is_active": False}, format="json")

    response = deliver(APIClient(), preset["webhook"]["url"], {"event": "signup"})

    assert response.status_code == 200
    assert not GraphExecution.objects.exists()


def test_deleting_the_preset_releases_its_webhook(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    preset = setup_trigger(auth_client, created, trigger_config={}).json()

    assert auth_client.delete(f"/api/library/presets/{preset['id']}").status_code == 204

    assert not Webhook.objects.filter(pk=preset["webhook_id"]).exists()
    assert Webhook.objects.filter(pk=trigger_node(created)["webhook_id"]).exists()
    assert deliver(APIClient(), preset["webhook"]["url"], {"n": 1}).status_code == 404


def test_deleting_the_graph_releases_its_presets_webhooks(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    setup_trigger(auth_client, created, trigger_config={})

    auth_client.delete(f"/api/graphs/{created['id']}")

    assert not Webhook.objects.exists()


def test_a_graph_without_a_trigger_cannot_be_set_up_as_one(auth_client: APIClient) -> None:
    created = create_graph(auth_client, graph([node(STORE_VALUE, {"input": 1}), node(AGENT_OUTPUT, {"name": "o"})]))

    response = setup_trigger(auth_client, created, trigger_config={})

    assert response.status_code == 400
    assert response.json()["detail"] == f"Graph #{created['id']} does not have a webhook node"
    assert not AgentPreset.objects.exists()


def test_another_users_graph_is_gone_for_the_caller(auth_client: APIClient) -> None:
    theirs = create_graph(client_for(UserFactory()), triggered_graph())

    response = setup_trigger(auth_client, theirs, trigger_config={})

    assert response.status_code == 410
    assert response.json()["detail"] == f"Graph #{theirs['id']} not accessible (anymore)"
    assert not AgentPreset.objects.exists()


def test_a_setup_without_a_name_or_config_says_what_is_missing(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())

    response = auth_client.post(
        "/api/library/presets/setup-trigger", {"graph_id": created["id"], "graph_version": 1}, format="json"
    )

    assert response.status_code in (400, 422)
    assert "name" in str(response.json()) and "trigger_config" in str(response.json())


def _github_credentials_input(created: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    [name] = created["credentials_input_schema"]["properties"]
    return {name: reference}


def test_a_github_trigger_preset_registers_its_hook_and_runs_on_signed_deliveries(
    auth_client: APIClient,
    github_api: FakeGitHubApi,
    github_credentials: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    created = create_graph(auth_client, triggered_graph({}, block_id=GITHUB_PR_TRIGGER))
    assert github_api.hooks == {}

    preset = setup_trigger(
        auth_client,
        created,
        trigger_config={"repo": "octo/hello", "events": {"opened": True}},
        agent_credentials=_github_credentials_input(created, github_credentials),
    ).json()

    webhook = Webhook.objects.get(pk=preset["webhook_id"])
    [hook] = github_api.hooks.values()
    assert (hook.repo, hook.config["url"]) == ("octo/hello", preset["webhook"]["url"])
    body = json.dumps({"action": "opened", "number": 1}).encode()
    delivered = APIClient().generic(
        "POST",
        preset["webhook"]["url"].removeprefix(PLATFORM),
        body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT="pull_request",
        HTTP_X_GITHUB_DELIVERY="d-1",
        HTTP_X_HUB_SIGNATURE_256=github_signature(webhook_secret(webhook), body),
    )
    assert delivered.status_code == 200
    [run] = GraphExecution.objects.filter(graph_public_id=created["id"])
    assert run.preset_id is not None

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.delete(f"/api/library/presets/{preset['id']}")
    assert github_api.deleted == [hook.id]


def test_a_github_trigger_without_its_repository_sets_nothing_up(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any]
) -> None:
    created = create_graph(auth_client, triggered_graph({}, block_id=GITHUB_PR_TRIGGER))

    response = setup_trigger(
        auth_client,
        created,
        trigger_config={"events": {"opened": True}},
        agent_credentials=_github_credentials_input(created, github_credentials),
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Could not set up webhook")
    assert (github_api.hooks, AgentPreset.objects.count(), Webhook.objects.count()) == ({}, 0, 0)
