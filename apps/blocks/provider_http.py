"""Requests from integration blocks to their providers (Jina, Google Maps, YouTube, ...).

The host comes from a setting (`PROVIDER_BASE_URLS`), never from a graph, so unlike
`safe_http` there is no address to vet; answers are still bounded in time and size, and
proxies from the environment are ignored. A failure reaching the provider is a
`ProviderUnavailableError` (retried by blocks that declare so); an answer outside 2xx is a
`ProviderHTTPError` carrying the provider's own message, so the node's error says what to fix.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.conf import settings

from apps.blocks.safe_http import FetchedResponse, ResponseTooLargeError, read_capped


class ProviderUnavailableError(ConnectionError):
    """The provider could not be reached (refused, timed out before connecting)."""


class ProviderHTTPError(ValueError):
    def __init__(self, service: str, response: FetchedResponse) -> None:
        self.status_code = response.status_code
        self.response = response
        detail = provider_message(response)
        super().__init__(f"{service} answered {response.status_code} {response.reason}: {detail}".rstrip(": "))


def provider_url(name: str, path: str = "") -> str:
    return settings.PROVIDER_BASE_URLS[name].rstrip("/") + path


def provider_message(response: FetchedResponse) -> str:
    """The error text in a provider's answer: its JSON `message`/`error`/`detail`, else the start of the body."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "error_message", "status_message"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value
            if value:
                return str(value)
    return response.text[:300]


def json_body(response: FetchedResponse, service: str) -> Any:
    try:
        return json.loads(response.text)
    except ValueError as error:
        raise ValueError(f"{service} answered with something that is not JSON: {response.text[:200]!r}") from error


async def request(
    service: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    json_data: Any = None,
    proxy: str | None = None,
    follow_redirects: bool = False,
) -> FetchedResponse:
    """One request to a provider; raises `ProviderHTTPError` unless it answers 2xx."""
    body: dict[str, Any] = {} if json_data is None else {"json": json_data}
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
            )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as error:
        raise ProviderUnavailableError(f"Could not reach {service}: {error or type(error).__name__}") from error
    except (httpx.HTTPError, ResponseTooLargeError) as error:
        raise ValueError(f"Request to {service} failed: {error or type(error).__name__}") from error
    if not 200 <= fetched.status_code < 300:
        raise ProviderHTTPError(service, fetched)
    return fetched
