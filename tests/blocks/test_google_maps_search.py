"""GoogleMapsSearch against a local server speaking the Places web service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError, BlockInputError
from apps.blocks.library.google_maps import GoogleMapsSearchBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.types import APIKeyCredentials
from tests.blocks.outputs import outputs_of
from tests.fakes import google_maps
from tests.fakes.google_maps import FakeGoogleMaps, fake_google_maps

KEY = APIKeyCredentials(
    id="c0ffee00-0000-4000-8000-000000000003", provider="google_maps", api_key=SecretStr(google_maps.API_KEY)
)


@pytest.fixture
def fake(settings) -> Iterator[FakeGoogleMaps]:
    with fake_google_maps() as started:
        started.apply(settings)
        yield started


async def search(credentials: APIKeyCredentials = KEY, **input_data: Any) -> list[tuple[str, Any]]:
    return await outputs_of(
        GoogleMapsSearchBlock, {"credentials": credentials.meta(), **input_data}, credentials=credentials
    )


async def test_each_place_is_its_own_output_with_its_details(fake: FakeGoogleMaps) -> None:
    outputs = await search(query="cafes in paris", max_results=2, radius=800)

    assert [pin for pin, _ in outputs] == ["place", "place"]
    assert outputs[0][1] == {
        "name": "Cafes In Paris 1",
        "address": "1 Test St, New York, NY 10001",
        "phone": "+1 555-0101",
        "rating": 4.5,
        "reviews": 101,
        "website": "https://place-1.example.com",
    }
    first = fake.requests_to("/maps/api/place/textsearch/json")[0]
    assert first.query == {"query": "cafes in paris", "radius": "800", "key": google_maps.API_KEY}


async def test_pages_are_followed_until_max_results(fake: FakeGoogleMaps) -> None:
    outputs = await search(query="bars", max_results=5)

    assert [place["name"] for _, place in outputs] == [f"Bars {n}" for n in range(1, 6)]
    pages = fake.requests_to("/maps/api/place/textsearch/json")
    assert [page.query.get("pagetoken") for page in pages] == [None, "token-0", "token-1"]


async def test_the_search_stops_when_google_has_no_more_pages(fake: FakeGoogleMaps) -> None:
    fake.total = 3

    outputs = await search(query="bars", max_results=20)

    assert len(outputs) == 3
    assert len(fake.requests_to("/maps/api/place/textsearch/json")) == 2


async def test_no_results_is_no_output_not_an_error(fake: FakeGoogleMaps) -> None:
    fake.total = 0

    assert await search(query="nothing here") == []


async def test_a_wrong_key_fails_with_googles_status_and_message(fake: FakeGoogleMaps) -> None:
    wrong = APIKeyCredentials(id=KEY.id, provider="google_maps", api_key=SecretStr("AIza-wrong"))

    with pytest.raises(BlockExecutionError, match=r"REQUEST_DENIED \(The provided API key is invalid.\)"):
        await search(wrong, query="bars")


async def test_over_the_query_limit_is_reported(fake: FakeGoogleMaps) -> None:
    fake.reply_next(
        "/maps/api/place/textsearch/json",
        200,
        {"status": "OVER_QUERY_LIMIT", "error_message": "You have exceeded your rate-limit for this API."},
    )

    with pytest.raises(BlockExecutionError, match="OVER_QUERY_LIMIT \\(You have exceeded your rate-limit"):
        await search(query="bars")


async def test_google_being_down_is_retried_later_and_says_its_status(fake: FakeGoogleMaps) -> None:
    fake.reply_next("/maps/api/place/textsearch/json", 503, "Service Unavailable")

    with pytest.raises(ProviderUnavailableError, match="Google Maps answered 503: Service Unavailable"):
        await search(query="bars")


@pytest.mark.parametrize(("field", "value"), [("max_results", 61), ("max_results", 0), ("radius", 50001)])
async def test_out_of_range_limits_are_refused_before_any_request(fake: FakeGoogleMaps, field: str, value: int) -> None:
    with pytest.raises(BlockInputError, match=field):
        await search(query="bars", **{field: value})
    assert fake.requests == []
