"""One block for several image models on Replicate, as upstream's `blocks/ai_image_generator_block.py`.

Sizes and styles are semantic and mapped to what each model takes; models without a style
input get the style as words in front of the prompt. Failures the model or Replicate report
come out on the `error` pin, as upstream's do; a throttled or unreachable Replicate is left to
the engine to retry first.
"""

from __future__ import annotations

import enum
from typing import Any

from apps.blocks import provider_http, replicate_api
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.library.replicate_flux import TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT, ReplicateCredentialsInput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField
from apps.credentials.types import APIKeyCredentials


class ImageSize(enum.StrEnum):
    SQUARE = "square"
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"
    WIDE = "wide"
    TALL = "tall"


SIZE_TO_RATIO = {
    ImageSize.SQUARE: "1:1",
    ImageSize.LANDSCAPE: "4:3",
    ImageSize.PORTRAIT: "3:4",
    ImageSize.WIDE: "16:9",
    ImageSize.TALL: "9:16",
}
SIZE_TO_FLUX_DIMENSIONS = {
    ImageSize.SQUARE: (1024, 1024),
    ImageSize.LANDSCAPE: (1365, 1024),
    ImageSize.PORTRAIT: (1024, 1365),
    ImageSize.WIDE: (1440, 810),
    ImageSize.TALL: (810, 1440),
}
SIZE_TO_RECRAFT_DIMENSIONS = {
    ImageSize.SQUARE: "1024x1024",
    ImageSize.LANDSCAPE: "1365x1024",
    ImageSize.PORTRAIT: "1024x1365",
    ImageSize.WIDE: "1536x1024",
    ImageSize.TALL: "1024x1536",
}


class ImageStyle(enum.StrEnum):
    ANY = "any"
    REALISTIC = "realistic_image"
    REALISTIC_BW = "realistic_image/b_and_w"
    REALISTIC_HDR = "realistic_image/hdr"
    REALISTIC_NATURAL = "realistic_image/natural_light"
    REALISTIC_STUDIO = "realistic_image/studio_portrait"
    REALISTIC_ENTERPRISE = "realistic_image/enterprise"
    REALISTIC_HARD_FLASH = "realistic_image/hard_flash"
    REALISTIC_MOTION_BLUR = "realistic_image/motion_blur"
    DIGITAL_ART = "digital_illustration"
    PIXEL_ART = "digital_illustration/pixel_art"
    HAND_DRAWN = "digital_illustration/hand_drawn"
    GRAIN = "digital_illustration/grain"
    SKETCH = "digital_illustration/infantile_sketch"
    POSTER = "digital_illustration/2d_art_poster"
    POSTER_2 = "digital_illustration/2d_art_poster_2"
    HANDMADE_3D = "digital_illustration/handmade_3d"
    HAND_DRAWN_OUTLINE = "digital_illustration/hand_drawn_outline"
    ENGRAVING_COLOR = "digital_illustration/engraving_color"


STYLE_WORDS = {
    ImageStyle.REALISTIC: "photorealistic",
    ImageStyle.REALISTIC_BW: "black and white photograph",
    ImageStyle.REALISTIC_HDR: "HDR photograph",
    ImageStyle.REALISTIC_NATURAL: "natural light photograph",
    ImageStyle.REALISTIC_STUDIO: "studio portrait photograph",
    ImageStyle.REALISTIC_ENTERPRISE: "enterprise photograph",
    ImageStyle.REALISTIC_HARD_FLASH: "hard flash photograph",
    ImageStyle.REALISTIC_MOTION_BLUR: "motion blur photograph",
    ImageStyle.DIGITAL_ART: "digital art",
    ImageStyle.PIXEL_ART: "pixel art",
    ImageStyle.HAND_DRAWN: "hand drawn illustration",
    ImageStyle.GRAIN: "grainy digital illustration",
    ImageStyle.SKETCH: "sketchy illustration",
    ImageStyle.POSTER: "2D art poster",
    ImageStyle.POSTER_2: "alternate 2D art poster",
    ImageStyle.HANDMADE_3D: "handmade 3D illustration",
    ImageStyle.HAND_DRAWN_OUTLINE: "hand drawn outline illustration",
    ImageStyle.ENGRAVING_COLOR: "color engraving illustration",
}


class ImageGenModel(enum.StrEnum):
    FLUX = "Flux 1.1 Pro"
    FLUX_ULTRA = "Flux 1.1 Pro Ultra"
    RECRAFT = "Recraft v3"
    SD3_5 = "Stable Diffusion 3.5 Medium"


