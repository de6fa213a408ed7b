"""The Ideogram block against a local server speaking Ideogram's API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.ideogram import IdeogramModelBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.platform import PLATFORM_CREDENTIALS
from apps.credentials.types import APIKeyCredentials
from apps.credits.costs import block_usage_cost
from tests.blocks.outputs import outputs_of
from tests.fakes import ideogram
from tests.fakes.ideogram import FakeIdeogram, fake_ideogram

KEY = APIKeyCredentials(
    id="c0ffee00-0000-4000-8000-000000000003", provider="ideogram", api_key=SecretStr(ideogram.API_KEY)
)
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="ideogram", api_key=SecretStr("not-the-key"))


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeIdeogram]:
    with fake_ideogram() as started:
        started.apply(settings)
        yield started


async def generate(credentials: APIKeyCredentials = KEY, **input_data: Any) -> list[tuple[str, Any]]:
    data = {"credentials": credentials.meta(), "prompt": "a cat poster", **input_data}
    return await outputs_of(IdeogramModelBlock, data, credentials=credentials)


async def test_v3_is_asked_on_its_endpoint_with_its_ratio_spelling(fake: FakeIdeogram) -> None:
    outputs = await generate(aspect_ratio="ASPECT_16_9", seed=3, negative_prompt="dogs", color_palette_name="EMBER")

    assert outputs == [("result", ideogram.GENERATED_URL)]
    (received,) = fake.requests_to("/v1/ideogram-v3/generate")
    assert received.headers["Api-Key"] == ideogram.API_KEY
    assert received.json() == {
        "prompt": "a cat poster", "aspect_ratio": "16x9", "magic_prompt": "AUTO", "style_type": "AUTO",
        "seed": 3, "negative_prompt": "dogs",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("model", "expected_extra"),
    [
        ("V_2", {"color_palette": {"members": [{"color_hex": "#000030"}, {"color_hex": "#FFFFFF"}]}}),
        ("V_1", {}),
    ],
)
async def test_older_models_get_an_image_request_with_what_each_supports(
    fake: FakeIdeogram, model: str, expected_extra: dict[str, Any]
) -> None:
    await generate(ideogram_model_name=model, style_type="ANIME", custom_color_palette=["#000030", "#FFFFFF"])

    (received,) = fake.requests_to("/generate")
    image_request = {
        "prompt": "a cat poster",
        "model": model,
        "aspect_ratio": "ASPECT_1_1",
        "magic_prompt_option": "AUTO",
    }
    if model == "V_2":
        image_request["style_type"] = "ANIME"
    assert received.json() == {"image_request": image_request, **expected_extra}


async def test_a_named_palette_wins_over_custom_colours(fake: FakeIdeogram) -> None:
    await generate(ideogram_model_name="V_2_TURBO", color_palette_name="PASTEL", custom_color_palette=["#000030"])

    assert fake.requests_to("/generate")[0].json()["color_palette"] == {"name": "PASTEL"}


async def test_upscaling_uploads_the_generated_image_and_answers_the_upscaled_url(
    fake: FakeIdeogram, settings: Any
) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True
    fake.image_url = f"{fake.base_url}/api/images/generated.png"

    outputs = await generate(upscale="AI Upscale")

    assert outputs == [("result", ideogram.UPSCALED_URL)]
    assert fake.uploads == [ideogram.PNG]
    assert fake.requests_to("/upscale")[0].headers["Api-Key"] == ideogram.API_KEY


async def test_upscaling_an_image_on_a_private_address_is_refused(fake: FakeIdeogram) -> None:
    fake.image_url = f"{fake.base_url}/api/images/generated.png"

    with pytest.raises(BlockExecutionError, match=r"Refusing to connect to 127\.0\.0\.1"):
        await generate(upscale="AI Upscale")
    assert fake.uploads == []


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (422, ideogram.UNSAFE, "Invalid request parameters: Ideogram answered 422: Prompt or provided image failed"),
        (400, {"error": "Invalid model"}, "Invalid request parameters: Ideogram answered 400: Invalid model"),
        (402, {"error": "Insufficient credits"}, "Client error: Ideogram answered 402: Insufficient credits"),
        (500, {"error": "boom"}, "Ideogram server error: Ideogram answered 500: boom"),
    ],
)
async def test_ideograms_refusals_read_as_upstreams(fake: FakeIdeogram, status: int, body: Any, message: str) -> None:
    fake.reply_next("/v1/ideogram-v3/generate", status, body)

    with pytest.raises(BlockExecutionError, match=message):
        await generate()


async def test_a_wrong_key_is_named_without_the_key(fake: FakeIdeogram) -> None:
    with pytest.raises(BlockExecutionError, match="Invalid or expired API key") as raised:
        await generate(credentials=WRONG_KEY)
    assert "not-the-key" not in str(raised.value)


async def test_a_rate_limit_is_retried_later(fake: FakeIdeogram) -> None:
    fake.reply_next("/v1/ideogram-v3/generate", 429, {"error": "Too many requests"}, {"Retry-After": "5"})

    with pytest.raises(ProviderUnavailableError, match=r"\(retry after 5s\)"):
        await generate()


def test_costs_are_upstreams_first_match() -> None:
    platform = next(c for c in PLATFORM_CREDENTIALS if c.provider == "ideogram")
    on_platform = {"id": platform.id, "provider": "ideogram", "type": "api_key"}

    for model in ("V_2", "V_3"):
        input_data = {"credentials": on_platform, "ideogram_model_name": model}
        assert block_usage_cost(block=IdeogramModelBlock(), input_data=input_data)[0] == 16
    assert block_usage_cost(block=IdeogramModelBlock(), input_data={"credentials": KEY.meta()})[0] == 0
