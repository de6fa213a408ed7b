from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import GraphExecution
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, graph, link, node
from tests.runs import create_graph, execute, wait_for_run
from tests.upstream_shapes import assert_upstream_shape


def _echo(client: APIClient) -> dict[str, Any]:
    source = node(AGENT_INPUT, {"name": "text"})
    sink = node(AGENT_OUTPUT, {"name": "echo"})
    return create_graph(
        client, graph([source, sink], [link(source, "result", sink, "value")], name="Echo", description="Repeats")
    )


@pytest.fixture
def run(auth_client: APIClient, user_has_credits: None) -> dict[str, Any]:
    return execute(auth_client, _echo(auth_client), {"text": "a secret input"})


def _share_url(run: dict[str, Any]) -> str:
    return f"/api/graphs/{run['graph_id']}/executions/{run['id']}/share"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker_process")
def test_a_shared_finished_run_shows_its_outcome_to_anyone_with_the_token(
    auth_client: APIClient, run: dict[str, Any], settings: Any
) -> None:
    settings.FRONTEND_BASE_URL = "https://agents.example.com/"
    wait_for_run(run["id"])

    shared = auth_client.post(_share_url(run), {}, format="json")
    token = shared.json()["share_token"]
    public = APIClient().get(f"/api/public/shared/{token}")

    assert shared.status_code == 200
    assert_upstream_shape(shared.json(), "ShareResponse")
    assert shared.json()["share_url"] == f"https://agents.example.com/share/{token}"
    assert public.status_code == 200
    body = public.json()
    assert_upstream_shape(body, "SharedExecutionResponse")
    assert (body["id"], body["graph_name"], body["graph_description"]) == (run["id"], "Echo", "Repeats")
    assert (body["status"], body["outputs"]) == ("COMPLETED", {"echo": ["a secret input"]})
    details = auth_client.get(f"/api/graphs/{run['graph_id']}/executions/{run['id']}").json()
    assert (details["is_shared"], details["share_token"]) == (True, token)


@pytest.mark.django_db
def test_the_public_answer_holds_no_inputs_credentials_or_node_details(
    auth_client: APIClient, run: dict[str, Any]
) -> None:
    token = auth_client.post(_share_url(run)).json()["share_token"]

    body = APIClient().get(f"/api/public/shared/{token}").json()

    assert set(body) == {"id", "graph_name", "graph_description", "status", "created_at", "outputs"}
    assert "a secret input" not in str(body)


@pytest.mark.django_db
def test_sharing_again_replaces_the_token_and_unsharing_ends_it(auth_client: APIClient, run: dict[str, Any]) -> None:
    first = auth_client.post(_share_url(run)).json()["share_token"]
    second = auth_client.post(_share_url(run)).json()["share_token"]

    old_link = APIClient().get(f"/api/public/shared/{first}")
    unshared = auth_client.delete(_share_url(run))
    after = APIClient().get(f"/api/public/shared/{second}")

    assert first != second
    assert old_link.status_code == 404
    assert unshared.status_code == 204
    assert after.status_code == 404
    assert after.json()["message"] == "Shared execution not found"
    stored = GraphExecution.objects.get(pk=run["id"])
    assert (stored.is_shared, stored.share_token, stored.shared_at) == (False, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("token", [str(uuid.uuid4()), "not-a-token", "0" * 5000])
def test_an_unknown_or_malformed_token_is_a_404(token: str) -> None:
    response = APIClient().get(f"/api/public/shared/{token}")

    assert response.status_code == 404
    assert response.json()["message"] == "Shared execution not found"


@pytest.mark.django_db
def test_a_deleted_run_is_no_longer_shared(auth_client: APIClient, run: dict[str, Any]) -> None:
    token = auth_client.post(_share_url(run)).json()["share_token"]

    auth_client.delete(f"/api/executions/{run['id']}")

    assert APIClient().get(f"/api/public/shared/{token}").status_code == 404


@pytest.mark.django_db
def test_only_the_owner_shares_a_run_and_only_under_its_own_graph(auth_client: APIClient, run: dict[str, Any]) -> None:
    stranger = client_for(UserFactory())
    other_graph = _echo(auth_client)

    answers = [
        stranger.post(_share_url(run)),
        stranger.delete(_share_url(run)),
        auth_client.post(f"/api/graphs/{other_graph['id']}/executions/{run['id']}/share"),
        APIClient().post(_share_url(run)),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 401]
    assert not GraphExecution.objects.filter(is_shared=True).exists()
