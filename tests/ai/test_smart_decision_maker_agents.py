"""The decision makers of the exported agents, run through the API and a real worker against the fake providers.

Each exported agent keeps its decision maker in a sub-graph whose tools are
other sub-graphs (Agent nodes). That sub-graph is posted as a graph of its own,
with the sub-graphs it runs, and run to completion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.executions.models import ExecutionStatus, NodeExecution
from config.env import BASE_DIR
from tests.fakes import dataforseo, e2b, firecrawl, google_maps
from tests.fakes.all_providers import FakeProviders, fake_providers
from tests.fakes.llm_script import Recorded, Reply
from tests.fakes.openai import FakeOpenAI, fake_openai
from tests.graph_builders import AGENT_EXECUTOR, AGENT_OUTPUT
from tests.runs import create_graph, node_executions_of, outputs_of, wait_for_run
from tests.worker import Worker, worker_on_own_queue

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = BASE_DIR / "tests" / "fixtures" / "autogpt-agents"
DECISION_MAKER = "3b191d9f-356f-482d-8238-ba04b6d18381"
AI_TEXT_GENERATOR = "1f292d4a-41a4-4977-9684-7c8d560b9f91"


@pytest.fixture(scope="module")
def openai_server() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


@pytest.fixture(scope="module")
def providers() -> Iterator[FakeProviders]:
    with fake_providers() as started:
        yield started


@pytest.fixture(scope="module")
def llm_worker(
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    openai_server: FakeOpenAI,
    providers: FakeProviders,
) -> Iterator[Worker]:
    # OpenRouter speaks OpenAI's API: one fake serves both.
    environment = {
        **providers.env(),
        "OPENAI_BASE_URL": openai_server.api_base,
        "OPEN_ROUTER_BASE_URL": openai_server.api_base,
        # The support agent's tools wait out a 15-second timer before their output comes back.
        "BLOCK_TIME_LIMIT_SECONDS": "40",
    }
    # A queue of its own: the session's shared worker knows none of the fakes' addresses.
    with worker_on_own_queue(tmp_path_factory.mktemp("sdm-agents") / "worker.log", environment) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass


def own_credentials(provider: str) -> dict[str, Any]:
    """The user's own credentials for each provider, as the fakes accept them."""
    if provider == "dataforseo":
        return {"type": "user_password", "username": dataforseo.USERNAME, "password": dataforseo.PASSWORD}
    fakes_keys = {"e2b": e2b.API_KEY, "firecrawl": firecrawl.API_KEY, "google_maps": google_maps.API_KEY}
    key = fakes_keys.get(provider, f"sk-{provider}-own")
    return {"type": "api_key", "api_key": key, "title": provider}


def sub_graph_with_its_tools(fixture: str, name: str) -> dict[str, Any]:
    exported = json.loads((FIXTURES / fixture).read_text())
    sub_graphs = {sub["name"]: sub for sub in exported["sub_graphs"]}
    return {**sub_graphs.pop(name), "sub_graphs": list(sub_graphs.values())}


def failures(run_id: str) -> list[tuple[str, Any]]:
    """The failed node executions of a run: block and error, for an assertion's message."""
    failed = NodeExecution.objects.filter(graph_execution_id=run_id, status=ExecutionStatus.FAILED)
    return [(execution.node.block_id, execution.stats.get("error")) for execution in failed.select_related("node")]


def agent_outputs(run_id: str) -> dict[str, Any]:
    """What each Output node of the run recorded, by its name."""
    recorded = [outputs_of(execution) for execution in node_executions_of(run_id, AGENT_OUTPUT)]
    return {output["name"][0]: output["output"][0] for output in recorded if "output" in output}


def run_with_own_keys(client: APIClient, created: dict[str, Any], inputs: dict[str, Any]) -> str:
    credentials_inputs = {}
    for field, schema in created["credentials_input_schema"]["properties"].items():
        (provider,) = schema["credentials_provider"]
        stored = client.post(f"/api/integrations/{provider}/credentials", own_credentials(provider), format="json")
        assert stored.status_code == 201, stored.json()
        credentials_inputs[field] = {"id": stored.json()["id"], "provider": provider, "type": stored.json()["type"]}
    started = client.post(
        f"/api/graphs/{created['id']}/execute/{created['version']}",
        {"inputs": inputs, "credentials_inputs": credentials_inputs},
        format="json",
    )
    assert started.status_code == 200, started.json()
    return str(started.json()["id"])


