"""E2B sandboxes over their documented wire protocols, as the `e2b-code-interpreter` SDK speaks them.

Three hosts take part in one run:
- the REST API (`E2B_API_URL`, `X-API-KEY`): `POST /sandboxes` starts a sandbox from a template
  and answers its id, its domain and the `envdAccessToken` for the sandbox itself;
  `DELETE /sandboxes/{id}` stops it;
- the sandbox's `envd` daemon (port 49983): shell commands through the Connect RPC
  `process.Process/Start`, a server stream of enveloped JSON messages;
- the sandbox's code interpreter (port 49999): `POST /execute` answers one JSON line per
  event (stdout, stderr, a result, an error) while the code runs.

The SDK is not used: it derives the two sandbox hosts as `https://<port>-<id>.<domain>`, and
its only other choice is a debug mode on fixed `localhost` ports, so neither a regional
deployment nor a test server on a free port can stand in for a sandbox. Here the hosts are
derived the same way unless `E2B_SANDBOX_URL` is set; then every sandbox request goes there,
routed by the `E2b-Sandbox-Id` and `E2b-Sandbox-Port` headers the SDK sends anyway.

Error texts are the SDK's, since upstream's block shows them as they are.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from apps.blocks.provider_http import ProviderError, ProviderUnavailableError, provider_url
from apps.blocks.safe_http import ResponseTooLargeError, read_capped

logger = logging.getLogger(__name__)

SERVICE = "E2B"
DEFAULT_TEMPLATE = "code-interpreter-v1"
DEFAULT_DOMAIN = "e2b.app"
ENVD_PORT = 49983
JUPYTER_PORT = 49999
# The SDK's defaults: a command may run a minute, code five minutes, between two answers.
COMMAND_TIMEOUT_SECONDS = 60
EXECUTION_TIMEOUT_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 60.0
# envd runs commands as this user unless told otherwise (HTTP Basic, empty password).
SANDBOX_USER = "user"
# Sandbox ids and domains end up in a host name: nothing but a DNS label (or name) may pass.
SANDBOX_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}", re.IGNORECASE)
DOMAIN = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?", re.IGNORECASE)
END_STREAM_FLAG = 0x02


class SandboxError(ProviderError):
    """E2B or the sandbox refused; the message is the one the SDK would raise."""


@dataclass(frozen=True)
class Sandbox:
    sandbox_id: str
    domain: str
    access_token: str


@dataclass
class Execution:
    """What `/execute` streamed: upstream reads the same fields off the SDK's `Execution`."""

    results: list[dict[str, Any]] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None

    @property
    def text(self) -> str | None:
        return next((result.get("text") for result in self.results if result.get("is_main_result")), None)

    def error_message(self) -> str:
        # Upstream raises `Exception(execution.error)`: the text is the SDK dataclass's repr.
        error = self.error or {}
        name, value, traceback = (str(error.get(key, "")) for key in ("name", "value", "traceback"))
        return f"ExecutionError(name={name!r}, value={value!r}, traceback={traceback!r})"


def api_error(status: int, body: str) -> Exception:
    """The SDK's exception text for an API answer outside 2xx (`api_exception_from_code`)."""
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        message = None
    suffix = f" - {message}" if message else ""
    if status == 401:
        return SandboxError(f"401: Unauthorized, please check your credentials.{suffix}", status_code=status)
    if status == 429:
        return ProviderUnavailableError(f"429: Rate limit exceeded, please try again later.{suffix}")
    if status == 503:
        return ProviderUnavailableError(f"503: Service temporarily unavailable, please retry.{suffix}")
    if status in (502, 504):
        return ProviderUnavailableError(f"{status}: {message if message else body[:500]}")
    return SandboxError(f"{status}: {message if message else body[:500]}", status_code=status)


def sandbox_error(status: int, body: str) -> SandboxError:
    """The code interpreter's error texts (`format_exception`)."""
    if status == 404:
        return SandboxError(body, status_code=status)
    if status == 502:
        return SandboxError(
            f"{body}: This error is likely due to sandbox timeout. You can modify the sandbox timeout by passing "
            "'timeout' when starting the sandbox or calling '.set_timeout' on the sandbox with the desired timeout.",
            status_code=status,
        )
    return SandboxError(f"{status}: {body}", status_code=status)


async def send(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    content: bytes | None = None,
    read_timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> tuple[int, bytes]:
    """One request, its answer read within the size cap; the status is the caller's to judge."""
    timeout = httpx.Timeout(REQUEST_TIMEOUT_SECONDS, read=read_timeout)
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, trust_env=False) as client,
            client.stream(method, url, headers=headers, content=content) as response,
        ):
            return response.status_code, await read_capped(response, settings.BLOCK_HTTP_MAX_RESPONSE_BYTES)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise ProviderUnavailableError(f"Could not reach {SERVICE}: {error or type(error).__name__}") from error
    except httpx.ReadTimeout as error:
        raise SandboxError("Execution timed out — the 'timeout' option can be used to increase this timeout") from error
    except (httpx.HTTPError, ResponseTooLargeError) as error:
        raise SandboxError(f"Request to {SERVICE} failed: {error or type(error).__name__}") from error


def api_headers(api_key: str) -> dict[str, str]:
    return {"X-API-KEY": api_key, "Content-Type": "application/json"}


def default_domain() -> str:
    """The sandbox domain of the configured API (`api.<domain>`), for answers that name none."""
    host = urlsplit(provider_url("e2b")).hostname or ""
    return host.removeprefix("api.") if host.startswith("api.") else DEFAULT_DOMAIN


