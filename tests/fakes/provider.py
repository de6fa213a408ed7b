"""What every fake provider shares: a Flask app on loopback that records each request and can be scripted.

A provider module (`tests/fakes/jina.py`, ...) builds its routes on `provider_app`, checks
auth the way the real API does, and exposes a context manager yielding a `FakeProvider`.
Tests (and a real worker, through `env`) point the block's endpoint setting at `base_url`;
`reply_next` queues one canned answer for a path (an error, a 429 with `Retry-After`), and
`requests` holds everything received, in order. `reset()` forgets both (and a provider with
a seeded world, like the Gmail fake's mailbox, restores its seed), so one started fake can
serve test after test.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    # The path as sent, percent-encoding kept (`path` is decoded).
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    # Every value of each query parameter (`query` keeps the first), for repeated ones.
    query_lists: dict[str, list[str]] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeProvider:
    # Setting name -> the URL it must hold for the block to reach this fake.
    settings_urls: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    _scripted: dict[str, deque[tuple[int, Any, dict[str, str]]]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reply_next(self, path: str, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """The next request to `path` gets this answer instead of the normal one."""
        with self._lock:
            self._scripted[path].append((status, body, headers or {}))

    def reset(self) -> None:
        """Forgets the requests received and the answers still scripted."""
        with self._lock:
            self.requests.clear()
            self._scripted.clear()

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [received for received in self.requests if received.path == path]

    def env(self) -> dict[str, str]:
        """Environment for a worker process that must use this fake."""
        return dict(self.settings_urls)

    def apply(self, settings: Any) -> None:
        """Points the Django settings (pytest-django's `settings` fixture) at this fake."""
        base_urls = dict(settings.PROVIDER_BASE_URLS)
        for name, url in self.settings_urls.items():
            key = SETTING_KEYS.get(name)
            if key is None:
                setattr(settings, name, url)
            else:
                base_urls[key] = url
        settings.PROVIDER_BASE_URLS = base_urls

    def _scripted_reply(self, path: str) -> tuple[int, Any, dict[str, str]] | None:
        with self._lock:
            queue = self._scripted.get(path)
            return queue.popleft() if queue else None


# Environment variable -> its key in settings.PROVIDER_BASE_URLS.
SETTING_KEYS = {
    "JINA_SEARCH_BASE_URL": "jina_search",
    "JINA_READER_BASE_URL": "jina_reader",
    "GOOGLE_MAPS_BASE_URL": "google_maps",
    "YOUTUBE_BASE_URL": "youtube",
    "GMAIL_API_BASE_URL": "gmail",
    "GOOGLE_CALENDAR_API_BASE_URL": "google_calendar",
    "REPLICATE_BASE_URL": "replicate",
    "IDEOGRAM_BASE_URL": "ideogram",
    "DATAFORSEO_BASE_URL": "dataforseo",
    "WORDPRESS_API_BASE_URL": "wordpress",
    "FIRECRAWL_BASE_URL": "firecrawl",
    "AIRTABLE_BASE_URL": "airtable",
    "REVID_BASE_URL": "revid",
    "E2B_API_URL": "e2b",
    "E2B_SANDBOX_URL": "e2b_sandbox",
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def provider_app(name: str, state: FakeProvider) -> Flask:
    app = Flask(name)
    # Reader-style paths carry whole URLs (`/https://example.com/a`): keep their double slashes.
    app.url_map.merge_slashes = False

    @app.before_request
    def record_and_script() -> Response | None:
        state.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                raw_path=request.environ.get("RAW_URI", request.path).split("?", 1)[0],
                query=request.args.to_dict(),
                headers=dict(request.headers.items()),
                body=request.get_data(as_text=True),
                query_lists=request.args.to_dict(flat=False),
            )
        )
        scripted = state._scripted_reply(request.path)
        if scripted is None:
            return None
        status, body, headers = scripted
        if isinstance(body, str):
            return Response(body, status=status, headers=headers, mimetype="text/plain")
        return json_response(body, status, headers)

    return app


def bearer_token() -> str:
    return request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
