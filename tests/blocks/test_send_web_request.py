"""SendWebRequestBlock against a real server on loopback (allowed only through the setting)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apps.blocks import safe_http
from apps.blocks.base import BlockExecutionError
from apps.blocks.library.http import SendWebRequestBlock
from tests.blocks.local_http import LocalServer, local_http_server
from tests.blocks.outputs import outputs_of


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server() as running:
        yield running


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def refuse_private(settings: Any) -> None:
    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = False


@pytest.fixture
def names_resolving_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """`*.test` names resolve to 127.0.0.1, as a DNS answer would; other names resolve normally."""
    real_resolve = safe_http.resolve

    async def resolve(host: str, port: int) -> list[Any]:
        if host.endswith(".test"):
            return [ipaddress.ip_address("127.0.0.1")]
        return await real_resolve(host, port)

    monkeypatch.setattr(safe_http, "resolve", resolve)


@pytest.fixture
def loopback_counts_as_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lets the loopback test server stand in for a public site, so redirects *from* it can be refused."""
    real_reason = safe_http.refusal_reason
    monkeypatch.setattr(
        safe_http,
        "refusal_reason",
        lambda address: None if str(address) == "127.0.0.1" else real_reason(address),
    )


async def request(**data: Any) -> list[tuple[str, Any]]:
    return await outputs_of(SendWebRequestBlock, data)


# --- SSRF guard ---------------------------------------------------------------------


@pytest.mark.usefixtures("refuse_private")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:{port}/echo", "Refusing to connect to 127.0.0.1: loopback addresses"),
        ("http://10.1.2.3/", "Refusing to connect to 10.1.2.3: private addresses"),
        ("http://192.168.0.10/", "Refusing to connect to 192.168.0.10: private addresses"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "Refusing to connect to 169.254.169.254: link-local addresses",
        ),
        ("http://[::1]:{port}/echo", "Refusing to connect to ::1: loopback addresses"),
        (
            "http://[::ffff:127.0.0.1]:{port}/",
            "Refusing to connect to ::ffff:127.0.0.1: loopback addresses",
        ),
        ("http://0.0.0.0:{port}/", "Refusing to connect to 0.0.0.0: unspecified addresses"),
        ("http://localhost:{port}/echo", "Refusing to connect to localhost: loopback addresses"),
        ("http://2130706433:{port}/echo", "Refusing to connect to 2130706433: loopback addresses"),
    ],
)
async def test_requests_to_internal_addresses_are_refused(server: LocalServer, url: str, message: str) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await request(url=url.format(port=server.port), method="GET")

    assert str(raised.value) == f"{message} are not allowed"
    assert server.requests == []


@pytest.mark.usefixtures("refuse_private")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "Only http and https URLs can be requested, not 'file' URL"),
        ("/relative/path", "Only http and https URLs can be requested, not 'a relative' URL"),
        ("http://no-such-host.invalid/", "Could not resolve host 'no-such-host.invalid': "),
    ],
)
async def test_urls_that_are_not_web_addresses_are_refused(url: str, message: str) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await request(url=url, method="GET")

    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("100.64.0.1", "non-public"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 for 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 for 169.254.169.254
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_refusal_reason(address: str, reason: str | None) -> None:
    assert safe_http.refusal_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.usefixtures("refuse_private", "names_resolving_to_loopback")
async def test_a_public_looking_name_that_resolves_to_loopback_is_refused(server: LocalServer) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await request(url=f"http://internal.test:{server.port}/echo", method="GET")

    assert str(raised.value) == "Refusing to connect to internal.test: loopback addresses are not allowed"
    assert server.requests == []


@pytest.mark.usefixtures("allow_private", "names_resolving_to_loopback")
async def test_the_connection_goes_to_the_vetted_address_with_the_name_as_host(server: LocalServer) -> None:
    # httpx cannot resolve `service.test` itself: the request only arrives if the vetted IP is used.
    outputs = await request(url=f"http://service.test:{server.port}/echo", method="GET")

    assert outputs[0][0] == "response"
    assert outputs[0][1]["host"] == f"service.test:{server.port}"


@pytest.mark.usefixtures("refuse_private", "loopback_counts_as_public")
@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "Refusing to connect to 169.254.169.254: link-local addresses are not allowed",
        ),
        ("http://10.0.0.7/admin", "Refusing to connect to 10.0.0.7: private addresses are not allowed"),
        ("file:///etc/passwd", "Only http and https URLs can be requested, not 'file' URL"),
    ],
)
async def test_a_redirect_to_a_refused_target_is_refused(server: LocalServer, target: str, message: str) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await request(url=server.url(f"/redirect?to={target}"), method="GET")

    assert str(raised.value) == message
    assert [received["path"] for received in server.requests] == ["/redirect"]


@pytest.mark.usefixtures("refuse_private")
async def test_private_targets_can_be_allowed_by_setting(server: LocalServer, settings: Any) -> None:
    with pytest.raises(BlockExecutionError):
        await request(url=server.url("/echo"), method="GET")

    settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS = True
    outputs = await request(url=server.url("/echo"), method="GET")

    assert outputs[0][0] == "response"
    assert len(server.requests) == 1


