"""Outbound HTTP for blocks, guarded against server-side request forgery.

A graph author chooses the URL, so a request must not reach the machine's own services,
the private network or a cloud metadata endpoint. Before each request (and each redirect)
the host is resolved and every address it resolves to is checked; the connection then goes
to the vetted address itself (the URL carries the IP; `Host` and TLS SNI carry the name), so
a second, different DNS answer cannot swap the target after the check. Proxies from the
environment are ignored for the same reason. Response bodies are streamed and cut off at a
size limit.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Credentials meant for one origin are not forwarded to another on redirect.
CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class RefusedTargetError(ValueError):
    """The URL is not one a block may request."""


class ResponseTooLargeError(ValueError):
    pass


@dataclass(frozen=True)
class FetchedResponse:
    status_code: int
    reason: str
    body: bytes
    charset: str | None = None
    # Names lower-cased.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name in Content-Type
            return self.body.decode("utf-8", errors="replace")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once: building it (loading the CA bundle) takes tens of
    milliseconds of CPU, which a client per request would pay every time. Contexts are safe to share."""
    return httpx.create_ssl_context()


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), which is where it leads."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why a block may not connect to `address`, or None for an ordinary public address."""
    if isinstance(address, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(address)) is not None:
        return refusal_reason(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((reason for reason, refused in checks if refused), None)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (a literal IP resolves to itself), in resolver order."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedTargetError(f"Could not resolve host {host!r}: {error.strerror}") from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


async def vet_target(url: httpx.URL, *, allow_private: bool) -> IPAddress:
    """The address to connect to for `url`, after refusing schemes and addresses a block may not use."""
    if url.scheme not in ("http", "https"):
        raise RefusedTargetError(f"Only http and https URLs can be requested, not {url.scheme or 'a relative'!r} URL")
    if not url.host:
        raise RefusedTargetError("The URL has no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await resolve(url.host, port)
    if not addresses:
        raise RefusedTargetError(f"Could not resolve host {url.host!r}")
    if not allow_private:
        # Every answer is checked, not only the one used: a name must not mix public and private addresses.
        for address in addresses:
            if reason := refusal_reason(address):
                # The address a name resolved to stays unsaid: it would map the internal network.
                raise RefusedTargetError(f"Refusing to connect to {url.host}: {reason} addresses are not allowed")
    return addresses[0]


def _redirected_request(
    method: str,
    status: int,
    headers: httpx.Headers,
    body: dict[str, Any],
    *,
    same_origin: bool,
    sensitive_headers: tuple[str, ...] = (),
) -> tuple[str, httpx.Headers, dict[str, Any]]:
    """Method, headers and body for following a redirect, as browsers (and requests/httpx) do."""
    headers = httpx.Headers(headers)
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, body = "GET", {}
        for name in ("content-type", "content-length", "transfer-encoding"):
            headers.pop(name, None)
    if not same_origin:
        for name in (*CREDENTIAL_HEADERS, *sensitive_headers):
            headers.pop(name, None)
    return method, headers, body


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLargeError(f"Response body is larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise ResponseTooLargeError(f"Response body is larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    timeout: float,
    max_bytes: int,
    allow_private: bool,
    sensitive_headers: tuple[str, ...] = (),
) -> FetchedResponse:
    """Send one request, following redirects (each one vetted), and read at most `max_bytes` of the answer.

    `body` holds httpx's body arguments: `{"json": ...}`, `{"content": ...}` or `{"data": ...}`.
    `sensitive_headers` are dropped, like `Authorization`, when a redirect leads to another origin.
    """
    current = httpx.URL(url)
    request_headers = httpx.Headers(headers or {})
    request_body = dict(body or {})
    for _ in range(MAX_REDIRECTS + 1):
        address = await vet_target(current, allow_private=allow_private)
        pinned_headers = httpx.Headers(request_headers)
        pinned_headers["Host"] = current.netloc.decode("ascii")
        # A fresh client per hop: a pooled TLS connection made for one name must not serve another.
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls_context()
        ) as client:
            request = client.build_request(
                method,
                current.copy_with(host=str(address)),
                headers=pinned_headers,
                extensions={"sni_hostname": current.host} if current.scheme == "https" else {},
                **request_body,
            )
            response = await client.send(request, stream=True)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = current.join(location)
                    same_origin = (target.scheme, target.host, target.port) == (
                        current.scheme,
                        current.host,
                        current.port,
                    )
                    method, request_headers, request_body = _redirected_request(
                        method,
                        response.status_code,
                        request_headers,
                        request_body,
                        same_origin=same_origin,
                        sensitive_headers=sensitive_headers,
                    )
                    current = target
                    continue
                return FetchedResponse(
                    status_code=response.status_code,
                    reason=response.reason_phrase,
                    body=await read_capped(response, max_bytes),
                    charset=response.charset_encoding,
                )
            finally:
                await response.aclose()
    raise RefusedTargetError(f"Too many redirects (more than {MAX_REDIRECTS})")
