"""Ideogram's API (api.ideogram.ai): generate (V_3 and the older models) and upscale.

`POST /v1/ideogram-v3/generate` and `POST /generate` (a JSON `image_request`) answer
`{"created", "data": [{"url", "prompt", "resolution", "seed", "is_image_safe", "style_type"}]}`;
`POST /upscale` takes multipart `image_request` (JSON text) and `image_file`. Every call
needs the `Api-Key` header (401 otherwise); a body that does not parse or lacks the prompt
is a 400, and `reply_next` scripts the 422 safety refusal or a 429. The images handed out
are `image_url` and `upscaled_url` (upstream's sample URLs); `GET /api/images/<name>` serves
PNG bytes, for a test that points `image_url` at this server to upscale it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request

from tests.fakes.provider import FakeProvider, json_response, provider_app
from tests.fakes.server import serve

# Upstream's test key, so the block's own self-test authenticates as it is written.
API_KEY = "mock-ideogram-api-key"
GENERATED_URL = "https://ideogram.ai/api/images/test-generated-image-url.png"
UPSCALED_URL = "https://ideogram.ai/api/images/test-upscaled-image-url.png"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
UNSAFE = {"error": "Prompt or provided image failed the safety checks"}
LEGACY_MODELS = {"V_1", "V_1_TURBO", "V_2", "V_2_TURBO", "V_2A", "V_2A_TURBO"}


@dataclass
class FakeIdeogram(FakeProvider):
    image_url: str = GENERATED_URL
    upscaled_url: str = UPSCALED_URL
    uploads: list[bytes] = field(default_factory=list)

    def reset(self) -> None:
        super().reset()
        self.image_url, self.upscaled_url = GENERATED_URL, UPSCALED_URL
        self.uploads.clear()


def _image(url: str, prompt: str, seed: Any, style_type: Any) -> dict[str, Any]:
    return {
        "url": url,
        "prompt": prompt,
        "resolution": "1024x1024",
        "seed": seed if isinstance(seed, int) else 12345,
        "is_image_safe": True,
        "style_type": style_type or "GENERAL",
    }


def _answer(image: dict[str, Any]) -> Response:
    return json_response({"created": "2025-01-01T00:00:00.000000+00:00", "data": [image]})


def _bad_request(message: str) -> Response:
    return json_response({"error": message}, 400)


def _app(ideogram: FakeIdeogram) -> Flask:
    app = provider_app("fake-ideogram", ideogram)

    @app.before_request
    def authenticate() -> Response | None:
        if request.path.startswith("/api/images/") or request.headers.get("Api-Key") == API_KEY:
            return None
        return json_response({"error": "Invalid API key"}, 401)

    @app.post("/v1/ideogram-v3/generate")
    def generate_v3() -> Response:
        body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(body, dict) or not body.get("prompt"):
            return _bad_request("prompt is required")
        return _answer(_image(ideogram.image_url, body["prompt"], body.get("seed"), body.get("style_type")))

    @app.post("/generate")
    def generate() -> Response:
        body = request.get_json(silent=True)
        image_request = body.get("image_request") if isinstance(body, dict) else None
        if not isinstance(image_request, dict) or not image_request.get("prompt"):
            return _bad_request("image_request.prompt is required")
        if image_request.get("model", "V_2") not in LEGACY_MODELS:
            return _bad_request(f"Invalid model: {image_request.get('model')}")
        seed, style = image_request.get("seed"), image_request.get("style_type")
        return _answer(_image(ideogram.image_url, image_request["prompt"], seed, style))

    @app.post("/upscale")
    def upscale() -> Response:
        upload = request.files.get("image_file")
        try:
            json.loads(request.form.get("image_request", ""))
        except ValueError:
            return _bad_request("image_request must be JSON")
        if upload is None:
            return _bad_request("image_file is required")
        ideogram.uploads.append(upload.read())
        return _answer(_image(ideogram.upscaled_url, "", None, None))

    @app.get("/api/images/<name>")
    def image(name: str) -> Response:
        return Response(PNG, mimetype="image/png")

    return app


@contextmanager
def fake_ideogram() -> Iterator[FakeIdeogram]:
    ideogram = FakeIdeogram()
    with serve(_app(ideogram)) as base_url:
        ideogram.base_url = base_url
        ideogram.settings_urls = {"IDEOGRAM_BASE_URL": base_url}
        yield ideogram
