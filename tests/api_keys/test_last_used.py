from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.api_keys.models import APIKey
from tests.api_keys.conftest import MakeKey, key_client

pytestmark = pytest.mark.django_db


def last_used(api_key: APIKey) -> object:
    return APIKey.objects.values_list("last_used_at", flat=True).get(pk=api_key.pk)


def set_last_used(api_key: APIKey, *, ago: timedelta) -> None:
    APIKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now() - ago)


def test_the_first_use_records_last_used_at(make_key: MakeKey) -> None:
    api_key, plaintext = make_key()
    before = timezone.now()

    key_client(plaintext).get("/external-api/v1/me")

    recorded = last_used(api_key)
    assert recorded is not None
    assert before <= recorded <= timezone.now()  # type: ignore[operator]


def test_uses_within_a_minute_do_not_write_last_used_at_again(make_key: MakeKey) -> None:
    api_key, plaintext = make_key()
    set_last_used(api_key, ago=timedelta(seconds=50))
    recorded = last_used(api_key)

    for _ in range(3):
        key_client(plaintext).get("/external-api/v1/me")

    assert last_used(api_key) == recorded


def test_a_use_a_minute_later_records_the_new_time(make_key: MakeKey) -> None:
    api_key, plaintext = make_key()
    set_last_used(api_key, ago=timedelta(seconds=61))
    stale = last_used(api_key)

    key_client(plaintext).get("/external-api/v1/me")

    assert last_used(api_key) > stale  # type: ignore[operator]


def test_a_wrong_key_with_the_same_head_does_not_count_as_use(make_key: MakeKey) -> None:
    api_key, plaintext = make_key()

    response = key_client(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")).get("/external-api/v1/me")

    assert response.status_code == 401

    assert last_used(api_key) is None


def test_last_used_at_is_shown_in_the_key_info(auth_client, make_key: MakeKey) -> None:  # type: ignore[no-untyped-def]
    api_key, plaintext = make_key()
    key_client(plaintext).get("/external-api/v1/me")

    response = auth_client.get(f"/api/api-keys/{api_key.pk}")

    assert response.json()["last_used_at"] is not None
