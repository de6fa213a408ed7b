"""Asking a model for JSON in an expected format, and asking again when the reply does not fit.

Upstream's `AIStructuredResponseGeneratorBlock.run`, as a function the other AI
blocks share: the prompt is the conversation so far, the system prompt, the
format instructions and the user's prompt; a reply that does not parse or lacks
keys is answered with upstream's correction prompt, up to `retry` calls.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from apps.blocks.llm.call import LlmResponse
from apps.blocks.llm.errors import LlmContextTooLongError
from apps.blocks.llm.models import LlmModel
from apps.blocks.sandbox import sandboxed_template
from apps.blocks.stats import ExecutionStats
from apps.credentials.types import APIKeyCredentials

LlmCall = Callable[..., Awaitable[LlmResponse]]


def trim_prompt(text: str) -> str:
    """Removes indentation up to and including `|` from every line of a multi-line prompt."""
    return "\n".join(line.strip().lstrip("|") for line in text.strip().split("\n"))


@dataclass
class StructuredRequest:
    prompt: str
    model: LlmModel
    credentials: APIKeyCredentials
    expected_format: dict[str, str] = field(default_factory=dict)
    list_result: bool = False
    force_json_output: bool = False
    sys_prompt: str = ""
    conversation_history: list[Any] = field(default_factory=list)
    retry: int = 3
    prompt_values: dict[str, Any] = field(default_factory=dict)
    max_tokens: int | None = None
    ollama_host: str = "localhost:11434"


def response_format_instructions(
    expected_format: dict[str, str], *, list_mode: bool, pure_json_mode: bool, output_tag_start: str
) -> str:
    expected = json.dumps(expected_format, indent=2)
    output_type = "array" if list_mode else "object"
    outer_output_type = "object" if pure_json_mode else output_type
    if list_mode:
        expected = "[\n  " + expected.replace("\n", "\n  ") + ",\n  ...\n]"
        if pure_json_mode:
            indented = expected.replace("\n", "\n  ")
            expected = '{\n  "reasoning": "... (optional)",\n' + f'  "results": {indented}\n' + "}"
    expected = expected.replace("\n", "\n|")  # keeps the indentation through trim_prompt
    if not pure_json_mode:
        expected = f"{output_tag_start}\n{expected}\n</json_output>"
    instructions = f"""
        |In your response you MUST include a valid JSON {outer_output_type} strictly following this format:
        |{expected}
        |
        |If you cannot provide all the keys, you MUST provide an empty string for the values you cannot answer.
        """.strip()
    if not pure_json_mode:
        instructions += f"""
            |
            |You MUST enclose your final JSON answer in {output_tag_start}...</json_output> tags, even if the user specifies a different tag.
            |There MUST be exactly ONE {output_tag_start}...</json_output> block in your response, which MUST ONLY contain the JSON {outer_output_type} and nothing else. Other text outside this block is allowed.
            """.strip()  # noqa: E501 - upstream's prompt, word for word
    return trim_prompt(instructions)


def invalid_response_feedback(
    error: Any, *, was_parseable: bool, list_mode: bool, pure_json_mode: bool, output_tag_start: str
) -> str:
    outer_output_type = "object" if not list_mode or pure_json_mode else "array"
    if was_parseable:
        complaint = f"Your previous response did not match the expected {outer_output_type} format."
    else:
        complaint = f"Your previous response did not contain a parseable JSON {outer_output_type}."
    indented_error = str(error).replace("\n", "\n|")
    instruction = (
        f"Please provide a {output_tag_start}...</json_output> block containing a"
        if not pure_json_mode
        else "Please provide a"
    ) + f" valid JSON {outer_output_type} that matches the expected format."
    return trim_prompt(f"""
            |{complaint}
            |
            |{indented_error}
            |
            |{instruction}
        """)


def json_from_response(text: str, *, pure_json_mode: bool, output_tag_start: str) -> Any:
    if pure_json_mode:
        try:
            return json.loads(text)
        except json.JSONDecodeError as first_error:
            # A reply in a ```json fence or with words around it: the outermost braces.
            try:
                return json.loads(text[text.find("{") : text.rfind("}") + 1])
            except json.JSONDecodeError:
                raise first_error from None
    if output_tag_start not in text:
        raise ValueError(f"Response does not contain the expected {output_tag_start}...</json_output> block.")
    return json.loads(text.split(output_tag_start, 1)[1].rsplit("</json_output>", 1)[0].strip())


def _missing_keys(expected_format: dict[str, str], item: Any) -> str | None:
    if not isinstance(item, dict):
        return f"Expected a dictionary, but got {type(item)}"
    missing = set(expected_format) - set(item)
    return f"Missing keys: {missing}" if missing else None


async def build_prompt(request: StructuredRequest, *, output_tag_start: str) -> list[dict[str, Any]]:
    prompt = [dict(turn) for turn in request.conversation_history or [] if turn]
    user_prompt, sys_prompt = request.prompt, request.sys_prompt
    if request.prompt_values:
        # The prompt is the user's template: rendered in the sandbox, bounded like FillTextTemplate's.
        user_prompt = await sandboxed_template(user_prompt, request.prompt_values, autoescape=False)
        sys_prompt = await sandboxed_template(sys_prompt, request.prompt_values, autoescape=False)
    if sys_prompt:
        prompt.append({"role": "system", "content": sys_prompt})
    if request.expected_format:
        instructions = response_format_instructions(
            request.expected_format,
            list_mode=request.list_result,
            pure_json_mode=request.force_json_output,
            output_tag_start=output_tag_start,
        )
        prompt.append({"role": "system", "content": instructions})
    if user_prompt:
        prompt.append({"role": "user", "content": user_prompt})
    return prompt


async def structured_response(
    request: StructuredRequest, *, call: LlmCall, stats: ExecutionStats, output_tag_id: str
) -> tuple[Any, list[dict[str, Any]]]:
    """(the reply, the prompt of the last call): the parsed JSON, or `{"response": text}` without a format."""
    output_tag_start = f'<json_output id="{output_tag_id}">'
    prompt = await build_prompt(request, output_tag_start=output_tag_start)
    max_tokens = request.max_tokens
    feedback = ""
    attempts = max(request.retry, 1)
    for attempt in range(attempts):
        try:
            response = await call(
                credentials=request.credentials,
                model=request.model,
                prompt=prompt,
                max_tokens=max_tokens,
                force_json_output=request.force_json_output and bool(request.expected_format),
                ollama_host=request.ollama_host,
            )
        except LlmContextTooLongError as error:
            # As upstream: leave more of the window to the prompt and try again.
            max_tokens = max(1, int((max_tokens or request.model.max_output_tokens or 4096) * 0.85))
            feedback = f"Error calling LLM: {error}"
            continue
        stats.add(
            ExecutionStats(input_token_count=response.prompt_tokens, output_token_count=response.completion_tokens)
        )
        sent = list(prompt)
        if not request.expected_format:
            stats.add(ExecutionStats(llm_call_count=attempt + 1, llm_retry_count=attempt))
            return {"response": response.text}, sent
        try:
            parsed = json_from_response(
                response.text, pure_json_mode=request.force_json_output, output_tag_start=output_tag_start
            )
        except ValueError as parse_error:  # JSONDecodeError is one
            feedback = invalid_response_feedback(
                parse_error,
                was_parseable=False,
                list_mode=request.list_result,
                pure_json_mode=request.force_json_output,
                output_tag_start=output_tag_start,
            )
            prompt += [{"role": "assistant", "content": response.text}, {"role": "user", "content": feedback}]
            continue
        if request.list_result and isinstance(parsed, dict):
            if not isinstance(parsed.get("results"), list):
                feedback = f"Expected an array of objects in the 'results' key, but got: {parsed}"
                prompt += [{"role": "assistant", "content": response.text}, {"role": "user", "content": feedback}]
                continue
            parsed = parsed["results"]
        items = parsed if isinstance(parsed, list) else [parsed]
        problems = "\n".join(
            problem for item in items if (problem := _missing_keys(request.expected_format, item)) is not None
        )
        if not problems:
            stats.add(ExecutionStats(llm_call_count=attempt + 1, llm_retry_count=attempt))
            return parsed, sent
        feedback = invalid_response_feedback(
            problems,
            was_parseable=True,
            list_mode=request.list_result,
            pure_json_mode=request.force_json_output,
            output_tag_start=output_tag_start,
        )
        prompt += [{"role": "assistant", "content": response.text}, {"role": "user", "content": feedback}]
    stats.add(ExecutionStats(llm_call_count=attempts, llm_retry_count=attempts - 1))
    raise ValueError(feedback)
