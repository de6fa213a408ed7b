"""A decision maker in a graph, run through the API and a real worker against the fake providers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus
from tests.fakes.llm_script import Failure, Reply
from tests.fakes.openai import FakeOpenAI, fake_openai
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, FILL_TEXT_TEMPLATE, graph, link, node
from tests.runs import create_graph, node_executions_of, outputs_of, wait_for_run
from tests.worker import Worker, worker_on_own_queue

pytestmark = pytest.mark.django_db(transaction=True)

DECISION_MAKER = "3b191d9f-356f-482d-8238-ba04b6d18381"
USERS_KEY = "sk-openai-users-own-key"


@pytest.fixture(scope="module")
def openai_server() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


@pytest.fixture(scope="module")
def llm_worker(
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    openai_server: FakeOpenAI,
) -> Iterator[Worker]:
    # A queue of its own: the session's shared worker does not know the fake's address.
    environment = {"OPENAI_BASE_URL": openai_server.api_base}
    with worker_on_own_queue(tmp_path_factory.mktemp("sdm-worker") / "worker.log", environment) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass


def greeting_graph() -> dict[str, Any]:
    """The model may call a text template (its output comes back to the model) and finishes into an output."""
    topic = node(AGENT_INPUT, {"name": "city"})
    decider = node(DECISION_MAKER, {"prompt": "Greet the people of {{city}}.", "model": "gpt-4o"})
    template = node(FILL_TEXT_TEMPLATE, {"values": {"mood": "warm"}})
    answer = node(AGENT_OUTPUT, {"name": "answer"})
    return graph(
        [topic, decider, template, answer],
        [
            link(topic, "result", decider, "prompt_values_#_city"),
            # Upstream's link name for a tool argument: the tool's name and the parameter's.
            link(decider, "tools_^_filltexttemplateblock_~_format", template, "format"),
            link(template, "output", decider, "last_tool_output"),
            link(decider, "conversations", decider, "conversation_history"),
            link(decider, "finished", answer, "value"),
        ],
    )


def start(client: APIClient, created: dict[str, Any], city: str) -> str:
    stored = client.post(
        "/api/integrations/openai/credentials", {"type": "api_key", "api_key": USERS_KEY}, format="json"
    )
    assert stored.status_code == 201, stored.json()
    (credentials_input,) = created["credentials_input_schema"]["properties"]
    started = client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {
            "inputs": {"city": city},
            "credentials_inputs": {
                credentials_input: {"id": stored.json()["id"], "provider": "openai", "type": "api_key"}
            },
        },
        format="json",
    )
    assert started.status_code == 200, started.json()
    return str(started.json()["id"])


def test_the_decision_maker_calls_a_node_whose_output_comes_back_and_then_finishes(
    auth_client: APIClient, llm_worker: Worker, openai_server: FakeOpenAI
) -> None:
    openai_server.script.reset()
    openai_server.script.queue(
        Reply(tool_calls=(("filltexttemplateblock", {"format": "A {{mood}} hello to Oslo!"}),), prompt_tokens=50),
        Reply(text="Sent: A warm hello to Oslo!", prompt_tokens=80),
    )
    created = create_graph(auth_client, greeting_graph())

    finished = wait_for_run(start(auth_client, created, "Oslo"), timeout=60)

    assert finished.status == ExecutionStatus.COMPLETED, llm_worker.log()[-3000:]
    (templating,) = node_executions_of(str(finished.id), FILL_TEXT_TEMPLATE)
    assert templating.input_data["format"] == "A {{mood}} hello to Oslo!"
    assert outputs_of(templating)["output"] == ["A warm hello to Oslo!"]
    first, second = node_executions_of(str(finished.id), DECISION_MAKER)
    # The argument went out named after the node it is for (node ids are given anew when a graph is saved).
    assert outputs_of(first)[f"tools_^_{templating.node_id}_~_format"] == ["A {{mood}} hello to Oslo!"]
    assert second.input_data["last_tool_output"] == "A warm hello to Oslo!"
    assert outputs_of(second)["finished"] == ["Sent: A warm hello to Oslo!"]
    assert (first.stats["llm_call_count"], first.stats["input_token_count"]) == (1, 50)
    assert (second.stats["llm_call_count"], second.stats["input_token_count"]) == (1, 80)
    (answer,) = node_executions_of(str(finished.id), AGENT_OUTPUT)
    assert outputs_of(answer)["output"] == ["Sent: A warm hello to Oslo!"]
    asked, answered = openai_server.script.requests
    assert asked.api_key == answered.api_key == USERS_KEY
    assert asked.body["messages"][1]["content"] == "[Main Objective Prompt]: Greet the people of Oslo."
    call_id = answered.body["messages"][2]["tool_calls"][0]["id"]
    assert answered.body["messages"][3] == {"role": "tool", "tool_call_id": call_id, "content": "A warm hello to Oslo!"}
    assert finished.cost == 0  # the user's own key: the model's price is not charged


def test_a_provider_error_fails_the_decision_makers_node_with_its_message(
    auth_client: APIClient, llm_worker: Worker, openai_server: FakeOpenAI
) -> None:
    openai_server.script.reset()
    openai_server.script.queue(Failure(429, "Rate limit reached for gpt-4o", retry_after="17"))
    created = create_graph(auth_client, greeting_graph())

    finished = wait_for_run(start(auth_client, created, "Oslo"), timeout=60)

    assert finished.status == ExecutionStatus.FAILED
    (decision,) = node_executions_of(str(finished.id), DECISION_MAKER)
    assert decision.status == ExecutionStatus.FAILED
    assert outputs_of(decision)["error"] == [
        "OpenAI rate limit reached (429): Rate limit reached for gpt-4o. Retry after 17 seconds."
    ]
    assert node_executions_of(str(finished.id), FILL_TEXT_TEMPLATE) == []
