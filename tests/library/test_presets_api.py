from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.executions.models import GraphExecution
from apps.library.models import AgentPreset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.library.conftest import greeting_graph, preset_body
from tests.runs import create_graph, execute
from tests.upstream_shapes import assert_upstream_shape, component

pytestmark = pytest.mark.django_db


def _create(client: APIClient, graph: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/library/presets", preset_body(graph, **overrides), format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_creating_a_preset_from_inputs_answers_upstreams_shape_and_stores_it(
    auth_client: APIClient, user: User, greeter: dict[str, Any]
) -> None:
    body = _create(auth_client, greeter)

    assert_upstream_shape(body, "LibraryAgentPreset")
    assert body["graph_id"] == greeter["id"]
    assert body["graph_version"] == greeter["version"]
    assert body["user_id"] == str(user.pk)
    assert body["inputs"] == {"greeting": "Hello", "name": "Ada"}
    assert (body["is_active"], body["webhook_id"], body["webhook"]) == (True, None, None)
    stored = AgentPreset.objects.get(pk=body["id"])
    assert stored.inputs == {"greeting": "Hello", "name": "Ada"}
    assert stored.name == "Ada's greeting"


def test_a_preset_made_from_a_run_keeps_its_graph_version_and_inputs(
    auth_client: APIClient, user_has_credits: None, greeter: dict[str, Any]
) -> None:
    run = execute(auth_client, greeter, {"greeting": "Hi", "name": "Grace"})

    response = auth_client.post(
        "/api/library/presets",
        {"graph_execution_id": run["id"], "name": "From a run", "description": ""},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert_upstream_shape(body, "LibraryAgentPreset")
    assert (body["graph_id"], body["graph_version"]) == (greeter["id"], greeter["version"])
    assert body["inputs"] == {"greeting": "Hi", "name": "Grace"}
    assert body["credentials"] == {}


def test_a_preset_from_someone_elses_run_or_graph_is_a_404(auth_client: APIClient, user_has_credits: None) -> None:
    stranger = client_for(UserFactory())
    their_graph = create_graph(stranger, greeting_graph())
    from_graph = auth_client.post("/api/library/presets", preset_body(their_graph), format="json")
    from_run = auth_client.post(
        "/api/library/presets",
        {"graph_execution_id": str(uuid.uuid4()), "name": "x", "description": ""},
        format="json",
    )

    assert from_graph.status_code == 404
    assert from_graph.json()["message"] == f"Graph #{their_graph['id']} not found."
    assert from_run.status_code == 404
    assert not AgentPreset.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"graph_id": "not-a-uuid"}, "graph_id"),
        ({"graph_version": 0}, "graph_version"),
        ({"inputs": ["a"]}, "inputs"),
        ({"name": ""}, "name"),
        ({"credentials": {"key": {"id": "x"}}}, "credentials"),
    ],
)
def test_bad_preset_input_is_a_422_naming_the_field(
    auth_client: APIClient, greeter: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    response = auth_client.post("/api/library/presets", preset_body(greeter, **overrides), format="json")

    assert response.status_code == 422
    assert {item["loc"][1] for item in response.json()["detail"]} == {field}
    assert not AgentPreset.objects.exists()


def test_the_list_is_paginated_filtered_by_graph_and_holds_only_the_users_live_presets(
    auth_client: APIClient, greeter: dict[str, Any]
) -> None:
    other_graph = create_graph(auth_client, greeting_graph(name="Other"))
    first = _create(auth_client, greeter, name="first")
    _create(auth_client, greeter, name="second")
    _create(auth_client, greeter, name="third")
    _create(auth_client, other_graph, name="elsewhere")
    auth_client.delete(f"/api/library/presets/{first['id']}")
    stranger = client_for(UserFactory())
    _create(stranger, create_graph(stranger, greeting_graph()))

    page_one = auth_client.get(f"/api/library/presets?graph_id={greeter['id']}&page_size=1").json()
    page_two = auth_client.get(f"/api/library/presets?graph_id={greeter['id']}&page_size=1&page=2").json()
    everything = auth_client.get("/api/library/presets").json()

    assert_upstream_shape(page_one, "LibraryAgentPresetResponse")
    assert page_one["pagination"] == {"total_items": 2, "total_pages": 2, "current_page": 1, "page_size": 1}
    assert [p["name"] for p in page_one["presets"] + page_two["presets"]] == ["third", "second"]
    assert sorted(p["name"] for p in everything["presets"]) == ["elsewhere", "second", "third"]
    assert everything["pagination"]["page_size"] == 10


def test_the_list_takes_the_same_queries_however_many_presets(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    _create(auth_client, greeter)
    with CaptureQueriesContext(connection) as one:
        auth_client.get("/api/library/presets")
    for _ in range(4):
        _create(auth_client, greeter)
    with CaptureQueriesContext(connection) as five:
        response = auth_client.get("/api/library/presets")

    assert len(response.json()["presets"]) == 5
    assert len(one) == len(five)


@pytest.mark.parametrize("query", ["graph_id=nope", "page=0", "page_size=0", "page_size=101"])
def test_a_bad_list_query_is_a_422(auth_client: APIClient, query: str) -> None:
    response = auth_client.get(f"/api/library/presets?{query}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_patching_changes_only_what_is_given(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    preset = _create(auth_client, greeter)

    renamed = auth_client.patch(f"/api/library/presets/{preset['id']}", {"name": "Renamed"}, format="json")
    replaced = auth_client.patch(
        f"/api/library/presets/{preset['id']}",
        {"inputs": {"greeting": "Bonjour"}, "credentials": {}, "is_active": False, "description": None},
        format="json",
    )

    assert renamed.status_code == 200
    assert_upstream_shape(renamed.json(), "LibraryAgentPreset")
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["inputs"] == {"greeting": "Hello", "name": "Ada"}
    body = replaced.json()
    assert (body["name"], body["description"], body["is_active"]) == ("Renamed", "Greets Ada", False)
    assert body["inputs"] == {"greeting": "Bonjour"}


def test_inputs_without_credentials_are_refused_as_upstream(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    preset = _create(auth_client, greeter)

    response = auth_client.patch(f"/api/library/presets/{preset['id']}", {"inputs": {"name": "Bob"}}, format="json")

    assert response.status_code == 422
    assert response.json()["message"] == "Preset inputs and credentials must be provided together"
    assert AgentPreset.objects.get(pk=preset["id"]).inputs == {"greeting": "Hello", "name": "Ada"}


def test_a_deleted_preset_is_kept_but_gone_from_every_route(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    preset = _create(auth_client, greeter)

    deleted = auth_client.delete(f"/api/library/presets/{preset['id']}")

    assert deleted.status_code == 204
    assert AgentPreset.objects.get(pk=preset["id"]).is_deleted
    url = f"/api/library/presets/{preset['id']}"
    assert auth_client.get(url).status_code == 404
    assert auth_client.patch(url, {"name": "x"}, format="json").status_code == 404
    assert auth_client.delete(url).status_code == 404
    assert auth_client.post(f"{url}/execute", {}, format="json").status_code == 404


def test_someone_elses_preset_is_a_404_on_every_route(auth_client: APIClient) -> None:
    stranger = client_for(UserFactory())
    theirs = _create(stranger, create_graph(stranger, greeting_graph()))
    url = f"/api/library/presets/{theirs['id']}"

    answers = [
        auth_client.get(url),
        auth_client.patch(url, {"name": "mine now"}, format="json"),
        auth_client.delete(url),
        auth_client.post(f"{url}/execute", {}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert answers[0].json()["message"] == f"Preset #{theirs['id']} not found"
    assert AgentPreset.objects.get(pk=theirs["id"]).name == "Ada's greeting"
    assert not GraphExecution.objects.exists()


def test_executing_a_preset_overlays_the_requests_inputs_and_links_the_run(
    auth_client: APIClient, user_has_credits: None, greeter: dict[str, Any]
) -> None:
    preset = _create(auth_client, greeter)

    response = auth_client.post(
        f"/api/library/presets/{preset['id']}/execute", {"inputs": {"name": "Grace"}}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(component("GraphExecutionMeta")["required"]) <= set(body)
    assert body["preset_id"] == preset["id"]
    assert body["inputs"] == {"greeting": "Hello", "name": "Grace"}
    run = GraphExecution.objects.get(pk=body["id"])
    assert (run.preset_id, str(run.graph_public_id), run.graph_version) == (
        uuid.UUID(preset["id"]),
        greeter["id"],
        greeter["version"],
    )
    assert AgentPreset.objects.get(pk=preset["id"]).inputs == {"greeting": "Hello", "name": "Ada"}


def test_executing_a_preset_missing_a_required_input_is_refused_and_starts_nothing(
    auth_client: APIClient, user_has_credits: None, greeter: dict[str, Any]
) -> None:
    preset = _create(auth_client, greeter, inputs={"greeting": "Hello"})

    response = auth_client.post(f"/api/library/presets/{preset['id']}/execute", {}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "GRAPH_VALIDATION_FAILED"
    assert not GraphExecution.objects.exists()


def test_a_preset_of_a_deleted_graph_is_gone(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    preset = _create(auth_client, greeter)

    auth_client.delete(f"/api/graphs/{greeter['id']}")

    assert auth_client.get(f"/api/library/presets/{preset['id']}").status_code == 404
    assert auth_client.post(f"/api/library/presets/{preset['id']}/execute", {}, format="json").status_code == 404
