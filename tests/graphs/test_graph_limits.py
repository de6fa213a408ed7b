"""Graph-shaped bounds: nodes, links, sub-graphs per import, dynamic pin indexes, and sub-graphs that recurse."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from rest_framework.test import APIClient

from apps.executions.models import GraphExecution
from apps.graphs.models import Graph, Node
from tests.graph_builders import AGENT_EXECUTOR, AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, graph, link, node
from tests.runs import create_graph

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("user_has_credits")]

NO_SCHEMA = {"input_schema": {"properties": {}}, "output_schema": {"properties": {}}, "inputs": {}}


def _post(client: APIClient, payload: dict[str, Any]) -> Any:
    return client.post("/api/graphs", {"graph": payload}, format="json")


def _agent_node(target: dict[str, Any], **input_default: Any) -> dict[str, Any]:
    return node(
        AGENT_EXECUTOR,
        {
            "graph_id": target["id"],
            "graph_version": target["version"],
            "input_schema": target["input_schema"],
            "output_schema": target["output_schema"],
            "inputs": {},
            **input_default,
        },
    )


def _leaf(client: APIClient) -> dict[str, Any]:
    return create_graph(client, graph([node(STORE_VALUE, {"input": 1})], name="leaf"))


@pytest.mark.parametrize(
    ("field", "setting", "count"),
    [("nodes", "GRAPH_MAX_NODES", 3), ("links", "GRAPH_MAX_LINKS", 3), ("sub_graphs", "GRAPH_MAX_SUB_GRAPHS", 2)],
)
def test_a_graph_over_a_size_bound_is_a_422_naming_it(auth_client: APIClient, settings, field, setting, count) -> None:
    setattr(settings, setting, count - 1)
    first, second = node(STORE_VALUE, {"input": 1}), node(STORE_VALUE)
    items = {
        "nodes": [node(STORE_VALUE) for _ in range(count)],
        "links": [link(first, "output", second, "input") for _ in range(count)],
        "sub_graphs": [graph([node(STORE_VALUE, {"input": 1})]) for _ in range(count)],
    }[field]
    payload = graph([first, second])
    payload[field] = items

    response = _post(auth_client, payload)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "graph", field],
            "msg": f"At most {count - 1} {field} are allowed ({setting}); got {count}.",
            "type": "invalid",
        }
    ]


def test_items_are_counted_before_any_is_validated(auth_client: APIClient, settings) -> None:
    settings.GRAPH_MAX_NODES = 10
    with mock.patch("apps.graphs.api.serializers.NodeInput.validate") as validate_node:
        response = _post(auth_client, graph([node(STORE_VALUE) for _ in range(11)]))

    assert response.status_code == 422
    validate_node.assert_not_called()


def test_a_chain_of_sub_graphs_posted_in_reverse_imports_in_order(auth_client: APIClient, settings) -> None:
    settings.SUB_GRAPH_MAX_DEPTH = 30
    count = 25
    subs = [graph([node(AGENT_OUTPUT, {"name": "out", "value": 0})], id=f"sub-{i}", version=1) for i in range(count)]
    for index in range(1, count):
        agent = node(AGENT_EXECUTOR, {"graph_id": f"sub-{index - 1}", "graph_version": 1, **NO_SCHEMA})
        subs[index]["nodes"].append(agent)
    main = graph(
        [node(AGENT_EXECUTOR, {"graph_id": f"sub-{count - 1}", "graph_version": 1, **NO_SCHEMA})],
        sub_graphs=list(reversed(subs)),
    )

    response = _post(auth_client, main)

    assert response.status_code == 200, response.json()
    assert Graph.objects.count() == count + 1


def test_sub_graphs_that_run_each_other_are_refused(auth_client: APIClient) -> None:
    first = graph([], id="first", version=1)
    second = graph([], id="second", version=1)
    first["nodes"].append(node(AGENT_EXECUTOR, {"graph_id": "second", "graph_version": 1, **NO_SCHEMA}))
    second["nodes"].append(node(AGENT_EXECUTOR, {"graph_id": "first", "graph_version": 1, **NO_SCHEMA}))

    response = _post(auth_client, graph([node(STORE_VALUE, {"input": 1})], sub_graphs=[first, second]))

    assert response.status_code == 400
    assert response.json()["code"] == "SUB_GRAPH_CYCLE"


def test_a_dynamic_pin_index_over_the_bound_is_refused_at_save(auth_client: APIClient) -> None:
    start = node(AGENT_INPUT, {"name": "x"}, id="start")
    sink = node(STORE_VALUE, {"input": 1, "data_$_50000000": "a"}, id="sink")
    linked = node(STORE_VALUE, {"input": 1}, id="linked")

    response = _post(auth_client, graph([start, sink, linked], [link(start, "result", linked, "data_$_10001")]))

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"] == {
        "sink": {
            "data_$_50000000": "List index 50000000 of pin `data_$_50000000` is over the limit of 10000 "
            "(DYNAMIC_PIN_MAX_INDEX)"
        },
        "linked": {
            "data_$_10001": "List index 10001 of pin `data_$_10001` is over the limit of 10000 (DYNAMIC_PIN_MAX_INDEX)"
        },
    }


def test_a_dynamic_pin_index_over_the_bound_is_refused_at_run(auth_client: APIClient) -> None:
    created = create_graph(auth_client, graph([node(STORE_VALUE, {"input": 1, "data_$_3": "a"}, id="start")]))
    Node.objects.filter(graph__graph_id=created["id"]).update(input_default={"input": 1, "data_$_50000000": "a"})

    response = auth_client.post(f"/api/graphs/{created['id']}/execute/1", {"inputs": {}}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"] == {
        node_id: {
            "data_$_50000000": "List index 50000000 of pin `data_$_50000000` is over the limit of 10000 "
            "(DYNAMIC_PIN_MAX_INDEX)"
        }
        for node_id in map(str, Node.objects.values_list("id", flat=True))
    }
    assert not GraphExecution.objects.exists()


@pytest.mark.parametrize("pin", ["graph_id", "graph_version", "user_id", "nodes_input_masks"])
def test_links_into_the_pins_that_choose_a_sub_graph_are_refused(auth_client: APIClient, pin: str) -> None:
    source = node(AGENT_INPUT, {"name": "x"}, id="source")
    agent = _agent_node(_leaf(auth_client), id="agent")
    agent["id"] = "agent"

    response = _post(auth_client, graph([source, agent], [link(source, "result", agent, pin)]))

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"]["agent"] == {
        pin: f"`{pin}` of an Agent node is fixed when the graph is saved and cannot be linked"
    }


def test_input_masks_that_would_choose_a_sub_graphs_sub_graph_are_refused(auth_client: APIClient) -> None:
    agent = _agent_node(_leaf(auth_client), nodes_input_masks={"n": {"graph_id": "x"}})
    agent["id"] = "agent"

    response = _post(auth_client, graph([agent]))

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"]["agent"] == {
        "nodes_input_masks": "Input masks may not set ['graph_id', 'graph_version', 'user_id']"
    }


def test_a_graph_that_would_run_itself_is_refused_at_save(auth_client: APIClient) -> None:
    first = create_graph(auth_client, graph([node(STORE_VALUE, {"input": 1})], name="self"))
    agent = _agent_node(first)
    agent["id"] = "agent"

    response = auth_client.put(f"/api/graphs/{first['id']}", graph([agent], name="self"), format="json")

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"] == {
        "agent": {"graph_id": "The graph would run itself through its sub-graphs."}
    }
    assert Graph.objects.filter(graph_id=first["id"]).count() == 1


def test_a_graph_that_reaches_itself_through_stored_rows_is_refused_at_run(auth_client: APIClient) -> None:
    leaf = _leaf(auth_client)
    parent = create_graph(auth_client, graph([_agent_node(leaf)], name="parent"))
    # The leaf is made to run the parent: rows no request could write, but the run must not recurse.
    leaf_node = Node.objects.get(graph__graph_id=leaf["id"])
    leaf_node.block_id = AGENT_EXECUTOR
    leaf_node.input_default = {"graph_id": parent["id"], "graph_version": 1, "inputs": {}, "input_schema": {}}
    leaf_node.save()

    response = auth_client.post(f"/api/graphs/{parent['id']}/execute/1", {"inputs": {}}, format="json")

    assert response.status_code == 400
    errors = response.json()["detail"]["node_errors"]
    assert list(errors.values()) == [{"graph_id": "The graph would run itself through its sub-graphs."}]
    assert not GraphExecution.objects.exists()


def test_sub_graphs_nested_past_the_depth_bound_are_refused(auth_client: APIClient, settings) -> None:
    settings.SUB_GRAPH_MAX_DEPTH = 3
    current = _leaf(auth_client)
    for level in range(3):
        current = create_graph(auth_client, graph([_agent_node(current)], name=f"level {level}"))
    too_deep = _agent_node(current)
    too_deep["id"] = "agent"

    response = _post(auth_client, graph([too_deep]))

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"] == {
        "agent": {"graph_id": "Sub-graphs are nested more than 3 levels deep (SUB_GRAPH_MAX_DEPTH)."}
    }


def test_nesting_is_counted_along_the_longest_path(auth_client: APIClient, settings) -> None:
    settings.SUB_GRAPH_MAX_DEPTH = 2
    leaf = _leaf(auth_client)
    middle = create_graph(auth_client, graph([_agent_node(leaf)], name="middle"))
    # Reaches the leaf at depth 1 and, through the middle, at depth 2: within the bound.
    top = create_graph(auth_client, graph([_agent_node(leaf), _agent_node(middle)], name="top"))
    too_deep = _agent_node(top)

    assert _post(auth_client, graph([too_deep])).status_code == 400
