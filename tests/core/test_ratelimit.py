from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def tight_auth_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": f"{LIMIT}/m"}


@pytest.mark.parametrize("path", ["/api/auth/register", "/api/auth/token", "/api/auth/token/refresh"])
def test_the_request_after_the_limit_is_refused_with_headers(api_client: APIClient, path: str) -> None:
    answers = [api_client.post(path, {}, format="json") for _ in range(LIMIT)]
    refused = api_client.post(path, {}, format="json")

    assert [answer.status_code for answer in answers] == [422] * LIMIT
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json()["message"] == "Rate limit exceeded. Please try again later."
    assert refused["X-RateLimit-Limit"] == str(LIMIT)
    assert refused["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_limits_are_counted_per_client_address(api_client: APIClient) -> None:
    for _ in range(LIMIT):
        api_client.post("/api/auth/token", {}, format="json", REMOTE_ADDR="10.0.0.1")

    other = api_client.post("/api/auth/token", {}, format="json", REMOTE_ADDR="10.0.0.2")

    assert other.status_code == 422


def test_a_trusted_proxy_header_names_the_client(api_client: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for _ in range(LIMIT):
        api_client.post("/api/auth/token", {}, format="json", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.9")

    same_client = api_client.post("/api/auth/token", {}, format="json", HTTP_X_FORWARDED_FOR="other, 203.0.113.9")
    other_client = api_client.post("/api/auth/token", {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.10")

    assert same_client.status_code == 429
    assert other_client.status_code == 422
