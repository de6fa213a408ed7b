"""Upstream's `SmartDecisionMakerBlock`: a model that picks which linked node to run next, and with what.

The nodes linked from the block's `tools` pins are offered to the model as
functions (`apps.blocks.llm.tools`). When the model calls one, the block emits
each argument on `tools_^_{sink node id}_~_{sink pin}`, which the engine
delivers to that node's pin only (`apps.graphs.pins`), then the conversation on
`conversations`. Linked back as `conversation_history`, with the called node's
output as `last_tool_output`, the conversation goes on in the next execution;
an answer without a tool call ends it on `finished`.
"""

from __future__ import annotations

import json
from typing import Any

import structlog

from apps.blocks.base import BlockOutput, BlockType
from apps.blocks.llm.block import (
    PROMPT_VALUES_DESCRIPTION,
    RETRY_DESCRIPTION,
    TEST_CREDENTIALS_INPUT,
    AIBlock,
    AICredentials,
    AICredentialsField,
    max_tokens_field,
    model_field,
    ollama_host_field,
)
from apps.blocks.llm.call import LlmResponse, ToolCall
from apps.blocks.llm.decision import DEFAULT_SYS_PROMPT, DecisionRequest, add_objective, decide
from apps.blocks.llm.models import LlmModel
from apps.blocks.llm.tool_turns import pending_tool_calls, tool_result
from apps.blocks.llm.tools import ToolSink, find_tool, tools_for
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.blocks.stats import execution_stats
from apps.credentials.types import APIKeyCredentials
from apps.graphs.pins import tool_pin

logger = structlog.get_logger(__name__)

CONVERSATION_PINS = frozenset({"conversation_history", "last_tool_output"})


async def _self_test_reply(**arguments: Any) -> LlmResponse:
    call = ToolCall(id="call_1", name="storevalueblock", arguments='{"input": "Hello, World!"}')
    return LlmResponse(text="", prompt_tokens=0, completion_tokens=0, message={"role": "assistant"}, tool_calls=[call])


def _self_test_sinks(sinks: list[ToolSink]) -> list[ToolSink]:
    from apps.blocks.library.basic import StoreValueBlock

    return [ToolSink(node_id="store-node", block=StoreValueBlock(), input_default={}, pins=("input",))]


