"""The twenty exported AutoGPT agents, end to end: imported through the API, then run by a real worker
against the local stand-ins with credentials the user created through the API.

Inputs come from each graph's own `input_schema` (tests/agents/inputs.py); the language models
answer plausibly for what each prompt asks (tests/agents/llm_replies.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, NodeExecution
from config.env import BASE_DIR
from tests.agents.conftest import StandIns
from tests.agents.credentials import API_KEYS, LLM_KEYS, PASSWORDS, credentials_inputs_for
from tests.agents.inputs import fill_inputs
from tests.runs import create_graph, outputs_of, wait_for_run
from tests.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = BASE_DIR / "tests" / "fixtures" / "autogpt-agents"
AGENT_FILES = sorted(path.name for path in FIXTURES.glob("*.json"))
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
NOTE = "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc"


def exported(file_name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / file_name).read_text())
    return data


AGENTS = [pytest.param(name, id=name.removeprefix("agent_")[:8]) for name in AGENT_FILES]


def declared_credentials(schema: dict[str, Any]) -> dict[str, tuple[list[str], list[str], set[str]]]:
    return {
        name: (
            field["credentials_provider"],
            sorted(field["credentials_types"]),
            set(field.get("credentials_scopes") or []),
        )
        for name, field in schema.get("properties", {}).items()
    }


@pytest.mark.parametrize("file_name", AGENTS)
def test_an_exported_agent_imports_with_the_credentials_inputs_it_declares(
    auth_client: APIClient, file_name: str
) -> None:
    graph = exported(file_name)

    created = create_graph(auth_client, graph)

    assert created["name"] == graph["name"]
    expected = declared_credentials(graph.get("credentials_input_schema") or {})
    assert declared_credentials(created["credentials_input_schema"]) == expected
    assert set(created["input_schema"].get("properties", {})) == set(graph["input_schema"].get("properties", {}))


def providers_used(executions: list[NodeExecution]) -> set[str]:
    """Providers whose credentials a node that ran was given (its frozen input holds the references)."""
    return {
        value["provider"]
        for execution in executions
        if execution.status == ExecutionStatus.COMPLETED
        for name, value in (execution.input_data or {}).items()
        if name.endswith("credentials") and isinstance(value, dict) and "provider" in value
    }


def bearer_tokens(stand_ins: StandIns, *providers: str) -> set[str]:
    return {
        request.headers.get("Authorization", "").removeprefix("Bearer ")
        for provider in providers
        for request in stand_ins.providers[provider].requests
    }


def assert_the_users_credentials_reached(stand_ins: StandIns, provider: str) -> None:
    """What the stand-in for `provider` received carries what the user stored (or was issued, for OAuth2)."""
    if provider in LLM_KEYS:
        scripts = (stand_ins.openai.script, stand_ins.anthropic.script)
        sent = {request.api_key for script in scripts for request in script.requests}
        assert LLM_KEYS[provider] in sent, f"no {provider} request carried the user's key"
    elif provider == "google":
        tokens = bearer_tokens(stand_ins, "gmail", "google_calendar")
        assert tokens and all(stand_ins.google.state.live_token(token) for token in tokens), tokens
    elif provider == "webshare_proxy":
        # The YouTube stand-in is behind the proxy and answers 407 without the user's proxy login.
        assert stand_ins.providers["youtube"].requests, "nothing went through the proxy"
    else:
        # Each stand-in refuses a request without its key or login; a key must also be the one stored.
        requests = stand_ins.providers[provider].requests
        assert requests, f"the {provider} stand-in received nothing"
        received = "\n".join(json.dumps([r.headers, r.query, r.body]) for r in requests)
        assert provider not in API_KEYS or API_KEYS[provider] in received, f"no {provider} request carried the key"


@pytest.mark.usefixtures("user_has_credits")
@pytest.mark.parametrize("file_name", AGENTS)
def test_an_exported_agent_runs_to_completion_against_the_stand_ins(
    auth_client: APIClient, agents_worker: Worker, configured: StandIns, file_name: str
) -> None:
    graph = exported(file_name)
    created = create_graph(auth_client, graph)
    references = credentials_inputs_for(auth_client, created["credentials_input_schema"])
    inputs = fill_inputs(file_name, created["input_schema"])

    started = auth_client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {"inputs": inputs, "credentials_inputs": references},
        format="json",
    )
    assert started.status_code == 200, started.json()
    finished = wait_for_run(started.json()["id"], timeout=120)

    executions = list(
        NodeExecution.objects.filter(graph_execution__in=[finished.id, *children_of(finished.id)])
        .select_related("node")
        .prefetch_related("outputs")
    )
    failures = [
        (execution.node.block_id, execution.status, outputs_of(execution).get("error"))
        for execution in executions
        if execution.status not in (ExecutionStatus.COMPLETED, ExecutionStatus.INCOMPLETE)
    ]
    assert finished.status == ExecutionStatus.COMPLETED, (failures, agents_worker.log()[-4000:])
    assert failures == []
    assert not any(execution.node.block_id == NOTE for execution in executions)
    output_nodes = [e for e in executions if e.node.block_id == AGENT_OUTPUT and e.graph_execution_id == finished.id]
    if any(node["block_id"] == AGENT_OUTPUT for node in graph["nodes"]):
        produced = [value for execution in output_nodes for value in outputs_of(execution).get("output", [])]
        assert any(value not in (None, "", [], {}) for value in produced), produced
    used = providers_used(executions)
    assert used <= {reference["provider"] for reference in references.values()}
    for provider in used:
        assert_the_users_credentials_reached(configured, provider)
    assert_no_secret_was_kept(executions, agents_worker)


def assert_no_secret_was_kept(executions: list[NodeExecution], worker: Worker) -> None:
    """Node inputs and outputs hold references only, and the worker's log no key or password."""
    stored = json.dumps([[execution.input_data, outputs_of(execution)] for execution in executions], default=str)
    log = worker.log()
    secrets = [*API_KEYS.values(), *(password for _, password in PASSWORDS.values())]
    assert [secret for secret in secrets if secret in stored or secret in log] == []


def children_of(run_id: Any) -> list[Any]:
    from apps.executions.models import GraphExecution

    found: list[Any] = []
    frontier = [run_id]
    while frontier:
        children = list(GraphExecution.objects.filter(parent_execution_id__in=frontier).values_list("id", flat=True))
        found += children
        frontier = children
    return found
