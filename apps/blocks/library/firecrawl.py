"""Firecrawl: crawl a site, map its links, extract structured data, as upstream's `blocks/firecrawl/`.

Upstream calls the synchronous `firecrawl-py` client, which blocks a worker thread for the
whole crawl; the same documented v2 calls are made here with httpx against
`FIRECRAWL_BASE_URL`. Crawls and extractions are jobs: started with a POST, then polled
(`FIRECRAWL_POLL_SECONDS` apart) until done, within the block's time limit. A finished crawl
pages its documents with `next`, which is followed on our configured host only, so the key
never travels to a host a response named.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from django.conf import settings
from pydantic import SecretStr

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

SERVICE = "Firecrawl"
RUNNING_STATUSES = frozenset({"scraping", "processing"})

FirecrawlCredentialsInput = CredentialsMetaInput[Literal[ProviderName.FIRECRAWL], Literal["api_key"]]

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="firecrawl",
    api_key=SecretStr("mock-firecrawl-api-key"),
    title="Mock Firecrawl API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()


class ScrapeFormat(enum.Enum):
    MARKDOWN = "markdown"
    HTML = "html"
    RAW_HTML = "rawHtml"
    LINKS = "links"
    SCREENSHOT = "screenshot"
    SCREENSHOT_FULL_PAGE = "screenshot@fullPage"
    JSON = "json"
    CHANGE_TRACKING = "changeTracking"


# Output pin and document field of each format.
FORMAT_OUTPUTS = {
    ScrapeFormat.MARKDOWN: ("markdown", "markdown"),
    ScrapeFormat.HTML: ("html", "html"),
    ScrapeFormat.RAW_HTML: ("raw_html", "rawHtml"),
    ScrapeFormat.LINKS: ("links", "links"),
    ScrapeFormat.SCREENSHOT: ("screenshot", "screenshot"),
    ScrapeFormat.SCREENSHOT_FULL_PAGE: ("screenshot_full_page", "screenshot"),
    ScrapeFormat.JSON: ("json_data", "json"),
    ScrapeFormat.CHANGE_TRACKING: ("change_tracking", "changeTracking"),
}


def credentials_field() -> Any:
    return CredentialsField(description="The Firecrawl integration can be used with an API Key.")


def format_option(scrape_format: ScrapeFormat) -> str | dict[str, Any]:
    # v2 names a full-page screenshot as an object rather than v1's "screenshot@fullPage".
    if scrape_format is ScrapeFormat.SCREENSHOT_FULL_PAGE:
        return {"type": "screenshot", "fullPage": True}
    return scrape_format.value


async def call(method: str, path: str, credentials: APIKeyCredentials, body: Any = None) -> dict[str, Any]:
    answer = await provider_http.request_json(
        SERVICE,
        method,
        provider_http.provider_url("firecrawl", path),
        headers={"Authorization": credentials.auth_header()},
        json_data=body,
    )
    if not isinstance(answer, dict):
        raise provider_http.ProviderError(f"{SERVICE} answered with something that is not an object")
    if answer.get("success") is False:
        raise provider_http.ProviderError(f"{SERVICE} refused: {answer.get('error') or 'no reason given'}")
    return answer


async def finished_job(path: str, credentials: APIKeyCredentials) -> dict[str, Any]:
    """Polls a crawl or extract job until it is no longer running; the block's time limit bounds the wait."""
    while True:
        job = await call("GET", path, credentials)
        if job.get("status") not in RUNNING_STATUSES:
            return job
        await asyncio.sleep(settings.FIRECRAWL_POLL_SECONDS)


