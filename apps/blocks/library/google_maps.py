"""Local businesses from Google Maps (Places text search and details), as upstream's `blocks/google_maps.py`.

Upstream calls the `googlemaps` SDK, whose host is fixed per request and whose client is
synchronous; the same two web-service calls are made here with httpx against
`GOOGLE_MAPS_BASE_URL`. The legacy Places API answers errors with HTTP 200 and a `status`;
those become the SDK's `STATUS (message)` error text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, SecretStr

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="google_maps",
    api_key=SecretStr("mock-google-maps-api-key"),
    title="Mock Google Maps API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()

SERVICE = "Google Maps"
OK_STATUSES = ("OK", "ZERO_RESULTS")


class Place(BaseModel):
    name: str
    address: str
    phone: str
    rating: float
    reviews: int
    website: str


class GoogleMapsSearchBlock(Block):
    id = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
    description = "This block searches for local businesses using Google Maps API."
    categories = frozenset({BlockCategory.SEARCH})
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput[Literal[ProviderName.GOOGLE_MAPS], Literal["api_key"]] = CredentialsField(
            description="Google Maps API Key"
        )
        query: str = SchemaField(
            description="Search query for local businesses", placeholder="e.g., 'restaurants in New York'"
        )
        radius: int = SchemaField(description="Search radius in meters (max 50000)", default=5000, ge=1, le=50000)
        max_results: int = SchemaField(
            description="Maximum number of results to return (max 60)", default=20, ge=1, le=60
        )

    class Output(BlockSchemaOutput):
        place: Place = SchemaField(description="Place found")
        error: str = SchemaField(description="Error message if the search failed")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "query": "restaurants in new york",
        "radius": 5000,
        "max_results": 1,
    }
    test_output = [
        (
            "place",
            {
                "name": "Restaurants In New York 1",
                "address": "1 Test St, New York, NY 10001",
                "phone": "+1 555-0101",
                "rating": 4.5,
                "reviews": 101,
                "website": "https://place-1.example.com",
            },
        )
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        key = credentials.api_key.get_secret_value()
        found = 0
        page_token: str | None = None
        while found < input_data.max_results:
            params = {"query": input_data.query, "radius": input_data.radius, "key": key}
            if page_token:
                params["pagetoken"] = page_token
            page = await self._call("/maps/api/place/textsearch/json", params)
            for result in page.get("results") or []:
                if found >= input_data.max_results:
                    break
                details = await self._call("/maps/api/place/details/json", {"placeid": result["place_id"], "key": key})
                found += 1
                yield "place", self._place(details.get("result") or {}).model_dump()
            page_token = page.get("next_page_token")
            if not page_token:
                break

    @staticmethod
    def _place(details: dict[str, Any]) -> Place:
        return Place(
            name=details.get("name", ""),
            address=details.get("formatted_address", ""),
            phone=details.get("formatted_phone_number", ""),
            rating=details.get("rating", 0),
            reviews=details.get("user_ratings_total", 0),
            website=details.get("website", ""),
        )

    @staticmethod
    async def _call(path: str, params: dict[str, Any]) -> dict[str, Any]:
        response = await provider_http.request(
            SERVICE, "GET", provider_http.provider_url("google_maps", path), params=params
        )
        body = provider_http.json_body(response, SERVICE)
        status = body.get("status")
        if status not in OK_STATUSES:
            message = body.get("error_message")
            raise ValueError(f"{status} ({message})" if message else str(status))
        return dict(body)
