from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import tokens_issue
from apps.core.redis import get_redis
from tests.factories import UserFactory

# The live processes, one of each per test session. Defined here only: a fixture imported into
# several conftest files is a separate fixture in each, so every directory would start its own
# worker, and a test that kills "the" worker would leave another one running its work.
from tests.web import web_process  # noqa: F401
from tests.worker import celery_worker_process  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    from config.env import redis_url_is_set

    if not redis_url_is_set():
        raise pytest.UsageError("REDIS_URL is not set: run the suite with `make test`, which provides one.")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL row locks; set DATABASE_URL to a PostgreSQL database")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


# The application's keys. The broker's own keys (queues, bindings) stay: a live
# worker shared by the integration tests needs them.
APP_KEY_PATTERNS = ("agpt:*", "ag:*", "uec:*")


@pytest.fixture(autouse=True)
def clean_redis() -> Iterator[None]:
    """Every test starts without rate-limit counters, caches, flags and event counters."""
    client = get_redis()
    for pattern in APP_KEY_PATTERNS:
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def funded_user(**fields: object) -> User:
    """A user with credits to spend, as a real sign-up would have."""
    from apps.credits.services import credits_grant

    user = UserFactory(**fields)
    credits_grant(user_id=user.pk, amount=100_000, transaction_key="test-funds")
    return user


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def user_has_credits(user: User) -> None:
    """For tests about running things rather than paying for them (tests/credits covers paying)."""
    from apps.credits.services import credits_grant

    credits_grant(user_id=user.pk, amount=100_000, transaction_key="test-funds")


@pytest.fixture
def staff_user(db: None) -> User:
    return UserFactory(is_staff=True)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['access']}")
    return client


@pytest.fixture
def auth_client(user: User) -> APIClient:
    return client_for(user)


@pytest.fixture
def staff_client(staff_user: User) -> APIClient:
    return client_for(staff_user)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"
