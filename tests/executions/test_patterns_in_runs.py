"""Users' patterns inside a run: a backtracking pattern or an endless template never holds a worker."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from tests.graph_builders import AGENT_OUTPUT, FILL_TEXT_TEMPLATE, graph, link, node
from tests.runs import create_graph, execute, run_details, wait_for_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process"),
]

MATCH_TEXT_PATTERN = "3060088f-6ed9-4928-9ba7-9c92823a7ccd"


def test_a_backtracking_pattern_in_a_graph_is_matched_at_once(auth_client: APIClient) -> None:
    match = node(MATCH_TEXT_PATTERN, {"text": "a" * 50_000 + "!", "match": "(a+)+$", "data": "no match"})
    answer = node(AGENT_OUTPUT, {"name": "answer"})
    created = create_graph(auth_client, graph([match, answer], [link(match, "negative", answer, "value")]))

    started = execute(auth_client, created)
    run = wait_for_run(started["id"], timeout=60)

    assert run.status == ExecutionStatus.COMPLETED
    assert run_details(auth_client, started)["outputs"] == {"answer": ["no match"]}


def test_an_endless_template_in_a_graph_fails_its_node_at_the_pattern_time_limit(auth_client: APIClient) -> None:
    endless = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    template = node(FILL_TEXT_TEMPLATE, {"values": {"n": 1}, "format": endless})
    created = create_graph(auth_client, graph([template]))

    started = execute(auth_client, created)
    run = wait_for_run(started["id"], timeout=60)

    assert run.status == ExecutionStatus.FAILED
    [execution] = run_details(auth_client, started)["node_executions"]
    assert execution["status"] == "FAILED"
    assert execution["output_data"]["error"] == ["Evaluating the pattern took longer than 2 seconds"]
