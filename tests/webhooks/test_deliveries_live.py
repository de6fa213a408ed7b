"""Deliveries end to end: a real worker runs what a delivery starts; GitHub's ping comes back over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, GraphExecution
from tests.fakes.github import FakeGitHubApi
from tests.runs import create_graph, run_details, wait_for_run
from tests.webhooks.conftest import GITHUB_PR_TRIGGER, deliver, trigger_node, triggered_graph

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("user_has_credits")]


@pytest.mark.usefixtures("celery_worker_process")
def test_a_delivery_starts_a_run_whose_output_is_the_payload(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    payload = {"order": 42, "items": ["tea", "cake"]}

    assert deliver(APIClient(), trigger_node(created)["webhook"]["url"], payload).status_code == 200

    run = wait_for_run(str(GraphExecution.objects.get().pk))
    assert run.status == ExecutionStatus.COMPLETED
    details = run_details(auth_client, {"graph_id": created["id"], "id": str(run.pk)})
    assert details["outputs"] == {"payload": [payload]}


def test_pinging_a_github_webhook_waits_for_githubs_ping_delivery(
    auth_client: APIClient,
    github_api: FakeGitHubApi,
    github_credentials: dict[str, Any],
    live_server: Any,
    settings: Any,
) -> None:
    settings.PLATFORM_BASE_URL = live_server.url
    inputs = {"repo": "octo/hello", "events": {"opened": True}, "credentials": github_credentials}
    created = create_graph(auth_client, triggered_graph(inputs, block_id=GITHUB_PR_TRIGGER))
    webhook_id = trigger_node(created, GITHUB_PR_TRIGGER)["webhook_id"]

    response = auth_client.post(f"/api/integrations/webhooks/{webhook_id}/ping")

    assert (response.status_code, response.json()) == (200, True)
    [hook] = github_api.hooks.values()
    assert hook.pings == 1
    assert GraphExecution.objects.count() == 0


def test_a_ping_that_never_arrives_is_a_504(
    auth_client: APIClient, github_api: FakeGitHubApi, github_credentials: dict[str, Any], settings: Any
) -> None:
    settings.WEBHOOK_PING_TIMEOUT_SECONDS = 0.5
    # GitHub is told to deliver to an address where nothing listens.
    settings.PLATFORM_BASE_URL = "http://127.0.0.1:9"
    inputs = {"repo": "octo/hello", "events": {"opened": True}, "credentials": github_credentials}
    created = create_graph(auth_client, triggered_graph(inputs, block_id=GITHUB_PR_TRIGGER))

    response = auth_client.post(
        f"/api/integrations/webhooks/{trigger_node(created, GITHUB_PR_TRIGGER)['webhook_id']}/ping"
    )

    assert response.status_code == 504
    assert response.json()["detail"] == "Webhook ping timed out"
