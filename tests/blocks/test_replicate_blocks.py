"""Flux and the AI image generator against a local server speaking Replicate's prediction API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.ai_image_generator import AIImageGeneratorBlock, ImageGenModel
from apps.blocks.library.replicate_flux import ReplicateFluxAdvancedModelBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.platform import PLATFORM_CREDENTIALS
from apps.credentials.types import APIKeyCredentials
from apps.credits.costs import block_usage_cost
from tests.blocks.outputs import outputs_of
from tests.fakes import replicate
from tests.fakes.replicate import FakeReplicate, fake_replicate

KEY = APIKeyCredentials(
    id="c0ffee00-0000-4000-8000-000000000002", provider="replicate", api_key=SecretStr(replicate.API_TOKEN)
)
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="replicate", api_key=SecretStr("r8_not-the-token"))
FLUX = "/v1/models/black-forest-labs/flux-1.1-pro/predictions"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeReplicate]:
    with fake_replicate() as started:
        started.apply(settings)
        yield started


async def flux(credentials: APIKeyCredentials = KEY, **input_data: Any) -> list[tuple[str, Any]]:
    data = {"credentials": credentials.meta(), "prompt": "a lighthouse", **input_data}
    return await outputs_of(ReplicateFluxAdvancedModelBlock, data, credentials=credentials)


async def image(credentials: APIKeyCredentials = KEY, **input_data: Any) -> list[tuple[str, Any]]:
    data = {"credentials": credentials.meta(), "prompt": "a lighthouse", **input_data}
    return await outputs_of(AIImageGeneratorBlock, data, credentials=credentials)


async def test_flux_creates_a_prediction_with_every_setting_and_polls_it_to_its_first_image(
    fake: FakeReplicate,
) -> None:
    fake.polls_to_finish = 3
    fake.outputs["black-forest-labs/flux-1.1-pro"] = [
        "https://replicate.delivery/a.png",
        "https://replicate.delivery/b.png",
    ]

    outputs = await flux(replicate_model_name="Flux Pro 1.1", seed=7, output_format="png", aspect_ratio="16:9")

    assert outputs == [("result", "https://replicate.delivery/a.png")]
    (created,) = fake.requests_to(FLUX)
    assert created.headers["Authorization"] == f"Bearer {replicate.API_TOKEN}"
    assert "Prefer" not in created.headers
    assert created.json() == {
        "input": {
            "prompt": "a lighthouse", "seed": 7, "steps": 25, "guidance": 3.0, "interval": 2.0,
            "aspect_ratio": "16:9", "output_format": "png", "output_quality": 80, "safety_tolerance": 2,
        }
    }  # fmt: skip
    assert len(fake.requests_to("/v1/predictions/pred0001")) == 3


async def test_flux_without_a_seed_sends_a_random_one(fake: FakeReplicate) -> None:
    await flux()
    await flux()

    seeds = [prediction["input"]["seed"] for prediction in fake.created()]
    assert all(isinstance(seed, int) and 0 <= seed < 2**32 for seed in seeds)
    assert seeds[0] != seeds[1]


async def test_flux_text_output_is_joined_as_upstream_reads_it(fake: FakeReplicate) -> None:
    fake.outputs["black-forest-labs/flux-schnell"] = ["no ", "image"]

    assert await flux() == [("result", "no image")]


async def test_a_failed_prediction_is_the_nodes_error_with_replicates_text(fake: FakeReplicate) -> None:
    fake.fail_model("black-forest-labs/flux-schnell", "NSFW content detected. Try running it again.")

    with pytest.raises(BlockExecutionError, match="NSFW content detected"):
        await flux()


async def test_a_wrong_token_fails_with_replicates_message_and_no_token(fake: FakeReplicate) -> None:
    with pytest.raises(BlockExecutionError, match="Replicate answered 401: You did not pass a valid") as raised:
        await flux(credentials=WRONG_KEY)
    assert "r8_not-the-token" not in str(raised.value)
    assert fake.created() == []


async def test_a_throttled_replicate_is_retried_later_with_its_wait(fake: FakeReplicate) -> None:
    fake.reply_next(FLUX, 429, replicate.THROTTLED, {"Retry-After": "1"})

    with pytest.raises(
        ProviderUnavailableError, match=r"Replicate answered 429: Request was throttled.* \(retry after 1s\)"
    ):
        await flux(replicate_model_name="Flux Pro 1.1")
    assert ReplicateFluxAdvancedModelBlock.retry is not None
    assert ProviderUnavailableError in ReplicateFluxAdvancedModelBlock.retry.retry_on
    assert fake.created() == []


@pytest.mark.parametrize(
    ("model", "style", "replicate_model", "expected_input"),
    [
        ("Recraft v3", "digital_illustration/pixel_art", "recraft-ai/recraft-v3",
         {"prompt": "a lighthouse", "size": "1365x1024", "style": "digital_illustration/pixel_art"}),
        ("Stable Diffusion 3.5 Medium", "realistic_image", "stability-ai/stable-diffusion-3.5-medium",
         {"prompt": "photorealistic of a lighthouse", "aspect_ratio": "4:3", "output_format": "webp",
          "output_quality": 90, "steps": 40, "cfg_scale": 7.0}),
        ("Flux 1.1 Pro Ultra", "any", "black-forest-labs/flux-1.1-pro-ultra",
         {"prompt": "a lighthouse", "width": 1365, "height": 1024, "aspect_ratio": "4:3", "output_format": "jpg",
          "output_quality": 90}),
    ],
)  # fmt: skip
async def test_the_image_generator_maps_size_and_style_to_each_models_input(
    fake: FakeReplicate, model: str, style: str, replicate_model: str, expected_input: dict[str, Any]
) -> None:
    outputs = await image(model=model, size="landscape", style=style)

    (prediction,) = fake.created()
    assert (prediction["model"], prediction["input"]) == (replicate_model, expected_input)
    expected_url = fake.outputs[replicate_model]
    assert outputs == [("image_url", expected_url[0] if isinstance(expected_url, list) else expected_url)]


async def test_the_image_generator_reports_failures_on_its_error_pin(fake: FakeReplicate) -> None:
    fake.fail_model("stability-ai/stable-diffusion-3.5-medium", "CUDA out of memory")
    with pytest.raises(
        BlockExecutionError,
        match=r"^Failed to generate image: Unexpected error during model execution: CUDA out of memory$",
    ):
        await image()

    fake.failing_models.clear()
    fake.outputs["stability-ai/stable-diffusion-3.5-medium"] = []
    with pytest.raises(BlockExecutionError, match=r"^Image generation returned an empty result\.$"):
        await image()


def test_costs_are_upstreams_and_only_on_platform_credentials() -> None:
    platform = next(c for c in PLATFORM_CREDENTIALS if c.provider == "replicate")
    on_platform = {"id": platform.id, "provider": "replicate", "type": "api_key"}

    assert block_usage_cost(block=ReplicateFluxAdvancedModelBlock(), input_data={"credentials": on_platform})[0] == 10
    prices = {
        model: block_usage_cost(block=AIImageGeneratorBlock(), input_data={"credentials": on_platform, "model": model})[
            0
        ]
        for model in ImageGenModel
    }
    assert prices == {
        ImageGenModel.SD3_5: 5,
        ImageGenModel.FLUX: 6,
        ImageGenModel.FLUX_ULTRA: 10,
        ImageGenModel.RECRAFT: 7,
    }
    assert block_usage_cost(block=ReplicateFluxAdvancedModelBlock(), input_data={"credentials": KEY.meta()})[0] == 0
