"""The exported AutoGPT agents that need nothing but a language model, run through the API and a real worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from config.env import BASE_DIR
from tests.fakes.anthropic import FakeAnthropic, fake_anthropic
from tests.fakes.llm_script import Recorded, Reply
from tests.fakes.openai import FakeOpenAI, fake_openai
from tests.runs import create_graph, node_executions_of, outputs_of, wait_for_run
from tests.worker import Worker, worker_on_own_queue

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = BASE_DIR / "tests" / "fixtures" / "autogpt-agents"
AI_TEXT_GENERATOR = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
INPUT_BLOCKS = {"7fcd3bcb-8e1b-4e69-903d-32d3d4a92158", "90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba"}
LLM_ONLY_AGENTS = [
    ("agent_516d813b-d1bc-470f-add7-c63a4b2c2bad.json", "openai"),
    ("agent_31d7abc3-e191-5cac-b3be-3e603fc49314.json", "anthropic"),
    ("agent_a1af1733-b566-5e2f-ae20-068e2163c4cc.json", "anthropic"),
]


def reply_for(request: Recorded) -> Reply:
    return Reply(text=f"Drafted: {request.last_user_text[:60]}", prompt_tokens=120, completion_tokens=40)


@pytest.fixture(scope="module")
def llm_servers() -> Iterator[tuple[FakeOpenAI, FakeAnthropic]]:
    with fake_openai() as openai_server, fake_anthropic() as anthropic_server:
        yield openai_server, anthropic_server


@pytest.fixture(scope="module")
def llm_worker(
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    llm_servers: tuple[FakeOpenAI, FakeAnthropic],
) -> Iterator[Worker]:
    """A worker whose providers are the fake servers, reached through the settings an operator would set."""
    openai_server, anthropic_server = llm_servers
    environment = {"OPENAI_BASE_URL": openai_server.api_base, "ANTHROPIC_BASE_URL": anthropic_server.base_url}
    with worker_on_own_queue(tmp_path_factory.mktemp("llm-worker") / "worker.log", environment) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass


@pytest.mark.parametrize(("fixture", "provider"), LLM_ONLY_AGENTS)
def test_an_llm_only_exported_agent_runs_to_completion_on_the_users_own_key(
    auth_client: APIClient,
    llm_worker: Worker,
    llm_servers: tuple[FakeOpenAI, FakeAnthropic],
    fixture: str,
    provider: str,
) -> None:
    server = llm_servers[0] if provider == "openai" else llm_servers[1]
    server.script.reset()
    server.script.responder = reply_for
    exported = json.loads((FIXTURES / fixture).read_text())
    created = create_graph(auth_client, exported)
    key = f"sk-{provider}-users-own-key"
    stored = auth_client.post(
        f"/api/integrations/{provider}/credentials",
        {"type": "api_key", "api_key": key, "title": "Mine"},
        format="json",
    )
    assert stored.status_code == 201, stored.json()
    (credentials_input,) = created["credentials_input_schema"]["properties"]
    inputs = {
        node["input_default"]["name"]: f"sample {node['input_default']['name']}"
        for node in exported["nodes"]
        if node["block_id"] in INPUT_BLOCKS
    }

    started = auth_client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {
            "inputs": inputs,
            "credentials_inputs": {
                credentials_input: {"id": stored.json()["id"], "provider": provider, "type": "api_key"}
            },
        },
        format="json",
    )
    assert started.status_code == 200, started.json()
    finished = wait_for_run(started.json()["id"], timeout=60)

    assert finished.status == ExecutionStatus.COMPLETED, llm_worker.log()[-3000:]
    (sent,) = server.script.requests
    assert sent.api_key == key
    assert "sample" in json.dumps(sent.body)  # the graph's inputs reached the prompt
    (generation,) = node_executions_of(str(finished.id), AI_TEXT_GENERATOR)
    reply = f"Drafted: {sent.last_user_text[:60]}"
    assert outputs_of(generation)["response"] == [reply]
    assert generation.stats["input_token_count"] == 120
    assert generation.stats["output_token_count"] == 40
    assert generation.stats["llm_call_count"] == 1
    outputs = [outputs_of(execution) for execution in node_executions_of(str(finished.id), AGENT_OUTPUT)]
    assert any(output.get("output") == [reply] for output in outputs)
    assert finished.cost == 0  # the user's own key: the model's price is not charged
