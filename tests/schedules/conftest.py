from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.credits.conftest import notifications  # noqa: F401  (the user's channel, read from Redis)
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, graph, link, node
from tests.runs import create_graph


def echo_graph() -> dict[str, Any]:
    """One required input `text`, passed to the output `echo`."""
    source = node(AGENT_INPUT, {"name": "text"})
    sink = node(AGENT_OUTPUT, {"name": "echo"})
    return graph([source, sink], [link(source, "result", sink, "value")], name="Echo")


@pytest.fixture
def echo(auth_client: APIClient) -> dict[str, Any]:
    return create_graph(auth_client, echo_graph())


def schedule_body(**overrides: Any) -> dict[str, Any]:
    return {"name": "Every minute", "cron": "* * * * *", "inputs": {"text": "hello"}, **overrides}
