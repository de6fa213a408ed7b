"""The engine against upstream's worked traces (reference §2.14 and §7.2), with a real worker."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from tests.graph_builders import (
    AGENT_INPUT,
    AGENT_OUTPUT,
    CALCULATOR,
    COMBINE_TEXTS,
    FILL_TEXT_TEMPLATE,
    FIND_IN_DICTIONARY,
    GET_LIST_ITEM,
    NOTE,
    STEP_THROUGH_ITEMS,
    STORE_VALUE,
    graph,
    link,
    node,
)
from tests.runs import create_graph, execute, node_executions_of, outputs_of, run_details, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def run_to_end(client: APIClient, payload: dict, inputs: dict | None = None) -> tuple[dict, dict]:
    created = create_graph(client, payload)
    started = execute(client, created, inputs)
    wait_for_run(started["id"])
    return created, run_details(client, started)


def test_sample_graph_gives_upstreams_four_executions(auth_client: APIClient) -> None:
    input_1 = node(AGENT_INPUT, {"name": "input_1"})
    input_2 = node(AGENT_INPUT, {"name": "input_2", "description": "This is my description of this parameter"})
    template = node(FILL_TEXT_TEMPLATE, {"format": "{{a}}, {{b}}{{c}}", "values_#_c": "!!!"})
    store = node(STORE_VALUE)
    payload = graph(
        [input_1, input_2, template, store],
        [
            link(input_1, "result", template, "values_#_a"),
            link(input_2, "result", template, "values_#_b"),
            link(template, "output", store, "input"),
        ],
    )

    _created, details = run_to_end(auth_client, payload, {"input_1": "Hello", "input_2": "World"})

    assert details["status"] == "COMPLETED"
    by_block = {(e["block_id"], e["input_data"].get("name")): e for e in details["node_executions"]}
    assert len(details["node_executions"]) == 4
    assert all(e["status"] == "COMPLETED" for e in details["node_executions"])
    assert by_block[(AGENT_INPUT, "input_1")]["input_data"] == {"name": "input_1", "value": "Hello"}
    assert by_block[(AGENT_INPUT, "input_1")]["output_data"] == {"result": ["Hello"]}
    assert by_block[(AGENT_INPUT, "input_2")]["input_data"] == {
        "name": "input_2",
        "description": "This is my description of this parameter",
        "value": "World",
    }
    assert by_block[(AGENT_INPUT, "input_2")]["output_data"] == {"result": ["World"]}
    assert by_block[(FILL_TEXT_TEMPLATE, None)]["input_data"] == {
        "format": "{{a}}, {{b}}{{c}}",
        "values": {"a": "Hello", "b": "World", "c": "!!!"},
        "values_#_a": "Hello",
        "values_#_b": "World",
        "values_#_c": "!!!",
    }
    assert by_block[(FILL_TEXT_TEMPLATE, None)]["output_data"] == {"output": ["Hello, World!!!"]}
    assert by_block[(STORE_VALUE, None)]["input_data"] == {"input": "Hello, World!!!"}
    assert by_block[(STORE_VALUE, None)]["output_data"] == {"output": ["Hello, World!!!"]}
    assert details["outputs"] == {}


def test_sample_graph_with_an_output_node_reports_the_run_output(auth_client: APIClient) -> None:
    input_1 = node(AGENT_INPUT, {"name": "input_1"})
    template = node(FILL_TEXT_TEMPLATE, {"format": "{{a}}, World!!!"})
    output = node(AGENT_OUTPUT, {"name": "result"})
    payload = graph(
        [input_1, template, output],
        [link(input_1, "result", template, "values_#_a"), link(template, "output", output, "value")],
    )

    _, details = run_to_end(auth_client, payload, {"input_1": "Hello"})

    assert details["outputs"] == {"result": ["Hello, World!!!"]}


def test_a_linked_pin_always_waits_for_its_link(auth_client: APIClient) -> None:
    dictionary = node(STORE_VALUE, {"input": {"key1": "value1", "key2": "value2"}})
    key = node(STORE_VALUE, {"input": "key2"})
    find = node(FIND_IN_DICTIONARY, {"key": "", "input": {}})
    payload = graph(
        [dictionary, key, find], [link(dictionary, "output", find, "input"), link(key, "output", find, "key")]
    )

    _, details = run_to_end(auth_client, payload)

    assert len(details["node_executions"]) == 3
    found = next(e for e in details["node_executions"] if e["block_id"] == FIND_IN_DICTIONARY)
    assert found["output_data"] == {"output": ["value2"]}


def test_static_link_back_fills_later_executions(auth_client: APIClient) -> None:
    fours = [node(STORE_VALUE, {"input": 4}) for _ in range(3)]
    five = node(STORE_VALUE, {"input": 5})
    relay = node(STORE_VALUE)
    calculator = node(CALCULATOR, {"operation": "Add"})
    links = [link(store, "output", calculator, "a") for store in fours]
    links += [link(five, "output", relay, "input"), link(relay, "output", calculator, "b", is_static=True)]

    _created, details = run_to_end(auth_client, graph([*fours, five, relay, calculator], links))

    assert details["status"] == "COMPLETED"
    assert len(details["node_executions"]) == 8
    calculations = [e for e in details["node_executions"] if e["block_id"] == CALCULATOR]
    assert [e["output_data"] for e in calculations] == [{"result": [9.0]}] * 3


def test_step_through_items_fans_out_in_order(auth_client: APIClient) -> None:
    items = node(STEP_THROUGH_ITEMS, {"items": [1, 2, 3, 4, 5]})
    sink = node(STORE_VALUE)
    output = node(AGENT_OUTPUT, {"name": "seen"})
    payload = graph([items, sink, output], [link(items, "item", sink, "input"), link(sink, "output", output, "value")])

    _created, details = run_to_end(auth_client, payload)

    sinks = node_executions_of(details["id"], STORE_VALUE)
    assert [outputs_of(e) for e in sinks] == [{"output": [i]} for i in range(1, 6)]
    assert details["outputs"] == {"seen": [1, 2, 3, 4, 5]}


def test_values_on_two_pins_pair_first_in_first_out(auth_client: APIClient) -> None:
    first_as = node(STEP_THROUGH_ITEMS, {"items": [1, 10]})
    first_bs = node(STEP_THROUGH_ITEMS, {"items": [2, 20]})
    calculator = node(CALCULATOR, {"operation": "Add"})
    output = node(AGENT_OUTPUT, {"name": "sum"})
    payload = graph(
        [first_as, first_bs, calculator, output],
        [
            link(first_as, "item", calculator, "a"),
            link(first_bs, "item", calculator, "b"),
            link(calculator, "result", output, "value"),
        ],
    )

    _, details = run_to_end(auth_client, payload)

    assert sorted(details["outputs"]["sum"]) == [3.0, 30.0]


def test_dynamic_pins_on_both_sides(auth_client: APIClient) -> None:
    source = node(STORE_VALUE, {"input": {"greeting": ["Hi", "Hello"], "name": "Ada"}})
    combine = node(COMBINE_TEXTS, {"delimiter": " "})
    output = node(AGENT_OUTPUT, {"name": "text"})
    missing = node(STORE_VALUE)
    payload = graph(
        [source, combine, output, missing],
        [
            link(source, "output_#_greeting_$_1", combine, "input_$_0"),
            link(source, "output_#_name", combine, "input_$_1"),
            link(combine, "output", output, "value"),
            link(source, "output_#_nope", missing, "input"),
        ],
    )

    _, details = run_to_end(auth_client, payload)

    assert details["outputs"] == {"text": ["Hello Ada"]}
    # A selector that does not resolve fires nothing.
    assert node_executions_of(details["id"], STORE_VALUE)[1:] == []


def test_constant_start_nodes_run_once_and_notes_never(auth_client: APIClient) -> None:
    start = node(STORE_VALUE, {"input": "x"})
    comment = node(NOTE, {"text": "a note"})
    sink = node(STORE_VALUE)

    _, details = run_to_end(auth_client, graph([start, comment, sink], [link(start, "output", sink, "input")]))

    assert len(node_executions_of(details["id"], STORE_VALUE)) == 2
    assert node_executions_of(details["id"], NOTE) == []


def test_a_failure_with_an_unlinked_error_pin_fails_the_run(auth_client: APIClient) -> None:
    broken = node(GET_LIST_ITEM, {"list": [1, 2], "index": 5})
    never = node(STORE_VALUE)
    fine = node(STORE_VALUE, {"input": "still runs"})
    payload = graph([broken, never, fine], [link(broken, "item", never, "input")])

    _, details = run_to_end(auth_client, payload)

    failed = next(e for e in details["node_executions"] if e["block_id"] == GET_LIST_ITEM)
    assert failed["status"] == "FAILED"
    assert failed["output_data"] == {"error": ["Index out of range"]}
    assert details["status"] == "FAILED"
    assert details["stats"]["error"] == f"Node GetListItemBlock #{failed['node_id']} failed: Index out of range"
    assert details["stats"]["node_error_count"] == 1
    assert [e["output_data"] for e in details["node_executions"] if e["block_id"] == STORE_VALUE] == [
        {"output": ["still runs"]}
    ]


def test_a_failure_with_a_linked_error_pin_is_handled(auth_client: APIClient) -> None:
    broken = node(GET_LIST_ITEM, {"list": [1, 2], "index": 5})
    after = node(STORE_VALUE)
    handler = node(AGENT_OUTPUT, {"name": "problem"})
    payload = graph(
        [broken, after, handler], [link(broken, "item", after, "input"), link(broken, "error", handler, "value")]
    )

    _, details = run_to_end(auth_client, payload)

    assert details["status"] == "COMPLETED"
    assert details["stats"]["node_error_count"] == 1
    assert details["outputs"] == {"problem": ["Index out of range"]}
    # Nothing downstream of the failed node's regular output ran.
    assert node_executions_of(details["id"], STORE_VALUE) == []


def test_invalid_input_fails_the_node_with_the_validation_error(auth_client: APIClient) -> None:
    text = node(STORE_VALUE, {"input": "not a number"})
    calculator = node(CALCULATOR, {"operation": "Add", "b": 1})
    payload = graph([text, calculator], [link(text, "output", calculator, "a")])

    _, details = run_to_end(auth_client, payload)

    failed = next(e for e in details["node_executions"] if e["block_id"] == CALCULATOR)
    assert failed["status"] == "FAILED"
    assert failed["output_data"]["error"][0].startswith("Unable to execute block with invalid input data: a:")
    assert details["status"] == "FAILED"


def test_every_node_of_a_wide_graph_completes_once(auth_client: APIClient) -> None:
    roots = [node(STORE_VALUE, {"input": i}) for i in range(6)]
    middles = [node(STORE_VALUE) for _ in range(6)]
    joiner = node(CALCULATOR, {"operation": "Add"})
    links = [link(a, "output", b, "input") for a, b in zip(roots, middles, strict=True)]
    links += [link(middles[0], "output", joiner, "a"), link(middles[1], "output", joiner, "b")]

    _, details = run_to_end(auth_client, graph([*roots, *middles, joiner], links))

    assert details["status"] == "COMPLETED"
    counts = {
        key: len(list(group))
        for key, group in itertools.groupby(sorted(e["node_id"] for e in details["node_executions"]))
    }
    assert set(counts.values()) == {1}
    assert len(counts) == 13
    assert details["status"] == ExecutionStatus.COMPLETED
