"""Requests from integration blocks to their providers (Gmail, Jina, Google Maps, YouTube, ...).

The endpoint of every provider comes from a setting (`PROVIDER_BASE_URLS`, one environment
variable per provider), never from a graph, so unlike `safe_http` there is no address to vet; answers are still
bounded in time and size, and proxies from the environment are ignored.

Failures in plain words, and never quoting a request header (no secret leaks):
- the provider could not be reached, or it is rate-limited or down for now (429, 502, 503,
  504): `ProviderUnavailableError`, which blocks list in their `RetryPolicy`, so the engine
  tries the node again later;
- any other answer outside 2xx: `ProviderError` (a `ValueError`, so it becomes the node's
  `error` output) with the provider's own message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.conf import settings

from apps.blocks.base import RetryPolicy
from apps.blocks.safe_http import FetchedResponse, ResponseTooLargeError, read_capped

TEMPORARY_STATUSES = frozenset({429, 502, 503, 504})
MAX_ERROR_CHARS = 500


class ProviderError(ValueError):
    """The provider refused the request; the message says what it answered."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ProviderUnavailableError(ConnectionError):
    """Unreachable, rate-limited or temporarily down: the request may succeed later.

    `status_code` is the provider's answer (429, 502, ...), None when nothing answered.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


PROVIDER_RETRY = RetryPolicy(max_attempts=3, backoff_seconds=2.0, retry_on=(ProviderUnavailableError,))


def provider_url(name: str, path: str = "") -> str:
    return settings.PROVIDER_BASE_URLS[name].rstrip("/") + path


def provider_message(response: FetchedResponse) -> str:
    """The provider's explanation, from the usual places in a JSON error body, else the text."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return response.text[:MAX_ERROR_CHARS] or response.reason
    if isinstance(body, dict):
        # "message" first: beside it, a string "error" is a code name (WordPress: "unauthorized").
        for key in ("message", "error", "detail", "error_message", "status_message", "title"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or json.dumps(value)
            if isinstance(value, str) and value:
                return value[:MAX_ERROR_CHARS]
    return json.dumps(body)[:MAX_ERROR_CHARS]


def raise_for_status(response: FetchedResponse, *, service: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = provider_message(response)
    if status in TEMPORARY_STATUSES:
        wait = response.headers.get("retry-after")
        hint = f" (retry after {wait}s)" if wait else ""
        raise ProviderUnavailableError(f"{service} answered {status}: {detail}{hint}", status_code=status)
    raise ProviderError(f"{service} answered {status}: {detail}", status_code=status)


def json_body(response: FetchedResponse, service: str) -> Any:
    try:
        return json.loads(response.text)
    except ValueError as error:
        raise ProviderError(f"{service} answered with something that is not JSON: {response.text[:200]!r}") from error


async def request(
    service: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    json_data: Any = None,
    form_data: dict[str, Any] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    proxy: str | None = None,
    follow_redirects: bool = False,
) -> FetchedResponse:
    """One request to a provider, with a JSON, a form-encoded or (with `files`) a multipart body.

    Raises unless it answers 2xx.
    """
    body: dict[str, Any] = {}
    if json_data is not None:
        body["json"] = json_data
    if form_data is not None:
        body["data"] = form_data
    if files is not None:
        body["files"] = files
    try:
        async with (
            httpx.AsyncClient(
                timeout=settings.BLOCK_HTTP_TIMEOUT_SECONDS,
                follow_redirects=follow_redirects,
                trust_env=False,
                proxy=proxy,
            ) as client,
            client.stream(method, url, headers=headers, params=params, **body) as response,
        ):
            fetched = FetchedResponse(
                status_code=response.status_code,
                reason=response.reason_phrase,
                body=await read_capped(response, settings.BLOCK_HTTP_MAX_RESPONSE_BYTES),
                charset=response.charset_encoding,
                headers={name.lower(): value for name, value in response.headers.items()},
            )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as error:
        # Nothing reached the provider, so trying again cannot repeat an action.
        raise ProviderUnavailableError(f"Could not reach {service}: {error or type(error).__name__}") from error
    except (httpx.HTTPError, ResponseTooLargeError) as error:
        raise ProviderError(f"Request to {service} failed: {error or type(error).__name__}") from error
    raise_for_status(fetched, service=service)
    return fetched


async def request_json(
    service: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    json_data: Any = None,
    form_data: dict[str, Any] | None = None,
) -> Any:
    """The decoded JSON answer of a successful request (None for an empty body)."""
    response = await request(
        service, method, url, headers=headers, params=params, json_data=json_data, form_data=form_data
    )
    return json_body(response, service) if response.body else None
