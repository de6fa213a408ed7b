"""A YouTube video's transcript, through the user's Webshare rotating proxy (upstream's `blocks/youtube.py`).

Upstream uses `youtube-transcript-api`, whose YouTube host is fixed; the same exchange is made
here with httpx so the host is a setting: the watch page gives the InnerTube key, the player
endpoint lists the caption tracks, and the chosen track is read as timed-text XML. English is
preferred (a manual track over a generated one), else the first track, as upstream.
"""

from __future__ import annotations

import html
import re
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlparse
from xml.etree import ElementTree

from django.conf import settings
from pydantic import SecretStr

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import UserPasswordCredentials

WebshareProxyCredentialsInput = CredentialsMetaInput[Literal[ProviderName.WEBSHARE_PROXY], Literal["user_password"]]

TEST_CREDENTIALS = UserPasswordCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="webshare_proxy",
    username=SecretStr("mock-webshare-username"),
    password=SecretStr("mock-webshare-password"),
    title="Mock Webshare Proxy credentials",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()

SERVICE = "YouTube"
INNERTUBE_KEY = re.compile(r'"INNERTUBE_API_KEY":\s*"([a-zA-Z0-9_-]+)"')
# The client youtube-transcript-api presents to the player endpoint.
INNERTUBE_CONTEXT = {"client": {"clientName": "ANDROID", "clientVersion": "20.10.38"}}
VIDEO_PATHS = ("/embed/", "/v/", "/shorts/")


def extract_video_id(url: str) -> str:
    parsed = urlparse(url)
    if parsed.netloc == "youtu.be":
        return parsed.path[1:]
    if parsed.netloc in ("www.youtube.com", "youtube.com"):
        if parsed.path == "/watch" and (ids := parse_qs(parsed.query).get("v")):
            return ids[0]
        if parsed.path.startswith(VIDEO_PATHS):
            return parsed.path.split("/")[2]
    raise ValueError(f"Invalid YouTube URL: {url}")


def proxy_url(credentials: UserPasswordCredentials) -> str:
    """Webshare's rotating endpoint: the account's username with `-rotate`, as `WebshareProxyConfig` builds it."""
    scheme, _, host = settings.WEBSHARE_PROXY_URL.partition("://")
    username = quote(credentials.username.get_secret_value() + "-rotate", safe="")
    password = quote(credentials.password.get_secret_value(), safe="")
    return f"{scheme}://{username}:{password}@{host}"


def choose_track(tracks: list[dict[str, Any]]) -> dict[str, Any]:
    manual = [track for track in tracks if track.get("kind") != "asr"]
    generated = [track for track in tracks if track.get("kind") == "asr"]
    ordered = manual + generated
    english = [track for track in ordered if track.get("languageCode") == "en"]
    return (english or ordered)[0]


def transcript_lines(xml_text: str) -> list[str]:
    # Timed text never declares entities; refusing a DOCTYPE rules out entity-expansion bombs.
    if "<!DOCTYPE" in xml_text or "<!ENTITY" in xml_text:
        raise ValueError("YouTube answered a caption track with a DOCTYPE, which timed text never has")
    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError as error:
        raise ValueError(f"YouTube answered a caption track that is not timed-text XML: {error}") from error
    return [html.unescape(element.text) for element in root.iter("text") if element.text]


class TranscribeYoutubeVideoBlock(Block):
    id = "f3a8f7e1-4b1d-4e5f-9f2a-7c3d5a2e6b4c"
    description = "Transcribes a YouTube video using a proxy."
    categories = frozenset({BlockCategory.SOCIAL})
    costs = (BlockCost(cost_amount=1),)
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        youtube_url: str = SchemaField(
            title="YouTube URL",
            description="The URL of the YouTube video to transcribe",
            placeholder="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        )
        credentials: WebshareProxyCredentialsInput = CredentialsField(
            description="Webshare proxy credentials for fetching YouTube transcripts"
        )

    class Output(BlockSchemaOutput):
        video_id: str = SchemaField(description="The extracted YouTube video ID")
        transcript: str = SchemaField(description="The transcribed text of the video")
        error: str = SchemaField(description="Any error message if the transcription fails")

    test_input = {"youtube_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "credentials": TEST_CREDENTIALS_INPUT}
    test_output = [
        ("video_id", "dQw4w9WgXcQ"),
        ("transcript", "Never gonna give you up\nNever gonna let you down"),
    ]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: UserPasswordCredentials, **context: Any
    ) -> BlockOutput:
        video_id = extract_video_id(input_data.youtube_url)
        yield "video_id", video_id
        lines = await self.fetch_transcript(video_id, proxy=proxy_url(credentials))
        yield "transcript", "\n".join(lines)

    async def fetch_transcript(self, video_id: str, *, proxy: str) -> list[str]:
        base = provider_http.provider_url("youtube")
        headers = {"Accept-Language": "en-US"}
        page = await provider_http.request(
            SERVICE, "GET", f"{base}/watch", params={"v": video_id}, headers=headers, proxy=proxy
        )
        key = INNERTUBE_KEY.search(page.text)
        if key is None:
            raise ValueError(f"Could not retrieve a transcript for the video {video_id}: YouTube's page had no API key")
        player = await provider_http.request(
            SERVICE,
            "POST",
            f"{base}/youtubei/v1/player",
            params={"key": key.group(1)},
            json_data={"context": INNERTUBE_CONTEXT, "videoId": video_id},
            headers=headers,
            proxy=proxy,
        )
        tracks = self._caption_tracks(video_id, provider_http.json_body(player, SERVICE))
        track_url = choose_track(tracks)["baseUrl"].replace("&fmt=srv3", "")
        captions = await provider_http.request(SERVICE, "GET", track_url, headers=headers, proxy=proxy)
        return transcript_lines(captions.text)

    @staticmethod
    def _caption_tracks(video_id: str, player: dict[str, Any]) -> list[dict[str, Any]]:
        playability = player.get("playabilityStatus") or {}
        if playability.get("status") not in (None, "OK"):
            reason = playability.get("reason") or playability.get("status")
            raise ValueError(f"Could not retrieve a transcript for the video {video_id}: {reason}")
        renderer = (player.get("captions") or {}).get("playerCaptionsTracklistRenderer") or {}
        tracks = renderer.get("captionTracks") or []
        if not tracks:
            raise ValueError(
                f"Could not retrieve a transcript for the video {video_id}: Subtitles are disabled for this video"
            )
        return list(tracks)
