"""Input pairing and propagation, without a worker: `pair_outputs` on values in memory, then
`propagate_outputs` and the hand-on of a node's line against the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from apps.accounts.models import User
from apps.blocks.base import BlockInputError
from apps.blocks.registry import get_block
from apps.executions.compiled import CompiledNode, compiled_graph
from apps.executions.fairness import SessionSlots
from apps.executions.models import ExecutionStatus as S
from apps.executions.models import NodeExecution, NodeExecutionOutput
from apps.executions.pairing import SinkQueue, pair_outputs
from apps.executions.propagation import hand_on_line, load_queues, propagate_outputs
from apps.executions.services import execution_start
from apps.executions.sql import queue_state
from apps.graphs.selectors import graph_get_for_user
from apps.graphs.services import graph_create
from apps.graphs.spec import GraphSpec, LinkSpec
from tests.graph_builders import CALCULATOR, COMBINE_TEXTS, STORE_VALUE

NOW = datetime(2026, 1, 1, tzinfo=UTC)
AI_TEXT_GENERATOR = "1f292d4a-41a4-4977-9684-7c8d560b9f91"


def compiled(node_id: str, block_id: str, defaults: dict[str, Any], links: list[LinkSpec]) -> CompiledNode:
    block = get_block(block_id)
    assert block is not None
    return CompiledNode(
        id=node_id,
        block=block,
        input_default=defaults,
        input_links=tuple(link for link in links if link.sink_id == node_id),
        output_links=tuple(link for link in links if link.source_id == node_id),
    )


def deliver(
    source: CompiledNode,
    sink: CompiledNode,
    outputs: list[tuple[str, Any]],
    queue: SinkQueue | None = None,
    latest: dict[str, Any] | None = None,
    masks: dict[str, Any] | None = None,
) -> tuple[SinkQueue, Any]:
    queue = queue or SinkQueue(node=sink)
    pairing = pair_outputs(
        run_id="run",
        source=source,
        outputs=outputs,
        queues={sink.id: queue},
        masks=masks or {},
        latest_inputs=lambda _queue: latest or {},
        now=NOW,
    )
    return queue, pairing


LINKS_A_B = [
    LinkSpec(source_id="left", sink_id="calc", source_name="output", sink_name="a"),
    LinkSpec(source_id="right", sink_id="calc", source_name="output", sink_name="b"),
]


def test_values_on_two_pins_pair_first_in_first_out() -> None:
    left = compiled("left", STORE_VALUE, {}, LINKS_A_B)
    right = compiled("right", STORE_VALUE, {}, LINKS_A_B)
    calc = compiled("calc", CALCULATOR, {"operation": "Add"}, LINKS_A_B)

    queue, first = deliver(left, calc, [("output", 1), ("output", 10)])
    queue, second = deliver(right, calc, [("output", 2), ("output", 20)], queue)

    assert first.queued == [] and len(queue.pending) == 0
    assert [execution.row.input_data["a"] for execution in second.queued] == [1, 10]
    assert [execution.row.input_data["b"] for execution in second.queued] == [2, 20]
    assert all(execution.row.status == S.QUEUED for execution in second.queued)


def test_a_linked_pin_waits_for_its_link_even_with_a_default() -> None:
    left = compiled("left", STORE_VALUE, {}, LINKS_A_B)
    calc = compiled("calc", CALCULATOR, {"operation": "Add", "b": 5}, LINKS_A_B)

    queue, pairing = deliver(left, calc, [("output", 1)])

    assert pairing.queued == []
    assert [execution.inputs for execution in queue.pending] == [{"a": 1}]


def test_a_static_link_back_fills_from_the_latest_execution_and_completes_every_waiting_one() -> None:
    links = [
        LinkSpec(source_id="left", sink_id="calc", source_name="output", sink_name="a"),
        LinkSpec(source_id="right", sink_id="calc", source_name="output", sink_name="b", is_static=True),
    ]
    left = compiled("left", STORE_VALUE, {}, links)
    right = compiled("right", STORE_VALUE, {}, links)
    calc = compiled("calc", CALCULATOR, {"operation": "Add"}, links)

    queue, waiting = deliver(left, calc, [("output", 1), ("output", 2)])
    queue, completed = deliver(right, calc, [("output", 100)], queue)
    _, back_filled = deliver(left, calc, [("output", 3)], queue, latest={"a": 2, "b": 100})

    assert waiting.queued == []
    assert [(e.row.input_data["a"], e.row.input_data["b"]) for e in completed.queued] == [(1, 100), (2, 100)]
    assert [(e.row.input_data["a"], e.row.input_data["b"]) for e in back_filled.queued] == [(3, 100)]


def test_dynamic_pins_are_assembled_and_masks_applied() -> None:
    links = [
        LinkSpec(source_id="source", sink_id="combine", source_name="output_#_greeting", sink_name="input_$_0"),
        LinkSpec(source_id="source", sink_id="combine", source_name="output_#_name", sink_name="input_$_1"),
    ]
    source = compiled("source", STORE_VALUE, {}, links)
    combine = compiled("combine", COMBINE_TEXTS, {"delimiter": " "}, links)

    _, pairing = deliver(
        source, combine, [("output", {"greeting": "Hi", "name": "Ada"})], masks={"combine": {"delimiter": "-"}}
    )

    (queued,) = pairing.queued
    assert queued.row.input_data["input"] == ["Hi", "Ada"]
    assert queued.row.input_data["delimiter"] == "-"


def test_a_selector_that_does_not_resolve_delivers_nothing() -> None:
    links = [LinkSpec(source_id="source", sink_id="sink", source_name="output_#_missing", sink_name="input")]
    source = compiled("source", STORE_VALUE, {}, links)
    sink = compiled("sink", STORE_VALUE, {}, links)

    queue, pairing = deliver(source, sink, [("output", {"present": 1})])

    assert pairing.touched == [] and queue.pending == []


def test_invalid_input_still_queues_with_what_it_was_given() -> None:
    left = compiled("left", STORE_VALUE, {}, LINKS_A_B)
    right = compiled("right", STORE_VALUE, {}, LINKS_A_B)
    calc = compiled("calc", CALCULATOR, {"operation": "Add"}, LINKS_A_B)

    queue, _ = deliver(left, calc, [("output", "not a number")])
    _, pairing = deliver(right, calc, [("output", 2)], queue)

    (queued,) = pairing.queued
    assert queued.row.input_data == {"operation": "Add", "a": "not a number", "b": 2}


@pytest.mark.django_db
def test_propagation_writes_queued_executions_and_claims_the_first_ones_for_the_caller(user: User) -> None:
    spec = GraphSpec.from_payload(
        {
            "nodes": [
                {"id": "items", "block_id": STORE_VALUE, "input_default": {"input": 0}},
                {"id": "sink", "block_id": STORE_VALUE, "input_default": {}},
            ],
            "links": [{"source_id": "items", "sink_id": "sink", "source_name": "output", "sink_name": "input"}],
        }
    )
    graph = graph_get_for_user(user=user, graph_id=graph_create(user=user, spec=spec).graph_id)
    with mock.patch("apps.executions.services.send_node_executions"):
        run = execution_start(user=user, graph=graph, inputs={})
    compiled_version = compiled_graph(graph.graph_id, graph.version)
    source = next(node for node in compiled_version.nodes.values() if node.input_default == {"input": 0})
    sink_id = next(node_id for node_id in compiled_version.nodes if node_id != source.id)

    propagation = propagate_outputs(
        run_id=run.id,
        graph=compiled_version,
        source=source,
        outputs=[("output", "a"), ("output", "b"), ("output", "c")],
        queues=load_queues(queue_state(run_id=run.id, pending_for=[sink_id]).pending_ids, compiled_version, [sink_id]),
        masks={},
        claim=2,
    )

    rows = list(NodeExecution.objects.filter(graph_execution=run, node_id=sink_id).order_by("added_at"))
    assert [row.input_data for row in rows] == [{"input": "a"}, {"input": "b"}, {"input": "c"}]
    assert [row.status for row in rows] == [S.RUNNING, S.RUNNING, S.QUEUED]
    assert [row.attempt for row in rows] == [1, 1, 0]
    assert [row.pk for row in propagation.to_send] == [rows[2].pk]
    assert list(rows[0].inputs.values_list("name", "data")) == [("input", "a")]


@pytest.mark.django_db
def test_a_nodes_line_hands_on_in_creation_order_as_far_as_its_oldest_execution_has_ended(user: User) -> None:
    spec = GraphSpec.from_payload(
        {
            "nodes": [
                {"id": "source", "block_id": STORE_VALUE, "input_default": {"input": 0}},
                {"id": "sink", "block_id": STORE_VALUE, "input_default": {}},
            ],
            "links": [{"source_id": "source", "sink_id": "sink", "source_name": "output", "sink_name": "input"}],
        }
    )
    graph = graph_get_for_user(user=user, graph_id=graph_create(user=user, spec=spec).graph_id)
    with mock.patch("apps.executions.services.send_node_executions"):
        run = execution_start(user=user, graph=graph, inputs={})
    compiled_version = compiled_graph(graph.graph_id, graph.version)
    source = next(node for node in compiled_version.nodes.values() if node.input_default == {"input": 0})
    older = NodeExecution.objects.get(graph_execution=run, node_id=source.id)
    NodeExecution.objects.filter(pk=older.pk).update(status=S.RUNNING, attempt=1)
    younger = NodeExecution.objects.create(
        graph_execution=run, node_id=source.id, status=S.COMPLETED, attempt=1, added_at=older.added_at + timedelta(1)
    )
    NodeExecutionOutput.objects.create(node_execution=younger, name="output", data="second", position=0)

    def hand_on() -> list[Any]:
        return hand_on_line(
            run_id=run.id,
            graph=compiled_version,
            node=source,
            held={},
            masks={},
            stopping=False,
            local=False,
            slots=SessionSlots(user.pk),
        )

    def sink_inputs() -> list[Any]:
        executions = NodeExecution.objects.filter(graph_execution=run).exclude(node_id=source.id)
        return [row.input_data for row in executions.order_by("added_at")]

    # The younger one ended first, but the older one, still running, holds the line.
    assert hand_on() == []
    assert sink_inputs() == []

    NodeExecutionOutput.objects.create(node_execution=older, name="output", data="first", position=0)
    hand_on()
    assert sink_inputs() == [{"input": "first"}]
    older.refresh_from_db()
    assert (older.handed_on, older.drained) == (1, False)

    NodeExecution.objects.filter(pk=older.pk).update(status=S.COMPLETED)
    (propagation,) = hand_on()
    assert [row.input_data for row in propagation.to_send] == [{"input": "second"}]
    assert sink_inputs() == [{"input": "first"}, {"input": "second"}]
    assert set(NodeExecution.objects.filter(node_id=source.id).values_list("drained", flat=True)) == {True}
    assert hand_on() == []


def test_an_invalid_input_queues_with_the_runs_masks_and_its_dynamic_pins_merged() -> None:
    """So the node fails with its validation error, not for want of the run's credentials."""
    links = [LinkSpec(source_id="value", sink_id="llm", source_name="output", sink_name="prompt_values_#_topic")]
    value = compiled("value", STORE_VALUE, {}, links)
    llm = compiled("llm", AI_TEXT_GENERATOR, {"prompt": "About {{topic}}", "model": "no-such-model"}, links)
    credentials = {"id": "c0ffee00-0000-4000-8000-000000000001", "provider": "openai", "type": "api_key"}

    _, pairing = deliver(value, llm, [("output", "tides")], masks={"llm": {"credentials": credentials}})

    (queued,) = pairing.queued
    assert queued.row.status == S.QUEUED
    assert queued.row.input_data["credentials"] == credentials
    assert queued.row.input_data["prompt_values"] == {"topic": "tides"}
    with pytest.raises(BlockInputError, match="model"):
        llm.block.parse_input(queued.row.input_data)
