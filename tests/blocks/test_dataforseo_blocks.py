"""DataForSEO keyword blocks against a local server speaking DataForSEO Labs' protocol."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError, BlockInputError
from apps.blocks.library.dataforseo import DataForSeoKeywordSuggestionsBlock, DataForSeoRelatedKeywordsBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.types import UserPasswordCredentials
from apps.credits.costs import block_usage_cost
from tests.blocks.outputs import outputs_of
from tests.fakes import dataforseo
from tests.fakes.dataforseo import fake_dataforseo
from tests.fakes.provider import FakeProvider

LOGIN = UserPasswordCredentials(
    id="c0ffee00-0000-4000-8000-000000000002",
    provider="dataforseo",
    username=SecretStr(dataforseo.USERNAME),
    password=SecretStr(dataforseo.PASSWORD),
)
WRONG_LOGIN = UserPasswordCredentials(
    id=LOGIN.id, provider="dataforseo", username=SecretStr(dataforseo.USERNAME), password=SecretStr("wrong")
)
SUGGESTIONS = "/v3/dataforseo_labs/google/keyword_suggestions/live"
RELATED = "/v3/dataforseo_labs/google/related_keywords/live"
TASK_PATH = SUGGESTIONS.strip("/").split("/")


@pytest.fixture
def fake(settings) -> Iterator[FakeProvider]:
    with fake_dataforseo() as started:
        started.apply(settings)
        yield started


async def test_suggestions_post_one_task_with_basic_auth_and_yield_each_keyword_with_its_metrics(
    fake: FakeProvider,
) -> None:
    outputs = await outputs_of(
        DataForSeoKeywordSuggestionsBlock,
        {"keyword": "shoes", "limit": 2, "include_serp_info": True, "credentials": LOGIN.meta()},
        credentials=LOGIN,
    )

    first = {
        "keyword": "shoes 1",
        "search_volume": 1000,
        "competition": 0.5,
        "cpc": 2.5,
        "keyword_difficulty": 41,
        "serp_info": {"se_results_count": 100000},
        "clickstream_data": None,
    }
    second = {**first, "keyword": "shoes 2", "search_volume": 2000, "keyword_difficulty": 42}
    second["serp_info"] = {"se_results_count": 200000}
    assert outputs == [
        ("suggestion", first),
        ("suggestion", second),
        ("suggestions", [first, second]),
        ("total_count", 2),
        ("seed_keyword", "shoes"),
    ]
    (received,) = fake.requests_to(SUGGESTIONS)
    assert received.headers["Authorization"] == LOGIN.auth_header()
    assert received.json() == [
        {
            "keyword": "shoes",
            "include_seed_keyword": True,
            "include_serp_info": True,
            "include_clickstream_data": False,
            "limit": 2,
            "location_code": 2840,
            "language_code": "en",
        }
    ]


async def test_related_keywords_send_the_depth_and_read_keyword_data(fake: FakeProvider) -> None:
    outputs = dict(
        await outputs_of(
            DataForSeoRelatedKeywordsBlock,
            {"keyword": "tea", "depth": 0, "include_clickstream_data": True, "credentials": LOGIN.meta()},
            credentials=LOGIN,
        )
    )

    assert outputs["related_keywords"] == [
        {
            "keyword": "tea 1",
            "search_volume": 1000,
            "competition": 0.5,
            "cpc": 2.5,
            "keyword_difficulty": 41,
            "serp_info": None,
            "clickstream_data": {"search_volume": 900},
        }
    ]
    assert outputs["total_count"] == 1
    assert fake.requests_to(RELATED)[0].json()[0]["depth"] == 0


async def test_a_wrong_login_fails_suggestions_with_dataforseos_message(fake: FakeProvider) -> None:
    with pytest.raises(BlockExecutionError, match="DataForSEO answered 401: You are not authorized"):
        await outputs_of(
            DataForSeoKeywordSuggestionsBlock,
            {"keyword": "x", "credentials": WRONG_LOGIN.meta()},
            credentials=WRONG_LOGIN,
        )


async def test_related_keywords_report_a_refusal_on_the_error_pin_as_upstream_does(fake: FakeProvider) -> None:
    block = DataForSeoRelatedKeywordsBlock()
    parsed = block.parse_input({"keyword": "x", "credentials": WRONG_LOGIN.meta()})

    outputs = [output async for output in block.run(parsed, credentials=WRONG_LOGIN)]

    assert outputs == [
        (
            "error",
            "Failed to fetch related keywords: DataForSEO answered 401: You are not authorized to access this "
            "resource. See your login details here: https://app.dataforseo.com/api-access",
        )
    ]


async def test_a_task_error_inside_a_200_answer_fails_the_node_with_its_message(fake: FakeProvider) -> None:
    fake.reply_next(
        SUGGESTIONS,
        200,
        dataforseo.task_error(TASK_PATH, {"keyword": "x"}, 40501, "Invalid Field: 'location_code'."),
    )

    with pytest.raises(BlockExecutionError, match=r"DataForSEO task error: Invalid Field: 'location_code'\."):
        await outputs_of(
            DataForSeoKeywordSuggestionsBlock, {"keyword": "x", "credentials": LOGIN.meta()}, credentials=LOGIN
        )


async def test_the_per_minute_rate_limit_is_retried_later(fake: FakeProvider) -> None:
    fake.reply_next(SUGGESTIONS, 200, dataforseo.RATE_LIMITED)

    with pytest.raises(ProviderUnavailableError, match="DataForSEO answered 40202: Rate-limit per minute exceeded"):
        await outputs_of(
            DataForSeoKeywordSuggestionsBlock, {"keyword": "x", "credentials": LOGIN.meta()}, credentials=LOGIN
        )


async def test_an_empty_result_yields_no_keywords_and_a_count_of_zero(fake: FakeProvider) -> None:
    fake.reply_next(SUGGESTIONS, 200, dataforseo.answer(TASK_PATH, {"keyword": "zzz"}, []))

    outputs = await outputs_of(
        DataForSeoKeywordSuggestionsBlock, {"keyword": "zzz", "credentials": LOGIN.meta()}, credentials=LOGIN
    )

    assert outputs == [("suggestions", []), ("total_count", 0), ("seed_keyword", "zzz")]


async def test_a_limit_over_3000_is_refused_before_anything_is_sent(fake: FakeProvider) -> None:
    with pytest.raises(BlockInputError, match="limit: Input should be less than or equal to 3000"):
        await outputs_of(
            DataForSeoKeywordSuggestionsBlock,
            {"keyword": "x", "limit": 3001, "credentials": LOGIN.meta()},
            credentials=LOGIN,
        )
    assert fake.requests == []


def test_dataforseo_blocks_cost_nothing_on_the_users_own_login() -> None:
    for block in (DataForSeoKeywordSuggestionsBlock(), DataForSeoRelatedKeywordsBlock()):
        assert block.costs[0].cost_amount == 1
        assert block_usage_cost(block=block, input_data={"keyword": "x", "credentials": LOGIN.meta()})[0] == 0
