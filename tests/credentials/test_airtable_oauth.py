"""Airtable's OAuth2 sign-in against a local airtable.com: PKCE, HTTP Basic at the token endpoint,
refresh tokens that rotate and expire, and the signed-in account used by the Airtable blocks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.blocks.library.airtable import AirtableCreateBaseBlock
from apps.credentials.codec import to_runtime
from apps.credentials.models import Credential
from apps.credentials.services import credentials_acquire
from apps.credentials.types import OAuth2Credentials
from tests.blocks.outputs import outputs_of
from tests.credentials.conftest import sign_in
from tests.fakes import airtable
from tests.fakes.airtable import FakeAirtable, fake_airtable

pytestmark = pytest.mark.django_db
DEFAULT_SCOPES = [
    "data.records:read",
    "data.records:write",
    "schema.bases:read",
    "schema.bases:write",
    "webhook:manage",
]


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeAirtable]:
    with fake_airtable() as started:
        started.apply(settings)
        yield started


def tokens_of(credentials_id: str) -> OAuth2Credentials:
    runtime = to_runtime(Credential.objects.get(pk=credentials_id))
    assert isinstance(runtime, OAuth2Credentials)
    return runtime


def test_signing_in_uses_pkce_and_basic_authentication_and_keeps_the_refresh_tokens_lifetime(
    auth_client: APIClient, fake: FakeAirtable
) -> None:
    login = auth_client.get("/api/integrations/airtable/login").json()
    params = parse_qs(urlsplit(login["login_url"]).query)

    response = sign_in(auth_client, "airtable")

    assert params["scope"] == [" ".join(DEFAULT_SCOPES)]
    assert params["code_challenge_method"] == ["S256"]
    assert response.status_code == 200, response.json()
    assert response.json()["username"] == airtable.ACCOUNT.id  # no email without `user.email:read`
    (exchange,) = fake.requests_to("/oauth2/v1/token")
    assert exchange.headers["Authorization"].startswith("Basic ")
    assert "client_secret" not in exchange.body and "code_verifier=" in exchange.body
    credentials = tokens_of(response.json()["id"])
    assert credentials.refresh_token_expires_at is not None
    assert credentials.refresh_token_expires_at > time.time() + airtable.REFRESH_EXPIRES_IN - 60
    assert sorted(credentials.scopes) == sorted(DEFAULT_SCOPES)


def test_the_email_names_the_account_when_the_grant_may_read_it(auth_client: APIClient, fake: FakeAirtable) -> None:
    response = sign_in(auth_client, "airtable", "data.records:read,user.email:read")

    assert response.json()["username"] == airtable.ACCOUNT.email


def test_an_expiring_token_is_refreshed_and_the_new_refresh_token_replaces_the_old(
    auth_client: APIClient, user: User, fake: FakeAirtable
) -> None:
    credentials_id = sign_in(auth_client, "airtable").json()["id"]
    before = tokens_of(credentials_id)
    Credential.objects.filter(pk=credentials_id).update(access_token_expires_at=timezone.now() + timedelta(seconds=60))

    refreshed = credentials_acquire(user_id=user.pk, credentials_id=credentials_id)

    assert isinstance(refreshed, OAuth2Credentials) and before.refresh_token is not None
    assert refreshed.refresh_token is not None
    assert refreshed.refresh_token.get_secret_value() != before.refresh_token.get_secret_value()
    assert fake.oauth is not None and fake.oauth.live_token(refreshed.access_token.get_secret_value())
    assert fake.requests_to("/oauth2/v1/token")[-1].headers["Authorization"].startswith("Basic ")


def test_a_block_creates_a_base_with_the_signed_in_account(auth_client: APIClient, fake: FakeAirtable) -> None:
    credentials = tokens_of(sign_in(auth_client, "airtable").json()["id"])
    inputs = {"workspace_id": "wspSample0000001", "name": "Support", "tables": [{"name": "Tickets"}]}

    outputs = dict(
        async_to_sync(outputs_of)(
            AirtableCreateBaseBlock, {**inputs, "credentials": credentials.meta()}, credentials=credentials
        )
    )

    assert outputs["was_created"] is True
    assert fake.requests_to("/v0/meta/bases")[-1].headers["Authorization"] == credentials.auth_header()


def test_deleting_airtable_credentials_says_they_were_not_revoked(auth_client: APIClient, fake: FakeAirtable) -> None:
    credentials_id = sign_in(auth_client, "airtable").json()["id"]

    response = auth_client.delete(f"/api/integrations/airtable/credentials/{credentials_id}")

    assert response.status_code == 200
    assert response.json()["revoked"] is False
