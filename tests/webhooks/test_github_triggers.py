"""GitHub's pull-request trigger: the hook registered at GitHub (its stand-in), signed deliveries, the event filter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import GraphExecution, NodeExecution
from apps.webhooks.models import Webhook, WebhookDelivery
from apps.webhooks.providers.github import github_signature
from apps.webhooks.services import webhook_secret
from tests.fakes.github import FakeGitHubApi
from tests.runs import create_graph
from tests.webhooks.conftest import GITHUB_PR_TRIGGER, PLATFORM, trigger_node, triggered_graph

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("user_has_credits")]

OPENED = {
    "action": "opened",
    "number": 7,
    "pull_request": {"number": 7, "title": "Fix it"},
    "sender": {"login": "octocat", "id": 1},
}


def _pr_graph(credentials: dict[str, Any], **events: bool) -> dict[str, Any]:
    inputs = {"repo": "octo/hello", "events": events or {"opened": True}, "credentials": credentials}
    return triggered_graph(inputs, block_id=GITHUB_PR_TRIGGER)


def _deliver(
    url: str, payload: dict[str, Any], *, secret: str, event: str = "pull_request", delivery: str = "d-1"
) -> Any:
    body = json.dumps(payload).encode()
    return APIClient().generic(
        "POST",
        url.removeprefix(PLATFORM),
        body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT=event,
        HTTP_X_GITHUB_DELIVERY=delivery,
        HTTP_X_HUB_SIGNATURE_256=github_signature(secret, body),
    )


def test_saving_the_trigger_registers_a_repository_hook_at_github(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any]
) -> None:
    created = create_graph(auth_client, _pr_graph(github_credentials, opened=True, closed=True))

    webhook = Webhook.objects.get()
    [hook] = github_api.hooks.values()
    assert (hook.repo, hook.events) == ("octo/hello", ["pull_request"])
    assert hook.config["url"] == f"{PLATFORM}/api/integrations/github/webhooks/{webhook.id}/ingress"
    assert hook.config["secret"] == webhook_secret(webhook)
    assert webhook.provider_webhook_id == str(hook.id)
    assert webhook.events == ["pull_request.closed", "pull_request.opened"]
    shown = trigger_node(created, GITHUB_PR_TRIGGER)["webhook"]
    assert shown["secret"] == "**********"
    assert webhook_secret(webhook) not in json.dumps(created)


def test_a_signed_delivery_of_a_chosen_event_starts_a_run_with_the_payload(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any]
) -> None:
    created = create_graph(auth_client, _pr_graph(github_credentials, opened=True))
    webhook = Webhook.objects.get()

    response = _deliver(
        trigger_node(created, GITHUB_PR_TRIGGER)["webhook"]["url"], OPENED, secret=webhook_secret(webhook)
    )

    assert response.status_code == 200, response.content
    [run] = GraphExecution.objects.all()
    starting = NodeExecution.objects.get(graph_execution=run, node_id=trigger_node(created, GITHUB_PR_TRIGGER)["id"])
    assert starting.input_data["payload"] == OPENED
    assert WebhookDelivery.objects.get().event_type == "pull_request.opened"


def test_an_event_the_filter_leaves_out_is_recorded_and_starts_nothing(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any]
) -> None:
    created = create_graph(auth_client, _pr_graph(github_credentials, opened=True))
    webhook = Webhook.objects.get()

    closed = {**OPENED, "action": "closed"}
    response = _deliver(
        trigger_node(created, GITHUB_PR_TRIGGER)["webhook"]["url"], closed, secret=webhook_secret(webhook)
    )

    assert response.status_code == 200
    assert GraphExecution.objects.count() == 0
    assert WebhookDelivery.objects.get().runs_started == 0


@pytest.mark.parametrize("signature", ["sha256=" + "0" * 64, ""])
def test_a_bad_or_missing_signature_is_a_401_and_starts_nothing(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any], signature: str
) -> None:
    created = create_graph(auth_client, _pr_graph(github_credentials))
    headers = {"HTTP_X_GITHUB_EVENT": "pull_request", "HTTP_X_GITHUB_DELIVERY": "d-1"}
    if signature:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature

    response = APIClient().generic(
        "POST",
        trigger_node(created, GITHUB_PR_TRIGGER)["webhook"]["url"].removeprefix(PLATFORM),
        json.dumps(OPENED).encode(),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 401
    assert response.json()["code"] == "WEBHOOK_SIGNATURE_INVALID"
    assert GraphExecution.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_a_redelivery_github_repeats_starts_no_second_run(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any]
) -> None:
    created = create_graph(auth_client, _pr_graph(github_credentials))
    secret = webhook_secret(Webhook.objects.get())
    url = trigger_node(created, GITHUB_PR_TRIGGER)["webhook"]["url"]

    statuses = [_deliver(url, OPENED, secret=secret, delivery="same").status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert GraphExecution.objects.count() == 1


def test_two_graphs_on_the_same_repo_and_events_share_one_hook_and_deleting_both_removes_it_at_github(
    auth_client: APIClient,
    github_api: FakeGitHubApi,
    github_credentials: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = create_graph(auth_client, _pr_graph(github_credentials))
    second = create_graph(auth_client, _pr_graph(github_credentials))
    [hook_id] = github_api.hooks

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.delete(f"/api/graphs/{first['id']}")
    assert github_api.deleted == []
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.delete(f"/api/graphs/{second['id']}")

    assert github_api.deleted == [hook_id]
    assert Webhook.objects.count() == 0


def test_github_refusing_the_hook_refuses_the_save_with_its_message(
    auth_client: APIClient, github_api: FakeGitHubApi
) -> None:
    response = auth_client.post(
        "/api/integrations/github/credentials", {"type": "api_key", "api_key": "wrong-token"}, format="json"
    )
    wrong = {"id": response.json()["id"], "provider": "github", "type": "api_key"}

    saved = auth_client.post("/api/graphs", {"graph": _pr_graph(wrong)}, format="json")

    assert saved.status_code == 400
    assert saved.json()["code"] == "WEBHOOK_SETUP_FAILED"
    assert "Failed to create GitHub webhook" in saved.json()["message"]
    assert "wrong-token" not in saved.content.decode()
    assert Webhook.objects.count() == 0


def test_deleting_credentials_a_trigger_uses_asks_first_then_removes_the_hook_at_github(
    auth_client: APIClient,
    github_api: FakeGitHubApi,
    github_credentials: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    created = create_graph(auth_client, _pr_graph(github_credentials))
    [hook_id] = github_api.hooks
    url = f"/api/integrations/github/credentials/{github_credentials['id']}"

    asked = auth_client.delete(url)
    with django_capture_on_commit_callbacks(execute=True):
        forced = auth_client.delete(f"{url}?force=true")

    assert asked.json()["need_confirmation"] is True
    assert created["name"] in asked.json()["message"]
    assert forced.json()["deleted"] is True
    # Removed at GitHub with the credentials being deleted, which could not be looked up afterwards.
    assert github_api.deleted == [hook_id]
    assert Webhook.objects.count() == 0
    refetched = auth_client.get(f"/api/graphs/{created['id']}").json()
    assert trigger_node(refetched, GITHUB_PR_TRIGGER)["webhook_id"] is None
