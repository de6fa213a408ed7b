"""The decision maker: its tools, its conversation, and the block against the OpenAI and Anthropic fakes."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.basic import StoreValueBlock
from apps.blocks.library.io import AgentOutputBlock
from apps.blocks.library.smart_decision_maker import SmartDecisionMakerBlock
from apps.blocks.library.text import FillTextTemplateBlock
from apps.blocks.llm.decision import MAIN_OBJECTIVE_PREFIX, SINGLE_TOOL_CALL_NOTE
from apps.blocks.llm.models import LlmModel
from apps.blocks.llm.prices import MODEL_COST
from apps.blocks.llm.tool_turns import pending_tool_calls, tool_result
from apps.blocks.llm.tools import ToolSink, argument_errors, tools_for
from apps.blocks.registry import get_block
from apps.blocks.stats import ExecutionStats
from apps.credentials.platform import PLATFORM_CREDENTIALS
from apps.credits.costs import block_usage_cost
from apps.graphs.pins import parse_execution_output, tool_pin
from apps.graphs.spec import AGENT_EXECUTOR_BLOCK_ID
from tests.ai.conftest import api_key, run_block
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.llm_script import Failure, Reply
from tests.fakes.openai import FakeOpenAI
from tests.graph_builders import FILL_TEXT_TEMPLATE, graph, link, node

AGENT_SINK = ToolSink(
    node_id="agent-node",
    block=get_block(AGENT_EXECUTOR_BLOCK_ID),  # type: ignore[arg-type]
    input_default={
        "graph_id": "g",
        "graph_version": 3,
        "input_schema": {
            "properties": {
                "Keyword": {"description": "The seed keyword", "default": "ai"},
                "Minimum Volume": {"default": 100},
            }
        },
    },
    pins=("Keyword", "Minimum Volume"),
    graph_name="Get Related Search Keywords",
    graph_description="Related keywords from the SERP.",
)
TEMPLATE_SINK = ToolSink(
    node_id="template-node", block=FillTextTemplateBlock(), input_default={}, pins=("format", "values_#_city")
)
OUTPUT_SINK = ToolSink(node_id="output-node", block=AgentOutputBlock(), input_default={}, pins=("value",))


# --- tool definitions ---------------------------------------------------------------


def test_a_block_becomes_a_function_named_after_it_with_the_linked_pins_as_parameters() -> None:
    (tool,) = tools_for([TEMPLATE_SINK])

    function = tool.definition["function"]
    assert tool.definition["type"] == "function"
    assert function["name"] == "filltexttemplateblock"
    assert function["description"] == FillTextTemplateBlock.description
    parameters = function["parameters"]
    assert set(parameters["properties"]) == {"format", "values___city"}
    assert parameters["properties"]["format"]["description"].startswith("Template to format the text")
    assert parameters["properties"]["values___city"] == {
        "type": "string",
        "description": "Dictionary field 'city' for base field 'values' (values['city'])",
    }
    # Both `format` and `values` are required by the block, so both linked parameters are.
    assert parameters["required"] == ["format", "values___city"]
    assert parameters["additionalProperties"] is False
    assert tool.pins == {"format": "format", "values___city": "values_#_city"}


def test_a_name_given_to_the_node_names_the_tool() -> None:
    named = {"customized_name": "Save It!"}
    sink = ToolSink(node_id="n", block=StoreValueBlock(), input_default={}, pins=("input",), metadata=named)

    (tool,) = tools_for([sink])

    assert tool.name == "save_it_"


def test_an_agent_node_becomes_a_function_of_its_sub_graphs_inputs() -> None:
    (tool,) = tools_for([AGENT_SINK])

    function = tool.definition["function"]
    assert function["name"] == "get_related_search_keywords"
    assert function["description"] == "Related keywords from the SERP."
    assert function["parameters"] == {
        "type": "object",
        "properties": {
            "keyword": {"type": "string", "description": "The seed keyword", "default": '"ai"'},
            "minimum_volume": {"type": "string", "description": "The Minimum Volume of the tool", "default": "100"},
        },
        "additionalProperties": False,
        "strict": True,
    }
    assert tool.pins == {"keyword": "Keyword", "minimum_volume": "Minimum Volume"}


def test_an_agent_node_whose_graph_is_unknown_is_refused_naming_it() -> None:
    unknown = ToolSink(
        node_id="n", block=AGENT_SINK.block, input_default={"graph_id": "g", "graph_version": 3}, pins=("Keyword",)
    )

    with pytest.raises(ValueError, match=re.escape("Sink graph metadata not found: g 3")):
        tools_for([unknown])


def test_no_linked_node_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("There is no next node to execute.")):
        tools_for([])


def test_tool_calls_with_wrong_names_or_parameters_are_explained() -> None:
    tools = tools_for([TEMPLATE_SINK, OUTPUT_SINK])

    assert argument_errors(tools, "agentoutputblock", '{"value": 1}') is None
    assert argument_errors(tools, "nope", "{}") == "Tool call for 'nope' does not match any known tool definition."
    assert argument_errors(tools, "agentoutputblock", "{oops").startswith(  # type: ignore[union-attr]
        "Tool call 'agentoutputblock' has invalid JSON arguments:"
    )
    assert argument_errors(tools, "filltexttemplateblock", '{"formt": "x"}') == (
        "Tool call 'filltexttemplateblock' has parameter errors: Unknown parameters: ['formt']. "
        "Missing required parameters: ['format', 'values___city']. "
        "Expected parameters: ['format', 'values___city']. Required parameters: ['format', 'values___city']."
    )


# --- the conversation and the engine's side ---------------------------------------------


def test_open_tool_calls_are_found_in_both_providers_shapes() -> None:
    conversation = [
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1"}, {"id": "call_2"}]},
        tool_result("call_1", {"answer": 42}),
        {"role": "assistant", "content": [{"type": "text", "text": "hm"}, {"type": "tool_use", "id": "toolu_9"}]},
    ]

    assert pending_tool_calls(conversation) == {"call_2": 1, "toolu_9": 1}
    assert conversation[1] == {"role": "tool", "tool_call_id": "call_1", "content": '{"answer": 42}'}
    assert pending_tool_calls([*conversation, tool_result("toolu_9", "done"), tool_result("call_2", "ok")]) == {}
    assert tool_result("toolu_9", "done") == {
        "role": "user",
        "type": "message",
        "content": [{"tool_use_id": "toolu_9", "type": "tool_result", "content": "done"}],
    }


def test_a_tool_pin_reaches_only_the_node_and_pin_it_names_whatever_the_links_source_name() -> None:
    emitted = tool_pin("node-a", "Max Keyword Difficulty")

    for selector in ("tools", "tools_^_get_keywords_~_max_keyword_difficulty"):
        assert parse_execution_output(emitted, 30, selector, sink_id="node-a", sink_name="Max Keyword Difficulty") == (
            True,
            30,
        )
        assert parse_execution_output(emitted, 30, selector, sink_id="node-b", sink_name="Max Keyword Difficulty") == (
            False,
            None,
        )
        assert parse_execution_output(emitted, 30, selector, sink_id="node-a", sink_name="Keyword") == (False, None)
    assert parse_execution_output("conversations", [], "tools", sink_id="node-a", sink_name="x") == (False, None)


def test_the_next_turn_waits_for_the_tools_output_and_a_stray_output_for_its_call() -> None:
    block = SmartDecisionMakerBlock()
    calling = [{"role": "assistant", "tool_calls": [{"id": "call_1"}]}]

    assert block.waiting_for({"conversation_history": calling}) == {"last_tool_output"}
    assert block.waiting_for({"conversation_history": calling, "last_tool_output": "x"}) == set()
    assert block.waiting_for({"conversation_history": [], "last_tool_output": "x"}) == {"conversation_history"}
    assert block.waiting_for({"conversation_history": []}) == set()


def test_the_conversation_pins_must_be_linked_together_and_the_tool_output_not_statically() -> None:
    block = SmartDecisionMakerBlock()

    assert block.input_link_errors({"prompt": True}) == {}
    assert block.input_link_errors({"conversation_history": False, "last_tool_output": False}) == {}
    assert (
        "connect both inputs together" in block.input_link_errors({"conversation_history": False})["last_tool_output"]
    )
    assert (
        "static (dashed line)"
        in block.input_link_errors({"conversation_history": False, "last_tool_output": True})["last_tool_output"]
    )


# --- the block against the providers ----------------------------------------------------

pytestmark_providers = pytest.mark.usefixtures("providers")


@pytestmark_providers
def test_a_tool_call_on_openai_is_emitted_to_the_sinks_pins(openai_server: FakeOpenAI) -> None:
    openai_server.script.queue(
        Reply(tool_calls=(("filltexttemplateblock", {"format": "Hi {{city}}", "values___city": "Oslo"}),))
    )
    stats = ExecutionStats()

    outputs = run_block(
        SmartDecisionMakerBlock(),
        {"prompt": "Greet {{who}}", "model": "gpt-4o", "prompt_values": {"who": "Oslo"}},
        api_key("openai"),
        stats,
        tool_sinks=[TEMPLATE_SINK, OUTPUT_SINK],
    )

    assert outputs[:2] == [
        ("tools_^_template-node_~_format", "Hi {{city}}"),
        ("tools_^_template-node_~_values_#_city", "Oslo"),
    ]
    pin, conversation = outputs[2]
    assert pin == "conversations" and len(outputs) == 3
    (sent,) = openai_server.script.requests
    assert sent.body["messages"] == conversation[:2]
    assert conversation[0]["role"] == "system"
    assert conversation[0]["content"].startswith(MAIN_OBJECTIVE_PREFIX + "Thinking carefully step by step")
    assert conversation[0]["content"].endswith(SINGLE_TOOL_CALL_NOTE)
    assert conversation[1] == {"role": "user", "content": MAIN_OBJECTIVE_PREFIX + "Greet Oslo"}
    assert conversation[2]["role"] == "assistant"
    (call,) = conversation[2]["tool_calls"]
    assert call["function"]["name"] == "filltexttemplateblock"
    assert [tool["function"]["name"] for tool in sent.body["tools"]] == ["filltexttemplateblock", "agentoutputblock"]
    assert sent.body["parallel_tool_calls"] is False
    assert stats.llm_call_count == 1 and stats.input_token_count == 11 and stats.output_token_count == 7


@pytestmark_providers
def test_an_answer_without_a_tool_call_finishes(openai_server: FakeOpenAI) -> None:
    openai_server.script.queue("All done: Oslo greeted.")

    outputs = run_block(
        SmartDecisionMakerBlock(), {"prompt": "Greet", "model": "gpt-4o"}, api_key("openai"), tool_sinks=[OUTPUT_SINK]
    )

    assert outputs == [("finished", "All done: Oslo greeted.")]


@pytestmark_providers
def test_the_tools_output_answers_the_open_call_and_the_conversation_goes_on(openai_server: FakeOpenAI) -> None:
    history = [
        {"role": "system", "content": MAIN_OBJECTIVE_PREFIX + "Be brief."},
        {"role": "user", "content": MAIN_OBJECTIVE_PREFIX + "Greet"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_7", "type": "function", "function": {"name": "agentoutputblock", "arguments": "{}"}}
            ],
        },
    ]
    openai_server.script.queue("Greeted.")

    outputs = run_block(
        SmartDecisionMakerBlock(),
        {
            "prompt": "Greet",
            "sys_prompt": "Be brief.",
            "model": "gpt-4o",
            "conversation_history": history,
            "last_tool_output": {"greeting": "Hi Oslo"},
        },
        api_key("openai"),
        tool_sinks=[OUTPUT_SINK],
    )

    assert outputs == [("finished", "Greeted.")]
    (sent,) = openai_server.script.requests
    # The objective is in the history already: it is not asked twice.
    assert sent.body["messages"] == [
        *history,
        {"role": "tool", "tool_call_id": "call_7", "content": '{"greeting": "Hi Oslo"}'},
    ]


@pytestmark_providers
def test_a_wrong_tool_call_is_corrected_with_upstreams_feedback(openai_server: FakeOpenAI) -> None:
    openai_server.script.queue(
        Reply(tool_calls=(("agentoutputblock", {"valeu": 1}),)),
        Reply(tool_calls=(("agentoutputblock", {"value": "ok"}),)),
    )
    stats = ExecutionStats()

    outputs = run_block(
        SmartDecisionMakerBlock(),
        {"prompt": "Say ok", "model": "gpt-4o"},
        api_key("openai"),
        stats,
        tool_sinks=[OUTPUT_SINK, TEMPLATE_SINK],
    )

    assert outputs[0] == ("tools_^_output-node_~_value", "ok")
    second = openai_server.script.requests[1].body["messages"][-1]
    assert second["role"] == "user"
    assert second["content"].startswith("Your tool call had errors. Please fix the following issues and try again:\n")
    assert "Unknown parameters: ['valeu']" in second["content"]
    assert stats.llm_call_count == 2 and stats.llm_retry_count == 1


@pytestmark_providers
def test_tool_use_on_anthropic_and_the_result_sent_back_in_its_shape(anthropic_server: FakeAnthropic) -> None:
    anthropic_server.script.queue(Reply(text="Let me save it.", tool_calls=(("agentoutputblock", {"value": "v"}),)))
    credentials = api_key("anthropic")
    model = "claude-sonnet-4-5-20250929"

    first = run_block(
        SmartDecisionMakerBlock(), {"prompt": "Save v", "model": model}, credentials, tool_sinks=[OUTPUT_SINK]
    )

    assert first[0] == ("tools_^_output-node_~_value", "v")
    _, conversation = first[1]
    request = anthropic_server.script.requests[0].body
    (tool,) = request["tools"]
    assert tool["name"] == "agentoutputblock"
    assert tool["description"] == AgentOutputBlock.description
    assert tool["input_schema"]["type"] == "object" and tool["input_schema"]["required"] == []
    assert tool["input_schema"]["properties"]["value"]["description"] == "The value to be recorded as output."
    assert request["system"].startswith(MAIN_OBJECTIVE_PREFIX)
    tool_use = conversation[-1]["content"][1]
    assert tool_use["type"] == "tool_use" and tool_use["id"].startswith("toolu_")

    anthropic_server.script.queue("Saved.")
    second = run_block(
        SmartDecisionMakerBlock(),
        {"prompt": "Save v", "model": model, "conversation_history": conversation, "last_tool_output": "stored"},
        credentials,
        tool_sinks=[OUTPUT_SINK],
    )

    assert second == [("finished", "Saved.")]
    sent = anthropic_server.script.requests[1].body["messages"]
    assert sent[-1] == {
        "role": "user",
        "content": [{"tool_use_id": tool_use["id"], "type": "tool_result", "content": "stored"}],
    }
    assert sent[-2]["content"][1]["type"] == "tool_use"


@pytestmark_providers
def test_a_provider_refusing_the_key_fails_the_block_with_its_message(openai_server: FakeOpenAI) -> None:
    openai_server.script.queue(Failure(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"))

    with pytest.raises(BlockExecutionError, match=re.escape("OpenAI rejected the API key (401)")):
        run_block(
            SmartDecisionMakerBlock(), {"prompt": "Hi", "model": "gpt-4o"}, api_key("openai"), tool_sinks=[OUTPUT_SINK]
        )


@pytestmark_providers
def test_an_open_call_without_the_tools_output_is_refused(openai_server: FakeOpenAI) -> None:
    history = [{"role": "assistant", "content": None, "tool_calls": [{"id": "call_1"}]}]

    with pytest.raises(BlockExecutionError, match=re.escape("Tool call requires an output for {'call_1': 1}")):
        run_block(
            SmartDecisionMakerBlock(),
            {"prompt": "Hi", "model": "gpt-4o", "conversation_history": history},
            api_key("openai"),
            tool_sinks=[OUTPUT_SINK],
        )
    assert openai_server.script.requests == []


def test_on_the_platforms_credentials_a_decision_costs_the_models_price() -> None:
    platform_openai = next(entry.id for entry in PLATFORM_CREDENTIALS if entry.provider == "openai")
    block = SmartDecisionMakerBlock()

    on_platform = {"model": "gpt-4o", "credentials": {"id": platform_openai, "provider": "openai"}}
    assert block_usage_cost(block=block, input_data=on_platform) == (MODEL_COST[LlmModel.GPT4O], {"model": "gpt-4o"})
    own_key = {"model": "gpt-4o", "credentials": {"id": "5d1c2b8e-0000-4000-8000-000000000001", "provider": "openai"}}
    assert block_usage_cost(block=block, input_data=own_key) == (0, {})


@pytest.mark.django_db
def test_saving_a_decision_maker_whose_history_comes_back_without_the_tools_output_is_refused(
    auth_client: APIClient,
) -> None:
    decider = node(SmartDecisionMakerBlock.id, {"prompt": "Go", "model": "gpt-4o"})
    template = node(FILL_TEXT_TEMPLATE, {"values": {"a": 1}})
    posted = graph(
        [decider, template],
        [
            link(decider, "tools_^_filltexttemplateblock_~_format", template, "format"),
            link(decider, "conversations", decider, "conversation_history"),
        ],
    )

    response = auth_client.post("/api/graphs", {"graph": posted}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"][decider["id"]] == {
        "last_tool_output": "Last Tool Output is needed when Conversation History is used, and vice versa. "
        "Please connect both inputs together."
    }
    posted["links"].append(link(template, "output", decider, "last_tool_output", is_static=True))
    response = auth_client.post("/api/graphs", {"graph": posted}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]["node_errors"][decider["id"]]["last_tool_output"].startswith(
        "Last Tool Output can't be connected to a static (dashed line) link"
    )
    posted["links"][-1]["is_static"] = False
    response = auth_client.post("/api/graphs", {"graph": posted}, format="json")
    assert response.status_code == 200, response.json()
