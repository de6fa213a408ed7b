"""Jina's search (s.jina.ai) and reader (r.jina.ai) endpoints, one server for both.

`GET /{query}` on the search host and `GET /{url}` on the reader host, each with
`Authorization: Bearer <key>` (the reader also serves anonymous callers, as Jina does at a
lower rate). Answers are Jina's plain-text format; a wrong key gets its 401
`AuthenticationFailedError` body, and `reply_next` scripts a 429 `RateLimitTriggeredError`.
Search and reader are told apart by the path prefix the settings carry (`/search`, `/reader`).
The reader answers every URL with a generated page, or with the text `pages` holds for it
(keyed by the URL without its query), for a test whose next blocks need a page's content.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote

from flask import Response

from tests.fakes.provider import FakeProvider, bearer_token, json_response, provider_app
from tests.fakes.server import serve

# Upstream's test key, so the blocks' own self-tests authenticate as they are written.
API_KEY = "mock-jina-api-key"

UNAUTHORIZED = {
    "data": None,
    "code": 401,
    "name": "AuthenticationFailedError",
    "status": 40103,
    "message": "Invalid API key, please get a new one from https://jina.ai",
    "readableMessage": "AuthenticationFailedError: Invalid API key, please get a new one from https://jina.ai",
}
RATE_LIMITED = {
    "data": None,
    "code": 429,
    "name": "RateLimitTriggeredError",
    "status": 42903,
    "message": "Per IP rate limit exceeded, please try again later",
    "readableMessage": "RateLimitTriggeredError: Per IP rate limit exceeded, please try again later",
}


def search_results(query: str) -> str:
    """What s.jina.ai answers for `query`: five results, numbered, deterministic."""
    return "\n".join(
        f"[{n}] Title: {query} result {n}\n[{n}] URL Source: https://example.com/{n}\n"
        f"[{n}] Description: About {query}\n[{n}] Markdown Content:\nContent {n} about {query}\n"
        for n in range(1, 6)
    )


def page_content(url: str) -> str:
    """What r.jina.ai answers for `url`."""
    return f"Title: Page at {url}\n\nURL Source: {url}\n\nMarkdown Content:\nThe readable text of {url}."


@dataclass
class FakeJina(FakeProvider):
    pages: dict[str, str] = field(default_factory=dict)


@contextmanager
def fake_jina() -> Iterator[FakeJina]:
    state = FakeJina()
    app = provider_app("fake-jina", state)

    def authorized() -> bool:
        return bearer_token() == API_KEY

    @app.get("/search/<path:query>")
    def search(query: str) -> Response:
        if not authorized():
            return json_response(UNAUTHORIZED, 401)
        return Response(search_results(unquote(query)), mimetype="text/plain")

    @app.get("/reader/<path:url>")
    def read(url: str) -> Response:
        if bearer_token() and not authorized():
            return json_response(UNAUTHORIZED, 401)
        return Response(state.pages.get(url) or page_content(url), mimetype="text/plain")

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {
            "JINA_SEARCH_BASE_URL": f"{base_url}/search",
            "JINA_READER_BASE_URL": f"{base_url}/reader",
        }
        yield state
