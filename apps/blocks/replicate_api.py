"""Running a model on Replicate: create a prediction, poll it until it settles, read its output.

Replicate's documented HTTP API (`POST /v1/models/{owner}/{name}/predictions`, then
`GET /v1/predictions/{id}`) through `provider_http`, as upstream's `replicate.Client.async_run`
does it with `wait=False` (no `Prefer: wait`, so the answer is the prediction at once and
we poll). Not the `replicate` SDK: its transport retries throttled requests in-process,
holding the worker, and reads answers of any size; here a 429 or an outage goes back to the
engine to retry (`ProviderUnavailableError`) and every answer is bounded.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from django.conf import settings

from apps.blocks import provider_http
from apps.credentials.types import APIKeyCredentials

SERVICE = "Replicate"
SETTLED = frozenset({"succeeded", "failed", "canceled"})


class PredictionFailedError(ValueError):
    """The model ran and failed (or was canceled); the message is Replicate's error text."""


def _headers(credentials: APIKeyCredentials) -> dict[str, str]:
    return {"Authorization": credentials.auth_header(), "Content-Type": "application/json"}


async def run_model(*, credentials: APIKeyCredentials, model: str, model_input: dict[str, Any]) -> Any:
    """The output of `model` (`owner/name`) run on `model_input`, once its prediction succeeded."""
    owner, _, name = model.partition("/")
    path = f"/v1/models/{quote(owner, safe='')}/{quote(name, safe='')}/predictions"
    prediction = await provider_http.request_json(
        SERVICE,
        "POST",
        provider_http.provider_url("replicate", path),
        headers=_headers(credentials),
        json_data={"input": model_input},
    )
    poll_url = provider_http.provider_url("replicate", f"/v1/predictions/{quote(str(prediction['id']), safe='')}")
    while prediction.get("status") not in SETTLED:
        await asyncio.sleep(settings.REPLICATE_POLL_INTERVAL_SECONDS)
        prediction = await provider_http.request_json(SERVICE, "GET", poll_url, headers=_headers(credentials))
    if prediction["status"] != "succeeded":
        raise PredictionFailedError(prediction.get("error") or f"Prediction {prediction['status']}")
    return prediction.get("output")


def is_file_url(value: Any) -> bool:
    # The SDK hands back outputs starting so as files (FileOutput), whose URL the blocks report.
    return isinstance(value, str) and value.startswith(("https:", "data:"))


def first_result(output: Any) -> str:
    """A prediction's output as one text, as upstream's `extract_result` reads it."""
    if isinstance(output, list) and output:
        head = output[0]
        if is_file_url(head):
            return str(head)
        if isinstance(head, str):
            return "".join(str(item) for item in output)
        if isinstance(head, dict):
            return str(head)
        return "Unable to process result. Please contact us with the models and inputs used"
    if isinstance(output, str):
        return output
    return "No output received"
