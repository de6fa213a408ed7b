"""Whom address-based limits count: the router's view of the client, and an IPv6 client by its /64."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from apps.core.ratelimit import client_ip, client_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_a_router(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def _request(**meta: str):  # type: ignore[no-untyped-def]
    return RequestFactory().get("/", **meta)


def test_the_last_forwarded_address_is_the_one_the_router_saw(behind_a_router) -> None:  # type: ignore[no-untyped-def]
    request = _request(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.4")

    assert client_ip(request) == "198.51.100.4"


def test_a_forwarded_value_that_is_no_address_falls_back_to_the_peer(behind_a_router) -> None:  # type: ignore[no-untyped-def]
    assert client_ip(_request(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.1.1.1, nonsense")) == "10.0.0.7"


def test_without_a_router_header_the_forwarded_list_is_ignored() -> None:
    assert client_ip(_request(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.4")) == "10.0.0.7"


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("192.0.2.1", "192.0.2.1"),
    ],
)
def test_an_ipv6_client_is_counted_by_its_64(address: str, counted_as: str) -> None:
    assert client_network(_request(REMOTE_ADDR=address)) == counted_as


def test_addresses_of_one_64_share_a_sign_in_budget(settings, api_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "2/h"}

    answers = [
        api_client.post("/api/auth/token", {}, format="json", REMOTE_ADDR=f"2001:db8:0:7::{host}")
        for host in ("1", "2", "3")
    ]
    other_network = api_client.post("/api/auth/token", {}, format="json", REMOTE_ADDR="2001:db8:0:8::1")

    assert [answer.status_code for answer in answers] == [422, 422, 429]
    assert other_network.status_code == 422
