"""Ideogram image models, with optional upscaling, as upstream's `blocks/ideogram.py`.

Ideogram has no Python SDK; its documented HTTP API is called through `provider_http` with
the `Api-Key` header: `POST /v1/ideogram-v3/generate` for V_3 and `POST /generate` (an
`image_request`) for the older models, then `POST /upscale` (multipart) when asked. The
image to upscale is downloaded from the URL Ideogram answered through `safe_http`, the SSRF
guard, as any URL a block did not build itself. Ideogram's refusals become upstream's texts.
"""

from __future__ import annotations

import enum
import json
from typing import Any, Literal

from django.conf import settings
from pydantic import SecretStr

from apps.blocks import provider_http, safe_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="ideogram",
    api_key=SecretStr("mock-ideogram-api-key"),
    title="Mock Ideogram API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()
SERVICE = "Ideogram"


class IdeogramModelName(enum.StrEnum):
    V3 = "V_3"
    V2 = "V_2"
    V1 = "V_1"
    V1_TURBO = "V_1_TURBO"
    V2_TURBO = "V_2_TURBO"


class MagicPromptOption(enum.StrEnum):
    AUTO = "AUTO"
    ON = "ON"
    OFF = "OFF"


class StyleType(enum.StrEnum):
    AUTO = "AUTO"
    GENERAL = "GENERAL"
    REALISTIC = "REALISTIC"
    DESIGN = "DESIGN"
    RENDER_3D = "RENDER_3D"
    ANIME = "ANIME"


class ColorPalettePreset(enum.StrEnum):
    NONE = "NONE"
    EMBER = "EMBER"
    FRESH = "FRESH"
    JUNGLE = "JUNGLE"
    MAGIC = "MAGIC"
    MELON = "MELON"
    MOSAIC = "MOSAIC"
    PASTEL = "PASTEL"
    ULTRAMARINE = "ULTRAMARINE"


class AspectRatio(enum.StrEnum):
    ASPECT_10_16 = "ASPECT_10_16"
    ASPECT_16_10 = "ASPECT_16_10"
    ASPECT_9_16 = "ASPECT_9_16"
    ASPECT_16_9 = "ASPECT_16_9"
    ASPECT_3_2 = "ASPECT_3_2"
    ASPECT_2_3 = "ASPECT_2_3"
    ASPECT_4_3 = "ASPECT_4_3"
    ASPECT_3_4 = "ASPECT_3_4"
    ASPECT_1_1 = "ASPECT_1_1"
    ASPECT_1_3 = "ASPECT_1_3"
    ASPECT_3_1 = "ASPECT_3_1"


class UpscaleOption(enum.StrEnum):
    AI_UPSCALE = "AI Upscale"
    NO_UPSCALE = "No Upscale"


PALETTE_MODELS = (IdeogramModelName.V2, IdeogramModelName.V2_TURBO)
STYLED_MODELS = (*PALETTE_MODELS, IdeogramModelName.V3)


def v3_aspect_ratio(aspect_ratio: AspectRatio) -> str:
    # V3 spells ratios "16x9" where the older endpoint takes "ASPECT_16_9".
    return aspect_ratio.value.removeprefix("ASPECT_").replace("_", "x")


def _friendly(error: provider_http.ProviderError) -> ValueError:
    """Ideogram's refusal in upstream's words."""
    if error.status_code == 401:
        return ValueError("Invalid or expired API key. Please check your Ideogram API credentials.")
    if error.status_code in (400, 422):
        return ValueError(f"Invalid request parameters: {error}")
    if error.status_code is not None and error.status_code >= 500:
        return ValueError(f"Ideogram server error: {error}")
    return ValueError(f"Client error: {error}")


def _first_url(body: Any) -> str:
    try:
        return str(body["data"][0]["url"])
    except (KeyError, IndexError, TypeError) as error:
        raise ValueError(f"Ideogram answered without an image: {json.dumps(body)[:200]}") from error


