"""TranscribeYoutubeVideo through a fake Webshare proxy in front of a fake YouTube."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.youtube import TranscribeYoutubeVideoBlock, extract_video_id, transcript_lines
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.types import UserPasswordCredentials
from tests.blocks.outputs import outputs_of
from tests.fakes import youtube
from tests.fakes.youtube import FakeYouTube, Track, fake_youtube

PROXY = UserPasswordCredentials(
    id="c0ffee00-0000-4000-8000-000000000002",
    provider="webshare_proxy",
    username=SecretStr(youtube.USERNAME),
    password=SecretStr(youtube.PASSWORD),
)


@pytest.fixture
def fake(settings) -> Iterator[FakeYouTube]:
    with fake_youtube() as started:
        started.apply(settings)
        yield started


async def transcribe(url: str, credentials: UserPasswordCredentials = PROXY) -> list[tuple[str, str]]:
    return await outputs_of(
        TranscribeYoutubeVideoBlock, {"youtube_url": url, "credentials": credentials.meta()}, credentials=credentials
    )


@pytest.mark.parametrize(
    ("url", "video_id"),
    [
        ("https://www.youtube.com/watch?v=abc123&t=5", "abc123"),
        ("https://youtu.be/abc123", "abc123"),
        ("https://youtube.com/embed/abc123", "abc123"),
        ("https://www.youtube.com/v/abc123", "abc123"),
        ("https://www.youtube.com/shorts/abc123", "abc123"),
    ],
)
def test_video_ids_are_read_from_every_youtube_url_form(url: str, video_id: str) -> None:
    assert extract_video_id(url) == video_id


def test_a_url_that_is_not_youtube_is_refused_with_upstreams_message() -> None:
    with pytest.raises(ValueError, match=r"^Invalid YouTube URL: https://vimeo.com/1$"):
        extract_video_id("https://vimeo.com/1")


async def test_the_english_track_is_fetched_through_the_rotating_proxy(fake: FakeYouTube) -> None:
    outputs = await transcribe("https://youtu.be/dQw4w9WgXcQ")

    assert outputs == [("video_id", "dQw4w9WgXcQ"), ("transcript", "Never gonna give you up\nNever gonna let you down")]
    assert [received.path for received in fake.requests] == ["/watch", "/youtubei/v1/player", "/api/timedtext"]
    assert fake.requests[0].headers["Host"] == youtube.YOUTUBE_HOST
    assert fake.requests[1].json()["videoId"] == "dQw4w9WgXcQ"


async def test_a_manual_english_track_wins_over_a_generated_one(fake: FakeYouTube) -> None:
    fake.videos["both"] = [Track("en", ["machine words"], kind="asr"), Track("en", ["human &amp; words"])]

    outputs = await transcribe("https://www.youtube.com/watch?v=both")

    assert outputs[1] == ("transcript", "human & words")


async def test_without_english_the_first_manual_track_is_used(fake: FakeYouTube) -> None:
    fake.videos["french"] = [Track("es", ["hola"], kind="asr"), Track("fr", ["bonjour", "monde"])]

    assert (await transcribe("https://youtu.be/french"))[1] == ("transcript", "bonjour\nmonde")


async def test_a_video_without_subtitles_says_so(fake: FakeYouTube) -> None:
    fake.videos["silent"] = []

    with pytest.raises(BlockExecutionError, match="video silent: Subtitles are disabled for this video"):
        await transcribe("https://youtu.be/silent")


async def test_an_unavailable_video_gives_youtubes_reason(fake: FakeYouTube) -> None:
    with pytest.raises(BlockExecutionError, match="video gone: This video is unavailable"):
        await transcribe("https://youtu.be/gone")


async def test_wrong_proxy_credentials_fail_with_the_proxys_407(fake: FakeYouTube) -> None:
    wrong = UserPasswordCredentials(
        id=PROXY.id, provider="webshare_proxy", username=SecretStr("someone"), password=SecretStr("nope")
    )

    with pytest.raises(BlockExecutionError, match="YouTube answered 407"):
        await transcribe("https://youtu.be/dQw4w9WgXcQ", wrong)


async def test_a_rate_limited_player_request_is_retried_later(fake: FakeYouTube) -> None:
    fake.reply_next("/youtubei/v1/player", 429, {"error": {"code": 429, "message": "Too many requests"}})

    with pytest.raises(ProviderUnavailableError, match="YouTube answered 429: Too many requests"):
        await transcribe("https://youtu.be/dQw4w9WgXcQ")


def test_a_caption_track_declaring_entities_is_refused() -> None:
    with pytest.raises(ValueError, match="DOCTYPE"):
        transcript_lines('<!DOCTYPE x [<!ENTITY a "aaaa">]><transcript><text>&a;</text></transcript>')
