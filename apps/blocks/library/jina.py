"""Jina: web search (s.jina.ai) and a page's readable content (r.jina.ai), as upstream's `blocks/jina/search.py`."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from django.conf import settings
from pydantic import SecretStr

from apps.blocks import provider_http, safe_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

JinaCredentialsInput = CredentialsMetaInput[Literal[ProviderName.JINA], Literal["api_key"]]

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="jina",
    api_key=SecretStr("mock-jina-api-key"),
    title="Mock Jina API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()

RETRY = provider_http.PROVIDER_RETRY


def jina_credentials_field() -> Any:
    return CredentialsField(description="The Jina integration can be used with an API Key.")


def _headers(credentials: APIKeyCredentials) -> dict[str, str]:
    return {"Content-Type": "application/json", "Authorization": credentials.auth_header()}


class SearchTheWebBlock(Block):
    id = "87840993-2053-44b7-8da4-187ad4ee518c"
    description = "This block searches the internet for the given search query."
    categories = frozenset({BlockCategory.SEARCH})
    costs = (BlockCost(cost_amount=1),)
    retry = RETRY

    class Input(BlockSchemaInput):
        credentials: JinaCredentialsInput = jina_credentials_field()
        query: str = SchemaField(description="The search query to search the web for")

    class Output(BlockSchemaOutput):
        results: str = SchemaField(description="The search results including content from top 5 URLs")
        error: str = SchemaField(description="Error message if the search fails")

    test_input = {"credentials": TEST_CREDENTIALS_INPUT, "query": "Artificial Intelligence"}
    test_output = [("results", lambda results: "[1] Title: Artificial Intelligence" in results)]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        url = provider_http.provider_url("jina_search", "/" + quote(input_data.query, safe=""))
        response = await provider_http.request("Jina Search", "GET", url, headers=_headers(credentials))
        yield "results", response.text


class ExtractWebsiteContentBlock(Block):
    id = "436c3984-57fd-4b85-8e9a-459b356883bd"
    description = "This block scrapes the content from the given web URL."
    categories = frozenset({BlockCategory.SEARCH})
    costs = (BlockCost(cost_amount=1, cost_filter={"raw_content": False}),)
    retry = RETRY

    class Input(BlockSchemaInput):
        credentials: JinaCredentialsInput = jina_credentials_field()
        url: str = SchemaField(description="The URL to scrape the content from")
        raw_content: bool = SchemaField(
            default=False,
            title="Raw Content",
            description="Whether to do a raw scrape of the content or use Jina-ai Reader to scrape the content",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        content: str = SchemaField(description="The scraped content from the given URL")
        error: str = SchemaField(description="Error message if the content cannot be retrieved")

    test_input = {"url": "https://en.wikipedia.org/wiki/Artificial_intelligence", "credentials": TEST_CREDENTIALS_INPUT}
    test_output = [
        ("content", lambda content: "URL Source: https://en.wikipedia.org/wiki/Artificial_intelligence" in content)
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        if input_data.raw_content:
            yield "content", await self._fetch_raw(input_data.url)
            return
        url = provider_http.provider_url("jina_reader", "/" + input_data.url)
        response = await provider_http.request("Jina Reader", "GET", url, headers=_headers(credentials))
        yield "content", response.text

    async def _fetch_raw(self, url: str) -> str:
        # The graph chooses this URL: it goes through the SSRF guard like any web request.
        response = await safe_http.fetch(
            "GET",
            url,
            timeout=settings.BLOCK_HTTP_TIMEOUT_SECONDS,
            max_bytes=settings.BLOCK_HTTP_MAX_RESPONSE_BYTES,
            allow_private=settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS,
        )
        if not 200 <= response.status_code < 300:
            raise ValueError(f"Request to {url} failed: {response.status_code} {response.reason}")
        return response.text
