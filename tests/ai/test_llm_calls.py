"""The text generator against local OpenAI-compatible and Anthropic servers: what is sent, what comes back."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.blocks.library.llm import AITextGeneratorBlock
from apps.blocks.llm.errors import LlmProviderUnavailableError
from apps.blocks.stats import ExecutionStats
from tests.ai.conftest import api_key, run_block
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.llm_script import Failure, Reply
from tests.fakes.openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("providers")

PROMPT = {
    "prompt": "Write to {{name}} about {{topic}}.",
    "sys_prompt": "You write for {{name}}.",
    "prompt_values": {"name": "Ada", "topic": "engines"},
}


def test_text_generator_sends_the_filled_prompt_with_the_users_own_key_to_openai(openai_server: FakeOpenAI) -> None:
    openai_server.script.queue(Reply(text="Dear Ada", prompt_tokens=30, completion_tokens=4))
    stats = ExecutionStats()

    outputs = run_block(AITextGeneratorBlock(), {**PROMPT, "model": "gpt-4o"}, api_key("openai"), stats)

    (sent,) = openai_server.script.requests
    assert sent.api_key == "sk-users-own-key"
    assert sent.body["model"] == "gpt-4o"
    assert sent.body["messages"] == [
        {"role": "system", "content": "You write for Ada."},
        {"role": "user", "content": "Write to Ada about engines."},
    ]
    assert 1 <= sent.body["max_completion_tokens"] <= 16384
    assert outputs == [("response", "Dear Ada"), ("prompt", sent.body["messages"])]
    assert stats.as_dict() == {"input_token_count": 30, "output_token_count": 4, "llm_call_count": 1}


def test_text_generator_speaks_anthropics_messages_api_for_claude(anthropic_server: FakeAnthropic) -> None:
    anthropic_server.script.queue(Reply(text="Hello from Claude"))

    outputs = run_block(
        AITextGeneratorBlock(), {**PROMPT, "model": "claude-sonnet-4-5-20250929"}, api_key("anthropic", "sk-ant-mine")
    )

    (sent,) = anthropic_server.script.requests
    assert sent.api_key == "sk-ant-mine"
    assert sent.body["system"] == "You write for Ada."
    assert sent.body["messages"] == [{"role": "user", "content": "Write to Ada about engines."}]
    assert sent.body["max_tokens"] <= 64000
    assert outputs[0] == ("response", "Hello from Claude")


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("llama-3.3-70b-versatile", "groq"),
        ("perplexity/sonar-pro", "open_router"),
        ("Llama-3.3-70B-Instruct", "llama_api"),
        ("Qwen/Qwen2.5-72B-Instruct-Turbo", "aiml_api"),
        ("v0-1.5-md", "v0"),
    ],
)
def test_openai_compatible_providers_are_called_at_their_base_url(
    openai_server: FakeOpenAI, model: str, provider: str
) -> None:
    outputs = run_block(AITextGeneratorBlock(), {"prompt": "Say hi", "model": model}, api_key(provider))

    (sent,) = openai_server.script.requests
    assert sent.body["model"] == model
    assert "max_tokens" in sent.body
    assert outputs[0] == ("response", "Echo: Say hi")


def test_a_rejected_key_fails_the_node_with_a_clear_error(openai_server: FakeOpenAI) -> None:
    openai_server.script.api_keys = {"sk-someone-else"}

    with pytest.raises(ValueError, match=r"OpenAI rejected the API key \(401\): Incorrect API key provided"):
        run_block(AITextGeneratorBlock(), {"prompt": "Hi", "model": "gpt-4o"}, api_key("openai"))


def test_a_rate_limit_fails_at_once_with_the_providers_retry_hint(anthropic_server: FakeAnthropic) -> None:
    anthropic_server.script.queue(Failure(429, "Number of requests has exceeded your rate limit", retry_after="17"))

    with pytest.raises(ValueError, match=r"rate limit reached \(429\).*Retry after 17 seconds"):
        run_block(AITextGeneratorBlock(), {"prompt": "Hi", "model": "claude-3-haiku-20240307"}, api_key("anthropic"))
    # Neither the SDK nor the block waited it out behind the user's back.
    assert len(anthropic_server.script.requests) == 1


@pytest.mark.parametrize("status", [500, 529])
def test_a_provider_failing_on_its_side_is_left_to_the_engines_retry_policy(
    anthropic_server: FakeAnthropic, status: int
) -> None:
    anthropic_server.script.queue(Failure(status, "Overloaded"))

    with pytest.raises(LlmProviderUnavailableError, match=f"Anthropic failed \\({status}\\): Overloaded"):
        run_block(AITextGeneratorBlock(), {"prompt": "Hi", "model": "claude-3-haiku-20240307"}, api_key("anthropic"))
    assert isinstance(LlmProviderUnavailableError("x"), AITextGeneratorBlock.retry.retry_on)
    assert len(anthropic_server.script.requests) == 1


def test_an_unreachable_provider_is_transient() -> None:
    with (
        override_settings(LLM_BASE_URLS={"openai": "http://127.0.0.1:9/v1"}),
        pytest.raises(LlmProviderUnavailableError, match="OpenAI is unreachable"),
    ):
        run_block(AITextGeneratorBlock(), {"prompt": "Hi", "model": "gpt-4o"}, api_key("openai"))


def test_a_prompt_too_long_is_retried_with_a_smaller_budget_then_reported(openai_server: FakeOpenAI) -> None:
    too_long = Failure(400, "This model's maximum context length is 128000 tokens.", code="context_length_exceeded")
    openai_server.script.queue(too_long, too_long)

    with pytest.raises(ValueError, match="The prompt is too long for gpt-4o"):
        run_block(AITextGeneratorBlock(), {"prompt": "Hi", "model": "gpt-4o", "retry": 2}, api_key("openai"))

    budgets = [request.body["max_completion_tokens"] for request in openai_server.script.requests]
    assert budgets[1] < budgets[0]


@pytest.mark.parametrize("server_name", ["openai_server", "anthropic_server"])
def test_a_refusal_fails_the_node_saying_so(
    server_name: str, request: pytest.FixtureRequest, openai_server: FakeOpenAI
) -> None:
    server = request.getfixturevalue(server_name)
    server.script.queue(Reply(refusal="I can't help with that."))
    model, provider = ("gpt-4o", "openai") if server is openai_server else ("claude-3-haiku-20240307", "anthropic")

    with pytest.raises(ValueError, match="The model refused to answer"):
        run_block(AITextGeneratorBlock(), {"prompt": "Hi", "model": model}, api_key(provider))


def test_a_private_ollama_host_is_refused_by_the_ssrf_guard(openai_server: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match=r"Refusing to connect to 10\.0\.0\.7"):
        run_block(
            AITextGeneratorBlock(),
            {"prompt": "Hi", "model": "llama3.2", "ollama_host": "10.0.0.7:11434"},
            api_key("ollama", "FAKE_API_KEY"),
        )
    assert openai_server.script.requests == []


def test_the_operators_ollama_host_is_trusted(openai_server: FakeOpenAI) -> None:
    host = openai_server.base_url.removeprefix("http://")
    with override_settings(OLLAMA_HOST=host):
        outputs = run_block(
            AITextGeneratorBlock(),
            {"prompt": "Hi there", "model": "llama3.2", "ollama_host": host},
            api_key("ollama", "FAKE_API_KEY"),
        )

    assert outputs[0] == ("response", "Echo: Hi there")
    assert openai_server.script.requests[0].body["model"] == "llama3.2"
