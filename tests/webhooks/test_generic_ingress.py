"""The generic webhook: made when a graph with the trigger is saved, and each delivery starting one run."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import GraphExecution, NodeExecution
from apps.graphs.models import Node
from apps.webhooks.models import Webhook, WebhookDelivery
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.runs import create_graph
from tests.upstream_shapes import assert_upstream_shape
from tests.webhooks.conftest import GENERIC_TRIGGER, PLATFORM, deliver, trigger_node, triggered_graph

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("user_has_credits")]


def _runs_of(graph_json: dict[str, Any]) -> list[GraphExecution]:
    return list(GraphExecution.objects.filter(graph_public_id=graph_json["id"]).order_by("created_at"))


def test_saving_a_graph_with_the_generic_trigger_gives_its_node_a_webhook_shown_as_upstream(
    auth_client: APIClient,
) -> None:
    created = create_graph(auth_client, triggered_graph())

    trigger = trigger_node(created)
    webhook = Webhook.objects.get()
    assert trigger["webhook_id"] == str(webhook.id)
    assert_upstream_shape(trigger["webhook"], "Webhook")
    assert trigger["webhook"]["url"] == f"{PLATFORM}/api/integrations/generic_webhook/webhooks/{webhook.id}/ingress"
    assert (trigger["webhook"]["provider"], trigger["webhook"]["webhook_type"]) == ("generic_webhook", "plain")
    assert trigger["webhook"]["secret"] == "**********"
    assert created["has_external_trigger"] is True
    assert created["trigger_setup_info"]["provider"] == "generic_webhook"
    assert "payload" in created["trigger_setup_info"]["config_schema"]["properties"]


def test_a_delivery_starts_one_run_with_the_payload_as_the_trigger_nodes_input(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph({"constants": {"source": "test"}}))
    url = trigger_node(created)["webhook"]["url"]

    response = deliver(APIClient(), url, {"event": "signup", "email": "ada@example.com"})

    assert response.status_code == 200, response.content
    assert response.content == b"null"
    [run] = _runs_of(created)
    trigger_id = trigger_node(created)["id"]
    starting = NodeExecution.objects.get(graph_execution=run, node_id=trigger_id)
    assert starting.input_data["payload"] == {"event": "signup", "email": "ada@example.com"}
    assert starting.input_data["constants"] == {"source": "test"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.payload, delivery.runs_started, delivery.event_type) == (
        {"event": "signup", "email": "ada@example.com"},
        1,
        "plain",
    )


def test_a_repeated_delivery_with_the_same_id_starts_no_second_run(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    url = trigger_node(created)["webhook"]["url"]
    sender = APIClient()

    first = deliver(sender, url, {"n": 1}, HTTP_WEBHOOK_ID="msg_1")
    again = deliver(sender, url, {"n": 1}, HTTP_WEBHOOK_ID="msg_1")
    other = deliver(sender, url, {"n": 2}, HTTP_WEBHOOK_ID="msg_2")

    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 200)
    assert len(_runs_of(created)) == 2
    assert sorted(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == ["msg_1", "msg_2"]


def test_deliveries_without_an_id_each_start_a_run(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    url = trigger_node(created)["webhook"]["url"]

    deliver(APIClient(), url, {"n": 1})
    deliver(APIClient(), url, {"n": 1})

    assert len(_runs_of(created)) == 2


def test_a_wrong_or_missing_secret_token_is_a_401_and_starts_nothing(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph({"secret_token": "s3cret-token"}))
    url = trigger_node(created)["webhook"]["url"]

    wrong = deliver(APIClient(), url, {"n": 1}, HTTP_X_WEBHOOK_SECRET="guess")
    missing = deliver(APIClient(), url, {"n": 1})
    right = deliver(APIClient(), url, {"n": 1}, HTTP_X_WEBHOOK_SECRET="s3cret-token")

    assert (wrong.status_code, missing.status_code, right.status_code) == (401, 401, 200)
    assert wrong.json()["detail"] == "Invalid or missing X-Webhook-Secret header"
    assert "s3cret-token" not in wrong.content.decode()
    assert len(_runs_of(created)) == 1
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        f"/api/integrations/generic_webhook/webhooks/{uuid.uuid4()}/ingress",
        "/api/integrations/generic_webhook/webhooks/not-a-uuid/ingress",
        "/api/integrations/unknown/webhooks/{id}/ingress",
        "/api/integrations/github/webhooks/{id}/ingress",
    ],
)
def test_an_unknown_webhook_or_the_wrong_provider_is_a_404(auth_client: APIClient, path: str) -> None:
    created = create_graph(auth_client, triggered_graph())
    webhook_id = trigger_node(created)["webhook_id"]

    response = APIClient().post(path.format(id=webhook_id), {"n": 1}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert GraphExecution.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"{not json", "not valid JSON"), (b"[1, 2]", "must be a JSON object"), (b"[" * 5000 + b"]" * 5000, "nested")],
)
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_problem(
    auth_client: APIClient, raw: bytes, message: str
) -> None:
    created = create_graph(auth_client, triggered_graph())

    response = deliver(APIClient(), trigger_node(created)["webhook"]["url"], None, raw=raw)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert GraphExecution.objects.count() == 0


def test_a_payload_over_the_limit_is_a_413_and_starts_nothing(auth_client: APIClient, settings: Any) -> None:
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    created = create_graph(auth_client, triggered_graph())

    response = deliver(APIClient(), trigger_node(created)["webhook"]["url"], {"text": "x" * 200})

    assert response.status_code == 413
    assert "the limit is 100" in response.json()["message"]
    assert GraphExecution.objects.count() == 0


def test_deliveries_are_rate_limited_per_webhook(auth_client: APIClient, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "webhook": "2/m"}
    first = trigger_node(create_graph(auth_client, triggered_graph()))["webhook"]["url"]
    second = trigger_node(create_graph(auth_client, triggered_graph()))["webhook"]["url"]

    statuses = [deliver(APIClient(), first, {"n": n}).status_code for n in range(3)]
    other = deliver(APIClient(), second, {"n": 0})

    assert statuses == [200, 200, 429]
    assert other.status_code == 200
    assert GraphExecution.objects.count() == 3


def test_a_new_version_keeps_the_webhook_and_its_url(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    webhook_id = trigger_node(created)["webhook_id"]

    updated = auth_client.put(f"/api/graphs/{created['id']}", triggered_graph({"constants": {"v": 2}}), format="json")

    assert updated.status_code == 200, updated.json()
    assert trigger_node(updated.json())["webhook_id"] == webhook_id
    old_trigger = Node.objects.get(pk=trigger_node(created)["id"])
    assert old_trigger.webhook_id is None
    deliver(APIClient(), trigger_node(updated.json())["webhook"]["url"], {"n": 1})
    [run] = _runs_of(created)
    assert run.graph_version == 2


def test_deleting_the_graph_removes_its_webhook_and_its_url_answers_404(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    url = trigger_node(created)["webhook"]["url"]

    assert auth_client.delete(f"/api/graphs/{created['id']}").status_code == 200

    assert Webhook.objects.count() == 0
    assert deliver(APIClient(), url, {"n": 1}).status_code == 404


def test_an_exported_graph_carries_no_webhook(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph({"secret_token": "s3cret-token"}))

    exported = auth_client.get(f"/api/graphs/{created['id']}?for_export=true").json()

    trigger = next(item for item in exported["nodes"] if item["block_id"] == GENERIC_TRIGGER)
    assert (trigger["webhook_id"], trigger["webhook"]) == (None, None)
    assert "secret_token" not in trigger["input_default"]


def test_pinging_a_generic_webhook_answers_false_and_someone_elses_is_a_404(auth_client: APIClient) -> None:
    created = create_graph(auth_client, triggered_graph())
    webhook_id = trigger_node(created)["webhook_id"]
    stranger = client_for(UserFactory())

    own = auth_client.post(f"/api/integrations/webhooks/{webhook_id}/ping")
    foreign = stranger.post(f"/api/integrations/webhooks/{webhook_id}/ping")

    assert (own.status_code, own.json()) == (200, False)
    assert foreign.status_code == 404