class IdeogramModelBlock(Block):
    id = "6ab085e2-20b3-4055-bc3e-08036e01eca6"
    description = "This block runs Ideogram models with both simple and advanced settings."
    categories = frozenset({BlockCategory.AI, BlockCategory.MULTIMEDIA})
    # Upstream's order: the catch-all price comes first, so it is the one that applies.
    costs = (BlockCost(cost_amount=16), BlockCost(cost_amount=18, cost_filter={"ideogram_model_name": "V_3"}))
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput[Literal[ProviderName.IDEOGRAM], Literal["api_key"]] = CredentialsField(
            description="The Ideogram integration can be used with any API key with sufficient permissions "
            "for the blocks it is used on.",
        )
        prompt: str = SchemaField(
            description="Text prompt for image generation",
            placeholder="e.g., 'A futuristic cityscape at sunset'",
            title="Prompt",
        )
        ideogram_model_name: IdeogramModelName = SchemaField(
            description="The name of the Image Generation Model, e.g., V_3",
            default=IdeogramModelName.V3,
            title="Image Generation Model",
            advanced=False,
        )
        aspect_ratio: AspectRatio = SchemaField(
            description="Aspect ratio for the generated image",
            default=AspectRatio.ASPECT_1_1,
            title="Aspect Ratio",
            advanced=False,
        )
        upscale: UpscaleOption = SchemaField(
            description="Upscale the generated image",
            default=UpscaleOption.NO_UPSCALE,
            title="Upscale Image",
            advanced=False,
        )
        magic_prompt_option: MagicPromptOption = SchemaField(
            description="Whether to use MagicPrompt for enhancing the request",
            default=MagicPromptOption.AUTO,
            title="Magic Prompt Option",
            advanced=True,
        )
        seed: int | None = SchemaField(
            description="Random seed. Set for reproducible generation", default=None, title="Seed", advanced=True
        )
        style_type: StyleType = SchemaField(
            description="Style type to apply, applicable for V_2 and above",
            default=StyleType.AUTO,
            title="Style Type",
            advanced=True,
        )
        negative_prompt: str | None = SchemaField(
            description="Description of what to exclude from the image",
            default=None,
            title="Negative Prompt",
            advanced=True,
        )
        color_palette_name: ColorPalettePreset = SchemaField(
            description="Color palette preset name, choose 'None' to skip",
            default=ColorPalettePreset.NONE,
            title="Color Palette Preset",
            advanced=True,
        )
        custom_color_palette: list[str] | None = SchemaField(
            description=(
                "Only available for model version V_2 or V_2_TURBO. Provide one or more color hex codes "
                "(e.g., ['#000030', '#1C0C47', '#9900FF', '#4285F4', '#FFFFFF']) to define a custom color "
                "palette. Only used if 'color_palette_name' is 'NONE'."
            ),
            default=None,
            title="Custom Color Palette",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        result: str = SchemaField(description="Generated image URL")

    test_input = {
        "ideogram_model_name": IdeogramModelName.V2,
        "prompt": "A futuristic cityscape at sunset",
        "aspect_ratio": AspectRatio.ASPECT_1_1,
        "upscale": UpscaleOption.NO_UPSCALE,
        "magic_prompt_option": MagicPromptOption.AUTO,
        "seed": None,
        "style_type": StyleType.AUTO,
        "negative_prompt": None,
        "color_palette_name": ColorPalettePreset.NONE,
        "custom_color_palette": ["#000030", "#1C0C47", "#9900FF", "#4285F4", "#FFFFFF"],
        "credentials": TEST_CREDENTIALS_INPUT,
    }
    test_output = [("result", "https://ideogram.ai/api/images/test-generated-image-url.png")]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        if input_data.ideogram_model_name is IdeogramModelName.V3:
            url = await self._call(credentials, "/v1/ideogram-v3/generate", json_data=self._v3_request(input_data))
        else:
            url = await self._call(credentials, "/generate", json_data=self._legacy_request(input_data))
        if input_data.upscale is UpscaleOption.AI_UPSCALE:
            url = await self._upscale(credentials, url)
        yield "result", url

    @staticmethod
    def _v3_request(input_data: Input) -> dict[str, Any]:
        # Upstream sends no palette to V3, whose palette parameters differ.
        request: dict[str, Any] = {
            "prompt": input_data.prompt,
            "aspect_ratio": v3_aspect_ratio(input_data.aspect_ratio),
            "magic_prompt": input_data.magic_prompt_option.value,
            "style_type": input_data.style_type.value,
        }
        if input_data.seed is not None:
            request["seed"] = input_data.seed
        if input_data.negative_prompt:
            request["negative_prompt"] = input_data.negative_prompt
        return request

    @staticmethod
    def _legacy_request(input_data: Input) -> dict[str, Any]:
        model = input_data.ideogram_model_name
        image_request: dict[str, Any] = {
            "prompt": input_data.prompt,
            "model": model.value,
            "aspect_ratio": input_data.aspect_ratio.value,
            "magic_prompt_option": input_data.magic_prompt_option.value,
        }
        if model in STYLED_MODELS:
            image_request["style_type"] = input_data.style_type.value
        if input_data.seed is not None:
            image_request["seed"] = input_data.seed
        if input_data.negative_prompt:
            image_request["negative_prompt"] = input_data.negative_prompt
        request: dict[str, Any] = {"image_request": image_request}
        if model in PALETTE_MODELS:
            if input_data.color_palette_name is not ColorPalettePreset.NONE:
                request["color_palette"] = {"name": input_data.color_palette_name.value}
            elif input_data.custom_color_palette:
                request["color_palette"] = {
                    "members": [{"color_hex": color} for color in input_data.custom_color_palette]
                }
        return request

    async def _upscale(self, credentials: APIKeyCredentials, image_url: str) -> str:
        image = await safe_http.fetch(
            "GET",
            image_url,
            timeout=settings.BLOCK_HTTP_TIMEOUT_SECONDS,
            max_bytes=settings.BLOCK_HTTP_MAX_RESPONSE_BYTES,
            allow_private=settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS,
        )
        if not 200 <= image.status_code < 300:
            raise ValueError(f"Failed to upscale image: {image_url} answered {image.status_code} {image.reason}")
        return await self._call(
            credentials,
            "/upscale",
            form_data={"image_request": "{}"},
            files={"image_file": ("image.png", image.body, "image/png")},
        )

    @staticmethod
    async def _call(credentials: APIKeyCredentials, path: str, **body: Any) -> str:
        try:
            answer = await provider_http.request(
                SERVICE,
                "POST",
                provider_http.provider_url("ideogram", path),
                headers={"Api-Key": credentials.api_key.get_secret_value()},
                **body,
            )
        except provider_http.ProviderError as error:
            raise _friendly(error) from error
        return _first_url(provider_http.json_body(answer, SERVICE))
