from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.api_keys.models import APIKey, APIKeyPermission
from apps.api_keys.services import api_key_create

ALL_PERMISSIONS = list(APIKeyPermission.values)

MakeKey = Callable[..., tuple[APIKey, str]]


@pytest.fixture
def make_key(user: User) -> MakeKey:
    """Creates a key through the service; `(api_key, plaintext)`. Defaults: the fixture user, every permission."""

    def make(owner: User | None = None, permissions: list[str] | None = None, **fields: Any) -> tuple[APIKey, str]:
        return api_key_create(
            user=owner or user,
            name=fields.pop("name", "key"),
            permissions=ALL_PERMISSIONS if permissions is None else permissions,
            **fields,
        )

    return make


def key_client(plaintext: str, **extra: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plaintext, **extra)
    return client


@pytest.fixture(autouse=True)
def _funded(user_has_credits: None) -> None:
    pass