def same_host_path(next_url: str) -> str:
    """The path and query of a `next` link, to be asked of our configured Firecrawl host."""
    parts = urlsplit(next_url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class FirecrawlCrawlBlock(Block):
    id = "bdbbaba0-03b7-4971-970e-699e2de6015e"
    description = "Firecrawl crawls websites to extract comprehensive data while bypassing blockers."
    categories = frozenset({BlockCategory.SEARCH})
    costs = (BlockCost(cost_amount=1),)
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: FirecrawlCredentialsInput = credentials_field()
        url: str = SchemaField(description="The URL to crawl")
        limit: int = SchemaField(description="The number of pages to crawl", default=10)
        only_main_content: bool = SchemaField(
            description="Only return the main content of the page excluding headers, navs, footers, etc.",
            default=True,
        )
        max_age: int = SchemaField(
            description="The maximum age of the page in milliseconds - default is 1 hour", default=3600000
        )
        wait_for: int = SchemaField(
            description=(
                "Specify a delay in milliseconds before fetching the content, allowing the page sufficient time "
                "to load."
            ),
            default=0,
        )
        formats: list[ScrapeFormat] = SchemaField(
            description="The format of the crawl", default=[ScrapeFormat.MARKDOWN]
        )

    class Output(BlockSchemaOutput):
        data: list[dict[str, Any]] = SchemaField(description="The result of the crawl")
        markdown: str = SchemaField(description="The markdown of the crawl")
        html: str = SchemaField(description="The html of the crawl")
        raw_html: str = SchemaField(description="The raw html of the crawl")
        links: list[str] = SchemaField(description="The links of the crawl")
        screenshot: str = SchemaField(description="The screenshot of the crawl")
        screenshot_full_page: str = SchemaField(description="The screenshot full page of the crawl")
        json_data: dict[str, Any] = SchemaField(description="The json data of the crawl")
        change_tracking: dict[str, Any] = SchemaField(description="The change tracking of the crawl")

    # Upstream declares no self-test; this one crawls the stand-in's sample site.
    test_input = {"credentials": TEST_CREDENTIALS_INPUT, "url": "https://example.com", "limit": 2}
    test_output = [
        ("data", lambda data: len(data) == 2),
        ("markdown", "# Page 1 of https://example.com"),
        ("markdown", "# Page 2 of https://example.com"),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        started = await call(
            "POST",
            "/v2/crawl",
            credentials,
            {
                "url": input_data.url,
                "limit": input_data.limit,
                "scrapeOptions": {
                    "formats": [format_option(scrape_format) for scrape_format in input_data.formats],
                    "onlyMainContent": input_data.only_main_content,
                    "maxAge": input_data.max_age,
                    "waitFor": input_data.wait_for,
                },
            },
        )
        job = await finished_job(f"/v2/crawl/{quote(str(started.get('id')), safe='')}", credentials)
        if job.get("status") != "completed":
            raise provider_http.ProviderError(f"Crawl job failed: {job.get('error') or job.get('status')}")
        documents = list(job.get("data") or [])
        while job.get("next"):
            job = await call("GET", same_host_path(job["next"]), credentials)
            documents.extend(job.get("data") or [])
        yield "data", documents
        for document in documents:
            for scrape_format in input_data.formats:
                pin, field = FORMAT_OUTPUTS[scrape_format]
                if document.get(field) is not None:
                    yield pin, document[field]


class FirecrawlMapWebsiteBlock(Block):
    id = "f0f43e2b-c943-48a0-a7f1-40136ca4d3b9"
    description = "Firecrawl maps a website to extract all the links."
    categories = frozenset({BlockCategory.SEARCH})
    costs = (BlockCost(cost_amount=1),)
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: FirecrawlCredentialsInput = credentials_field()
        url: str = SchemaField(description="The website url to map")

    class Output(BlockSchemaOutput):
        links: list[str] = SchemaField(description="List of URLs found on the website")
        results: list[dict[str, Any]] = SchemaField(
            description="List of search results with url, title, and description"
        )
        error: str = SchemaField(description="Error message if the map failed", default="")

    test_input = {"credentials": TEST_CREDENTIALS_INPUT, "url": "https://example.com"}
    test_output = [
        ("links", ["https://example.com", "https://example.com/about", "https://example.com/pricing"]),
        (
            "results",
            lambda results: (
                results[1] == {"url": "https://example.com/about", "title": "About", "description": "About example.com"}
            ),
        ),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        answer = await call("POST", "/v2/map", credentials, {"url": input_data.url})
        results = [
            {"url": link.get("url"), "title": link.get("title"), "description": link.get("description")}
            for link in answer.get("links") or []
        ]
        yield "links", [result["url"] for result in results]
        yield "results", results


class FirecrawlExtractBlock(Block):
    id = "d1774756-4d9e-40e6-bab1-47ec0ccd81b2"
    description = "Firecrawl crawls websites to extract comprehensive data while bypassing blockers."
    categories = frozenset({BlockCategory.SEARCH})
    costs = (BlockCost(cost_amount=2),)
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: FirecrawlCredentialsInput = credentials_field()
        urls: list[str] = SchemaField(
            description="The URLs to crawl - at least one is required. Wildcards are supported. (/*)"
        )
        prompt: str | None = SchemaField(description="The prompt to use for the crawl", default=None, advanced=False)
        output_schema: dict[str, Any] | None = SchemaField(
            description="A Json Schema describing the output structure if more rigid structure is desired.",
            default=None,
        )
        enable_web_search: bool = SchemaField(
            description="When true, extraction can follow links outside the specified domain.", default=False
        )

    class Output(BlockSchemaOutput):
        data: dict[str, Any] = SchemaField(description="The result of the crawl")
        error: str = SchemaField(description="Error message if the extraction failed", default="")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "urls": ["https://example.com/*"],
        "prompt": "What does the company sell?",
    }
    test_output = [("data", {"answer": "Extracted from https://example.com/*: What does the company sell?"})]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        request: dict[str, Any] = {"urls": input_data.urls, "enableWebSearch": input_data.enable_web_search}
        if input_data.prompt is not None:
            request["prompt"] = input_data.prompt
        if input_data.output_schema is not None:
            request["schema"] = input_data.output_schema
        try:
            started = await call("POST", "/v2/extract", credentials, request)
            job = await finished_job(f"/v2/extract/{quote(str(started.get('id')), safe='')}", credentials)
        except provider_http.ProviderError as error:
            raise provider_http.ProviderError(f"Extract failed: {error}") from error
        if job.get("status") != "completed":
            raise provider_http.ProviderError(f"Extract failed: {job.get('error') or job.get('status')}")
        yield "data", job.get("data") or {}
