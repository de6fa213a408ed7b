from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from pydantic import SecretStr

from apps.blocks.base import Block
from apps.blocks.stats import ExecutionStats
from apps.blocks.testing import random_context
from apps.credentials.types import APIKeyCredentials
from tests.fakes.anthropic import FakeAnthropic, fake_anthropic
from tests.fakes.llm_script import Recorded, Reply
from tests.fakes.openai import FakeOpenAI, fake_openai

OPENAI_COMPATIBLE = ("openai", "groq", "open_router", "llama_api", "aiml_api", "v0")


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[FakeAnthropic]:
    with fake_anthropic() as server:
        yield server


@pytest.fixture
def providers(openai_server: FakeOpenAI, anthropic_server: FakeAnthropic) -> Iterator[None]:
    """Every OpenAI-compatible provider on the OpenAI fake, Anthropic on its own."""
    urls = dict.fromkeys(OPENAI_COMPATIBLE, openai_server.api_base)
    with override_settings(LLM_BASE_URLS={**urls, "anthropic": anthropic_server.base_url}):
        yield


def api_key(provider: str, key: str = "sk-users-own-key") -> APIKeyCredentials:
    return APIKeyCredentials(id="5d1c2b8e-0000-4000-8000-000000000001", provider=provider, api_key=SecretStr(key))


def run_block(
    block: Block,
    input_data: dict[str, Any],
    credentials: APIKeyCredentials,
    stats: ExecutionStats | None = None,
    **extra_context: Any,
) -> list[tuple[str, Any]]:
    async def collect() -> list[tuple[str, Any]]:
        context = {
            **random_context(),
            "credentials": credentials,
            "execution_stats": stats or ExecutionStats(),
            **extra_context,
        }
        return [output async for output in block.execute({**input_data, "credentials": credentials.meta()}, **context)]

    return asyncio.run(collect())


TAG = re.compile(r'<json_output id="([0-9a-f]+)">')


def json_reply(payload: str) -> Any:
    """A responder that answers in the tag the request's format instructions asked for."""

    def respond(request: Recorded) -> Reply:
        text = " ".join(str(message.get("content")) for message in request.body["messages"])
        text += str(request.body.get("system", ""))
        match = TAG.search(text)
        assert match, "the request carries no format instructions"
        return Reply(text=f"Here it is.\n{match.group(0)}{payload}</json_output>")

    return respond
