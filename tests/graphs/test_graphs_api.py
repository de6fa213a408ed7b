from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.graphs.models import Graph, Link, Node
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, NOTE, PRINT_TO_CONSOLE, STORE_VALUE, graph, link, node

pytestmark = pytest.mark.django_db


def simple_graph() -> dict:
    source = node(AGENT_INPUT, {"name": "question", "description": "What to ask"})
    store = node(STORE_VALUE)
    output = node(AGENT_OUTPUT, {"name": "answer"})
    return graph(
        [source, store, output], [link(source, "result", store, "input"), link(store, "output", output, "value")]
    )


def create(client: APIClient, payload: dict) -> dict:
    response = client.post("/api/graphs", {"graph": payload}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_create_assigns_fresh_ids_and_rewrites_links(auth_client: APIClient) -> None:
    payload = simple_graph()
    posted_ids = {n["id"] for n in payload["nodes"]}

    body = create(auth_client, payload)

    assert body["version"] == 1
    assert body["is_active"] is True
    node_ids = {n["id"] for n in body["nodes"]}
    assert node_ids.isdisjoint(posted_ids)
    assert len(node_ids) == 3
    for stored_link in body["links"]:
        assert stored_link["source_id"] in node_ids
        assert stored_link["sink_id"] in node_ids
    assert Graph.objects.get(graph_id=body["id"]).nodes.count() == 3


def test_create_derives_input_and_output_schemas(auth_client: APIClient) -> None:
    body = create(auth_client, simple_graph())

    assert body["input_schema"]["properties"]["question"]["title"] == "question"
    assert body["input_schema"]["properties"]["question"]["description"] == "What to ask"
    assert body["input_schema"]["required"] == ["question"]
    assert list(body["output_schema"]["properties"]) == ["answer"]


def test_input_with_a_value_has_a_default_and_is_not_required(auth_client: APIClient) -> None:
    source = node(AGENT_INPUT, {"name": "n", "value": 3})

    body = create(auth_client, graph([source]))

    assert body["input_schema"]["properties"]["n"]["default"] == 3
    assert body["input_schema"]["required"] == []


def test_links_out_of_static_output_blocks_are_stored_static(auth_client: APIClient) -> None:
    body = create(auth_client, simple_graph())

    assert all(stored["is_static"] for stored in body["links"])
    assert Link.objects.filter(is_static=True).count() == 2


def test_node_and_link_lists_are_nested_per_node(auth_client: APIClient) -> None:
    body = create(auth_client, simple_graph())

    store = next(n for n in body["nodes"] if n["block_id"] == STORE_VALUE)
    assert len(store["input_links"]) == 1
    assert len(store["output_links"]) == 1
    assert store["graph_id"] == body["id"]


def test_unknown_block_is_refused_naming_the_block_and_the_posted_node(auth_client: APIClient) -> None:
    bad = node("00000000-0000-0000-0000-000000000000", id="posted-node")

    response = auth_client.post("/api/graphs", {"graph": graph([bad])}, format="json")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["type"] == "validation_error"
    assert detail["node_errors"] == {
        "posted-node": {"block_id": "Invalid block 00000000-0000-0000-0000-000000000000 for node #posted-node"}
    }
    assert "00000000-0000-0000-0000-000000000000" in response.json()["message"]
    assert not Graph.objects.exists()


@pytest.mark.parametrize(
    ("nodes_and_links", "expected"),
    [
        pytest.param(
            lambda: ([node(AGENT_INPUT, {}, id="in")], []),
            {"in": {"name": "This field is required"}},
            id="input-without-name",
        ),
        pytest.param(
            lambda: ([node(AGENT_OUTPUT, {"name": ""}, id="out")], []),
            {"out": {"name": "This field is required"}},
            id="output-with-empty-name",
        ),
        pytest.param(
            lambda: ([node(AGENT_INPUT, {"name": "api_credentials"}, id="in")], []),
            {"in": {"name": "`credentials` and `*_credentials` are reserved input names"}},
            id="credentials-named-input",
        ),
    ],
)
def test_invalid_graphs_are_refused_with_node_errors(auth_client: APIClient, nodes_and_links, expected) -> None:  # type: ignore[no-untyped-def]
    nodes, links = nodes_and_links()

    response = auth_client.post("/api/graphs", {"graph": graph(nodes, links)}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"] == expected


def test_link_to_a_pin_that_does_not_exist_is_refused(auth_client: APIClient) -> None:
    source = node(STORE_VALUE, {"input": 1}, id="a")
    sink = node(PRINT_TO_CONSOLE, id="b")

    response = auth_client.post(
        "/api/graphs", {"graph": graph([source, sink], [link(source, "nope", sink, "text")])}, format="json"
    )

    assert response.status_code == 400
    message = response.json()["detail"]["node_errors"]["a"]["nope"]
    assert "`nope` invalid source pin" in message
    assert "output" in message


def test_link_to_a_missing_node_is_refused(auth_client: APIClient) -> None:
    source = node(STORE_VALUE, {"input": 1}, id="a")
    ghost = {"id": "ghost"}

    response = auth_client.post(
        "/api/graphs", {"graph": graph([source], [link(source, "output", ghost, "x")])}, format="json"
    )

    assert response.status_code == 400
    assert "not in the graph" in response.json()["detail"]["node_errors"]["a"]["output"]


def test_dynamic_pin_names_are_validated_by_their_base_name(auth_client: APIClient) -> None:
    source = node(STORE_VALUE, {"input": {"k": 1}})
    sink = node(AGENT_OUTPUT, {"name": "out"})

    body = create(auth_client, graph([source, sink], [link(source, "output_#_k", sink, "value")]))

    assert body["links"][0]["source_name"] == "output_#_k"


def test_standard_nodes_missing_required_inputs_may_be_saved(auth_client: APIClient) -> None:
    create(auth_client, graph([node(STORE_VALUE)]))


def test_request_shape_errors_are_422(auth_client: APIClient) -> None:
    cases = [
        {},
        {"graph": []},
        {"graph": {"nodes": [{"id": "x"}]}},
        {"graph": {"nodes": [{"block_id": STORE_VALUE, "input_default": 5}]}},
        {"graph": {"nodes": [node(STORE_VALUE, id="same"), node(STORE_VALUE, id="same")]}},
        {"graph": {"links": [{"source_id": "a"}]}},
    ]
    for payload in cases:
        response = auth_client.post("/api/graphs", payload, format="json")
        assert response.status_code == 422, payload


def test_update_writes_a_new_active_version(auth_client: APIClient) -> None:
    first = create(auth_client, simple_graph())
    changed = {**first, "name": "renamed"}

    response = auth_client.put(f"/api/graphs/{first['id']}", changed, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["name"] == "renamed"
    assert response.json()["id"] == first["id"]
    versions = Graph.objects.filter(graph_id=first["id"]).order_by("version")
    assert [(v.version, v.is_active) for v in versions] == [(1, False), (2, True)]
    assert auth_client.get(f"/api/graphs/{first['id']}").json()["version"] == 2


def test_update_refuses_a_body_id_that_differs_from_the_path(auth_client: APIClient) -> None:
    first = create(auth_client, simple_graph())

    response = auth_client.put(f"/api/graphs/{first['id']}", {**first, "id": str(uuid.uuid4())}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "Graph ID does not match ID in URI"


def test_update_of_an_unknown_graph_is_a_404(auth_client: APIClient) -> None:
    graph_id = uuid.uuid4()

    response = auth_client.put(f"/api/graphs/{graph_id}", simple_graph(), format="json")

    assert response.status_code == 404
    assert response.json()["detail"] == f"Graph #{graph_id} not found."


def test_active_version_can_be_chosen(auth_client: APIClient) -> None:
    first = create(auth_client, simple_graph())
    auth_client.put(f"/api/graphs/{first['id']}", first, format="json")

    response = auth_client.put(f"/api/graphs/{first['id']}/versions/active", {"active_graph_version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert Graph.objects.get(graph_id=first["id"], is_active=True).version == 1
    missing = auth_client.put(f"/api/graphs/{first['id']}/versions/active", {"active_graph_version": 9}, format="json")
    assert missing.status_code == 404


def test_versions_are_listed_newest_first_and_readable_one_by_one(auth_client: APIClient) -> None:
    first = create(auth_client, simple_graph())
    auth_client.put(f"/api/graphs/{first['id']}", {**first, "name": "v2"}, format="json")

    versions = auth_client.get(f"/api/graphs/{first['id']}/versions").json()
    one = auth_client.get(f"/api/graphs/{first['id']}/versions/1").json()
    by_query = auth_client.get(f"/api/graphs/{first['id']}?version=1").json()

    assert [v["version"] for v in versions] == [2, 1]
    assert one["version"] == 1
    assert one["name"] == "test graph"
    assert by_query["version"] == 1


def test_delete_removes_every_version(auth_client: APIClient) -> None:
    first = create(auth_client, simple_graph())
    auth_client.put(f"/api/graphs/{first['id']}", first, format="json")

    response = auth_client.delete(f"/api/graphs/{first['id']}")

    assert response.status_code == 200
    assert response.json() == {"version_counts": 2}
    assert not Graph.objects.exists()
    assert not Node.objects.exists()
    assert auth_client.get(f"/api/graphs/{first['id']}").status_code == 404


def test_someone_elses_graph_is_not_found_on_every_route(auth_client: APIClient) -> None:
    theirs = create(client_for(UserFactory()), simple_graph())
    path = f"/api/graphs/{theirs['id']}"

    responses = [
        auth_client.get(path),
        auth_client.get(f"{path}/versions"),
        auth_client.get(f"{path}/versions/1"),
        auth_client.put(path, theirs, format="json"),
        auth_client.put(f"{path}/versions/active", {"active_graph_version": 1}, format="json"),
        auth_client.delete(path),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert Graph.objects.filter(graph_id=theirs["id"]).count() == 1


def test_list_shows_active_versions_with_a_constant_number_of_queries(auth_client: APIClient) -> None:
    first = create(auth_client, simple_graph())
    auth_client.put(f"/api/graphs/{first['id']}", {**first, "name": "current"}, format="json")
    with CaptureQueriesContext(connection) as few:
        auth_client.get("/api/graphs")
    for _ in range(5):
        create(auth_client, simple_graph())

    with CaptureQueriesContext(connection) as many:
        response = auth_client.get("/api/graphs")

    assert len(many) == len(few) <= 3
    graphs = response.json()
    assert len(graphs) == 6
    assert "current" in [g["name"] for g in graphs]
    assert all(g["is_active"] for g in graphs)
    assert list(graphs[0]["input_schema"]["properties"]) == ["question"]


def test_export_strips_user_data_and_secrets(auth_client: APIClient) -> None:
    secret_input = node(AGENT_INPUT, {"name": "token", "value": "s3cret", "secret": True})
    body = create(auth_client, graph([secret_input]))

    exported = auth_client.get(f"/api/graphs/{body['id']}?for_export=true").json()

    assert exported["user_id"] == ""
    assert "value" not in exported["nodes"][0]["input_default"]
    assert body["nodes"][0]["input_default"]["value"] == "s3cret"


def test_warnings_are_advisory(auth_client: APIClient) -> None:
    a = node(STORE_VALUE, {"input": 1})
    b = node(STORE_VALUE)
    lonely = node(PRINT_TO_CONSOLE, {"text": "hi"})
    note = node(NOTE, {"text": "a comment"})

    body = create(
        auth_client, graph([a, b, lonely, note], [link(a, "output", b, "input"), link(b, "output", a, "input")])
    )

    codes = {w["code"]: w for w in body["warnings"]}
    # `lonely` has no inbound link, so the graph still has an entry node.
    assert set(codes) == {"NO_OUTPUT_NODE", "ISOLATED_NODES", "CYCLE"}
    stored = {n["id"] for n in body["nodes"]}
    assert set(codes["ISOLATED_NODES"]["node_ids"]) <= stored
    assert len(codes["CYCLE"]["node_ids"]) == 2


def test_a_clean_graph_has_no_warnings(auth_client: APIClient) -> None:
    assert create(auth_client, simple_graph())["warnings"] == []
