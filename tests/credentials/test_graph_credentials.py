"""A graph's credentials inputs: upstream's aggregation, names and JSON schema; references only in stored nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.blocks.library.llm import AITextGeneratorBlock
from apps.credentials.graph_inputs import aggregate_credentials_inputs, node_credentials_input_map
from apps.graphs.models import Node
from apps.graphs.spec import GraphSpec
from config.env import BASE_DIR
from tests.credentials.blocks import GitHubProfileReader, GitHubRepoReader, OpenAIEcho, registered
from tests.graph_builders import graph, node

pytestmark = pytest.mark.django_db

FIXTURES = BASE_DIR / "tests" / "fixtures" / "autogpt-agents"
AUTHENTICATED_WEB_REQUEST = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"
# Exported agents whose every block this server has.
AI_AGENTS = [
    "agent_516d813b-d1bc-470f-add7-c63a4b2c2bad.json",
    "agent_a1af1733-b566-5e2f-ae20-068e2163c4cc.json",
    "agent_31d7abc3-e191-5cac-b3be-3e603fc49314.json",
]


@pytest.fixture(autouse=True)
def _test_blocks() -> Iterator[None]:
    with registered(OpenAIEcho, GitHubRepoReader, GitHubProfileReader):
        yield


def spec(*nodes: dict[str, Any]) -> GraphSpec:
    return GraphSpec.from_payload(graph(list(nodes)))


def web_request(url: str, **inputs: Any) -> dict[str, Any]:
    return node(AUTHENTICATED_WEB_REQUEST, {"url": url, **inputs})


def test_fields_for_the_same_provider_and_type_are_one_graph_input() -> None:
    first, second = node(OpenAIEcho.id), node(OpenAIEcho.id)

    inputs = aggregate_credentials_inputs([spec(first, second)])

    assert list(inputs) == ["openai_api_key_credentials"]
    info, covered = inputs["openai_api_key_credentials"]
    assert (info.providers, info.types) == (("openai",), ("api_key",))
    assert covered == {(first["id"], "credentials"), (second["id"], "credentials")}


def test_required_scopes_of_a_graph_input_are_those_of_every_node_it_covers() -> None:
    inputs = aggregate_credentials_inputs([spec(node(GitHubRepoReader.id), node(GitHubProfileReader.id))])

    assert list(inputs) == ["github_oauth2_credentials"]
    assert inputs["github_oauth2_credentials"][0].scopes == frozenset({"repo", "read:user"})


def test_a_discriminator_picks_each_nodes_provider_by_its_model() -> None:
    gpt = node(AITextGeneratorBlock.id, {"model": "gpt-4o"})
    claude = node(AITextGeneratorBlock.id, {"model": "claude-sonnet-4-20250514"})
    mini = node(AITextGeneratorBlock.id, {"model": "gpt-4o-mini"})

    inputs = aggregate_credentials_inputs([spec(gpt, claude, mini)])

    assert list(inputs) == ["openai_api_key_credentials", "anthropic_api_key_credentials"]
    assert inputs["openai_api_key_credentials"][0].discriminator_values == ("gpt-4o", "gpt-4o-mini")
    assert inputs["anthropic_api_key_credentials"][1] == {(claude["id"], "credentials")}


def test_http_credentials_are_one_input_per_host() -> None:
    a, b, c = (
        web_request("https://api.example.com/a"),
        web_request("https://api.example.com/b"),
        web_request("https://other.example.org/"),
    )

    inputs = aggregate_credentials_inputs([spec(a, b, c)])

    assert list(inputs) == [
        "api.example.com-http_host_scoped_credentials",
        "http-other.example.org_host_scoped_credentials",
    ]
    assert inputs["api.example.com-http_host_scoped_credentials"][1] == {
        (a["id"], "credentials"),
        (b["id"], "credentials"),
    }


def test_a_runs_credentials_inputs_reach_every_node_field_they_cover() -> None:
    first, second, github = node(OpenAIEcho.id), node(OpenAIEcho.id), node(GitHubRepoReader.id)
    reference = {"id": "c1", "provider": "openai", "type": "api_key"}

    masks = node_credentials_input_map(
        [spec(first, second, github)], {"openai_api_key_credentials": reference, "unknown_credentials": {"id": "x"}}
    )

    assert masks == {first["id"]: {"credentials": reference}, second["id"]: {"credentials": reference}}


def test_the_graph_json_carries_its_credentials_input_schema(auth_client: APIClient) -> None:
    body = graph([node(OpenAIEcho.id), web_request("https://api.example.com/x")], name="My Agent")

    saved = auth_client.post("/api/graphs", {"graph": body}, format="json").json()
    listed = auth_client.get("/api/graphs").json()[0]

    schema = saved["credentials_input_schema"]
    assert schema["title"] == "MyAgentCredentialsInputSchema"
    assert schema["type"] == "object"
    assert schema["required"] == ["openai_api_key_credentials", "api.example.com-http_host_scoped_credentials"]
    http = schema["properties"]["api.example.com-http_host_scoped_credentials"]
    assert (http["credentials_provider"], http["credentials_types"]) == (["http"], ["host_scoped"])
    assert (http["discriminator"], http["discriminator_values"]) == ("url", ["https://api.example.com/x"])
    assert listed["credentials_input_schema"] == schema


def test_a_graph_without_credentials_has_an_empty_schema(auth_client: APIClient) -> None:
    saved = auth_client.post("/api/graphs", {"graph": graph([], name="Plain")}, format="json").json()

    assert saved["credentials_input_schema"] == {
        "properties": {},
        "required": [],
        "title": "PlainCredentialsInputSchema",
        "type": "object",
    }


def _without_mapping(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        **schema,
        "properties": {
            name: {key: value for key, value in field.items() if key != "discriminator_mapping"}
            for name, field in schema["properties"].items()
        },
    }


@pytest.mark.parametrize("file_name", AI_AGENTS)
def test_imported_agents_keep_their_credentials_input_schema(auth_client: APIClient, file_name: str) -> None:
    exported = json.loads((FIXTURES / file_name).read_text())

    response = auth_client.post("/api/graphs", {"graph": exported}, format="json")

    assert response.status_code == 200, response.json()
    ours, theirs = response.json()["credentials_input_schema"], exported["credentials_input_schema"]
    # The model table grows with upstream's model list; every other key is as exported.
    assert _without_mapping(ours)["properties"] == _without_mapping(theirs)["properties"]
    assert ours["required"] == theirs["required"]
    for name, field in ours["properties"].items():
        model = field["discriminator_values"][0]
        assert field["discriminator_mapping"][model] == field["credentials_provider"][0], name


def test_an_agent_exported_today_has_the_same_schema_title(auth_client: APIClient) -> None:
    exported = json.loads(Path(FIXTURES / AI_AGENTS[0]).read_text())

    body = auth_client.post("/api/graphs", {"graph": exported}, format="json").json()

    assert body["credentials_input_schema"]["title"] == exported["credentials_input_schema"]["title"]


def test_a_saved_node_keeps_only_a_reference_to_its_credentials(auth_client: APIClient) -> None:
    reference = {"id": "c1", "provider": "openai", "type": "api_key", "title": "Mine"}
    body = graph([node(OpenAIEcho.id, {"credentials": {**reference, "api_key": "sk-pasted-secret"}})])

    saved = auth_client.post("/api/graphs", {"graph": body}, format="json").json()

    assert saved["nodes"][0]["input_default"]["credentials"] == reference
    assert "sk-pasted-secret" not in json.dumps(list(Node.objects.values_list("input_default", flat=True)))


def test_an_export_drops_node_credentials_and_keeps_the_schema(auth_client: APIClient) -> None:
    reference = {"id": "c1", "provider": "openai", "type": "api_key"}
    saved = auth_client.post(
        "/api/graphs", {"graph": graph([node(OpenAIEcho.id, {"credentials": reference, "text": "hi"})])}, format="json"
    ).json()

    exported = auth_client.get(f"/api/graphs/{saved['id']}", {"for_export": "true"}).json()

    assert exported["nodes"][0]["input_default"] == {"text": "hi"}
    assert exported["credentials_input_schema"] == saved["credentials_input_schema"]
