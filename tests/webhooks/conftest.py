from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.fakes.github import API_TOKEN, FakeGitHubApi, fake_github_api
from tests.graph_builders import AGENT_OUTPUT, graph, link, node

GENERIC_TRIGGER = "8fa8c167-2002-47ce-aba8-97572fc5d387"
GITHUB_PR_TRIGGER = "6c60ec01-8128-419e-988f-96a063ee2fea"
PLATFORM = "https://agents.example.com"


@pytest.fixture(autouse=True)
def platform_base_url(settings: Any) -> None:
    settings.PLATFORM_BASE_URL = PLATFORM


def triggered_graph(trigger_inputs: dict[str, Any] | None = None, *, block_id: str = GENERIC_TRIGGER) -> dict[str, Any]:
    """A trigger whose payload goes to the output `payload`."""
    trigger = node(block_id, trigger_inputs or {})
    output = node(AGENT_OUTPUT, {"name": "payload"})
    return graph([trigger, output], [link(trigger, "payload", output, "value")], name="On delivery")


def trigger_node(graph_json: dict[str, Any], block_id: str = GENERIC_TRIGGER) -> dict[str, Any]:
    return next(item for item in graph_json["nodes"] if item["block_id"] == block_id)


def deliver(client: APIClient, url: str, payload: Any, *, raw: bytes | None = None, **headers: str) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    path = url.removeprefix(PLATFORM)
    return client.generic("POST", path, body, content_type="application/json", **headers)


@pytest.fixture
def github_api(settings: Any) -> Iterator[FakeGitHubApi]:
    with fake_github_api() as api:
        settings.PROVIDER_BASE_URLS = {**settings.PROVIDER_BASE_URLS, "github_api": api.base_url}
        yield api


@pytest.fixture
def github_credentials(auth_client: APIClient) -> dict[str, Any]:
    response = auth_client.post(
        "/api/integrations/github/credentials",
        {"type": "api_key", "api_key": API_TOKEN, "title": "GitHub token"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    return {"id": body["id"], "provider": "github", "type": "api_key", "title": body["title"]}
