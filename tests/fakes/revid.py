"""revid.ai's public API (v2): start a render, then ask for its status until the video is ready.

`POST /api/public/v2/render` with the `key` header and a JSON body carrying
`creationParams.inputText` answers `{"success": 1, "pid"}`; `GET /api/public/v2/status?pid=`
answers `queued`, then `generating` until the render has been looked at `polls_to_finish`
times, then `ready` with its `videoUrl` (upstream's sample URL unless `video_url` says
otherwise). `end_renders_with` makes renders end another way (`{"status": "error", "error"}`,
`{"status": "FAILED", "message"}`). Refusals carry revid's envelope, `{"success": 0, "error"}`:
401 for a missing or wrong key, 400 for a body without a script or a status without `pid`, 404
for an unknown `pid`; `reply_next` scripts a 429 with `Retry-After` or an outage.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request

from tests.fakes.provider import FakeProvider, json_response, provider_app
from tests.fakes.server import serve

# Upstream's test key, so the block's own self-test authenticates as it is written.
API_KEY = "mock-revid-api-key"
SAMPLE_VIDEO_URL = "https://example.com/video.mp4"
RENDER = "/api/public/v2/render"
STATUS = "/api/public/v2/status"

UNAUTHORIZED = {"success": 0, "error": "Invalid API key"}
TOO_MANY_REQUESTS = {"success": 0, "error": "Too many requests, please try again later"}


@dataclass
class FakeRevid(FakeProvider):
    video_url: str = SAMPLE_VIDEO_URL
    polls_to_finish: int = 1
    # What a finished render's status says instead of `ready` (an error, a cancellation).
    final_answer: dict[str, Any] | None = None
    renders: dict[str, dict[str, Any]] = field(default_factory=dict)
    _polls: dict[str, int] = field(default_factory=dict)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        super().reset()
        self.video_url = SAMPLE_VIDEO_URL
        self.polls_to_finish = 1
        self.final_answer = None
        self.renders.clear()
        self._polls.clear()

    def end_renders_with(self, answer: dict[str, Any]) -> None:
        """Renders finish with this status answer instead of a ready video."""
        self.final_answer = answer

    def created(self) -> list[dict[str, Any]]:
        """The render requests received, oldest first."""
        return list(self.renders.values())


def _refusal(status: int, error: str) -> Response:
    return json_response({"success": 0, "error": error}, status)


def _app(revid: FakeRevid) -> Flask:
    app = provider_app("fake-revid", revid)

    @app.before_request
    def authenticate() -> Response | None:
        if request.headers.get("key") != API_KEY:
            return json_response(UNAUTHORIZED, 401)
        return None

    @app.post(RENDER)
    def render() -> Response:
        body = request.get_json(silent=True)
        params = body.get("creationParams") if isinstance(body, dict) else None
        if not isinstance(params, dict) or not isinstance(params.get("inputText"), str) or not params["inputText"]:
            return _refusal(400, "creationParams.inputText is required")
        pid = f"pid{next(revid._numbers):04d}"
        revid.renders[pid] = body
        revid._polls[pid] = 0
        return json_response({"success": 1, "pid": pid})

    @app.get(STATUS)
    def status() -> Response:
        pid = request.args.get("pid", "")
        if not pid:
            return _refusal(400, "pid is required")
        if pid not in revid.renders:
            return _refusal(404, "Project not found")
        revid._polls[pid] += 1
        looks = revid._polls[pid]
        if looks < revid.polls_to_finish:
            return json_response({"pid": pid, "status": "queued" if looks == 1 else "generating"})
        if revid.final_answer is not None:
            return json_response({"pid": pid, **revid.final_answer})
        return json_response({"pid": pid, "status": "ready", "videoUrl": revid.video_url})

    return app


@contextmanager
def fake_revid() -> Iterator[FakeRevid]:
    revid = FakeRevid()
    with serve(_app(revid)) as base_url:
        revid.base_url = base_url
        revid.settings_urls = {"REVID_BASE_URL": base_url}
        yield revid