class SmartDecisionMakerBlock(AIBlock):
    id = "3b191d9f-356f-482d-8238-ba04b6d18381"
    description = "Uses AI to intelligently decide what tool to use."
    block_type = BlockType.AI
    # The conversation's own loop: an execution waits for them only while a tool call is unanswered.
    optional_links = CONVERSATION_PINS

    class Input(BlockSchemaInput):
        prompt: str = SchemaField(
            description="The prompt to send to the language model.", placeholder="Enter your prompt here..."
        )
        model: LlmModel = model_field("The language model to use for answering the prompt.")
        credentials: AICredentials = AICredentialsField()
        multiple_tool_calls: bool = SchemaField(
            title="Multiple Tool Calls",
            default=False,
            description="Whether to allow multiple tool calls in a single response.",
            advanced=True,
        )
        sys_prompt: str = SchemaField(
            title="System Prompt",
            default=DEFAULT_SYS_PROMPT,
            description="The system prompt to provide additional context to the model.",
        )
        conversation_history: list[dict[str, Any]] | None = SchemaField(
            default_factory=list, description="The conversation history to provide context for the prompt."
        )
        last_tool_output: Any = SchemaField(default=None, description="The output of the last tool that was called.")
        retry: int = SchemaField(title="Retry Count", default=3, description=RETRY_DESCRIPTION)
        prompt_values: dict[str, str] = SchemaField(
            advanced=False, default_factory=dict, description=PROMPT_VALUES_DESCRIPTION
        )
        max_tokens: int | None = max_tokens_field()
        ollama_host: str = ollama_host_field()

    class Output(BlockSchemaOutput):
        error: str = SchemaField(description="Error message if the API call failed.")
        tools: Any = SchemaField(description="The tools that are available to use.")
        finished: str = SchemaField(description="The finished message to display to the user.")
        conversations: list[Any] = SchemaField(
            description="The conversation history to provide context for the prompt."
        )

    test_input = {"prompt": "Hello, World!", "credentials": TEST_CREDENTIALS_INPUT}
    test_output = [("tools_^_store-node_~_input", "Hello, World!"), ("conversations", list)]
    test_mock = {"llm_call": _self_test_reply, "connected_tools": _self_test_sinks}

    def waiting_for(self, data: dict[str, Any]) -> set[str]:
        """While a tool call is unanswered the tool's output is awaited; an output without a call, the call."""
        history = data.get("conversation_history")
        pending = pending_tool_calls(history if isinstance(history, list) else [])
        has_output = data.get("last_tool_output") is not None
        if pending and not has_output:
            return {"last_tool_output"}
        if has_output and not pending:
            return {"conversation_history"}
        return set()

    def input_link_errors(self, linked: dict[str, bool]) -> dict[str, str]:
        if linked.get("last_tool_output") and "conversation_history" in linked:
            return {
                "last_tool_output": "Last Tool Output can't be connected to a static (dashed line) link like the "
                "output of `StoreValue` or `AgentInput` block"
            }
        if ("conversation_history" in linked) != ("last_tool_output" in linked):
            pin = "last_tool_output" if "conversation_history" in linked else "conversation_history"
            return {
                pin: "Last Tool Output is needed when Conversation History is used, and vice versa. "
                "Please connect both inputs together."
            }
        return {}

    def connected_tools(self, sinks: list[ToolSink]) -> list[ToolSink]:
        """The nodes the engine found linked from this node's tool pins (a method, for the self-test)."""
        return sinks

    async def run(  # type: ignore[override]
        self,
        input_data: Input,
        *,
        credentials: APIKeyCredentials,
        tool_sinks: list[ToolSink] | None = None,
        node_exec_id: str = "",
        **context: Any,
    ) -> BlockOutput:
        tools = tools_for(self.connected_tools(list(tool_sinks or [])))
        history = [dict(turn) for turn in input_data.conversation_history or [] if turn]
        prompt = list(history)
        output = input_data.last_tool_output
        pending = pending_tool_calls(history)
        if pending and output is None:
            raise ValueError(f"Tool call requires an output for {pending}")
        if pending:
            # A tool's output answers the oldest call still open; with more open, wait for their outputs.
            prompt.append(tool_result(next(iter(pending)), output))
            if pending_tool_calls(prompt):
                yield "conversations", prompt
                return
        elif output:
            logger.warning("tool_output_without_pending_call", node_exec_id=node_exec_id)
            prompt.append({"role": "user", "content": f"Last tool output: {json.dumps(output, default=str)}"})
        await add_objective(
            prompt,
            user_prompt=input_data.prompt,
            sys_prompt=input_data.sys_prompt,
            values=input_data.prompt_values,
            multiple_tool_calls=input_data.multiple_tool_calls,
        )
        request = DecisionRequest(
            model=input_data.model,
            credentials=credentials,
            prompt=prompt,
            tools=tools,
            retry=input_data.retry,
            max_tokens=input_data.max_tokens,
            ollama_host=input_data.ollama_host,
            multiple_tool_calls=input_data.multiple_tool_calls,
        )
        response = await decide(request, call=self.llm_call, stats=execution_stats(context))
        if not response.tool_calls:
            yield "finished", response.text
            return
        for call in response.tool_calls:
            tool = find_tool(tools, call.name)
            if tool is None:
                continue
            arguments = json.loads(call.arguments)
            # Every parameter goes out, a missing one as None, so the called node does not wait for it.
            for parameter, pin in tool.pins.items():
                yield tool_pin(tool.sink_node_id, pin), arguments.get(parameter)
        if response.reasoning:
            prompt.append({"role": "assistant", "content": f"[Reasoning]: {response.reasoning}"})
        prompt.append(response.message)
        yield "conversations", prompt