def test_the_lead_finders_ceo_search_calls_its_web_search_agent_then_answers(
    auth_client: APIClient, llm_worker: Worker, openai_server: FakeOpenAI
) -> None:
    question = "Who owns Doe's Bakery, 1 High Street, Edinburgh?"
    found = "Doe's Bakery is owned by Jane Doe (jane@doesbakery.example)."
    answer = "<identified_owner_ceo>\nName: Jane Doe\nPosition: Owner\n</identified_owner_ceo>"

    def respond(request: Recorded) -> Reply:
        if request.body["model"] == "perplexity/sonar-pro":  # the Web Search agent's text generator
            return Reply(text=found)
        if any(message.get("role") == "tool" for message in request.body["messages"]):
            return Reply(text=answer)
        return Reply(tool_calls=(("web_search", {"question": question}),))

    openai_server.script.reset()
    openai_server.script.responder = respond
    ceo_search = sub_graph_with_its_tools("agent_6e16e65a-ad34-4108-b4fd-4a23fced5ea2.json", "Find Business CEO")
    created = create_graph(auth_client, ceo_search)

    run_id = run_with_own_keys(auth_client, created, {"Business Info": "Doe's Bakery, 1 High Street, Edinburgh"})
    finished = wait_for_run(run_id, timeout=90)

    assert finished.status == ExecutionStatus.COMPLETED, failures(run_id)
    first, second = node_executions_of(run_id, DECISION_MAKER)
    assert "Doe's Bakery, 1 High Street, Edinburgh" in first.input_data["prompt_values"]["BUSINESS_INFO"]
    assert outputs_of(second)["finished"] == [answer]
    (search,) = node_executions_of(run_id, AGENT_EXECUTOR)
    assert search.input_data["Question"] == question
    assert agent_outputs(run_id)["Results!"] == answer
    first_request = next(r for r in openai_server.script.requests if r.body["model"] == "gpt-5-mini-2025-08-07")
    (tool,) = first_request.body["tools"]
    assert tool["function"]["name"] == "web_search"
    assert list(tool["function"]["parameters"]["properties"]) == ["question"]
    searched = next(r for r in openai_server.script.requests if r.body["model"] == "perplexity/sonar-pro")
    assert question in json.dumps(searched.body)
    last = [r for r in openai_server.script.requests if r.body["model"] == "gpt-5-mini-2025-08-07"][-1]
    assert last.body["messages"][-1]["role"] == "tool"
    assert found in last.body["messages"][-1]["content"]


def test_the_seo_writers_keyword_expert_researches_with_its_keyword_agent_then_picks_one(
    auth_client: APIClient, llm_worker: Worker, openai_server: FakeOpenAI, providers: FakeProviders
) -> None:
    keyword_data = '[{"keyword": "ai tools for seniors", "sv": 1900, "kd": 12}]'
    providers["e2b"].script("", stdout=[keyword_data])  # the agent's filtering script prints what it kept
    choice = (
        "<research_log>Tried ai tools.</research_log><selection_notes>Low difficulty.</selection_notes>"
        "<primary_keyword>ai tools for seniors</primary_keyword><proposed_title>AI Tools for Seniors</proposed_title>"
        "<kd>12</kd><sv>1900</sv><justification>High volume, low difficulty.</justification>"
    )

    def respond(request: Recorded) -> Reply:
        if any(message.get("role") == "tool" for message in request.body["messages"]):
            return Reply(text=choice)
        arguments = {"keyword": "ai tools", "minimum_volume": "100", "max_keyword_difficulty": "40"}
        return Reply(tool_calls=(("get_related_search_keywords", arguments),))

    openai_server.script.reset()
    openai_server.script.responder = respond
    expert = sub_graph_with_its_tools("agent_55d40473-0f31-4ada-9e40-d3a7139fcbd4.json", "Keyword SEO Expert")
    created = create_graph(auth_client, expert)
    inputs = {
        "Website Primary Topic": "AI for Everyday People",
        "Domain": "aiespresso.wordpress.com",
        "Website Description": "A blog that makes AI approachable",
        "Previous Posts": "What is ChatGPT?",
    }

    run_id = run_with_own_keys(auth_client, created, inputs)
    finished = wait_for_run(run_id, timeout=120)

    assert finished.status == ExecutionStatus.COMPLETED, failures(run_id)
    first, second = node_executions_of(run_id, DECISION_MAKER)
    assert "[Main Objective Prompt]: " in str(outputs_of(first)["conversations"])
    assert outputs_of(second)["finished"] == [choice]
    (research,) = node_executions_of(run_id, AGENT_EXECUTOR)
    assert (research.input_data["Keyword"], research.input_data["Minimum Volume"]) == ("ai tools", "100")
    assert second.input_data["last_tool_output"] == keyword_data
    (related,) = providers["dataforseo"].requests_to("/v3/dataforseo_labs/google/related_keywords/live")
    assert related.json()[0]["keyword"] == "ai tools"
    named = agent_outputs(run_id)
    assert named["Primary Keyword"] == "ai tools for seniors"
    assert (named["Search Volume"], named["Keyword Difficulty"]) == ("1900", "12")


