from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import tokens_issue
from apps.core.redis import get_redis
from tests.factories import UserFactory


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


@pytest.fixture(autouse=True)
def clean_redis() -> Iterator[None]:
    """Every test starts with an empty Redis: rate-limit counters, queues and caches."""
    get_redis().flushdb()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


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
