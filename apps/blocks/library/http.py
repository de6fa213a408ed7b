"""HTTP requests from a graph, through the SSRF-guarded client in `apps.blocks.safe_http`.

`SendAuthenticatedWebRequestBlock` adds the headers of host-scoped credentials
to requests whose host they match (and only to those: a redirect to another
origin drops them), as upstream does.
"""

from __future__ import annotations

import enum
import json
from typing import Any, Literal

import httpx
from django.conf import settings

from apps.blocks import safe_http
from apps.blocks.base import Block, BlockCategory, BlockOutput, RetryPolicy
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import HostScopedCredentials
from apps.files.media import media_file_read

# Failures before the request reached the server: safe to retry even for a POST.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


class HttpMethod(enum.Enum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"
    PATCH = "PATCH"
    OPTIONS = "OPTIONS"
    HEAD = "HEAD"


def _request_body(body: Any, *, json_format: bool) -> dict[str, Any]:
    """httpx body arguments. As upstream, text that is not JSON goes out as plain text even in JSON mode."""
    if body is None:
        return {}
    if json_format:
        if not isinstance(body, str):
            return {"json": body}
        try:
            return {"json": json.loads(body)}
        except ValueError:
            return {"content": body}
    if isinstance(body, dict):
        return {"data": {key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()}}
    return {"content": body if isinstance(body, str) else json.dumps(body)}


def _response_value(response: safe_http.FetchedResponse, *, json_format: bool) -> Any:
    if json_format:
        try:
            return json.loads(response.text)
        except ValueError:
            pass
    return response.text


async def _fake_fetch(
    *, method: str, url: str, headers: dict[str, str], body: dict[str, Any], sensitive_headers: tuple[str, ...] = ()
) -> safe_http.FetchedResponse:
    """The self-test's server: echoes what it received, or fails on /missing and /broken."""
    if url.endswith("/missing"):
        return safe_http.FetchedResponse(404, "Not Found", b'{"detail": "No such item"}')
    if url.endswith("/broken"):
        return safe_http.FetchedResponse(500, "Internal Server Error", b"upstream exploded")
    echo = {"method": method, "accept": headers.get("Accept"), "body": body}
    return safe_http.FetchedResponse(200, "OK", json.dumps(echo).encode(), "utf-8")


class SendWebRequestBlock(Block):
    id = "6595ae1f-b924-42cb-9a41-551a0611c4b4"
    description = "This block makes an HTTP request to the given URL."
    categories = frozenset({BlockCategory.OUTPUT})
    retry = RetryPolicy(max_attempts=3, backoff_seconds=1.0, retry_on=TRANSIENT_ERRORS)

    class Input(BlockSchemaInput):
        url: str = SchemaField(description="The URL to send the request to", placeholder="https://api.example.com")
        method: HttpMethod = SchemaField(
            description="The HTTP method to use for the request", default=HttpMethod.POST, advanced=False
        )
        # Secret: headers carry tokens, so they are masked in run data and left out of exports.
        headers: dict[str, str] = SchemaField(
            description="The headers to include in the request", default_factory=dict, advanced=False, secret=True
        )
        json_format: bool = SchemaField(
            title="JSON format", description="Whether to send and receive body as JSON", default=True, advanced=False
        )
        body: Any = SchemaField(description="The body of the request", default=None, advanced=False)
        files_name: str = SchemaField(description="The name of the file field in the form", default="file")
        files: list[str] = SchemaField(
            description="Files to send as multipart form data: file URIs from uploads or data URIs",
            default_factory=list,
        )

    class Output(BlockSchemaOutput):
        response: Any = SchemaField(description="The response from the server")
        client_error: Any = SchemaField(description="Errors on 4xx status codes")
        server_error: Any = SchemaField(description="Errors on 5xx status codes")

    test_input = [
        {"url": "https://api.example.com/items", "body": '{"name": "widget"}', "headers": {"Accept": "*/*"}},
        {"url": "https://api.example.com/items", "method": "PUT", "json_format": False, "body": {"count": 2}},
        {"url": "https://api.example.com/missing", "method": "GET"},
        {"url": "https://api.example.com/broken", "method": "GET", "json_format": False},
    ]
    test_output = [
        ("response", {"method": "POST", "accept": "*/*", "body": {"json": {"name": "widget"}}}),
        ("response", '{"method": "PUT", "accept": null, "body": {"data": {"count": "2"}}}'),
        ("client_error", {"detail": "No such item"}),
        ("server_error", "upstream exploded"),
    ]
    test_mock = {"fetch": _fake_fetch}

    async def fetch(
        self,
        *,
        method: str,
        url: str,
        headers: dict[str, str],
        body: dict[str, Any],
        sensitive_headers: tuple[str, ...] = (),
    ) -> safe_http.FetchedResponse:
        return await safe_http.fetch(
            method,
            url,
            headers=headers,
            body=body,
            timeout=settings.BLOCK_HTTP_TIMEOUT_SECONDS,
            max_bytes=settings.BLOCK_HTTP_MAX_RESPONSE_BYTES,
            allow_private=settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS,
            sensitive_headers=sensitive_headers,
        )

    async def run(  # type: ignore[override]
        self, input_data: Input, *, user_id: str, **context: Any
    ) -> BlockOutput:
        async for output in self.send(input_data, headers=input_data.headers, user_id=user_id):
            yield output

    async def _multipart_body(self, input_data: Input, *, user_id: str) -> dict[str, Any]:
        """Form fields from `body` and the files under `files_name`, each read as the run's owner."""
        if input_data.json_format:
            raise ValueError(
                "json_format=True cannot be combined with file uploads; "
                "set json_format=False and put form fields in `body`."
            )
        if input_data.body is not None and not isinstance(input_data.body, dict):
            raise ValueError("With files, `body` must be an object of form fields (or empty)")
        files = []
        for reference in input_data.files:
            media = await media_file_read(reference, user_id=user_id)
            files.append((input_data.files_name, (media.name, media.content, media.content_type)))
        return {**_request_body(input_data.body, json_format=False), "files": files}

    async def send(
        self,
        input_data: Input,
        *,
        headers: dict[str, str],
        user_id: str,
        sensitive_headers: tuple[str, ...] = (),
    ) -> BlockOutput:
        if input_data.files:
            body = await self._multipart_body(input_data, user_id=user_id)
        else:
            body = _request_body(input_data.body, json_format=input_data.json_format)
        try:
            response = await self.fetch(
                method=input_data.method.value,
                url=input_data.url,
                headers=headers,
                body=body,
                sensitive_headers=sensitive_headers,
            )
        except TRANSIENT_ERRORS:
            raise  # retried by the engine (see `retry`)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise ValueError(f"Request to {input_data.url} failed: {detail}") from error

        status = response.status_code
        value = _response_value(response, json_format=input_data.json_format)
        if 200 <= status < 300:
            yield "response", value
        elif 400 <= status < 500:
            yield "client_error", value
        elif 500 <= status < 600:
            yield "server_error", value
        else:
            raise ValueError(f"Unexpected status code {status} '{response.reason}'")


HttpCredentials = CredentialsMetaInput[Literal[ProviderName.HTTP], Literal["host_scoped"]]

TEST_CREDENTIALS = HostScopedCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="http",
    host="api.example.com",
    headers={"Authorization": "Bearer test-token", "X-API-Key": "test-api-key"},  # type: ignore[dict-item]
    title="Mock HTTP Host-Scoped Credentials",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()


async def _fake_authenticated_fetch(
    *, method: str, url: str, headers: dict[str, str], body: dict[str, Any], sensitive_headers: tuple[str, ...] = ()
) -> safe_http.FetchedResponse:
    """The self-test's server: says which headers arrived, with the credential's values checked, not echoed."""
    seen = {
        "method": method,
        "headers": sorted(headers),
        "authorized": headers.get("Authorization") == "Bearer test-token",
        "protected": sorted(sensitive_headers),
    }
    return safe_http.FetchedResponse(200, "OK", json.dumps(seen).encode(), "utf-8")


class SendAuthenticatedWebRequestBlock(SendWebRequestBlock):
    id = "fff86bcd-e001-4bad-a7f6-2eae4720c8dc"
    description = "Make an authenticated HTTP request with host-scoped credentials (JSON / form / multipart)."

    class Input(SendWebRequestBlock.Input):
        credentials: HttpCredentials = CredentialsField(
            description="HTTP host-scoped credentials for automatic header injection", discriminator="url"
        )

    test_input = [
        {"url": "https://api.example.com/items", "method": "GET", "credentials": TEST_CREDENTIALS_INPUT},
        {
            "url": "https://api.example.com/items",
            "method": "GET",
            "headers": {"Authorization": "Bearer mine"},
            "credentials": TEST_CREDENTIALS_INPUT,
        },
        {"url": "https://elsewhere.example.org/items", "method": "GET", "credentials": TEST_CREDENTIALS_INPUT},
    ]
    test_output = [
        (
            "response",
            {
                "method": "GET",
                "headers": ["Authorization", "X-API-Key"],
                "authorized": True,
                "protected": ["Authorization", "X-API-Key"],
            },
        ),
        (
            "response",
            {
                "method": "GET",
                "headers": ["Authorization", "X-API-Key"],
                "authorized": False,
                "protected": ["Authorization", "X-API-Key"],
            },
        ),
        ("response", {"method": "GET", "headers": [], "authorized": False, "protected": []}),
    ]
    test_mock = {"fetch": _fake_authenticated_fetch}
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: HostScopedCredentials, user_id: str, **context: Any
    ) -> BlockOutput:
        added = credentials.get_headers_dict() if credentials.matches_url(input_data.url) else {}
        # The node's own headers win over the credentials', as upstream.
        headers = {**added, **input_data.headers}
        async for output in self.send(input_data, headers=headers, user_id=user_id, sensitive_headers=tuple(added)):
            yield output
