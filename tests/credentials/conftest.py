from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credentials.oauth import redirect_uri
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.fakes import github, google
from tests.fakes.github import FakeGitHub, fake_github
from tests.fakes.google import FakeGoogle, fake_google


@pytest.fixture
def other_user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def other_client(other_user: User) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def google_server(settings: Any) -> Iterator[FakeGoogle]:
    with fake_google(redirect_uri()) as fake:
        settings.OAUTH_PROVIDERS = {
            **settings.OAUTH_PROVIDERS,
            "google": {"client_id": google.CLIENT_ID, "client_secret": google.CLIENT_SECRET, "base_url": fake.base_url},
        }
        yield fake


@pytest.fixture
def github_server(settings: Any) -> Iterator[FakeGitHub]:
    with fake_github(redirect_uri()) as fake:
        settings.OAUTH_PROVIDERS = {
            **settings.OAUTH_PROVIDERS,
            "github": {"client_id": github.CLIENT_ID, "client_secret": github.CLIENT_SECRET, "base_url": fake.base_url},
        }
        yield fake


def consent(login_url: str) -> dict[str, str]:
    """What the provider sends the browser back with once the user agreed: `code` and `state`."""
    answer = httpx.get(login_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri()
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def sign_in(client: APIClient, provider: str, scopes: str = "") -> httpx.Response:
    login = client.get(f"/api/integrations/{provider}/login", {"scopes": scopes})
    assert login.status_code == 200, login.json()
    returned = consent(login.json()["login_url"])
    assert returned["state"] == login.json()["state_token"]
    return client.post(
        f"/api/integrations/{provider}/callback",
        {"code": returned["code"], "state_token": returned["state"]},
        format="json",
    )
