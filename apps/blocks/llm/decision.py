"""Asking a model which tool to call: the decision maker's prompt, and asking again after a bad call.

Upstream's `SmartDecisionMakerBlock` prompts, word for word: the objective is
marked with `[Main Objective Prompt]: ` so that a conversation coming round
again keeps it once, and a call naming an unknown tool or wrong parameters is
answered with upstream's correction, up to `retry` calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apps.blocks.llm.call import LlmResponse
from apps.blocks.llm.models import LlmModel
from apps.blocks.llm.tools import Tool, argument_errors
from apps.blocks.sandbox import sandboxed_template
from apps.blocks.stats import ExecutionStats
from apps.credentials.types import APIKeyCredentials

LlmCall = Callable[..., Awaitable[LlmResponse]]

MAIN_OBJECTIVE_PREFIX = "[Main Objective Prompt]: "
DEFAULT_SYS_PROMPT = (
    "Thinking carefully step by step decide which function to call. "
    "Always choose a function call from the list of function signatures, "
    "and always provide the complete argument provided with the type "
    "matching the required jsonschema signature, no missing argument is allowed. "
    "If you have already completed the task objective, you can end the task "
    "by providing the end result of your work as a finish message. "
    "Function parameters that has no default value and not optional typed has to be provided. "
)
MULTIPLE_TOOL_CALLS_NOTE = "\nYou can call a tool (different tools) multiple times in a single response."
SINGLE_TOOL_CALL_NOTE = "\nOnly provide EXACTLY one function call, multiple tool calls is strictly prohibited."


@dataclass
class DecisionRequest:
    model: LlmModel
    credentials: APIKeyCredentials
    prompt: list[dict[str, Any]]
    tools: list[Tool]
    retry: int = 3
    max_tokens: int | None = None
    ollama_host: str = "localhost:11434"
    multiple_tool_calls: bool = False


def _has_objective(prompt: list[dict[str, Any]], role: str) -> bool:
    return any(
        turn.get("role") == role
        and isinstance(turn.get("content"), str)
        and str(turn["content"]).startswith(MAIN_OBJECTIVE_PREFIX)
        for turn in prompt
    )


async def add_objective(
    prompt: list[dict[str, Any]],
    *,
    user_prompt: str,
    sys_prompt: str,
    values: dict[str, Any],
    multiple_tool_calls: bool,
) -> None:
    """Appends the system prompt and the user's, filled with `values`, unless the conversation has them."""
    sys_prompt += MULTIPLE_TOOL_CALLS_NOTE if multiple_tool_calls else SINGLE_TOOL_CALL_NOTE
    if values:
        # The prompts are the user's templates: rendered in the sandbox, like every other prompt.
        user_prompt = await sandboxed_template(user_prompt, values, autoescape=False)
        sys_prompt = await sandboxed_template(sys_prompt, values, autoescape=False)
    if sys_prompt and not _has_objective(prompt, "system"):
        prompt.append({"role": "system", "content": MAIN_OBJECTIVE_PREFIX + sys_prompt})
    if user_prompt and not _has_objective(prompt, "user"):
        prompt.append({"role": "user", "content": MAIN_OBJECTIVE_PREFIX + user_prompt})


def tool_call_feedback(error: str) -> str:
    return (
        "Your tool call had errors. Please fix the following issues and try again:\n"
        f"- {error}\n"
        "\nPlease make sure to use the exact tool and parameter names as specified in the function schema."
    )


async def decide(request: DecisionRequest, *, call: LlmCall, stats: ExecutionStats) -> LlmResponse:
    """The model's answer: text, or tool calls that all name a tool and its parameters rightly."""
    prompt = list(request.prompt)
    attempts = max(1, request.retry)
    error = "Failed to get valid response after all retry attempts"
    for attempt in range(attempts):
        response = await call(
            credentials=request.credentials,
            model=request.model,
            prompt=prompt,
            max_tokens=request.max_tokens,
            tools=[tool.definition for tool in request.tools],
            ollama_host=request.ollama_host,
            parallel_tool_calls=request.multiple_tool_calls,
        )
        stats.add(
            ExecutionStats(
                input_token_count=response.prompt_tokens,
                output_token_count=response.completion_tokens,
                llm_call_count=1,
            )
        )
        problems = [
            problem
            for tool_call in response.tool_calls
            if (problem := argument_errors(request.tools, tool_call.name, tool_call.arguments)) is not None
        ]
        if not problems:
            return response
        error = "; ".join(problems)
        if attempt + 1 < attempts:
            stats.add(ExecutionStats(llm_retry_count=1))
        prompt = [*prompt, {"role": "user", "content": tool_call_feedback(error)}]
    raise ValueError(error)
