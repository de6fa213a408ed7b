"""Google Maps Platform's legacy Places web service: text search (paged) and place details.

`GET /maps/api/place/textsearch/json?query=&radius=&pagetoken=&key=` answers up to
`page_size` results and a `next_page_token` while more remain; `GET
/maps/api/place/details/json?placeid=&key=` answers one place. As Google does, errors come
back with HTTP 200 and a `status` (`REQUEST_DENIED` for a wrong key, `INVALID_REQUEST` for an
unknown page token, `OVER_QUERY_LIMIT` scripted with `reply_next`). Places are generated
from the query, `total` per query (default 5), so answers are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Response, request

from tests.fakes.provider import FakeProvider, json_response, provider_app
from tests.fakes.server import serve

API_KEY = "mock-google-maps-api-key"
DENIED = {"status": "REQUEST_DENIED", "error_message": "The provided API key is invalid.", "results": []}


@dataclass
class FakeGoogleMaps(FakeProvider):
    total: int = 5
    page_size: int = 2


def place_details(query: str, n: int) -> dict[str, Any]:
    return {
        "place_id": f"place-{n}-{query}",
        "name": f"{query.title()} {n}",
        "formatted_address": f"{n} Test St, New York, NY 10001",
        "formatted_phone_number": f"+1 555-010{n}",
        "rating": 4.5,
        "user_ratings_total": 100 + n,
        "website": f"https://place-{n}.example.com",
    }


@contextmanager
def fake_google_maps() -> Iterator[FakeGoogleMaps]:
    state = FakeGoogleMaps()
    app = provider_app("fake-google-maps", state)
    issued_tokens: dict[str, tuple[str, int]] = {}

    @app.get("/maps/api/place/textsearch/json")
    def text_search() -> Response:
        if request.args.get("key") != API_KEY:
            return json_response(DENIED)
        token = request.args.get("pagetoken")
        if token:
            if token not in issued_tokens:
                return json_response({"status": "INVALID_REQUEST", "results": []})
            query, start = issued_tokens[token]
        else:
            query, start = request.args.get("query", ""), 0
        end = min(start + state.page_size, state.total)
        results = [
            {"place_id": place_details(query, n)["place_id"], "name": place_details(query, n)["name"]}
            for n in range(start + 1, end + 1)
        ]
        body: dict[str, Any] = {"status": "OK" if results else "ZERO_RESULTS", "results": results}
        if end < state.total:
            body["next_page_token"] = next_token = f"token-{len(issued_tokens)}"
            issued_tokens[next_token] = (query, end)
        return json_response(body)

    @app.get("/maps/api/place/details/json")
    def details() -> Response:
        if request.args.get("key") != API_KEY:
            return json_response(DENIED)
        place_id = request.args.get("placeid", "")
        _, n, query = place_id.split("-", 2) if place_id.count("-") >= 2 else ("", "0", "")
        if not n.isdigit():
            return json_response({"status": "NOT_FOUND"})
        return json_response({"status": "OK", "result": place_details(query, int(n))})

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"GOOGLE_MAPS_BASE_URL": base_url}
        yield state
