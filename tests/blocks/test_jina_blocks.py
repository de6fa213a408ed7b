"""Jina search and reader blocks against a local server speaking Jina's protocol."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.jina import ExtractWebsiteContentBlock, SearchTheWebBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.platform import PLATFORM_CREDENTIALS
from apps.credentials.types import APIKeyCredentials
from apps.credits.costs import block_usage_cost
from tests.blocks.local_http import local_http_server
from tests.blocks.outputs import outputs_of
from tests.fakes import jina
from tests.fakes.jina import fake_jina
from tests.fakes.provider import FakeProvider

KEY = APIKeyCredentials(id="c0ffee00-0000-4000-8000-000000000001", provider="jina", api_key=SecretStr(jina.API_KEY))
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="jina", api_key=SecretStr("not-the-key"))


@pytest.fixture
def fake(settings) -> Iterator[FakeProvider]:
    with fake_jina() as started:
        started.apply(settings)
        yield started


async def test_search_asks_jina_with_the_key_and_the_quoted_query(fake: FakeProvider) -> None:
    outputs = await outputs_of(SearchTheWebBlock, {"query": "rust / go?", "credentials": KEY.meta()}, credentials=KEY)

    assert outputs == [("results", jina.search_results("rust / go?"))]
    (received,) = fake.requests
    assert received.raw_path == "/search/rust%20%2F%20go%3F"
    assert received.headers["Authorization"] == f"Bearer {jina.API_KEY}"


async def test_search_with_a_wrong_key_fails_with_jinas_message(fake: FakeProvider) -> None:
    with pytest.raises(BlockExecutionError, match="Jina Search answered 401: Invalid API key"):
        await outputs_of(SearchTheWebBlock, {"query": "x", "credentials": WRONG_KEY.meta()}, credentials=WRONG_KEY)


async def test_a_rate_limited_search_is_retried_later_with_jinas_hint(fake: FakeProvider) -> None:
    fake.reply_next("/search/x", 429, jina.RATE_LIMITED, {"Retry-After": "30"})

    with pytest.raises(
        ProviderUnavailableError, match=r"Jina Search answered 429: Per IP rate limit exceeded.* \(retry after 30s\)"
    ):
        await outputs_of(SearchTheWebBlock, {"query": "x", "credentials": KEY.meta()}, credentials=KEY)


async def test_an_unreachable_jina_is_a_retryable_failure(settings) -> None:
    settings.PROVIDER_BASE_URLS = {**settings.PROVIDER_BASE_URLS, "jina_search": "http://127.0.0.1:9"}

    with pytest.raises(ProviderUnavailableError, match="Could not reach Jina Search"):
        await outputs_of(SearchTheWebBlock, {"query": "x", "credentials": KEY.meta()}, credentials=KEY)
    assert SearchTheWebBlock.retry is not None
    assert ProviderUnavailableError in SearchTheWebBlock.retry.retry_on


async def test_extract_reads_the_page_through_jina_reader(fake: FakeProvider) -> None:
    url = "https://example.com/a/b?c=d"

    outputs = await outputs_of(ExtractWebsiteContentBlock, {"url": url, "credentials": KEY.meta()}, credentials=KEY)

    assert outputs == [("content", jina.page_content("https://example.com/a/b"))]
    (received,) = fake.requests
    assert received.path == "/reader/https://example.com/a/b"
    assert received.query == {"c": "d"}
    assert received.headers["Authorization"] == f"Bearer {jina.API_KEY}"


async def test_raw_extract_fetches_the_page_itself_without_the_key(fake: FakeProvider, settings) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True
    with local_http_server() as server:
        outputs = await outputs_of(
            ExtractWebsiteContentBlock,
            {"url": server.url("/ok"), "raw_content": True, "credentials": KEY.meta()},
            credentials=KEY,
        )

        assert outputs == [("content", '{"ok": true}')]
        assert server.requests[0]["authorization"] is None
    assert fake.requests == []


async def test_raw_extract_of_a_private_address_is_refused(fake: FakeProvider) -> None:
    with pytest.raises(BlockExecutionError, match="loopback addresses are not allowed"):
        await outputs_of(
            ExtractWebsiteContentBlock,
            {"url": "http://127.0.0.1:8000/admin", "raw_content": True, "credentials": KEY.meta()},
            credentials=KEY,
        )


def _platform_reference() -> dict[str, str]:
    entry = next(entry for entry in PLATFORM_CREDENTIALS if entry.provider == "jina")
    return {"id": entry.id, "provider": "jina", "type": "api_key"}


def test_jina_blocks_cost_a_credit_on_platform_credentials_and_nothing_on_the_users_own() -> None:
    platform = _platform_reference()

    assert block_usage_cost(block=SearchTheWebBlock(), input_data={"query": "x", "credentials": platform})[0] == 1
    assert block_usage_cost(block=SearchTheWebBlock(), input_data={"query": "x", "credentials": KEY.meta()})[0] == 0
    reader = ExtractWebsiteContentBlock()
    assert block_usage_cost(block=reader, input_data={"url": "u", "credentials": platform})[0] == 1
    assert block_usage_cost(block=reader, input_data={"url": "u", "raw_content": True, "credentials": platform})[0] == 0