def styled_prompt(prompt: str, style: ImageStyle) -> str:
    words = STYLE_WORDS.get(style)
    return f"{words} of {prompt}".strip() if words else prompt.strip()


def model_request(model: ImageGenModel, prompt: str, size: ImageSize, style: ImageStyle) -> tuple[str, dict[str, Any]]:
    """The Replicate model and its input for a request, as upstream maps each model's parameters."""
    if model is ImageGenModel.RECRAFT:
        return "recraft-ai/recraft-v3", {
            "prompt": prompt,
            "size": SIZE_TO_RECRAFT_DIMENSIONS[size],
            "style": style.value,
        }
    prompt = styled_prompt(prompt, style)
    if model is ImageGenModel.SD3_5:
        return "stability-ai/stable-diffusion-3.5-medium", {
            "prompt": prompt,
            "aspect_ratio": SIZE_TO_RATIO[size],
            "output_format": "webp",
            "output_quality": 90,
            "steps": 40,
            "cfg_scale": 7.0,
        }
    width, height = SIZE_TO_FLUX_DIMENSIONS[size]
    name = "black-forest-labs/flux-1.1-pro" if model is ImageGenModel.FLUX else "black-forest-labs/flux-1.1-pro-ultra"
    # Flux answers in jpg: the format upstream settled on after other formats were refused.
    return name, {
        "prompt": prompt,
        "width": width,
        "height": height,
        "aspect_ratio": SIZE_TO_RATIO[size],
        "output_format": "jpg",
        "output_quality": 90,
    }


def image_url(output: Any) -> str | None:
    if isinstance(output, list):
        return str(output[0]) if output else None
    return output if isinstance(output, str) else None


class AIImageGeneratorBlock(Block):
    id = "ed1ae7a0-b770-4089-b520-1f0005fad19a"
    description = "Generate images using various AI models through a unified interface"
    categories = frozenset({BlockCategory.AI})
    costs = (
        BlockCost(cost_amount=5, cost_filter={"model": ImageGenModel.SD3_5.value}),
        BlockCost(cost_amount=6, cost_filter={"model": ImageGenModel.FLUX.value}),
        BlockCost(cost_amount=10, cost_filter={"model": ImageGenModel.FLUX_ULTRA.value}),
        BlockCost(cost_amount=7, cost_filter={"model": ImageGenModel.RECRAFT.value}),
    )
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: ReplicateCredentialsInput = CredentialsField(
            description="Enter your Replicate API key to access the image generation API. "
            "You can obtain an API key from https://replicate.com/account/api-tokens.",
        )
        prompt: str = SchemaField(
            description="Text prompt for image generation",
            placeholder="e.g., 'A red panda using a laptop in a snowy forest'",
            title="Prompt",
        )
        model: ImageGenModel = SchemaField(
            description="The AI model to use for image generation", default=ImageGenModel.SD3_5, title="Model"
        )
        size: ImageSize = SchemaField(
            description=(
                "Format of the generated image:\n"
                "- Square: Perfect for profile pictures, icons\n"
                "- Landscape: Traditional photo format\n"
                "- Portrait: Vertical photos, portraits\n"
                "- Wide: Cinematic format, desktop wallpapers\n"
                "- Tall: Mobile wallpapers, social media stories"
            ),
            default=ImageSize.SQUARE,
            title="Image Format",
        )
        style: ImageStyle = SchemaField(
            description="Visual style for the generated image", default=ImageStyle.ANY, title="Image Style"
        )

    class Output(BlockSchemaOutput):
        image_url: str = SchemaField(description="URL of the generated image")
        error: str = SchemaField(description="Error message if generation failed")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "prompt": "An octopus using a laptop in a snowy forest with 'AutoGPT' clearly visible on the screen",
        "model": ImageGenModel.RECRAFT,
        "size": ImageSize.SQUARE,
        "style": ImageStyle.REALISTIC,
    }
    test_output = [("image_url", "https://replicate.delivery/generated-image.webp")]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        model, model_input = model_request(input_data.model, input_data.prompt, input_data.size, input_data.style)
        try:
            output = await replicate_api.run_model(credentials=credentials, model=model, model_input=model_input)
        except ValueError as error:
            yield "error", f"Failed to generate image: Unexpected error during model execution: {error}"
            return
        url = image_url(output)
        if url:
            yield "image_url", url
        else:
            yield "error", "Image generation returned an empty result."