# --- redirects -----------------------------------------------------------------------


@pytest.mark.usefixtures("allow_private")
async def test_a_302_after_post_is_followed_with_a_get(server: LocalServer) -> None:
    outputs = await request(url=server.url("/redirect?to=/echo"), method="POST", body={"a": 1})

    assert outputs[0][1]["method"] == "GET"
    assert outputs[0][1]["body"] is None
    assert [received["path"] for received in server.requests] == ["/redirect", "/echo"]


@pytest.mark.usefixtures("allow_private")
async def test_a_307_keeps_the_method_and_the_body(server: LocalServer) -> None:
    outputs = await request(url=server.url("/redirect?status=307&to=/echo"), method="PUT", body={"a": 1})

    assert (outputs[0][1]["method"], outputs[0][1]["body"]) == ("PUT", '{"a":1}')


@pytest.mark.usefixtures("allow_private", "names_resolving_to_loopback")
async def test_credentials_are_not_forwarded_to_another_host(server: LocalServer) -> None:
    to_other_host = f"http://other.test:{server.port}/echo"

    outputs = await request(
        url=server.url(f"/redirect?to={to_other_host}"), method="GET", headers={"Authorization": "Bearer s3cret"}
    )

    assert server.requests[0]["authorization"] == "Bearer s3cret"
    assert outputs[0][1]["authorization"] is None
    assert outputs[0][1]["host"] == f"other.test:{server.port}"


@pytest.mark.usefixtures("allow_private")
async def test_redirect_loops_end(server: LocalServer) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await request(url=server.url("/redirect"), method="GET")

    assert str(raised.value) == f"Too many redirects (more than {safe_http.MAX_REDIRECTS})"


# --- responses -----------------------------------------------------------------------


@pytest.mark.usefixtures("allow_private")
async def test_2xx_4xx_and_5xx_go_to_their_own_pins(server: LocalServer) -> None:
    ok = await request(url=server.url("/echo"), method="POST", body='{"name": "widget"}')
    missing = await request(url=server.url("/missing"), method="GET")
    broken = await request(url=server.url("/broken"), method="GET")

    assert ok == [
        (
            "response",
            {
                "method": "POST",
                "path": "/echo",
                "host": f"127.0.0.1:{server.port}",
                "authorization": None,
                "content_type": "application/json",
                "body": '{"name":"widget"}',
            },
        )
    ]
    assert missing == [("client_error", {"detail": "Nothing here"})]
    assert broken == [("server_error", "Service unavailable")]


@pytest.mark.usefixtures("allow_private")
async def test_plain_text_body_is_sent_as_is_and_the_answer_read_as_text(server: LocalServer) -> None:
    outputs = await request(url=server.url("/echo"), method="PATCH", body="just words", json_format=False)

    assert outputs[0][0] == "response"
    assert isinstance(outputs[0][1], str)
    assert '"body": "just words"' in outputs[0][1]


@pytest.mark.usefixtures("allow_private")
async def test_a_dict_body_without_json_is_form_encoded(server: LocalServer) -> None:
    await request(url=server.url("/echo"), method="POST", body={"q": "a b", "n": 2}, json_format=False)

    assert server.requests[0]["content_type"] == "application/x-www-form-urlencoded"
    assert server.requests[0]["body"] == "q=a+b&n=2"


@pytest.mark.usefixtures("allow_private")
@pytest.mark.parametrize("declare_length", ["0", "1"])
async def test_a_response_over_the_size_limit_is_cut_off(server: LocalServer, settings: Any, declare_length) -> None:
    settings.BLOCK_HTTP_MAX_RESPONSE_BYTES = 10_000

    within = await request(url=server.url(f"/big?size=10000&declare={declare_length}"), method="GET")
    with pytest.raises(BlockExecutionError) as raised:
        await request(url=server.url(f"/big?size=10001&declare={declare_length}"), method="GET")

    assert within == [("response", "x" * 10_000)]
    assert str(raised.value) == "Response body is larger than 10000 bytes"


@pytest.mark.usefixtures("allow_private")
async def test_the_timeout_comes_from_settings(server: LocalServer, settings: Any) -> None:
    settings.BLOCK_HTTP_TIMEOUT_SECONDS = 0.2

    with pytest.raises(BlockExecutionError) as raised:
        await request(url=server.url("/slow?seconds=2"), method="GET")

    assert str(raised.value) == f"Request to {server.url('/slow?seconds=2')} failed: ReadTimeout"


@pytest.mark.usefixtures("allow_private")
async def test_a_refused_connection_is_left_to_the_retry_policy(server: LocalServer) -> None:
    closed_port = server.port
    with local_http_server() as other:
        closed_port = other.port  # closed once this block exits

    with pytest.raises(httpx.ConnectError):
        await request(url=f"http://127.0.0.1:{closed_port}/echo", method="GET")

    assert SendWebRequestBlock.retry is not None
    assert SendWebRequestBlock.retry.retry_on == (httpx.ConnectError, httpx.ConnectTimeout)
