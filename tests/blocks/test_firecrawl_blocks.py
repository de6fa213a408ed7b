"""Firecrawl crawl, map and extract against a local server speaking Firecrawl's v2 API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.firecrawl import FirecrawlCrawlBlock, FirecrawlExtractBlock, FirecrawlMapWebsiteBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.types import APIKeyCredentials
from tests.blocks.outputs import outputs_of
from tests.fakes import firecrawl
from tests.fakes.firecrawl import FakeFirecrawl, fake_firecrawl

KEY = APIKeyCredentials(
    id="c0ffee00-0000-4000-8000-000000000004", provider="firecrawl", api_key=SecretStr(firecrawl.API_KEY)
)
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="firecrawl", api_key=SecretStr("fc-wrong"))


@pytest.fixture
def fake(settings) -> Iterator[FakeFirecrawl]:
    with fake_firecrawl() as started:
        started.apply(settings)
        yield started


async def test_a_crawl_is_started_polled_until_done_and_read_page_by_page(fake: FakeFirecrawl) -> None:
    fake.polls_until_done, fake.page_size = 2, 2

    outputs = await outputs_of(
        FirecrawlCrawlBlock,
        {"url": "https://shop.example", "limit": 5, "formats": ["markdown", "links"], "credentials": KEY.meta()},
        credentials=KEY,
    )

    data = outputs[0][1]
    assert [document["metadata"]["url"] for document in data] == [f"https://shop.example/page-{n}" for n in range(1, 6)]
    assert outputs[1:3] == [
        ("markdown", "# Page 1 of https://shop.example"),
        ("links", ["https://shop.example/page-2"]),
    ]
    assert [pin for pin, _ in outputs[1:]] == ["markdown", "links"] * 5
    (started,) = fake.requests_to("/v2/crawl")
    assert started.headers["Authorization"] == f"Bearer {firecrawl.API_KEY}"
    assert started.json() == {
        "url": "https://shop.example",
        "limit": 5,
        "scrapeOptions": {"formats": ["markdown", "links"], "onlyMainContent": True, "maxAge": 3600000, "waitFor": 0},
    }
    polls = [received for received in fake.requests if received.method == "GET"]
    assert [received.query for received in polls] == [{}, {}, {}, {"skip": "2"}, {"skip": "4"}]


async def test_a_full_page_screenshot_is_asked_for_as_v2_names_it(fake: FakeFirecrawl) -> None:
    outputs = await outputs_of(
        FirecrawlCrawlBlock,
        {"url": "https://a.example", "limit": 1, "formats": ["screenshot@fullPage"], "credentials": KEY.meta()},
        credentials=KEY,
    )

    assert fake.requests_to("/v2/crawl")[0].json()["scrapeOptions"]["formats"] == [
        {"type": "screenshot", "fullPage": True}
    ]
    assert outputs[1] == ("screenshot_full_page", "https://screenshots.firecrawl.dev/page-1.png")


async def test_a_next_link_naming_another_host_is_followed_on_the_configured_host_only(fake: FakeFirecrawl) -> None:
    fake.page_size = 1

    await outputs_of(
        FirecrawlCrawlBlock, {"url": "https://a.example", "limit": 2, "credentials": KEY.meta()}, credentials=KEY
    )

    # The fake writes `next` on api.firecrawl.dev; the request still reached the fake, key and all.
    assert fake.requests[-1].query == {"skip": "1"}
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {firecrawl.API_KEY}"


async def test_a_failed_crawl_job_fails_the_node(fake: FakeFirecrawl) -> None:
    fake.polls_until_done = 0
    fake.reply_next("/v2/crawl/crawl-0001-0000-4000-8000-000000000000", 200, {"success": True, "status": "failed"})

    with pytest.raises(BlockExecutionError, match="Crawl job failed: failed"):
        await outputs_of(FirecrawlCrawlBlock, {"url": "https://a.example", "credentials": KEY.meta()}, credentials=KEY)


async def test_map_lists_the_sites_links_with_their_titles(fake: FakeFirecrawl) -> None:
    outputs = dict(
        await outputs_of(
            FirecrawlMapWebsiteBlock, {"url": "https://a.example", "credentials": KEY.meta()}, credentials=KEY
        )
    )

    assert outputs["links"] == ["https://a.example", "https://a.example/about", "https://a.example/pricing"]
    assert outputs["results"][0] == {"url": "https://a.example", "title": "Home", "description": "Home a.example"}
    assert fake.requests_to("/v2/map")[0].json() == {"url": "https://a.example"}


async def test_extract_sends_the_prompt_and_schema_and_waits_for_the_data(fake: FakeFirecrawl) -> None:
    schema = {"type": "object", "properties": {"price": {"type": "string"}}}

    outputs = await outputs_of(
        FirecrawlExtractBlock,
        {"urls": ["https://a.example/*"], "prompt": "Prices", "output_schema": schema, "credentials": KEY.meta()},
        credentials=KEY,
    )

    assert outputs == [("data", {"price": "price of https://a.example/*"})]
    assert fake.requests_to("/v2/extract")[0].json() == {
        "urls": ["https://a.example/*"],
        "enableWebSearch": False,
        "prompt": "Prices",
        "schema": schema,
    }


async def test_a_wrong_key_fails_with_firecrawls_message(fake: FakeFirecrawl) -> None:
    with pytest.raises(
        BlockExecutionError, match="Extract failed: Firecrawl answered 401: Unauthorized: Invalid token"
    ):
        await outputs_of(
            FirecrawlExtractBlock,
            {"urls": ["https://a.example"], "credentials": WRONG_KEY.meta()},
            credentials=WRONG_KEY,
        )


async def test_running_out_of_firecrawl_credits_fails_with_its_message(fake: FakeFirecrawl) -> None:
    fake.reply_next("/v2/map", 402, firecrawl.PAYMENT_REQUIRED)

    with pytest.raises(BlockExecutionError, match="Firecrawl answered 402: Insufficient credits"):
        await outputs_of(
            FirecrawlMapWebsiteBlock, {"url": "https://a.example", "credentials": KEY.meta()}, credentials=KEY
        )


async def test_a_rate_limited_crawl_is_retried_later_with_firecrawls_hint(fake: FakeFirecrawl) -> None:
    fake.reply_next("/v2/crawl", 429, firecrawl.RATE_LIMITED, {"Retry-After": "10"})

    with pytest.raises(
        ProviderUnavailableError, match=r"Firecrawl answered 429: Rate limit exceeded.*\(retry after 10s\)"
    ):
        await outputs_of(FirecrawlCrawlBlock, {"url": "https://a.example", "credentials": KEY.meta()}, credentials=KEY)


def test_extract_costs_two_credits_and_crawl_and_map_one_as_upstream_prices_them() -> None:
    assert [
        block.costs[0].cost_amount for block in (FirecrawlCrawlBlock, FirecrawlMapWebsiteBlock, FirecrawlExtractBlock)
    ] == [1, 1, 2]
