"""SendAuthenticatedWebRequestBlock against a real server on loopback: host-scoped headers go where they belong only."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from apps.blocks import safe_http
from apps.blocks.library.http import SendAuthenticatedWebRequestBlock
from apps.credentials.types import HostScopedCredentials
from tests.blocks.local_http import LocalServer, local_http_server
from tests.blocks.outputs import outputs_of

pytestmark = pytest.mark.usefixtures("allow_private", "names_resolving_to_loopback")

SECRET = "hdr-secret-for-api-test"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server() as running:
        yield running


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def names_resolving_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    real_resolve = safe_http.resolve

    async def resolve(host: str, port: int) -> list[Any]:
        if host.endswith(".test"):
            return [ipaddress.ip_address("127.0.0.1")]
        return await real_resolve(host, port)

    monkeypatch.setattr(safe_http, "resolve", resolve)


def credentials(host: str) -> HostScopedCredentials:
    return HostScopedCredentials(
        id="c1",
        provider="http",
        host=host,
        headers={"X-API-Key": SecretStr(SECRET), "Authorization": SecretStr("Bearer t")},
    )


async def send(url: str, host: str, **inputs: Any) -> list[tuple[str, Any]]:
    reference = {"id": "c1", "provider": "http", "type": "host_scoped"}
    return await outputs_of(
        SendAuthenticatedWebRequestBlock,
        {"url": url, "method": "GET", "credentials": reference, **inputs},
        credentials=credentials(host),
    )


async def test_the_headers_go_to_the_host_they_are_for(server: LocalServer) -> None:
    outputs = await send(f"http://api.test:{server.port}/ok", "api.test")

    assert outputs == [("response", {"ok": True})]
    assert (server.requests[0]["headers"]["X-API-Key"], server.requests[0]["authorization"]) == (SECRET, "Bearer t")


async def test_a_wildcard_host_covers_its_subdomains(server: LocalServer) -> None:
    await send(f"http://eu.api.test:{server.port}/ok", "*.api.test")

    assert server.requests[0]["headers"].get("X-API-Key") == SECRET


async def test_another_host_gets_no_headers(server: LocalServer) -> None:
    await send(f"http://other.test:{server.port}/ok", "api.test")

    assert "X-API-Key" not in server.requests[0]["headers"]
    assert server.requests[0]["authorization"] is None


async def test_the_nodes_own_headers_win(server: LocalServer) -> None:
    await send(f"http://api.test:{server.port}/ok", "api.test", headers={"Authorization": "Bearer node"})

    assert server.requests[0]["authorization"] == "Bearer node"
    assert server.requests[0]["headers"]["X-API-Key"] == SECRET


async def test_a_redirect_to_another_origin_drops_the_credentials_headers(server: LocalServer) -> None:
    elsewhere = f"http://other.test:{server.port}/ok"

    outputs = await send(f"http://api.test:{server.port}/redirect?to={elsewhere}", "api.test")

    assert outputs == [("response", {"ok": True})]
    first, second = server.requests
    assert first["headers"]["X-API-Key"] == SECRET
    assert second["host"] == f"other.test:{server.port}"
    assert "X-API-Key" not in second["headers"] and second["authorization"] is None


async def test_a_redirect_on_the_same_origin_keeps_them(server: LocalServer) -> None:
    await send(f"http://api.test:{server.port}/redirect?to=/ok", "api.test")

    assert [request["headers"].get("X-API-Key") for request in server.requests] == [SECRET, SECRET]
