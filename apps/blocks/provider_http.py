"""Calls from blocks to third-party APIs: JSON over one async client, failures in plain words.

The endpoint of every provider comes from a setting (`GMAIL_API_BASE_URL`, ...), so a
self-hosted or test server can stand in for it. A rate limit (429) or an outage (a
transport error, 502, 503, 504) raises `ProviderUnavailable`, which blocks list in their
`RetryPolicy`: the engine tries the node again later. Any other refusal raises
`ProviderError` (a `ValueError`, so it becomes the node's error output) with the
provider's own message. Neither ever quotes a request header, so no secret leaks.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.conf import settings

from apps.blocks.base import RetryPolicy

TEMPORARY_STATUSES = frozenset({429, 502, 503, 504})
MAX_ERROR_CHARS = 500


class ProviderError(ValueError):
    """The provider refused the request; the message says what it answered."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ProviderUnavailable(ConnectionError):
    """Rate-limited or temporarily down: the request may succeed later."""


PROVIDER_RETRY = RetryPolicy(max_attempts=3, backoff_seconds=2.0, retry_on=(ProviderUnavailable,))


def error_detail(response: httpx.Response) -> str:
    """The provider's explanation, from the usual places in a JSON error body, else the text."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:MAX_ERROR_CHARS] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:MAX_ERROR_CHARS]
        for key in ("detail", "message", "error", "title"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])[:MAX_ERROR_CHARS]
    return json.dumps(body)[:MAX_ERROR_CHARS]


def raise_for_status(response: httpx.Response, *, provider: str) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = error_detail(response)
    if status in TEMPORARY_STATUSES:
        wait = response.headers.get("Retry-After")
        hint = f" (retry after {wait}s)" if wait else ""
        raise ProviderUnavailable(f"{provider} answered {status}: {detail}{hint}")
    raise ProviderError(f"{provider} answered {status}: {detail}", status_code=status)


async def request_json(
    method: str,
    url: str,
    *,
    provider: str,
    headers: dict[str, str],
    params: dict[str, Any] | None = None,
    json_body: Any = None,
) -> Any:
    """The decoded JSON answer of a successful request (None for an empty body)."""
    try:
        async with httpx.AsyncClient(timeout=settings.BLOCK_HTTP_TIMEOUT_SECONDS) as client:
            response = await client.request(method, url, headers=headers, params=params, json=json_body)
    except httpx.TransportError as error:
        raise ProviderUnavailable(f"{provider} could not be reached: {type(error).__name__}") from error
    raise_for_status(response, provider=provider)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as error:
        raise ProviderError(f"{provider} answered with something that is not JSON") from error
