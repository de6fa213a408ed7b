"""YouTube behind a Webshare rotating proxy: the watch page, the InnerTube player endpoint, timed text.

The server plays the proxy (every request must carry `Proxy-Authorization` for
`<username>-rotate:<password>`, else 407 as Webshare answers) and YouTube behind it, so the
block's `YOUTUBE_BASE_URL` is a name that never resolves and only the proxy can reach it.
`videos` maps a video id to its caption tracks (`language`, `kind`: "" or "asr", `lines`);
a video not in it is unplayable, and one with no tracks has subtitles disabled.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from tests.fakes.provider import FakeProvider, json_response, provider_app
from tests.fakes.server import serve

USERNAME = "mock-webshare-username"
PASSWORD = "mock-webshare-password"
INNERTUBE_API_KEY = "AIzaSyFakeInnertubeKey0123456789"
YOUTUBE_HOST = "www.youtube.test"


@dataclass
class Track:
    language: str
    lines: list[str]
    kind: str = ""


@dataclass
class FakeYouTube(FakeProvider):
    videos: dict[str, list[Track]] = field(default_factory=dict)


DEFAULT_VIDEOS = {
    "dQw4w9WgXcQ": [
        Track("de", ["Ich gebe dich nie auf"]),
        Track("en", ["Never gonna give you up", "Never gonna let you down"], kind="asr"),
    ],
}


def _proxy_authorized() -> bool:
    header = request.headers.get("Proxy-Authorization", "")
    expected = base64.b64encode(f"{USERNAME}-rotate:{PASSWORD}".encode()).decode()
    return header == f"Basic {expected}"


def _timed_text(lines: list[str]) -> str:
    texts = "".join(f'<text start="{n * 2}.0" dur="2.0">{html.escape(line)}</text>' for n, line in enumerate(lines))
    return f'<?xml version="1.0" encoding="utf-8" ?><transcript>{texts}</transcript>'


@contextmanager
def fake_youtube() -> Iterator[FakeYouTube]:
    state = FakeYouTube(videos={video: list(tracks) for video, tracks in DEFAULT_VIDEOS.items()})
    app = provider_app("fake-youtube", state)

    @app.before_request
    def proxy_auth() -> Response | None:
        if not _proxy_authorized():
            return Response(
                "Proxy Authentication Required",
                407,
                {"Proxy-Authenticate": 'Basic realm="proxy"'},
                mimetype="text/plain",
            )
        return None

    @app.get("/watch")
    def watch() -> Response:
        page = f'<html><script>ytcfg.set({{"INNERTUBE_API_KEY": "{INNERTUBE_API_KEY}"}});</script></html>'
        return Response(page, mimetype="text/html")

    @app.post("/youtubei/v1/player")
    def player() -> Response:
        if request.args.get("key") != INNERTUBE_API_KEY:
            return json_response({"error": {"code": 400, "message": "API key not valid."}}, 400)
        body: dict[str, Any] = request.get_json(silent=True) or {}
        video_id = body.get("videoId", "")
        if video_id not in state.videos:
            return json_response({"playabilityStatus": {"status": "ERROR", "reason": "This video is unavailable"}})
        tracks = [
            {
                "baseUrl": f"http://{YOUTUBE_HOST}/api/timedtext?v={video_id}&lang={track.language}"
                f"&kind={track.kind}&fmt=srv3",
                "languageCode": track.language,
                **({"kind": track.kind} if track.kind else {}),
            }
            for track in state.videos[video_id]
        ]
        captions = {"playerCaptionsTracklistRenderer": {"captionTracks": tracks}} if tracks else None
        return json_response({"playabilityStatus": {"status": "OK"}, "captions": captions})

    @app.get("/api/timedtext")
    def timed_text() -> Response:
        if "fmt" in request.args:
            return Response("srv3 is not what the block asks for", 400)
        for track in state.videos.get(request.args.get("v", ""), []):
            if (track.language, track.kind) == (request.args.get("lang"), request.args.get("kind", "")):
                return Response(_timed_text(track.lines), mimetype="text/xml")
        return Response("", 404)

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"YOUTUBE_BASE_URL": f"http://{YOUTUBE_HOST}", "WEBSHARE_PROXY_URL": base_url}
        yield state
