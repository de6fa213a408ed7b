"""DataForSEO Labs keyword research, as upstream's `blocks/dataforseo/`.

Both blocks post one task to a `live` endpoint of DataForSEO Labs with the account's login
and password (HTTP Basic). DataForSEO answers HTTP 200 for nearly everything and reports
the outcome in `status_code` (20000 is success) twice: for the request and for each task.
HTTP 401/402/404/500 are the exceptions; `provider_http` turns those into errors.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, SecretStr

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import UserPasswordCredentials

SERVICE = "DataForSEO"
OK = 20000
# Request-level codes that mean "later": the per-minute rate limit and DataForSEO's internal errors.
TEMPORARY_CODES = frozenset({40202, 50000})

DataForSeoCredentialsInput = CredentialsMetaInput[Literal[ProviderName.DATAFORSEO], Literal["user_password"]]

TEST_CREDENTIALS = UserPasswordCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="dataforseo",
    username=SecretStr("mock-dataforseo-username"),
    password=SecretStr("mock-dataforseo-password"),
    title="Mock DataForSEO credentials",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()


class KeywordMetrics(BaseModel):
    keyword: str
    search_volume: int | None = None
    competition: float | None = None
    cpc: float | None = None
    keyword_difficulty: int | None = None
    serp_info: dict[str, Any] | None = None
    clickstream_data: dict[str, Any] | None = None


def credentials_field() -> Any:
    return CredentialsField(description="DataForSEO credentials (username and password)")


async def run_live_task(path: str, task: dict[str, Any], credentials: UserPasswordCredentials) -> list[dict[str, Any]]:
    """The `result` of one task posted to a DataForSEO `live` endpoint."""
    body = await provider_http.request_json(
        SERVICE,
        "POST",
        provider_http.provider_url("dataforseo", path),
        headers={"Authorization": credentials.auth_header(), "Content-Type": "application/json"},
        json_data=[task],
    )
    if not isinstance(body, dict):
        raise provider_http.ProviderError(f"{SERVICE} answered with something that is not an object")
    request_code = body.get("status_code")
    if request_code in TEMPORARY_CODES:
        raise provider_http.ProviderUnavailableError(f"{SERVICE} answered {request_code}: {body.get('status_message')}")
    if request_code != OK:
        raise provider_http.ProviderError(f"DataForSEO API error ({request_code}): {body.get('status_message')}")
    tasks = body.get("tasks") or []
    if not tasks:
        return []
    if tasks[0].get("status_code") != OK:
        raise provider_http.ProviderError(f"DataForSEO task error: {tasks[0].get('status_message', 'Task failed')}")
    return list(tasks[0].get("result") or [])


def research_task(input_data: Any) -> dict[str, Any]:
    """The task fields both endpoints share; unset optional ones are left out, not sent as null."""
    task: dict[str, Any] = {
        "keyword": input_data.keyword,
        "include_seed_keyword": input_data.include_seed_keyword,
        "include_serp_info": input_data.include_serp_info,
        "include_clickstream_data": input_data.include_clickstream_data,
        "limit": input_data.limit,
    }
    if input_data.location_code is not None:
        task["location_code"] = input_data.location_code
    if input_data.language_code is not None:
        task["language_code"] = input_data.language_code
    return task


def keyword_metrics(keyword_data: dict[str, Any], input_data: Any) -> KeywordMetrics:
    info = keyword_data.get("keyword_info") or {}
    properties = keyword_data.get("keyword_properties") or {}
    return KeywordMetrics(
        keyword=keyword_data.get("keyword") or "",
        search_volume=info.get("search_volume"),
        competition=info.get("competition"),
        cpc=info.get("cpc"),
        keyword_difficulty=properties.get("keyword_difficulty"),
        serp_info=keyword_data.get("serp_info") if input_data.include_serp_info else None,
        clickstream_data=keyword_data.get("clickstream_keyword_info") if input_data.include_clickstream_data else None,
    )


def first_result_items(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(results[0].get("items") or []) if results else []


class ResearchInput(BlockSchemaInput):
    credentials: DataForSeoCredentialsInput = credentials_field()
    # Each block redefines it with its own description; pydantic keeps it in this (upstream's) position.
    keyword: str = SchemaField(description="Seed keyword")
    location_code: int | None = SchemaField(
        description="Location code for targeting (e.g., 2840 for USA)", default=2840
    )
    language_code: str | None = SchemaField(description="Language code (e.g., 'en' for English)", default="en")
    include_seed_keyword: bool = SchemaField(description="Include the seed keyword in results", default=True)
    include_serp_info: bool = SchemaField(description="Include SERP information", default=False)
    include_clickstream_data: bool = SchemaField(description="Include clickstream metrics", default=False)
    limit: int = SchemaField(description="Maximum number of results (up to 3000)", default=100, ge=1, le=3000)


class DataForSeoKeywordSuggestionsBlock(Block):
    id = "73c3e7c4-2b3f-4e9f-9e3e-8f7a5c3e2d45"
    description = "Get keyword suggestions from DataForSEO Labs Google API"
    categories = frozenset({BlockCategory.SEARCH, BlockCategory.DATA})
    costs = (BlockCost(cost_amount=1),)
    retry = provider_http.PROVIDER_RETRY

    class Input(ResearchInput):
        keyword: str = SchemaField(description="Seed keyword to get suggestions for")

    class Output(BlockSchemaOutput):
        suggestions: list[KeywordMetrics] = SchemaField(description="List of keyword suggestions with metrics")
        suggestion: KeywordMetrics = SchemaField(description="A single keyword suggestion with metrics")
        total_count: int = SchemaField(description="Total number of suggestions returned")
        seed_keyword: str = SchemaField(description="The seed keyword used for the query")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "keyword": "digital marketing",
        "location_code": 2840,
        "language_code": "en",
        "limit": 1,
    }
    test_output = [
        ("suggestion", lambda suggestion: suggestion["keyword"] == "digital marketing strategy"),
        ("suggestions", lambda suggestions: isinstance(suggestions, list) and len(suggestions) == 1),
        ("total_count", 1),
        ("seed_keyword", "digital marketing"),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: UserPasswordCredentials, **context: Any
    ) -> BlockOutput:
        results = await run_live_task(
            "/v3/dataforseo_labs/google/keyword_suggestions/live", research_task(input_data), credentials
        )
        suggestions = []
        for item in first_result_items(results):
            suggestion = keyword_metrics(item, input_data).model_dump()
            yield "suggestion", suggestion
            suggestions.append(suggestion)
        yield "suggestions", suggestions
        yield "total_count", len(suggestions)
        yield "seed_keyword", input_data.keyword


class DataForSeoRelatedKeywordsBlock(Block):
    id = "8f2e4d6a-1b3c-4a5e-9d7f-2c8e6a4b3f1d"
    description = "Get related keywords from DataForSEO Labs Google API"
    categories = frozenset({BlockCategory.SEARCH, BlockCategory.DATA})
    costs = (BlockCost(cost_amount=1),)
    retry = provider_http.PROVIDER_RETRY

    class Input(ResearchInput):
        keyword: str = SchemaField(description="Seed keyword to find related keywords for")
        depth: int = SchemaField(
            description=(
                "Keyword search depth (0-4). Controls the number of returned keywords: 0=1 keyword, "
                "1=~8 keywords, 2=~72 keywords, 3=~584 keywords, 4=~4680 keywords"
            ),
            default=1,
            ge=0,
            le=4,
        )

    class Output(BlockSchemaOutput):
        related_keywords: list[KeywordMetrics] = SchemaField(description="List of related keywords with metrics")
        related_keyword: KeywordMetrics = SchemaField(description="A related keyword with metrics")
        total_count: int = SchemaField(description="Total number of related keywords returned")
        seed_keyword: str = SchemaField(description="The seed keyword used for the query")
        error: str = SchemaField(description="Error message if the API call failed")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "keyword": "content marketing",
        "location_code": 2840,
        "language_code": "en",
        "limit": 1,
    }
    test_output = [
        ("related_keyword", lambda keyword: keyword["keyword"] == "content strategy"),
        ("related_keywords", lambda keywords: isinstance(keywords, list) and len(keywords) == 1),
        ("total_count", 1),
        ("seed_keyword", "content marketing"),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: UserPasswordCredentials, **context: Any
    ) -> BlockOutput:
        task = {**research_task(input_data), "depth": input_data.depth}
        try:
            results = await run_live_task("/v3/dataforseo_labs/google/related_keywords/live", task, credentials)
        except provider_http.ProviderError as error:
            # Upstream answers a refused request on the `error` pin rather than failing the node.
            yield "error", f"Failed to fetch related keywords: {error}"
            return
        related = []
        for item in first_result_items(results):
            keyword = keyword_metrics(item.get("keyword_data") or {}, input_data).model_dump()
            yield "related_keyword", keyword
            related.append(keyword)
        yield "related_keywords", related
        yield "total_count", len(related)
        yield "seed_keyword", input_data.keyword
