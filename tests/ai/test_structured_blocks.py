"""The blocks built on structured replies: JSON with corrections, lists, summaries, conversations."""

from __future__ import annotations

import re

import pytest

from apps.blocks.library.llm import AIConversationBlock, AIListGeneratorBlock, AIStructuredResponseGeneratorBlock
from apps.blocks.library.llm_summarizer import AITextSummarizerBlock, split_text
from apps.blocks.stats import ExecutionStats
from tests.ai.conftest import api_key, json_reply, run_block
from tests.fakes.llm_script import Recorded, Reply
from tests.fakes.openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("providers")


def test_a_reply_without_the_json_block_is_answered_with_upstreams_correction_prompt(openai_server: FakeOpenAI) -> None:
    openai_server.script.queue("Sorry, here is some prose.")
    openai_server.script.responder = json_reply('{"city": "Paris", "country": "France"}')
    stats = ExecutionStats()

    outputs = run_block(
        AIStructuredResponseGeneratorBlock(),
        {"prompt": "Where is the Louvre?", "model": "gpt-4o", "expected_format": {"city": "", "country": ""}},
        api_key("openai"),
        stats,
    )

    assert outputs[0] == ("response", {"city": "Paris", "country": "France"})
    first, second = openai_server.script.requests
    assert "In your response you MUST include a valid JSON object" in first.body["messages"][0]["content"]
    assert second.body["messages"][-2] == {"role": "assistant", "content": "Sorry, here is some prose."}
    assert second.body["messages"][-1]["content"].startswith(
        "Your previous response did not contain a parseable JSON object."
    )
    assert stats.llm_call_count == 2
    assert stats.llm_retry_count == 1
    assert stats.input_token_count == 22


def test_missing_keys_are_retried_then_fail_with_the_last_complaint(openai_server: FakeOpenAI) -> None:
    openai_server.script.responder = json_reply('{"city": "Paris"}')

    with pytest.raises(ValueError, match=re.escape("Missing keys: {'country'}")):
        run_block(
            AIStructuredResponseGeneratorBlock(),
            {"prompt": "Where?", "model": "gpt-4o", "expected_format": {"city": "", "country": ""}, "retry": 2},
            api_key("openai"),
        )
    assert len(openai_server.script.requests) == 2


def test_the_list_generator_yields_the_list_then_each_item(openai_server: FakeOpenAI) -> None:
    openai_server.script.responder = json_reply('{"list": ["Mercury", "Venus"]}')

    outputs = run_block(AIListGeneratorBlock(), {"focus": "inner planets", "model": "gpt-4o"}, api_key("openai"))

    assert [pin for pin, _ in outputs] == ["generated_list", "prompt", "list_item", "list_item"]
    assert outputs[0] == ("generated_list", ["Mercury", "Venus"])
    assert [value for pin, value in outputs if pin == "list_item"] == ["Mercury", "Venus"]
    sent = openai_server.script.requests[0].body["messages"]
    assert sent[0]["content"].startswith("You are a JSON array generator.")
    assert "<focus>\n\ninner planets</focus>" in sent[-1]["content"]


def test_text_is_split_into_overlapping_chunks() -> None:
    words = " ".join(str(number) for number in range(10))

    assert split_text(words, 4, 1) == ["0 1 2 3", "3 4 5 6", "6 7 8 9", "9"]


def test_the_summarizer_summarises_each_chunk_then_the_summaries(openai_server: FakeOpenAI) -> None:
    def respond(request: Recorded) -> Reply:
        final = "final_summary" in request.body["messages"][-2]["content"]
        return json_reply('{"final_summary": "All of it"}' if final else '{"summary": "part"}')(request)

    openai_server.script.responder = respond

    outputs = run_block(
        AITextSummarizerBlock(),
        {"text": " ".join(["word"] * 25), "max_tokens": 10, "chunk_overlap": 2, "model": "gpt-4o"},
        api_key("openai"),
    )

    assert outputs[0] == ("summary", "All of it")
    prompts = [request.last_user_text for request in openai_server.script.requests]
    assert len(prompts) == 5  # chunks start at words 0, 8, 16 and 24, then the final summary
    assert prompts[0].startswith("Summarize the following text in a concise form.")
    assert "```part\n\npart\n\npart\n\npart```" in prompts[-1]


def test_the_conversation_block_sends_the_messages_as_they_are(openai_server: FakeOpenAI) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Who won in 2020?"},
        {"role": "assistant", "content": "The Dodgers."},
        {"role": "user", "content": "Where?"},
    ]

    outputs = run_block(AIConversationBlock(), {"messages": messages, "model": "gpt-4o"}, api_key("openai"))

    assert openai_server.script.requests[0].body["messages"] == messages
    assert outputs[0] == ("response", "Echo: Where?")


def test_a_conversation_with_nothing_to_say_is_refused_before_any_call(openai_server: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="Cannot call LLM with no messages and no prompt"):
        run_block(AIConversationBlock(), {"messages": [{"role": "user", "content": " "}]}, api_key("openai"))
    assert openai_server.script.requests == []
