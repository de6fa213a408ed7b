"""Short-form videos on revid.ai, as upstream's `blocks/ai_shortform_video_block.py`.

revid has no Python SDK; its documented HTTP API is called through `provider_http` with the
`key` header: `POST /api/public/v2/render` starts a render and answers its project id (`pid`),
then `GET /api/public/v2/status?pid=` is asked every `REVID_POLL_SECONDS` until the video is
`ready` (its `videoUrl`) or has failed, for at most `REVID_WAIT_SECONDS` (upstream's 1000).

A render is paid for when it is created, so nothing here creates a second one for the same
node execution: a status check that fails for a while (429, an outage) is asked again inside
the block instead of failing the node for the engine to retry, and the render's id is kept
in the cache under the node execution, so a worker that takes over a node whose first worker
died resumes the render instead of starting another.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

import structlog
from django.conf import settings
from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted
from pydantic import SecretStr
from redis.exceptions import RedisError

from apps.blocks import provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.revid_options import AudioTrack, GenerationPreset, VisualMediaType, Voice
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

logger = structlog.get_logger(__name__)

SERVICE = "revid"
# Long enough for the render to still be running when a replacement worker resumes it.
RENDER_MEMORY_SECONDS = 6 * 3600
# After one of these, revid may have started a render whose id never reached us.
AMBIGUOUS_STATUSES = frozenset({502, 503, 504})
# django-redis wraps some connection failures and lets others through.
CACHE_FAILURES = (ConnectionInterrupted, RedisError)

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="revid",
    api_key=SecretStr("mock-revid-api-key"),
    title="Mock Revid API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()


class VideoCreationError(ValueError):
    """revid failed the render, or it did not finish in time; the message is the node's error."""


def _headers(credentials: APIKeyCredentials) -> dict[str, str]:
    return {"key": credentials.api_key.get_secret_value()}


def render_payload(input_data: AIShortformVideoCreatorBlock.Input) -> dict[str, Any]:
    """The render request upstream sends for a text-to-video clip."""
    return {
        "frameRate": input_data.frame_rate,
        "resolution": input_data.resolution,
        "frameDurationMultiplier": 18,
        # revid would call a webhook when done; the block polls instead, as upstream does.
        "webhook": None,
        "creationParams": {
            "mediaType": input_data.video_style.value,
            "captionPresetName": "Wrap 1",
            "selectedVoice": input_data.voice.voice_id,
            "hasEnhancedGeneration": True,
            # revid knows presets by upstream's member names (LEONARDO), not their labels.
            "generationPreset": input_data.generation_preset.name,
            "selectedAudio": input_data.background_music.value,
            "origin": "/create",
            "inputText": input_data.script,
            "flowType": "text-to-video",
            "slug": "create-tiktok-video",
            "hasToGenerateVoice": True,
            "hasToTranscript": False,
            "hasToSearchMedia": True,
            "hasAvatar": False,
            "hasWebsiteRecorder": False,
            "hasTextSmallAtBottom": False,
            "ratio": input_data.ratio,
            "sourceType": "contentScraping",
            "selectedStoryStyle": {"value": "custom", "label": "Custom"},
            "hasToGenerateVideos": input_data.video_style is not VisualMediaType.STOCK_VIDEOS,
            "audioUrl": input_data.background_music.audio_url,
        },
    }


async def create_render(credentials: APIKeyCredentials, payload: dict[str, Any]) -> str:
    """Starts the render; its project id."""
    try:
        answer = await provider_http.request_json(
            SERVICE,
            "POST",
            provider_http.provider_url("revid", "/api/public/v2/render"),
            headers=_headers(credentials),
            json_data=payload,
        )
    except provider_http.ProviderUnavailableError as error:
        # A 429 or an unreachable revid created nothing: the engine may try again. After a
        # gateway error it may have, and a second try would pay for a second video.
        if error.status_code in AMBIGUOUS_STATUSES:
            raise provider_http.ProviderError(str(error), status_code=error.status_code) from error
        raise
    pid = answer.get("pid") if isinstance(answer, dict) else None
    if not pid:
        raise VideoCreationError("Failed to create video: No project ID returned")
    return str(pid)


async def render_status(credentials: APIKeyCredentials, pid: str) -> dict[str, Any]:
    answer = await provider_http.request_json(
        SERVICE,
        "GET",
        provider_http.provider_url("revid", "/api/public/v2/status"),
        headers=_headers(credentials),
        params={"pid": pid},
    )
    if not isinstance(answer, dict):
        raise provider_http.ProviderError(f"{SERVICE} answered a status that is not an object: {answer!r:.200}")
    return answer


