from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, graph, link, node
from tests.runs import create_graph


def greeting_graph(name: str = "Greeter", description: str = "Says hello") -> dict[str, Any]:
    """Inputs `greeting` and `name` (both required), each passed to an output of the same name."""
    greeting, who = node(AGENT_INPUT, {"name": "greeting"}), node(AGENT_INPUT, {"name": "name"})
    said, named = node(AGENT_OUTPUT, {"name": "greeting"}), node(AGENT_OUTPUT, {"name": "name"})
    return graph(
        [greeting, who, said, named],
        [link(greeting, "result", said, "value"), link(who, "result", named, "value")],
        name=name,
        description=description,
    )


@pytest.fixture
def greeter(auth_client: APIClient) -> dict[str, Any]:
    return create_graph(auth_client, greeting_graph())


def preset_body(graph: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "graph_id": graph["id"],
        "graph_version": graph["version"],
        "inputs": {"greeting": "Hello", "name": "Ada"},
        "credentials": {},
        "name": "Ada's greeting",
        "description": "Greets Ada",
        **overrides,
    }
