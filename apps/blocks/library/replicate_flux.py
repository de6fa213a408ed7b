"""Flux image models on Replicate with every setting, as upstream's `blocks/replicate/flux_advanced.py`."""

from __future__ import annotations

import enum
import secrets
from typing import Any, Literal

from pydantic import SecretStr

from apps.blocks import provider_http, replicate_api
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

ReplicateCredentialsInput = CredentialsMetaInput[Literal[ProviderName.REPLICATE], Literal["api_key"]]

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="replicate",
    api_key=SecretStr("mock-replicate-api-key"),
    title="Mock Replicate API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()


class ReplicateFluxModelName(enum.StrEnum):
    FLUX_SCHNELL = "Flux Schnell"
    FLUX_PRO = "Flux Pro"
    FLUX_PRO1_1 = "Flux Pro 1.1"

    @property
    def api_name(self) -> str:
        return FLUX_MODELS[self]


FLUX_MODELS = {
    ReplicateFluxModelName.FLUX_SCHNELL: "black-forest-labs/flux-schnell",
    ReplicateFluxModelName.FLUX_PRO: "black-forest-labs/flux-pro",
    ReplicateFluxModelName.FLUX_PRO1_1: "black-forest-labs/flux-1.1-pro",
}


class ImageType(enum.StrEnum):
    WEBP = "webp"
    JPG = "jpg"
    PNG = "png"


class ReplicateFluxAdvancedModelBlock(Block):
    id = "90f8c45e-e983-4644-aa0b-b4ebe2f531bc"
    description = "This block runs Flux models on Replicate with advanced settings."
    categories = frozenset({BlockCategory.AI, BlockCategory.MULTIMEDIA})
    costs = (BlockCost(cost_amount=10),)
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: ReplicateCredentialsInput = CredentialsField(
            description="The Replicate integration can be used with "
            "any API key with sufficient permissions for the blocks it is used on.",
        )
        prompt: str = SchemaField(
            description="Text prompt for image generation",
            placeholder="e.g., 'A futuristic cityscape at sunset'",
            title="Prompt",
        )
        replicate_model_name: ReplicateFluxModelName = SchemaField(
            description="The name of the Image Generation Model, i.e Flux Schnell",
            default=ReplicateFluxModelName.FLUX_SCHNELL,
            title="Image Generation Model",
            advanced=False,
        )
        seed: int | None = SchemaField(
            description="Random seed. Set for reproducible generation", default=None, title="Seed"
        )
        steps: int = SchemaField(description="Number of diffusion steps", default=25, title="Steps")
        guidance: float = SchemaField(
            description=(
                "Controls the balance between adherence to the text prompt and image quality/diversity. "
                "Higher values make the output more closely match the prompt but may reduce overall image quality."
            ),
            default=3,
            title="Guidance",
        )
        interval: float = SchemaField(
            description=(
                "Interval is a setting that increases the variance in possible outputs. "
                "Setting this value low will ensure strong prompt following with more consistent outputs."
            ),
            default=2,
            title="Interval",
        )
        aspect_ratio: str = SchemaField(
            description="Aspect ratio for the generated image",
            default="1:1",
            title="Aspect Ratio",
            placeholder="Choose from: 1:1, 16:9, 2:3, 3:2, 4:5, 5:4, 9:16",
        )
        output_format: ImageType = SchemaField(
            description="File format of the output image", default=ImageType.WEBP, title="Output Format"
        )
        output_quality: int = SchemaField(
            description="Quality when saving the output images, from 0 to 100. Not relevant for .png outputs",
            default=80,
            title="Output Quality",
        )
        safety_tolerance: int = SchemaField(
            description="Safety tolerance, 1 is most strict and 5 is most permissive",
            default=2,
            title="Safety Tolerance",
        )

    class Output(BlockSchemaOutput):
        result: str = SchemaField(description="Generated output")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "replicate_model_name": ReplicateFluxModelName.FLUX_SCHNELL,
        "prompt": "A beautiful landscape painting of a serene lake at sunrise",
        "seed": None,
        "steps": 25,
        "guidance": 3.0,
        "interval": 2.0,
        "aspect_ratio": "1:1",
        "output_format": ImageType.PNG,
        "output_quality": 80,
        "safety_tolerance": 2,
    }
    test_output = [("result", "https://replicate.com/output/generated-image-url.jpg")]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        # Upstream draws a random 32-bit seed when none is given, so each run differs.
        seed = input_data.seed if input_data.seed is not None else secrets.randbits(32)
        output = await replicate_api.run_model(
            credentials=credentials,
            model=input_data.replicate_model_name.api_name,
            model_input={
                "prompt": input_data.prompt,
                "seed": seed,
                "steps": input_data.steps,
                "guidance": input_data.guidance,
                "interval": input_data.interval,
                "aspect_ratio": input_data.aspect_ratio,
                "output_format": input_data.output_format.value,
                "output_quality": input_data.output_quality,
                "safety_tolerance": input_data.safety_tolerance,
            },
        )
        yield "result", replicate_api.first_result(output)
