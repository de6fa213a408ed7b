"""AIShortformVideoCreator against a local server speaking revid.ai's render and status API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.revid import AIShortformVideoCreatorBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.platform import PLATFORM_CREDENTIALS
from apps.credentials.types import APIKeyCredentials
from apps.credits.costs import block_usage_cost
from tests.blocks.outputs import outputs_of
from tests.fakes import revid
from tests.fakes.revid import RENDER, STATUS, FakeRevid, fake_revid

KEY = APIKeyCredentials(id="c0ffee00-0000-4000-8000-000000000016", provider="revid", api_key=SecretStr(revid.API_KEY))
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="revid", api_key=SecretStr("not-the-revid-key"))
SCRIPT = "[close-up of a lighthouse] The light never sleeps.\n[waves at night] Neither do we."
# The node as the "AI Video Generator" agent saves it.
AGENT_SETTINGS = {
    "ratio": "9 / 16",
    "voice": "Brian",
    "frame_rate": 30,
    "resolution": "720p",
    "video_style": "movingImage",
    "background_music": "Bladerunner 2049",
    "generation_preset": "Default",
}


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeRevid]:
    with fake_revid() as started:
        started.apply(settings)
        yield started


async def video(
    credentials: APIKeyCredentials = KEY, node_exec_id: str | None = None, **input_data: Any
) -> list[tuple[str, Any]]:
    data = {"credentials": credentials.meta(), "script": SCRIPT, **input_data}
    return await outputs_of(
        AIShortformVideoCreatorBlock, data, credentials=credentials, node_exec_id=node_exec_id or str(uuid.uuid4())
    )


async def test_the_agents_settings_start_one_render_that_is_polled_until_its_video_is_ready(fake: FakeRevid) -> None:
    fake.polls_to_finish = 3
    fake.video_url = "https://cdn.revid.ai/renders/lighthouse.mp4"

    outputs = await video(**AGENT_SETTINGS)

    assert outputs == [("video_url", "https://cdn.revid.ai/renders/lighthouse.mp4")]
    (created,) = fake.requests_to(RENDER)
    assert created.headers["Key"] == revid.API_KEY
    assert "Authorization" not in created.headers
    assert created.json() == {
        "frameRate": 30, "resolution": "720p", "frameDurationMultiplier": 18, "webhook": None,
        "creationParams": {
            "mediaType": "movingImage", "captionPresetName": "Wrap 1", "selectedVoice": "nPczCjzI2devNBz1zQrb",
            "hasEnhancedGeneration": True, "generationPreset": "LEONARDO", "selectedAudio": "Bladerunner 2049",
            "origin": "/create", "inputText": SCRIPT, "flowType": "text-to-video", "slug": "create-tiktok-video",
            "hasToGenerateVoice": True, "hasToTranscript": False, "hasToSearchMedia": True, "hasAvatar": False,
            "hasWebsiteRecorder": False, "hasTextSmallAtBottom": False, "ratio": "9 / 16",
            "sourceType": "contentScraping", "selectedStoryStyle": {"value": "custom", "label": "Custom"},
            "hasToGenerateVideos": True, "audioUrl": "https://cdn.tfrv.xyz/audio/_bladerunner-2049.mp3",
        },
    }  # fmt: skip
    polls = fake.requests_to(STATUS)
    assert [poll.query for poll in polls] == [{"pid": "pid0001"}] * 3
    assert all(poll.headers["Key"] == revid.API_KEY for poll in polls)


async def test_stock_footage_is_not_generated_and_upstreams_defaults_are_sent(fake: FakeRevid) -> None:
    await video()

    (created,) = fake.created()
    params = created["creationParams"]
    assert (created["frameRate"], created["resolution"], params["ratio"]) == (60, "720p", "9 / 16")
    assert (params["mediaType"], params["hasToGenerateVideos"]) == ("stockVideo", False)
    assert (params["selectedVoice"], params["generationPreset"]) == ("pFZP5JQG7iQjIQuC4Bku", "LEONARDO")
    assert (params["selectedAudio"], params["audioUrl"]) == (
        "Highway Nocturne",
        "https://cdn.tfrv.xyz/audio/highway-nocturne.mp3",
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"status": "error", "error": "Script too long for the selected plan"},
         "Video creation failed: Script too long for the selected plan"),
        ({"status": "error"}, "Video creation failed: Unknown error occurred"),
        ({"status": "CANCELED", "message": "Render canceled by the user"},
         "Video creation failed: Render canceled by the user"),
        ({"status": "FAILED", "message": "No footage found"}, "Video creation failed: No footage found"),
    ],
)  # fmt: skip
async def test_a_render_revid_fails_is_the_nodes_error_in_upstreams_words(
    fake: FakeRevid, answer: dict[str, Any], message: str
) -> None:
    fake.end_renders_with(answer)

    with pytest.raises(BlockExecutionError, match=f"^{message}$"):
        await video()


async def test_a_status_check_revid_throttles_or_cannot_answer_is_asked_again_without_a_second_render(
    fake: FakeRevid,
) -> None:
    fake.reply_next(STATUS, 429, revid.TOO_MANY_REQUESTS, {"Retry-After": "1"})
    fake.reply_next(STATUS, 503, "Service Unavailable")

    assert await video() == [("video_url", revid.SAMPLE_VIDEO_URL)]
    assert len(fake.created()) == 1
    assert len(fake.requests_to(STATUS)) == 3


async def test_a_render_that_never_finishes_times_out_with_the_last_failure(fake: FakeRevid, settings: Any) -> None:
    settings.REVID_WAIT_SECONDS = 0.2
    fake.polls_to_finish = 10_000
    with pytest.raises(BlockExecutionError, match=r"^Video creation timed out$"):
        await video()

    for _ in range(1000):
        fake.reply_next(STATUS, 503, "Service Unavailable")
    with pytest.raises(
        BlockExecutionError, match=r"^Video creation timed out \(last status check: revid answered 503: Service"
    ):
        await video()
    assert len(fake.created()) == 2


async def test_a_node_run_again_resumes_its_render_instead_of_paying_for_another(
    fake: FakeRevid, settings: Any
) -> None:
    node_exec_id = str(uuid.uuid4())
    settings.REVID_WAIT_SECONDS = 0.1
    fake.polls_to_finish = 10_000
    with pytest.raises(BlockExecutionError, match="timed out"):
        await video(node_exec_id=node_exec_id)

    fake.polls_to_finish = 1
    assert await video(node_exec_id=node_exec_id) == [("video_url", revid.SAMPLE_VIDEO_URL)]
    assert len(fake.created()) == 1
    assert {poll.query["pid"] for poll in fake.requests_to(STATUS)} == {"pid0001"}

    await video()
    assert len(fake.created()) == 2


async def test_without_the_cache_the_render_still_runs(fake: FakeRevid, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }

    assert await video() == [("video_url", revid.SAMPLE_VIDEO_URL)]
    assert len(fake.created()) == 1


async def test_a_wrong_key_fails_with_revids_message_and_without_the_key(fake: FakeRevid) -> None:
    with pytest.raises(BlockExecutionError, match=r"^revid answered 401: Invalid API key$") as raised:
        await video(credentials=WRONG_KEY)

    assert "not-the-revid-key" not in str(raised.value)
    assert fake.created() == []


async def test_a_throttled_render_request_is_handed_back_to_the_engine_to_retry(fake: FakeRevid) -> None:
    fake.reply_next(RENDER, 429, revid.TOO_MANY_REQUESTS, {"Retry-After": "30"})

    with pytest.raises(ProviderUnavailableError, match=r"revid answered 429: Too many requests.* \(retry after 30s\)"):
        await video()
    assert AIShortformVideoCreatorBlock.retry is not None
    assert ProviderUnavailableError in AIShortformVideoCreatorBlock.retry.retry_on
    assert fake.created() == []


async def test_a_gateway_error_on_the_render_request_is_not_retried(fake: FakeRevid) -> None:
    # revid may have started the render before its gateway gave up: trying again would pay twice.
    fake.reply_next(RENDER, 504, "Gateway Timeout")

    with pytest.raises(BlockExecutionError, match=r"^revid answered 504: Gateway Timeout$"):
        await video()


async def test_an_answer_without_a_project_id_fails_in_upstreams_words(fake: FakeRevid) -> None:
    fake.reply_next(RENDER, 200, {"success": 1})

    with pytest.raises(BlockExecutionError, match=r"^Failed to create video: No project ID returned$"):
        await video()
    assert fake.requests_to(STATUS) == []


async def test_a_status_for_a_project_revid_does_not_know_fails_at_once(fake: FakeRevid) -> None:
    fake.reply_next(RENDER, 200, {"success": 1, "pid": "pid-unknown"})

    with pytest.raises(BlockExecutionError, match=r"^revid answered 404: Project not found$"):
        await video()
    assert len(fake.requests_to(STATUS)) == 1


def test_the_options_exported_agents_store_are_accepted_and_listed_in_the_schema() -> None:
    block = AIShortformVideoCreatorBlock()
    parsed = block.parse_input({"credentials": KEY.meta(), "script": SCRIPT, **AGENT_SETTINGS})
    schema = json.dumps(block.Input.jsonschema())

    assert (parsed.voice.voice_id, parsed.background_music.audio_url) == (
        "nPczCjzI2devNBz1zQrb",
        "https://cdn.tfrv.xyz/audio/_bladerunner-2049.mp3",
    )
    for value in ("Bladerunner 2049", "Twin Tyches", "Sketch B&W", "Eva", "aiVideo"):
        assert json.dumps(value) in schema


def test_the_price_is_upstreams_307_credits_and_only_on_platform_credentials() -> None:
    platform = next(c for c in PLATFORM_CREDENTIALS if c.provider == "revid")
    on_platform = {"id": platform.id, "provider": "revid", "type": "api_key"}
    block = AIShortformVideoCreatorBlock()

    assert block_usage_cost(block=block, input_data={"credentials": on_platform})[0] == 307
    assert block_usage_cost(block=block, input_data={"credentials": KEY.meta()})[0] == 0
