"""Upstream's AITextSummarizerBlock: a long text summarised in overlapping chunks, then the summaries summarised."""

from __future__ import annotations

import enum
from typing import Any

from apps.blocks.base import BlockCategory, BlockOutput
from apps.blocks.llm.block import (
    TEST_CREDENTIALS_INPUT,
    AIBlock,
    AICredentials,
    AICredentialsField,
    ollama_host_field,
    prompt_output,
)
from apps.blocks.llm.call import LlmResponse
from apps.blocks.llm.models import DEFAULT_LLM_MODEL, LlmModel
from apps.blocks.llm.structured import StructuredRequest
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.types import APIKeyCredentials


class SummaryStyle(enum.Enum):
    CONCISE = "concise"
    DETAILED = "detailed"
    BULLET_POINTS = "bullet points"
    NUMBERED_LIST = "numbered list"


# Upstream's bounds on what one summary may take on: characters read, chunks summarised.
MAX_SUMMARY_TEXT_LENGTH = 1_000_000
MAX_SUMMARY_CHUNKS = 100


def split_text(text: str, max_tokens: int, overlap: int) -> list[str]:
    """Chunks of `max_tokens` words, each starting `max_tokens - overlap` words after the last (upstream's)."""
    text = text[:MAX_SUMMARY_TEXT_LENGTH]
    if overlap >= max_tokens:
        overlap = max(0, max_tokens - 1)
    step = max(1, max_tokens - overlap)
    words = text.split()
    return [" ".join(words[start : start + max_tokens]) for start in range(0, len(words), step)][:MAX_SUMMARY_CHUNKS]


async def _summary_reply(**arguments: Any) -> LlmResponse:
    final = "final_summary" in arguments["prompt"][-2]["content"]
    payload = '{"final_summary": "Final summary of a long text"}' if final else '{"summary": "Summary of a chunk"}'
    return LlmResponse(
        text=f'<json_output id="test123456">{payload}</json_output>', prompt_tokens=0, completion_tokens=0, message={}
    )


class AITextSummarizerBlock(AIBlock):
    id = "a0a69be1-4528-491c-a85a-a4ab6873e3f0"
    description = (
        "A block that summarizes long texts using a Large Language Model (LLM), with configurable focus topics "
        "and summary styles."
    )
    categories = frozenset({BlockCategory.AI, BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to summarize.", placeholder="Enter the text to summarize here...")
        model: LlmModel = SchemaField(
            title="LLM Model",
            default=DEFAULT_LLM_MODEL,
            description="The language model to use for summarizing the text.",
        )
        focus: str = SchemaField(
            title="Focus", default="general information", description="The topic to focus on in the summary"
        )
        style: SummaryStyle = SchemaField(
            title="Summary Style", default=SummaryStyle.CONCISE, description="The style of the summary to generate."
        )
        credentials: AICredentials = AICredentialsField()
        max_tokens: int = SchemaField(
            title="Max Tokens",
            default=4096,
            description="The maximum number of tokens to generate in the chat completion.",
            ge=1,
        )
        chunk_overlap: int = SchemaField(
            title="Chunk Overlap",
            default=100,
            description="The number of overlapping tokens between chunks to maintain context.",
            ge=0,
        )
        ollama_host: str = ollama_host_field()

    class Output(BlockSchemaOutput):
        summary: str = SchemaField(description="The final summary of the text.")
        prompt: list[Any] = prompt_output()

    test_input = {"text": "Lorem ipsum..." * 100, "credentials": TEST_CREDENTIALS_INPUT}
    test_output = [("summary", "Final summary of a long text"), ("prompt", list)]
    test_mock = {"llm_call": _summary_reply, "output_tag_id": lambda: "test123456"}

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        summary, prompt = await self.summarize(input_data, credentials, context)
        yield "summary", summary
        yield "prompt", prompt

    async def summarize(
        self, input_data: Input, credentials: APIKeyCredentials, context: dict[str, Any]
    ) -> tuple[str, list[Any]]:
        style = input_data.style.value
        summaries = []
        for chunk in split_text(input_data.text, input_data.max_tokens, input_data.chunk_overlap):
            prompt_text = (
                f"Summarize the following text in a {style} form. Focus your summary on the topic of "
                f"`{input_data.focus}` if present, otherwise just provide a general summary:\n\n```{chunk}```"
            )
            summary, _ = await self._ask(
                input_data, credentials, context, prompt_text, "summary", "The summary of the given text."
            )
            summaries.append(summary)
        combined = "\n\n".join(summaries)
        if len(combined.split()) > input_data.max_tokens:
            # Still too long: the summaries are summarised again, with upstream's defaults for focus and style.
            again = self.Input.model_validate(
                {
                    **input_data.model_dump(include={"model", "credentials", "max_tokens", "chunk_overlap"}),
                    "text": combined,
                }
            )
            return await self.summarize(again, credentials, context)
        prompt_text = (
            f"Provide a final summary of the following section summaries in a {style} form, focus your summary on "
            f"the topic of `{input_data.focus}` if present:\n\n ```{combined}```\n\n Just respond with the "
            "final_summary in the format specified."
        )
        return await self._ask(
            input_data,
            credentials,
            context,
            prompt_text,
            "final_summary",
            "The final summary of all provided summaries.",
        )

    async def _ask(
        self,
        input_data: Input,
        credentials: APIKeyCredentials,
        context: dict[str, Any],
        prompt_text: str,
        key: str,
        description: str,
    ) -> tuple[str, list[Any]]:
        request = StructuredRequest(
            prompt=prompt_text,
            model=input_data.model,
            credentials=credentials,
            expected_format={key: description},
            ollama_host=input_data.ollama_host,
        )
        response, prompt = await self.structured(request, context)
        value = response[key]
        if not isinstance(value, str):
            kind = "final summary" if key == "final_summary" else "summary"
            raise ValueError(
                f"LLM generation failed: Expected a string {kind}, but received {type(value).__name__}. "
                f"The language model incorrectly formatted its response. Received value: {str(value)[:500]}"
            )
        return value, prompt