async def wait_for_video(credentials: APIKeyCredentials, pid: str) -> str:
    """The finished video's URL; asks again through passing failures until `REVID_WAIT_SECONDS` have gone."""
    deadline = time.monotonic() + settings.REVID_WAIT_SECONDS
    while True:
        last_failure = None
        try:
            status = await render_status(credentials, pid)
        except provider_http.ProviderUnavailableError as error:
            # The render is already paid for: failing the node here would have the engine
            # create another on its next attempt.
            last_failure = error
            logger.info("revid_status_unavailable", pid=pid, error=str(error))
        else:
            state = status.get("status")
            if state == "ready" and "videoUrl" in status:
                return str(status["videoUrl"])
            if state == "error":
                raise VideoCreationError(f"Video creation failed: {status.get('error', 'Unknown error occurred')}")
            if state in ("FAILED", "CANCELED"):
                raise VideoCreationError(f"Video creation failed: {status.get('message')}")
        if time.monotonic() + settings.REVID_POLL_SECONDS > deadline:
            reason = f" (last status check: {last_failure})" if last_failure else ""
            raise VideoCreationError(f"Video creation timed out{reason}")
        await asyncio.sleep(settings.REVID_POLL_SECONDS)


def _render_key(node_exec_id: str) -> str:
    return f"revid:render:{node_exec_id}"


async def remembered_render(node_exec_id: str) -> str | None:
    try:
        pid = await cache.aget(_render_key(node_exec_id))
    except CACHE_FAILURES:
        logger.warning("revid_render_memory_unavailable", node_exec_id=node_exec_id)
        return None
    return str(pid) if pid else None


async def remember_render(node_exec_id: str, pid: str) -> None:
    try:
        await cache.aset(_render_key(node_exec_id), pid, timeout=RENDER_MEMORY_SECONDS)
    except CACHE_FAILURES:
        # The render goes on; only a takeover by another worker would now start a new one.
        logger.warning("revid_render_memory_unavailable", node_exec_id=node_exec_id, pid=pid)


class AIShortformVideoCreatorBlock(Block):
    id = "361697fb-0c4f-4feb-aed3-8320c88c771b"
    description = "Creates a shortform video using revid.ai"
    categories = frozenset({BlockCategory.SOCIAL, BlockCategory.AI})
    costs = (BlockCost(cost_amount=307),)
    retry = provider_http.PROVIDER_RETRY
    # Upstream waits up to 1000 s for a render; the rest covers creating it and one last look.
    time_limit = 1080.0

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput[Literal[ProviderName.REVID], Literal["api_key"]] = CredentialsField(
            description="The revid.ai integration can be used with "
            "any API key with sufficient permissions for the blocks it is used on.",
        )
        script: str = SchemaField(
            description="1. Use short and punctuated sentences\n\n2. Use linebreaks to create a new clip\n\n"
            "3. Text outside of brackets is spoken by the AI, and [text between brackets] will be used to guide "
            "the visual generation. For example, [close-up of a cat] will show a close-up of a cat.",
            placeholder="[close-up of a cat] Meow!",
        )
        ratio: str = SchemaField(description="Aspect ratio of the video", default="9 / 16")
        resolution: str = SchemaField(description="Resolution of the video", default="720p")
        frame_rate: int = SchemaField(description="Frame rate of the video", default=60)
        generation_preset: GenerationPreset = SchemaField(
            description="Generation preset for visual style - only affects AI-generated visuals",
            default=GenerationPreset.LEONARDO,
            placeholder=GenerationPreset.LEONARDO,
        )
        background_music: AudioTrack = SchemaField(
            description="Background music track",
            default=AudioTrack.HIGHWAY_NOCTURNE,
            placeholder=AudioTrack.HIGHWAY_NOCTURNE,
        )
        voice: Voice = SchemaField(
            description="AI voice to use for narration", default=Voice.LILY, placeholder=Voice.LILY
        )
        video_style: VisualMediaType = SchemaField(
            description="Type of visual media to use for the video",
            default=VisualMediaType.STOCK_VIDEOS,
            placeholder=VisualMediaType.STOCK_VIDEOS,
        )

    class Output(BlockSchemaOutput):
        video_url: str = SchemaField(description="The URL of the created video")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "script": "[close-up of a cat] Meow!",
        "ratio": "9 / 16",
        "resolution": "720p",
        "frame_rate": 60,
        "generation_preset": GenerationPreset.LEONARDO,
        "background_music": AudioTrack.HIGHWAY_NOCTURNE,
        "voice": Voice.LILY,
        "video_style": VisualMediaType.STOCK_VIDEOS,
    }
    test_output = [("video_url", "https://example.com/video.mp4")]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, node_exec_id: str, **context: Any
    ) -> BlockOutput:
        pid = await remembered_render(node_exec_id)
        if pid is None:
            pid = await create_render(credentials, render_payload(input_data))
            await remember_render(node_exec_id, pid)
        else:
            logger.info("revid_render_resumed", pid=pid, node_exec_id=node_exec_id)
        yield "video_url", await wait_for_video(credentials, pid)