def test_the_support_agents_product_expert_makes_two_tool_calls_at_once_and_answers_with_both_results(
    auth_client: APIClient, llm_worker: Worker, openai_server: FakeOpenAI, providers: FakeProviders
) -> None:
    # Each tool's output passes the agent's 15-second timer before it comes back: this run takes that long.
    answer = '{"confidence_score": "95%", "answer": "Plans start at $10."}'

    def respond(request: Recorded) -> Reply:
        answered = [message for message in request.body["messages"] if message.get("role") == "tool"]
        if answered:
            return Reply(text=answer)
        extract = {"urls": ["https://docs.example.com/pricing"], "prompt": "What do the plans cost?"}
        crawl = {"url": "https://docs.example.com"}
        return Reply(tool_calls=(("firecrawlextractblock", extract), ("firecrawlcrawlblock", crawl)))

    openai_server.script.reset()
    openai_server.script.responder = respond
    expert = sub_graph_with_its_tools("agent_b8ceb480-a7a2-4c90-8513-181a49f7071f.json", "Product Knowledge Agent")
    created = create_graph(auth_client, expert)
    inputs = {
        "Documentation URL": "https://docs.example.com",
        "Question": "How much does it cost?",
        "Confidence Threshold": 80,
    }

    run_id = run_with_own_keys(auth_client, created, inputs)
    finished = wait_for_run(run_id, timeout=120)

    assert finished.status == ExecutionStatus.COMPLETED, failures(run_id)
    executions = node_executions_of(run_id, DECISION_MAKER)
    ran = [execution for execution in executions if execution.status == ExecutionStatus.COMPLETED]
    assert len(ran) == 3
    _, first_result, second_result = ran
    # The crawl hands back one page at a time: outputs past the two the calls wait for find no open call
    # and are left waiting for a conversation that never comes (as upstream).
    assert {execution.status for execution in executions if execution not in ran} <= {ExecutionStatus.INCOMPLETE}
    # Several calls at once were allowed, so the system prompt says so and the request asks for them.
    asked = openai_server.script.requests[0].body
    assert asked["parallel_tool_calls"] is True
    assert asked["messages"][0]["content"].endswith(
        "\nYou can call a tool (different tools) multiple times in a single response."
    )
    # The first result answers one call and waits for the other without asking the model.
    assert "finished" not in outputs_of(first_result)
    assert outputs_of(second_result)["finished"] == [answer]
    final = openai_server.script.requests[-1].body["messages"]
    assert [message["role"] for message in final[-2:]] == ["tool", "tool"]
    assert len(openai_server.script.requests) == 2
    assert len(providers["firecrawl"].requests_to("/v2/extract")) == 1
    assert len(providers["firecrawl"].requests_to("/v2/crawl")) == 1
    assert agent_outputs(run_id)["Answer"] == answer


def test_the_whole_lead_finder_runs_its_ceo_search_for_every_business_found(
    auth_client: APIClient, llm_worker: Worker, openai_server: FakeOpenAI, providers: FakeProviders
) -> None:
    def respond(request: Recorded) -> Reply:
        if request.body["model"] == "perplexity/sonar-pro":
            return Reply(text=f"The owner is Jane Doe. ({request.last_user_text[:40]})")
        if any(message.get("role") == "tool" for message in request.body["messages"]):
            return Reply(text="<identified_owner_ceo>Name: Jane Doe</identified_owner_ceo>")
        return Reply(tool_calls=(("web_search", {"question": "Who owns this business?"}),))

    openai_server.script.reset()
    openai_server.script.responder = respond
    exported = json.loads((FIXTURES / "agent_6e16e65a-ad34-4108-b4fd-4a23fced5ea2.json").read_text())
    created = create_graph(auth_client, exported)
    inputs = {
        "Location": "Edinburgh",
        "Business Type": "coffee roasters",
        "Search Radius (meters, max 50,000)": 10000,
        "Max Number of Businesses to Analyze (max 60)": 3,
    }

    run_id = run_with_own_keys(auth_client, created, inputs)
    finished = wait_for_run(run_id, timeout=120)

    assert finished.status == ExecutionStatus.COMPLETED, failures(run_id)
    results = [outputs_of(execution) for execution in node_executions_of(run_id, AGENT_OUTPUT)]
    assert [result["output"] for result in results if result.get("name") == ["Results"]] == [["Name: Jane Doe"]] * 3
    searches = [request for request in openai_server.script.requests if request.body["model"] == "perplexity/sonar-pro"]
    assert len(searches) == 3