async def sandbox_create(*, api_key: str, template_id: str, timeout: int) -> Sandbox:
    body = {"templateID": template_id or DEFAULT_TEMPLATE, "timeout": timeout}
    status, answer = await send(
        "POST", provider_url("e2b", "/sandboxes"), headers=api_headers(api_key), content=json.dumps(body).encode()
    )
    text = answer.decode("utf-8", errors="replace")
    if not 200 <= status < 300:
        raise api_error(status, text)
    try:
        created = json.loads(text)
        sandbox_id, domain = str(created["sandboxID"]), created.get("domain") or default_domain()
    except (ValueError, KeyError, TypeError) as error:
        raise SandboxError(f"{SERVICE} answered a sandbox without an id: {text[:200]!r}") from error
    if not SANDBOX_ID.fullmatch(sandbox_id) or not DOMAIN.fullmatch(str(domain)):
        raise SandboxError(f"{SERVICE} answered a sandbox address that is not a host name: {sandbox_id}.{domain}")
    return Sandbox(sandbox_id=sandbox_id, domain=str(domain), access_token=str(created.get("envdAccessToken") or ""))


async def sandbox_kill(*, api_key: str, sandbox: Sandbox) -> None:
    """Stops the sandbox; one already gone (404) is as good as stopped."""
    url = provider_url("e2b", f"/sandboxes/{quote(sandbox.sandbox_id, safe='')}")
    status, answer = await send("DELETE", url, headers=api_headers(api_key))
    if not 200 <= status < 300 and status != 404:
        raise api_error(status, answer.decode("utf-8", errors="replace"))


def sandbox_request(sandbox: Sandbox, port: int, path: str) -> tuple[str, dict[str, str]]:
    """URL and routing headers for a request to one of the sandbox's ports."""
    headers = {"E2b-Sandbox-Id": sandbox.sandbox_id, "E2b-Sandbox-Port": str(port)}
    if sandbox.access_token:
        headers["X-Access-Token"] = sandbox.access_token
    base = settings.PROVIDER_BASE_URLS["e2b_sandbox"] or f"https://{port}-{sandbox.sandbox_id}.{sandbox.domain}"
    return base.rstrip("/") + path, headers


def envelope(message: dict[str, Any]) -> bytes:
    payload = json.dumps(message).encode()
    return struct.pack(">BI", 0, len(payload)) + payload


def envelopes(body: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """The (flags, message) frames of a Connect stream."""
    offset = 0
    while offset + 5 <= len(body):
        flags, length = struct.unpack_from(">BI", body, offset)
        payload = body[offset + 5 : offset + 5 + length]
        offset += 5 + length
        try:
            message = json.loads(payload or b"{}")
        except ValueError as error:
            raise SandboxError(f"The sandbox answered a message that is not JSON: {payload[:200]!r}") from error
        yield flags, message if isinstance(message, dict) else {}


async def run_command(*, sandbox: Sandbox, command: str) -> None:
    """Runs one shell command to its end (`commands.run`); a non-zero exit is an error, as in the SDK."""
    url, headers = sandbox_request(sandbox, ENVD_PORT, "/process.Process/Start")
    user = base64.b64encode(f"{SANDBOX_USER}:".encode()).decode()
    headers |= {
        "Content-Type": "application/connect+json",
        "Connect-Protocol-Version": "1",
        "Connect-Timeout-Ms": str(COMMAND_TIMEOUT_SECONDS * 1000),
        "Authorization": f"Basic {user}",
    }
    request = {"process": {"cmd": "/bin/bash", "args": ["-l", "-c", command], "envs": {}}, "stdin": False}
    status, body = await send(
        "POST", url, headers=headers, content=envelope(request), read_timeout=COMMAND_TIMEOUT_SECONDS
    )
    if status != 200:
        raise sandbox_error(status, body.decode("utf-8", errors="replace"))
    stderr: list[str] = []
    end: dict[str, Any] | None = None
    for flags, message in envelopes(body):
        if flags & END_STREAM_FLAG:
            if error := message.get("error"):
                raise SandboxError(f"{error.get('code', 'unknown')}: {error.get('message', '')}")
            continue
        event = message.get("event") or {}
        if "data" in event and "stderr" in event["data"]:
            stderr.append(base64.b64decode(event["data"]["stderr"]).decode("utf-8", errors="replace"))
        if "end" in event:
            end = event["end"]
    if end is None:
        raise SandboxError("Command ended without an end event")
    # proto3 JSON leaves out zero values: no exitCode means 0.
    exit_code = int(end.get("exitCode", 0))
    if exit_code != 0:
        raise SandboxError(f"Command exited with code {exit_code} and error:\n{''.join(stderr)}")


async def run_code(*, sandbox: Sandbox, code: str, language: str) -> Execution:
    url, headers = sandbox_request(sandbox, JUPYTER_PORT, "/execute")
    headers["Content-Type"] = "application/json"
    request: dict[str, Any] = {"code": code, "context_id": None, "language": language, "env_vars": {}}
    status, body = await send(
        "POST", url, headers=headers, content=json.dumps(request).encode(), read_timeout=EXECUTION_TIMEOUT_SECONDS
    )
    text = body.decode("utf-8", errors="replace")
    if not 200 <= status < 300:
        raise sandbox_error(status, text)
    execution = Execution()
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as error:
            raise SandboxError(f"The sandbox answered a line that is not JSON: {line[:200]!r}") from error
        kind = event.pop("type", None)
        if kind == "result":
            execution.results.append(event)
        elif kind == "stdout":
            execution.stdout.append(str(event.get("text", "")))
        elif kind == "stderr":
            execution.stderr.append(str(event.get("text", "")))
        elif kind == "error":
            execution.error = event
    return execution
