"""Limits per user on /api, per key on the external API, and on wrong keys per client address.

Rates use hour or day windows so that a window boundary cannot fall inside a test.
"""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from tests.api_keys.conftest import MakeKey, key_client
from tests.conftest import client_for
from tests.factories import UserFactory

WRONG_KEY = "agpt_" + "w" * 43


def limit(settings, **rates: str) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}


def assert_refused_with_headers(response, *, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert response.json()["message"] == "Rate limit exceeded. Please try again later."
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == "0"


@pytest.mark.django_db
def test_api_routes_are_limited_per_user_by_default(settings, auth_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    limit(settings, default="3/h")

    answers = [auth_client.get("/api/api-keys") for _ in range(3)]
    refused = auth_client.get("/api/blocks")
    other_user = client_for(UserFactory()).get("/api/api-keys")

    assert [answer.status_code for answer in answers] == [200] * 3
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0"]
    assert_refused_with_headers(refused, limit=3)
    assert other_user.status_code == 200


@pytest.mark.django_db
def test_sign_in_routes_keep_their_own_limit(settings, api_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    limit(settings, default="1/h", auth="5/h")

    answers = [api_client.post("/api/auth/token", {}, format="json") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [422] * 3
    assert answers[-1]["X-RateLimit-Limit"] == "5"


@pytest.mark.django_db
def test_the_external_api_is_limited_per_key(settings, make_key: MakeKey) -> None:  # type: ignore[no-untyped-def]
    limit(settings, external="2/h", default="1/h")
    first = key_client(make_key()[1])
    second = key_client(make_key()[1])

    answers = [first.get("/external-api/v1/me") for _ in range(2)]
    refused = first.get("/external-api/v1/blocks")
    other_key = second.get("/external-api/v1/me")

    assert [answer.status_code for answer in answers] == [200, 200]
    assert_refused_with_headers(refused, limit=2)
    assert other_key.status_code == 200


@pytest.mark.django_db
def test_wrong_keys_are_limited_per_client_address(settings, make_key: MakeKey) -> None:  # type: ignore[no-untyped-def]
    limit(settings, auth="3/h")
    _, plaintext = make_key()
    guesser = key_client(WRONG_KEY, REMOTE_ADDR="10.0.0.1")

    answers = [guesser.get("/external-api/v1/me") for _ in range(3)]
    refused = guesser.get("/external-api/v1/me")
    valid_key_same_address = key_client(plaintext, REMOTE_ADDR="10.0.0.1").get("/external-api/v1/me")
    valid_key_other_address = key_client(plaintext, REMOTE_ADDR="10.0.0.2").get("/external-api/v1/me")

    assert [answer.status_code for answer in answers] == [401] * 3
    assert [answer["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0"]
    assert_refused_with_headers(refused, limit=3)
    # Clients behind one router share an address: another client's guesses never lock out a valid key.
    assert valid_key_same_address.status_code == 200
    assert valid_key_other_address.status_code == 200


@pytest.mark.django_db
def test_valid_keys_do_not_spend_the_wrong_key_budget(settings, make_key: MakeKey) -> None:  # type: ignore[no-untyped-def]
    limit(settings, auth="2/h")
    client = key_client(make_key()[1])

    answers = [client.get("/external-api/v1/me") for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200] * 5


@pytest.mark.django_db
def test_a_missing_key_is_not_counted_as_a_guess(settings, api_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    limit(settings, auth="1/h")

    answers = [api_client.get("/external-api/v1/me") for _ in range(3)]

    assert [answer.json()["detail"] for answer in answers] == ["Missing API key"] * 3


def fire_at_once(url: str, headers: dict[str, str], count: int) -> list[httpx.Response]:
    """`count` requests from real threads, released together by a barrier."""
    barrier = threading.Barrier(count)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            response = client.get(url, headers=headers)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


CONCURRENT_LIMIT = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_over_a_keys_limit_admit_exactly_the_limit(live_server, settings, user: User) -> None:  # type: ignore[no-untyped-def]
    from apps.api_keys.services import api_key_create

    limit(settings, external=f"{CONCURRENT_LIMIT}/d")
    _, plaintext = api_key_create(user=user, name="burst", permissions=["IDENTITY"])

    responses = fire_at_once(f"{live_server.url}/external-api/v1/me", {"X-API-Key": plaintext}, 2 * CONCURRENT_LIMIT)

    assert Counter(response.status_code for response in responses) == {200: CONCURRENT_LIMIT, 429: CONCURRENT_LIMIT}
    for response in responses:
        if response.status_code == 429:
            assert_refused_with_headers(response, limit=CONCURRENT_LIMIT)


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_keys_are_told_invalid_exactly_the_limit_times(live_server, settings) -> None:  # type: ignore[no-untyped-def]
    limit(settings, auth=f"{CONCURRENT_LIMIT}/d")

    responses = fire_at_once(f"{live_server.url}/external-api/v1/me", {"X-API-Key": WRONG_KEY}, 2 * CONCURRENT_LIMIT)

    assert Counter(response.status_code for response in responses) == {401: CONCURRENT_LIMIT, 429: CONCURRENT_LIMIT}
    for response in responses:
        if response.status_code == 429:
            assert_refused_with_headers(response, limit=CONCURRENT_LIMIT)


@pytest.mark.django_db
def test_a_valid_key_passes_from_an_address_whose_budget_is_spent_behind_a_router(settings, make_key: MakeKey) -> None:  # type: ignore[no-untyped-def]
    limit(settings, auth="2/h")
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    _, plaintext = make_key()
    # Heroku's router appends the address it saw; everything before it is the client's say.
    router = {"REMOTE_ADDR": "10.1.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    guesses = [key_client(WRONG_KEY, **router).get("/external-api/v1/me") for _ in range(3)]

    valid = key_client(plaintext, **router).get("/external-api/v1/me")
    another_client = key_client(WRONG_KEY, REMOTE_ADDR="10.1.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10").get(
        "/external-api/v1/me"
    )

    assert [guess.status_code for guess in guesses] == [401, 401, 429]
    assert valid.status_code == 200
    assert another_client.status_code == 401
