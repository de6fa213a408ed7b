"""Replicate's HTTP API (api.replicate.com/v1): predictions on official models, polled until they settle.

`POST /v1/models/{owner}/{name}/predictions` with `Authorization: Bearer <token>` and
`{"input": {...}}` answers 201 with the prediction `starting`; `GET /v1/predictions/{id}`
answers it `processing` until it has been looked at `polls_to_finish` times, then
`succeeded` with the model's output. Outputs are per model (`outputs`), seeded with
upstream's sample results: a list of file URLs for Flux, one URL for Recraft, as those
models answer. `fail_model` makes a model's predictions end `failed` with an error.
Errors are Replicate's problem-details bodies: 401 for a wrong token, 404 for an unknown
model, 422 for a body without `input`; `reply_next` scripts a 429 with `Retry-After`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request

from tests.fakes.provider import FakeProvider, bearer_token, json_response, provider_app
from tests.fakes.server import serve

# Upstream's test key, so the blocks' own self-tests authenticate as they are written.
API_TOKEN = "mock-replicate-api-key"

UNAUTHENTICATED = {"title": "Unauthenticated", "detail": "You did not pass a valid authentication token", "status": 401}
NOT_FOUND = {"title": "Not found", "detail": "The requested resource could not be found.", "status": 404}
THROTTLED = {
    "title": "Request was throttled.",
    "detail": "Request was throttled. Expected available in 1 second.",
    "status": 429,
}


def sample_outputs() -> dict[str, Any]:
    return {
        "black-forest-labs/flux-schnell": ["https://replicate.com/output/generated-image-url.jpg"],
        "black-forest-labs/flux-pro": "https://replicate.delivery/flux-pro/output.webp",
        "black-forest-labs/flux-1.1-pro": "https://replicate.delivery/flux-1.1-pro/output.jpg",
        "black-forest-labs/flux-1.1-pro-ultra": "https://replicate.delivery/flux-1.1-pro-ultra/output.jpg",
        "recraft-ai/recraft-v3": "https://replicate.delivery/generated-image.webp",
        "stability-ai/stable-diffusion-3.5-medium": ["https://replicate.delivery/sd-3.5-medium/output.webp"],
    }


@dataclass
class FakeReplicate(FakeProvider):
    outputs: dict[str, Any] = field(default_factory=sample_outputs)
    polls_to_finish: int = 1
    failing_models: dict[str, str] = field(default_factory=dict)
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _polls: dict[str, int] = field(default_factory=dict)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        super().reset()
        self.outputs = sample_outputs()
        self.polls_to_finish = 1
        self.failing_models.clear()
        self.predictions.clear()
        self._polls.clear()

    def fail_model(self, model: str, error: str) -> None:
        """Predictions of `model` end `failed` with `error`, as a model that crashed does."""
        self.failing_models[model] = error

    def created(self) -> list[dict[str, Any]]:
        """The predictions created, oldest first, as stored (model and input included)."""
        return list(self.predictions.values())


def _app(replicate: FakeReplicate) -> Flask:
    app = provider_app("fake-replicate", replicate)

    @app.before_request
    def authenticate() -> Response | None:
        if bearer_token() != API_TOKEN:
            return json_response(UNAUTHENTICATED, 401)
        return None

    @app.post("/v1/models/<owner>/<name>/predictions")
    def create(owner: str, name: str) -> Response:
        model = f"{owner}/{name}"
        if model not in replicate.outputs:
            return json_response(NOT_FOUND, 404)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            return json_response(
                {
                    "title": "Input validation failed",
                    "detail": "- input: Invalid type. Expected: object",
                    "status": 422,
                },
                422,
            )
        prediction_id = f"pred{next(replicate._numbers):04d}"
        base = request.host_url.rstrip("/")
        prediction = {
            "id": prediction_id,
            "model": model,
            "version": "hidden",
            "input": body["input"],
            "logs": "",
            "output": None,
            "error": None,
            "status": "starting",
            "created_at": "2025-01-01T00:00:00.000Z",
            "urls": {
                "get": f"{base}/v1/predictions/{prediction_id}",
                "cancel": f"{base}/v1/predictions/{prediction_id}/cancel",
            },
        }
        replicate.predictions[prediction_id] = prediction
        replicate._polls[prediction_id] = 0
        return json_response(prediction, 201)

    @app.get("/v1/predictions/<prediction_id>")
    def get(prediction_id: str) -> Response:
        prediction = replicate.predictions.get(prediction_id)
        if prediction is None:
            return json_response(NOT_FOUND, 404)
        replicate._polls[prediction_id] += 1
        if replicate._polls[prediction_id] < replicate.polls_to_finish:
            prediction["status"] = "processing"
        elif prediction["model"] in replicate.failing_models:
            prediction.update(status="failed", error=replicate.failing_models[prediction["model"]])
        else:
            prediction.update(status="succeeded", output=replicate.outputs[prediction["model"]])
        return json_response(prediction)

    return app


@contextmanager
def fake_replicate() -> Iterator[FakeReplicate]:
    replicate = FakeReplicate()
    with serve(_app(replicate)) as base_url:
        replicate.base_url = base_url
        replicate.settings_urls = {"REPLICATE_BASE_URL": base_url}
        yield replicate
