"""Every exported AutoGPT agent in the fixture corpus imports, or is refused naming the blocks we lack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.blocks.registry import get_block
from config.env import BASE_DIR
from tests.graph_builders import STORE_VALUE

pytestmark = pytest.mark.django_db

# Exported agents from the AutoGPT repository (autogpt_platform/backend/agents), copied verbatim; see INVENTORY.md.
FIXTURES = BASE_DIR / "tests" / "fixtures" / "autogpt-agents"
AGENT_FILES = sorted(FIXTURES.glob("*.json"))


def block_ids(exported: dict) -> set[str]:
    graphs = [exported, *exported.get("sub_graphs", [])]
    return {node["block_id"] for graph in graphs for node in graph["nodes"]}


def test_the_fixture_corpus_is_present() -> None:
    assert len(AGENT_FILES) == 20


@pytest.mark.parametrize("path", AGENT_FILES, ids=lambda path: path.stem)
def test_exported_agent_imports_or_is_refused_by_block_id(auth_client: APIClient, path: Path) -> None:
    exported = json.loads(path.read_text())
    missing = {block_id for block_id in block_ids(exported) if get_block(block_id) is None}

    response = auth_client.post("/api/graphs", {"graph": exported}, format="json")

    if missing:
        assert response.status_code == 400, response.json()
        assert set(response.json()["detail"]["unknown_block_ids"]) == missing
        for block_id in missing:
            assert block_id in response.json()["message"]
    else:
        assert response.status_code == 200, response.json()
        assert len(response.json()["nodes"]) == len(exported["nodes"])
        assert len(response.json()["links"]) == len(exported["links"])


def test_calculator_agent_imports_with_its_schemas(auth_client: APIClient) -> None:
    exported = json.loads((FIXTURES / "calculator-agent.json").read_text())

    body = auth_client.post("/api/graphs", {"graph": exported}, format="json").json()

    assert body["name"] == "Calculator agent"
    assert list(body["input_schema"]["properties"]) == ["Input"]
    assert list(body["output_schema"]["properties"]) == ["Output"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
node_like = st.fixed_dictionaries(
    {"id": st.text(max_size=8), "block_id": st.sampled_from([STORE_VALUE, "not-a-block"]) | st.text(max_size=8)},
    optional={"input_default": json_values, "metadata": json_values},
)
link_like = st.fixed_dictionaries(
    {},
    optional={
        "source_id": json_values,
        "sink_id": st.text(max_size=8),
        "source_name": st.text(max_size=8),
        "sink_name": st.text(max_size=8),
        "is_static": json_values,
    },
)
graph_like = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "nodes": st.lists(node_like, max_size=5) | json_values,
        "links": st.lists(link_like, max_size=5) | json_values,
        "sub_graphs": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values, st.fixed_dictionaries({"graph": graph_like | json_values})))
def test_random_graph_json_never_yields_a_server_error(auth_client: APIClient, body: object) -> None:
    response = auth_client.post("/api/graphs", body, format="json")

    assert response.status_code in (200, 400, 422), response.content[:500]
