from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, GraphExecution
from apps.graphs.models import Graph
from apps.library.models import LibraryAgent
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.graph_builders import AGENT_EXECUTOR, graph, node
from tests.library.conftest import greeting_graph
from tests.runs import create_graph, execute
from tests.upstream_shapes import assert_upstream_shape

pytestmark = pytest.mark.django_db


def _entry(client: APIClient, graph: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/library/agents/by-graph/{graph['id']}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_creating_a_graph_puts_it_in_the_library_in_upstreams_shape(
    auth_client: APIClient, greeter: dict[str, Any]
) -> None:
    entry = _entry(auth_client, greeter)

    assert_upstream_shape(entry, "LibraryAgent")
    assert (entry["graph_id"], entry["graph_version"]) == (greeter["id"], 1)
    assert (entry["name"], entry["description"]) == ("Greeter", "Says hello")
    assert sorted(entry["input_schema"]["properties"]) == ["greeting", "name"]
    assert sorted(entry["output_schema"]["properties"]) == ["greeting", "name"]
    assert (entry["status"], entry["new_output"], entry["is_favorite"]) == ("COMPLETED", False, False)
    assert entry["can_access_graph"] is True
    assert entry["is_latest_version"] is True
    assert auth_client.get(f"/api/library/agents/{entry['id']}").json() == entry


def test_an_entry_follows_new_versions_unless_told_not_to(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    entry = _entry(auth_client, greeter)
    update = {**greeting_graph(name="Greeter 2"), "id": greeter["id"]}

    auth_client.put(f"/api/graphs/{greeter['id']}", update, format="json")
    followed = _entry(auth_client, greeter)
    auth_client.patch(f"/api/library/agents/{entry['id']}", {"auto_update_version": False}, format="json")
    auth_client.put(f"/api/graphs/{greeter['id']}", update, format="json")
    pinned = _entry(auth_client, greeter)

    assert (followed["graph_version"], followed["name"]) == (2, "Greeter 2")
    assert pinned["graph_version"] == 2
    assert pinned["is_latest_version"] is False
    assert LibraryAgent.objects.count() == 1


def test_the_list_searches_sorts_pages_and_leaves_out_archived_and_deleted_entries(auth_client: APIClient) -> None:
    graphs = {
        name: create_graph(auth_client, greeting_graph(name=name, description=f"{name} agent"))
        for name in ("Alpha writer", "Beta reader", "Gamma writer", "Archived writer", "Deleted writer")
    }
    entries = {name: _entry(auth_client, graph) for name, graph in graphs.items()}
    auth_client.patch(f"/api/library/agents/{entries['Archived writer']['id']}", {"is_archived": True}, format="json")
    auth_client.delete(f"/api/library/agents/{entries['Deleted writer']['id']}")
    auth_client.patch(f"/api/library/agents/{entries['Alpha writer']['id']}", {"is_favorite": True}, format="json")

    by_update = auth_client.get("/api/library/agents").json()
    by_creation = auth_client.get("/api/library/agents?sort_by=createdAt&page_size=2&page=2").json()
    writers = auth_client.get("/api/library/agents?search_term=WRITER").json()

    assert_upstream_shape(by_update, "LibraryAgentResponse")
    assert [a["name"] for a in by_update["agents"]] == ["Alpha writer", "Gamma writer", "Beta reader"]
    assert by_update["pagination"] == {"total_items": 3, "total_pages": 1, "current_page": 1, "page_size": 15}
    assert [a["name"] for a in by_creation["agents"]] == ["Alpha writer"]
    assert sorted(a["name"] for a in writers["agents"]) == ["Alpha writer", "Gamma writer"]


def test_favorites_lists_only_favorite_entries(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    other = create_graph(auth_client, greeting_graph(name="Other"))
    auth_client.patch(f"/api/library/agents/{_entry(auth_client, other)['id']}", {"is_favorite": True}, format="json")

    favorites = auth_client.get("/api/library/agents/favorites").json()

    assert_upstream_shape(favorites, "LibraryAgentResponse")
    assert [a["graph_id"] for a in favorites["agents"]] == [other["id"]]
    assert favorites["agents"][0]["is_favorite"] is True


def test_the_list_takes_the_same_queries_however_many_entries(auth_client: APIClient) -> None:
    create_graph(auth_client, greeting_graph())
    with CaptureQueriesContext(connection) as one:
        auth_client.get("/api/library/agents")
    for _ in range(4):
        create_graph(auth_client, greeting_graph())
    with CaptureQueriesContext(connection) as five:
        response = auth_client.get("/api/library/agents")

    assert len(response.json()["agents"]) == 5
    assert len(one) == len(five)


def test_status_and_new_output_come_from_the_recent_runs(
    auth_client: APIClient, user_has_credits: None, greeter: dict[str, Any]
) -> None:
    run = execute(auth_client, greeter, {"greeting": "Hi", "name": "Ada"})
    waiting = _entry(auth_client, greeter)
    GraphExecution.objects.filter(pk=run["id"]).update(status=ExecutionStatus.COMPLETED)
    done = _entry(auth_client, greeter)
    GraphExecution.objects.filter(pk=run["id"]).update(status=ExecutionStatus.FAILED)
    failed = _entry(auth_client, greeter)

    assert (waiting["status"], waiting["new_output"]) == ("WAITING", False)
    assert (done["status"], done["new_output"]) == ("COMPLETED", True)
    assert failed["status"] == "ERROR"


@pytest.mark.parametrize(
    ("query", "field"),
    [("sort_by=name", "sort_by"), ("page=0", "page"), ("page_size=500", "page_size")],
)
def test_a_bad_list_query_is_a_422_naming_the_parameter(auth_client: APIClient, query: str, field: str) -> None:
    response = auth_client.get(f"/api/library/agents?{query}")

    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["query", field]]


def test_a_bad_patch_is_a_422_and_changes_nothing(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    entry = _entry(auth_client, greeter)

    response = auth_client.patch(f"/api/library/agents/{entry['id']}", {"is_favorite": "maybe"}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "is_favorite"]
    assert LibraryAgent.objects.get(pk=entry["id"]).is_favorite is False


def test_a_deleted_entry_is_kept_soft_and_answers_404(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    entry = _entry(auth_client, greeter)

    deleted = auth_client.delete(f"/api/library/agents/{entry['id']}")

    assert deleted.status_code == 204
    assert LibraryAgent.objects.get(pk=entry["id"]).is_deleted
    assert auth_client.get(f"/api/library/agents/{entry['id']}").status_code == 404
    assert auth_client.get(f"/api/library/agents/by-graph/{greeter['id']}").status_code == 404
    assert auth_client.get("/api/library/agents").json()["agents"] == []


def test_someone_elses_entry_is_a_404_on_every_route(auth_client: APIClient) -> None:
    stranger = client_for(UserFactory())
    their_graph = create_graph(stranger, greeting_graph())
    theirs = _entry(stranger, their_graph)
    url = f"/api/library/agents/{theirs['id']}"

    answers = [
        auth_client.get(url),
        auth_client.patch(url, {"is_favorite": True}, format="json"),
        auth_client.delete(url),
        auth_client.post(f"{url}/fork"),
        auth_client.get(f"/api/library/agents/by-graph/{their_graph['id']}"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert answers[0].json()["message"] == f"Library agent #{theirs['id']} not found"
    stored = LibraryAgent.objects.get(pk=theirs["id"])
    assert (stored.is_favorite, stored.is_deleted) == (False, False)
    assert Graph.objects.count() == 1


def test_forking_copies_the_graph_as_a_new_graph_of_the_users_in_the_library(
    auth_client: APIClient, greeter: dict[str, Any]
) -> None:
    entry = _entry(auth_client, greeter)

    response = auth_client.post(f"/api/library/agents/{entry['id']}/fork")

    assert response.status_code == 200, response.json()
    fork = response.json()
    assert_upstream_shape(fork, "LibraryAgent")
    assert fork["id"] != entry["id"]
    assert fork["graph_id"] != greeter["id"]
    assert (fork["graph_version"], fork["name"]) == (1, "Greeter (copy)")
    copied = auth_client.get(f"/api/graphs/{fork['graph_id']}").json()
    assert (copied["forked_from_id"], copied["forked_from_version"]) == (greeter["id"], 1)
    assert [n["block_id"] for n in copied["nodes"]] == [n["block_id"] for n in greeter["nodes"]]
    assert {n["id"] for n in copied["nodes"]}.isdisjoint({n["id"] for n in greeter["nodes"]})
    assert len(copied["links"]) == len(greeter["links"])


def test_deleting_a_graph_removes_its_entry(auth_client: APIClient, greeter: dict[str, Any]) -> None:
    auth_client.delete(f"/api/graphs/{greeter['id']}")

    assert not LibraryAgent.objects.exists()
    assert auth_client.get("/api/library/agents").json()["pagination"]["total_items"] == 0


def test_adding_from_the_store_answers_404_saying_there_is_no_store(auth_client: APIClient) -> None:
    adding = auth_client.post("/api/library/agents", {"store_listing_version_id": "x"}, format="json")

    assert adding.status_code == 404
    assert adding.json()["message"] == "The agent store is not available on this platform."


def test_no_library_agent_comes_from_a_store_listing(auth_client: APIClient) -> None:
    listing = auth_client.get("/api/library/agents/marketplace/some-listing")

    assert listing.status_code == 200
    assert listing.json() is None


def test_importing_a_graph_with_a_sub_graph_puts_each_graph_in_the_library(auth_client: APIClient) -> None:
    sub_id = str(uuid.uuid4())
    inner = {**greeting_graph(name="Inner"), "id": sub_id, "version": 1}
    pins = {"type": "object", "properties": {"greeting": {}, "name": {}}}
    runner = node(AGENT_EXECUTOR, {"graph_id": sub_id, "graph_version": 1, "input_schema": pins, "output_schema": pins})
    outer = {**graph([runner], name="Outer"), "sub_graphs": [inner]}

    created = create_graph(auth_client, outer)
    listed = auth_client.get("/api/library/agents").json()

    assert sorted(entry["name"] for entry in listed["agents"]) == ["Inner", "Outer"]
    stored = set(Graph.objects.values_list("graph_id", flat=True))
    assert {uuid.UUID(entry["graph_id"]) for entry in listed["agents"]} == stored
    assert uuid.UUID(created["id"]) in stored


def test_a_page_far_past_the_end_is_a_422_not_a_database_error(auth_client: APIClient) -> None:
    response = auth_client.get("/api/library/agents/favorites?page=1152921504606846975")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "page"]
