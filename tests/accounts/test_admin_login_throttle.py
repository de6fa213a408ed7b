"""The admin login is throttled per account from an address, and per address (django-axes)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _sign_in(email: str, password: str, address: str):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def staff():  # type: ignore[no-untyped-def]
    user = UserFactory(is_staff=True, email="staff@example.com")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_wrong_passwords_lock_the_account_from_that_address(settings, staff) -> None:  # type: ignore[no-untyped-def]
    failures = [_sign_in(staff.email, "wrong", "198.51.100.1") for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT)]

    locked = _sign_in(staff.email, PASSWORD, "198.51.100.1")
    elsewhere = _sign_in(staff.email, PASSWORD, "198.51.100.2")

    assert [failure.status_code for failure in failures[:-1]] == [200] * (settings.ADMIN_LOGIN_FAILURE_LIMIT - 1)
    assert failures[-1].status_code == 429
    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_an_address_guessing_many_accounts_is_locked(settings, staff) -> None:  # type: ignore[no-untyped-def]
    for index in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        _sign_in(f"nobody{index}@example.com", "wrong", "198.51.100.3")

    assert _sign_in(staff.email, PASSWORD, "198.51.100.3").status_code == 429
    assert _sign_in(staff.email, PASSWORD, "198.51.100.4").status_code == 302


def test_the_api_sign_in_is_not_locked_by_the_admin_throttle(settings, staff, api_client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        _sign_in(staff.email, "wrong", "198.51.100.5")

    response = api_client.post(
        "/api/auth/token", {"email": staff.email, "password": PASSWORD}, format="json", REMOTE_ADDR="198.51.100.5"
    )

    assert response.status_code == 200


def test_an_ipv6_client_is_locked_by_its_64(settings, staff) -> None:  # type: ignore[no-untyped-def]
    for host in range(1, settings.ADMIN_LOGIN_FAILURE_LIMIT + 1):
        _sign_in(staff.email, "wrong", f"2001:db8:9:9::{host}")

    assert _sign_in(staff.email, PASSWORD, "2001:db8:9:9:ffff::1").status_code == 429
    assert _sign_in(staff.email, PASSWORD, "2001:db8:9:a::1").status_code == 302


def test_wrong_api_sign_ins_neither_lock_the_api_nor_count_for_the_admin(settings, staff, api_client) -> None:  # type: ignore[no-untyped-def]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "1000/m"}  # this is about django-axes, not our limit
    wrong = {"email": staff.email, "password": "wrong"}
    failures = [
        api_client.post("/api/auth/token", wrong, format="json", REMOTE_ADDR="198.51.100.9")
        for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT + 2)
    ]

    right = api_client.post(
        "/api/auth/token", {"email": staff.email, "password": PASSWORD}, format="json", REMOTE_ADDR="198.51.100.9"
    )

    assert {failure.status_code for failure in failures} == {401}
    assert right.status_code == 200
    assert _sign_in(staff.email, PASSWORD, "198.51.100.9").status_code == 302
