"""One call to a language model, whichever provider serves it (upstream's `llm_call`).

OpenAI and every OpenAI-compatible provider (Groq, OpenRouter, Ollama, Llama
API, AI/ML API, v0) are called through the official `openai` SDK's chat
completions at the provider's base URL (`settings.LLM_BASE_URLS`); Anthropic
through the official `anthropic` SDK's messages API. Prompts are kept in the
chat-completions shape (`[{"role", "content"}]`) and translated for Anthropic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx
import openai
from django.conf import settings

from apps.blocks import safe_http
from apps.blocks.llm.errors import PROVIDER_TITLES, LlmProviderUnavailableError, LlmRefusalError, translate
from apps.blocks.llm.models import LlmModel
from apps.credentials.types import APIKeyCredentials

# Extra output budget upstream assumes for a model whose maximum it does not know.
UNKNOWN_MAX_OUTPUT_TOKENS = 2**15


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str


@dataclass
class LlmResponse:
    text: str
    prompt_tokens: int
    completion_tokens: int
    # The assistant's turn as a conversation keeps it (tool calls included), in the provider's shape.
    message: dict[str, Any]
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str | None = None


def estimate_token_count(prompt: list[dict[str, Any]]) -> int:
    """About four characters a token: enough to keep the output budget inside the context window."""
    return len(json.dumps(prompt, default=str)) // 4


def output_budget(model: LlmModel, prompt: list[dict[str, Any]], max_tokens: int | None) -> int:
    model_max = model.max_output_tokens or UNKNOWN_MAX_OUTPUT_TOKENS
    available = max(model.context_window - estimate_token_count(prompt), 0)
    return max(min(available, model_max, max_tokens or model_max), 1)


async def llm_call(
    *,
    credentials: APIKeyCredentials,
    model: LlmModel,
    prompt: list[dict[str, Any]],
    max_tokens: int | None,
    force_json_output: bool = False,
    tools: list[dict[str, Any]] | None = None,
    ollama_host: str = "localhost:11434",
    parallel_tool_calls: bool | None = None,
) -> LlmResponse:
    provider = model.provider
    budget = output_budget(model, prompt, max_tokens)
    try:
        if provider == "anthropic":
            return await _anthropic_call(credentials, model, prompt, budget, tools)
        if tools and provider in ("groq", "ollama", "aiml_api"):
            raise ValueError(f"{PROVIDER_TITLES[provider]} does not support tools.")
        base_url = await _ollama_base_url(ollama_host) if provider == "ollama" else settings.LLM_BASE_URLS[provider]
        return await _chat_completion(
            credentials,
            model,
            prompt,
            budget,
            base_url=base_url,
            force_json_output=force_json_output,
            tools=tools,
            parallel_tool_calls=parallel_tool_calls,
        )
    except (openai.APIError, anthropic.APIError) as error:
        raise translate(error, provider=provider, model=model.value) from error


async def _ollama_base_url(ollama_host: str) -> str:
    """The node's Ollama server: the operator's is trusted, any other must be a public address (SSRF guard)."""
    url = httpx.URL(ollama_host if "://" in ollama_host else f"http://{ollama_host}")
    trusted = httpx.URL(settings.OLLAMA_HOST if "://" in settings.OLLAMA_HOST else f"http://{settings.OLLAMA_HOST}")
    if (url.host, url.port) != (trusted.host, trusted.port):
        address = await safe_http.vet_target(url, allow_private=settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS)
        # Connect to the vetted address itself, so a second DNS answer cannot change the target.
        url = url.copy_with(host=str(address))
    return str(url.copy_with(path="/v1", query=None, fragment=None))


async def _chat_completion(
    credentials: APIKeyCredentials,
    model: LlmModel,
    prompt: list[dict[str, Any]],
    budget: int,
    *,
    base_url: str,
    force_json_output: bool,
    tools: list[dict[str, Any]] | None,
    parallel_tool_calls: bool | None,
) -> LlmResponse:
    title = PROVIDER_TITLES[model.provider]
    arguments: dict[str, Any] = {"model": model.value, "messages": prompt}
    # OpenAI's reasoning models take only `max_completion_tokens`; the compatible providers know `max_tokens`.
    arguments["max_completion_tokens" if model.provider == "openai" else "max_tokens"] = budget
    if force_json_output:
        arguments["response_format"] = {"type": "json_object"}
    if tools:
        arguments["tools"] = tools
        if parallel_tool_calls is not None and not model.value.startswith("o"):
            arguments["parallel_tool_calls"] = parallel_tool_calls
    async with openai.AsyncOpenAI(
        api_key=credentials.api_key.get_secret_value(),
        base_url=base_url,
        max_retries=0,
        timeout=settings.LLM_REQUEST_TIMEOUT_SECONDS,
    ) as client:
        completion = await client.chat.completions.create(**arguments)
    if not completion.choices:
        raise LlmProviderUnavailableError(f"{title} returned no choices")
    message = completion.choices[0].message
    if message.refusal:
        raise LlmRefusalError(f"The model refused to answer: {message.refusal}")
    tool_calls = [
        ToolCall(id=call.id, name=call.function.name, arguments=call.function.arguments)
        for call in message.tool_calls or []
        if call.type == "function"
    ]
    turn: dict[str, Any] = {"role": "assistant", "content": message.content}
    if tool_calls:
        turn["tool_calls"] = [
            {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for call in tool_calls
        ]
    usage = completion.usage
    return LlmResponse(
        text=message.content or "",
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        message=turn,
        tool_calls=tool_calls,
        reasoning=getattr(message, "reasoning", None) or None,
    )


def anthropic_messages(prompt: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """(system prompt, messages): system turns joined, consecutive text turns of one role merged, as upstream."""
    system = " ".join(str(turn["content"]) for turn in prompt if turn.get("role") == "system")
    messages: list[dict[str, Any]] = []
    for turn in prompt:
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant"):
            continue
        previous = messages[-1] if messages else None
        if previous and previous["role"] == role and isinstance(content, str) and isinstance(previous["content"], str):
            previous["content"] += content
            continue
        messages.append({"role": role, "content": content})
    return system, messages


def anthropic_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    converted = []
    for tool in tools:
        function = tool.get("function", tool)
        parameters = function.get("parameters", {})
        converted.append(
            {
                "name": function["name"],
                "description": function.get("description", ""),
                "input_schema": {
                    "type": "object",
                    "properties": parameters.get("properties", {}),
                    "required": parameters.get("required", []),
                },
            }
        )
    return converted


async def _anthropic_call(
    credentials: APIKeyCredentials,
    model: LlmModel,
    prompt: list[dict[str, Any]],
    budget: int,
    tools: list[dict[str, Any]] | None,
) -> LlmResponse:
    system, messages = anthropic_messages(prompt)
    arguments: dict[str, Any] = {"model": model.value, "messages": messages, "max_tokens": budget}
    if system.strip():  # Anthropic refuses an empty system text block
        arguments["system"] = system
    if tools:
        arguments["tools"] = anthropic_tools(tools)
    async with anthropic.AsyncAnthropic(
        api_key=credentials.api_key.get_secret_value(),
        base_url=settings.LLM_BASE_URLS["anthropic"],
        max_retries=0,
        timeout=settings.LLM_REQUEST_TIMEOUT_SECONDS,
    ) as client:
        reply = await client.messages.create(**arguments)
    if reply.stop_reason == "refusal":
        raise LlmRefusalError("The model refused to answer (stop_reason: refusal)")
    if not reply.content:
        raise ValueError("No content returned from Anthropic.")
    tool_calls = [
        ToolCall(id=block.id, name=block.name, arguments=json.dumps(block.input))
        for block in reply.content
        if block.type == "tool_use"
    ]
    first = reply.content[0]
    text = first.name if first.type == "tool_use" else getattr(first, "text", "")
    reasoning = next((block.thinking for block in reply.content if block.type == "thinking"), None)
    return LlmResponse(
        text=text,
        prompt_tokens=reply.usage.input_tokens,
        completion_tokens=reply.usage.output_tokens,
        message={"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in reply.content]},
        tool_calls=tool_calls,
        reasoning=reasoning,
    )
