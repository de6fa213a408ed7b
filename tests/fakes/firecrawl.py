"""Firecrawl's v2 API: crawl and extract jobs (started, then polled), and map.

`POST /v2/crawl` and `POST /v2/extract` answer `{"success": true, "id"}`; `GET
/v2/crawl/{id}` answers `scraping` for the first `polls_until_done` looks, then `completed`
with its documents, `page_size` at a time with a `next` URL (on Firecrawl's public host, as
the real API writes it) while more remain; `GET /v2/extract/{id}` likewise with `processing`.
`POST /v2/map` answers the site's links. A wrong key gets Firecrawl's 401 body; `reply_next`
scripts the 429 (`RATE_LIMITED`, with `Retry-After`) or 402. Pages are generated from the URL
(`Page n of <url>`), so answers are deterministic; `requests` records what the blocks sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from tests.fakes.provider import FakeProvider, bearer_token, json_response, provider_app
from tests.fakes.server import serve

API_KEY = "mock-firecrawl-api-key"
PUBLIC_HOST = "https://api.firecrawl.dev"
UNAUTHORIZED = {"success": False, "error": "Unauthorized: Invalid token"}
RATE_LIMITED = {
    "success": False,
    "error": "Rate limit exceeded. Consumed (req/min): 11, Remaining (req/min): 0. Upgrade your plan at "
    "https://firecrawl.dev/pricing for increased rate limits or please retry after 10s, resets at "
    "Thu Oct 30 2025 12:00:10 GMT+0000 (Coordinated Universal Time)",
}
PAYMENT_REQUIRED = {
    "success": False,
    "error": "Insufficient credits to perform this request. For more credits, you can upgrade your plan at "
    "https://firecrawl.dev/pricing",
}
SITE_PATHS = ("", "/about", "/pricing")


@dataclass
class FakeFirecrawl(FakeProvider):
    polls_until_done: int = 1
    page_size: int = 10
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)


def document(url: str, n: int, formats: list[Any]) -> dict[str, Any]:
    page_url = f"{url.rstrip('/')}/page-{n}"
    names = {item if isinstance(item, str) else item.get("type") for item in formats}
    body: dict[str, Any] = {
        "markdown": f"# Page {n} of {url}",
        "html": f"<h1>Page {n} of {url}</h1>",
        "rawHtml": f"<html><body><h1>Page {n} of {url}</h1></body></html>",
        "links": [f"{url.rstrip('/')}/page-{n + 1}"],
        "screenshot": f"https://screenshots.firecrawl.dev/page-{n}.png",
        "json": {"title": f"Page {n}"},
        "changeTracking": {"changeStatus": "new", "visibility": "visible"},
    }
    kept = {name: value for name, value in body.items() if name in names}
    return {**kept, "metadata": {"title": f"Page {n}", "sourceURL": page_url, "url": page_url, "statusCode": 200}}


@contextmanager
def fake_firecrawl() -> Iterator[FakeFirecrawl]:
    state = FakeFirecrawl()
    app = provider_app("fake-firecrawl", state)
    ids = itertools.count(1)

    @app.before_request
    def authenticate() -> Response | None:
        if bearer_token() != API_KEY:
            return json_response(UNAUTHORIZED, 401)
        return None

    def start(kind: str, job: dict[str, Any]) -> Response:
        job_id = f"{kind}-{next(ids):04d}-0000-4000-8000-000000000000"
        state.jobs[job_id] = {**job, "kind": kind, "polls": 0}
        return json_response({"success": True, "id": job_id, "url": f"{PUBLIC_HOST}/v2/{kind}/{job_id}"})

    def poll(kind: str, job_id: str) -> dict[str, Any] | None:
        job = state.jobs.get(job_id)
        if job is None or job["kind"] != kind:
            return None
        job["polls"] += 1
        return job

    @app.post("/v2/crawl")
    def crawl() -> Response:
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("url"), str):
            return json_response({"success": False, "error": "Bad Request", "details": [{"path": ["url"]}]}, 400)
        options = body.get("scrapeOptions") or {}
        pages = [
            document(body["url"], n, options.get("formats", ["markdown"])) for n in range(1, body.get("limit", 10) + 1)
        ]
        return start("crawl", {"pages": pages})

    @app.get("/v2/crawl/<job_id>")
    def crawl_status(job_id: str) -> Response:
        job = poll("crawl", job_id)
        if job is None:
            return json_response({"success": False, "error": "Job not found"}, 404)
        total = len(job["pages"])
        if job["polls"] <= state.polls_until_done:
            return json_response({"success": True, "status": "scraping", "total": total, "completed": 0, "data": []})
        skip = int(request.args.get("skip", 0))
        end = skip + state.page_size
        body: dict[str, Any] = {
            "success": True,
            "status": "completed",
            "total": total,
            "completed": total,
            "creditsUsed": total,
            "expiresAt": "2025-11-01T00:00:00.000Z",
            "data": job["pages"][skip:end],
            "next": f"{PUBLIC_HOST}/v2/crawl/{job_id}?skip={end}" if end < total else None,
        }
        return json_response(body)

    @app.post("/v2/extract")
    def extract() -> Response:
        body = request.get_json(silent=True) or {}
        urls = body.get("urls")
        if not isinstance(urls, list) or not urls:
            return json_response({"success": False, "error": "Bad Request", "details": [{"path": ["urls"]}]}, 400)
        data = {"answer": f"Extracted from {', '.join(urls)}: {body.get('prompt') or 'everything'}"}
        if body.get("schema"):
            data = {name: f"{name} of {urls[0]}" for name in (body["schema"].get("properties") or {})}
        return start("extract", {"data": data})

    @app.get("/v2/extract/<job_id>")
    def extract_status(job_id: str) -> Response:
        job = poll("extract", job_id)
        if job is None:
            return json_response({"success": False, "error": "Extract job not found"}, 404)
        if job["polls"] <= state.polls_until_done:
            return json_response({"success": True, "status": "processing"})
        return json_response(
            {"success": True, "status": "completed", "data": job["data"], "expiresAt": "2025-11-01T00:00:00.000Z"}
        )

    @app.post("/v2/map")
    def map_site() -> Response:
        url = str((request.get_json(silent=True) or {}).get("url", "")).rstrip("/")
        host = url.split("//")[-1]
        titles = [path.strip("/").title() or "Home" for path in SITE_PATHS]
        links = [
            {"url": f"{url}{path}", "title": title, "description": f"{title} {host}"}
            for path, title in zip(SITE_PATHS, titles, strict=True)
        ]
        return json_response({"success": True, "links": links})

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"FIRECRAWL_BASE_URL": base_url}
        yield state
