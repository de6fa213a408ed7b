"""OAuth2 sign-in, refresh and revocation against local servers speaking Google's and GitHub's protocols."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credentials.codec import to_runtime
from apps.credentials.crypto import encrypt_json
from apps.credentials.exceptions import CredentialsUnavailableError
from apps.credentials.models import Credential, OAuthState
from apps.credentials.oauth import redirect_uri
from apps.credentials.services import credentials_acquire
from apps.credentials.types import OAuth2Credentials
from tests.credentials.conftest import consent, sign_in
from tests.fakes import google
from tests.fakes.github import FakeGitHub
from tests.fakes.google import FakeGoogle

pytestmark = pytest.mark.django_db

GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"


def stored(response: Any) -> Credential:
    return Credential.objects.get(pk=response.json()["id"])


def tokens_of(row: Credential) -> OAuth2Credentials:
    runtime = to_runtime(row)
    assert isinstance(runtime, OAuth2Credentials)
    return runtime


def expire_soon(row: Credential, seconds: int = 60) -> None:
    Credential.objects.filter(pk=row.pk).update(access_token_expires_at=timezone.now() + timedelta(seconds=seconds))


# --- login -------------------------------------------------------------------------


def test_login_to_a_provider_whose_app_is_not_configured_answers_501(auth_client: APIClient, settings: Any) -> None:
    settings.OAUTH_PROVIDERS = {"google": {"client_id": "", "client_secret": "", "base_url": ""}}

    response = auth_client.get("/api/integrations/google/login")

    assert response.status_code == 501
    assert response.json()["message"] == "Integration with provider 'google' is not configured."
    assert response.json()["hint"] == "Set client ID and secret in the application's deployment environment"
    assert not OAuthState.objects.exists()


def test_login_to_a_provider_without_oauth_answers_404(auth_client: APIClient) -> None:
    response = auth_client.get("/api/integrations/openai/login")

    assert response.status_code == 404
    assert response.json()["message"] == "Provider 'openai' does not support OAuth"


def test_google_login_url_asks_for_offline_access_with_a_pkce_challenge(
    auth_client: APIClient, google_server: FakeGoogle
) -> None:
    body = auth_client.get("/api/integrations/google/login", {"scopes": GMAIL_SEND}).json()

    url = urlsplit(body["login_url"])
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{google_server.base_url}/o/oauth2/auth"
    assert params["client_id"] == google.CLIENT_ID
    assert params["redirect_uri"] == redirect_uri() == "http://localhost:3000/auth/integrations/oauth_callback"
    assert params["response_type"] == "code"
    assert params["state"] == body["state_token"]
    assert set(params["scope"].split()) == {
        GMAIL_SEND,
        "openid",
        *(s for s in params["scope"].split() if "userinfo" in s),
    }
    assert len(params["scope"].split()) == 4
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert (params["access_type"], params["prompt"]) == ("offline", "consent")


def test_a_login_state_is_stored_as_a_hash_with_an_encrypted_verifier_for_ten_minutes(
    auth_client: APIClient, user: User, google_server: FakeGoogle
) -> None:
    token = auth_client.get("/api/integrations/google/login", {"scopes": "a,b"}).json()["state_token"]

    state = OAuthState.objects.get(user=user)
    assert state.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(OAuthState.objects.values_list()))
    assert state.scopes == ["a", "b"]
    assert timedelta(minutes=9) < state.expires_at - timezone.now() <= timedelta(minutes=10)


def test_malformed_scopes_are_refused_before_any_state_is_kept(
    auth_client: APIClient, google_server: FakeGoogle
) -> None:
    response = auth_client.get("/api/integrations/google/login", {"scopes": "a b,c"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "scopes"]
    assert not OAuthState.objects.exists()


def test_pending_logins_of_a_user_are_bounded(auth_client: APIClient, user: User, google_server: FakeGoogle) -> None:
    for _ in range(25):
        auth_client.get("/api/integrations/google/login")

    assert OAuthState.objects.filter(user=user).count() == 20


# --- callback ---------------------------------------------------------------------------


def test_signing_in_with_google_stores_the_tokens_encrypted_and_answers_their_meta(
    auth_client: APIClient, user: User, google_server: FakeGoogle
) -> None:
    response = sign_in(auth_client, "google", GMAIL_SEND)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "provider": "google",
        "type": "oauth2",
        "title": None,
        "scopes": body["scopes"],
        "username": "ada@example.com",
        "host": None,
    }
    assert GMAIL_SEND in body["scopes"] and "openid" in body["scopes"]
    issued = google_server.state.tokens[-1]
    row = stored(response)
    assert row.user == user
    assert issued.access_token not in row.encrypted_secret and issued.refresh_token not in row.encrypted_secret
    assert tokens_of(row).access_token.get_secret_value() == issued.access_token
    assert tokens_of(row).refresh_token.get_secret_value() == issued.refresh_token  # type: ignore[union-attr]
    assert abs(tokens_of(row).access_token_expires_at - (time.time() + 3599)) < 30  # type: ignore[operator]
    assert issued.access_token not in response.content.decode()
    assert not OAuthState.objects.exists()


def test_a_state_token_works_once(auth_client: APIClient, google_server: FakeGoogle) -> None:
    login = auth_client.get("/api/integrations/google/login").json()
    returned = consent(login["login_url"])
    callback = {"code": returned["code"], "state_token": login["state_token"]}

    first = auth_client.post("/api/integrations/google/callback", callback, format="json")
    second = auth_client.post("/api/integrations/google/callback", callback, format="json")

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["message"] == "Invalid or expired state token"
    assert Credential.objects.count() == 1


@pytest.mark.parametrize("case", ["expired", "other user", "other provider", "unknown"])
def test_a_state_token_that_is_not_this_users_pending_login_here_is_refused(
    case: str,
    auth_client: APIClient,
    other_client: APIClient,
    google_server: FakeGoogle,
    github_server: FakeGitHub,
) -> None:
    login = auth_client.get("/api/integrations/google/login").json()
    code = consent(login["login_url"])["code"]
    client, provider, token = auth_client, "google", login["state_token"]
    if case == "expired":
        OAuthState.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "other user":
        client = other_client
    elif case == "other provider":
        provider = "github"
    else:
        token = "not-a-state-token"

    response = client.post(
        f"/api/integrations/{provider}/callback", {"code": code, "state_token": token}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Invalid or expired state token"
    assert not Credential.objects.exists()


def test_a_code_the_provider_refuses_is_a_400_with_its_error(auth_client: APIClient, google_server: FakeGoogle) -> None:
    token = auth_client.get("/api/integrations/google/login").json()["state_token"]

    response = auth_client.post(
        "/api/integrations/google/callback", {"code": "made-up", "state_token": token}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == (
        "OAuth2 callback failed to exchange code for tokens: google answered 400: invalid_grant "
        "(Invalid 'code' in request.)"
    )
    assert not Credential.objects.exists()


def test_the_provider_checks_the_pkce_verifier_kept_with_the_state(
    auth_client: APIClient, google_server: FakeGoogle
) -> None:
    login = auth_client.get("/api/integrations/google/login").json()
    code = consent(login["login_url"])["code"]
    OAuthState.objects.update(encrypted_code_verifier=encrypt_json("x" * 64))

    response = auth_client.post(
        "/api/integrations/google/callback", {"code": code, "state_token": login["state_token"]}, format="json"
    )

    assert response.status_code == 400
    assert "invalid_grant (Code challenge failed.)" in response.json()["message"]


def test_callback_bodies_are_validated(auth_client: APIClient, google_server: FakeGoogle) -> None:
    response = auth_client.post("/api/integrations/google/callback", {"code": "x" * 5000}, format="json")

    assert response.status_code == 422
    assert {tuple(item["loc"]) for item in response.json()["detail"]} == {("body", "code"), ("body", "state_token")}


def test_signing_in_with_github_keeps_the_login_and_the_comma_separated_scopes(
    auth_client: APIClient, github_server: FakeGitHub
) -> None:
    response = sign_in(auth_client, "github", "repo,read:user")

    assert response.status_code == 200, response.json()
    assert response.json()["username"] == "octocat"
    assert response.json()["scopes"] == ["repo", "read:user"]
    request = github_server.state.authorization_requests[-1]
    assert "code_challenge" not in request
    assert request["scope"] == "repo read:user"


def test_github_errors_answered_with_status_200_are_errors(auth_client: APIClient, github_server: FakeGitHub) -> None:
    token = auth_client.get("/api/integrations/github/login").json()["state_token"]

    response = auth_client.post(
        "/api/integrations/github/callback", {"code": "nope", "state_token": token}, format="json"
    )

    assert response.status_code == 400
    assert "github answered 200: invalid_grant" in response.json()["message"]


# --- refresh --------------------------------------------------------------------------------


def test_an_access_token_about_to_expire_is_refreshed_before_use(
    auth_client: APIClient, user: User, google_server: FakeGoogle
) -> None:
    row = stored(sign_in(auth_client, "google"))
    before = tokens_of(row)
    expire_soon(row)

    credentials = credentials_acquire(user_id=user.pk, credentials_id=str(row.pk))

    assert isinstance(credentials, OAuth2Credentials)
    assert credentials.access_token.get_secret_value() != before.access_token.get_secret_value()
    assert google_server.state.live_token(credentials.access_token.get_secret_value()) is not None
    assert google_server.state.refreshes == 1
    after = tokens_of(Credential.objects.get(pk=row.pk))
    assert after.access_token == credentials.access_token
    # Google keeps the refresh token on refresh: the stored one stays.
    assert after.refresh_token == before.refresh_token
    assert after.access_token_expires_at > time.time() + 3000  # type: ignore[operator]
    assert (after.username, after.scopes) == (before.username, before.scopes)


def test_an_access_token_far_from_expiry_is_used_as_it_is(
    auth_client: APIClient, user: User, google_server: FakeGoogle
) -> None:
    row = stored(sign_in(auth_client, "google"))
    expire_soon(row, seconds=600)

    credentials = credentials_acquire(user_id=user.pk, credentials_id=str(row.pk))

    assert credentials == tokens_of(Credential.objects.get(pk=row.pk))
    assert google_server.state.refreshes == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_users_of_expiring_tokens_refresh_them_once(
    auth_client: APIClient, user: User, google_server: FakeGoogle
) -> None:
    row = stored(sign_in(auth_client, "google"))
    expire_soon(row)
    results: list[Any] = []

    def use() -> None:
        results.append(credentials_acquire(user_id=user.pk, credentials_id=str(row.pk)))

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 4
    assert len({credentials.access_token.get_secret_value() for credentials in results}) == 1
    assert google_server.state.refreshes == 1


def test_github_refresh_rotates_the_refresh_token(
    auth_client: APIClient, user: User, github_server: FakeGitHub
) -> None:
    row = stored(sign_in(auth_client, "github", "repo"))
    before = tokens_of(row)
    expire_soon(row)

    credentials_acquire(user_id=user.pk, credentials_id=str(row.pk))

    after = tokens_of(Credential.objects.get(pk=row.pk))
    assert after.refresh_token is not None and after.refresh_token != before.refresh_token
    assert after.username == "octocat"
    assert github_server.state.revoked == [] and github_server.state.refreshes == 1


def test_tokens_the_provider_no_longer_refreshes_fail_with_a_clear_error(
    auth_client: APIClient, user: User, google_server: FakeGoogle
) -> None:
    row = stored(sign_in(auth_client, "google"))
    refresh_token = tokens_of(row).refresh_token.get_secret_value()  # type: ignore[union-attr]
    google_server.state.revoke(refresh_token)
    expire_soon(row)

    with pytest.raises(CredentialsUnavailableError) as raised:
        credentials_acquire(user_id=user.pk, credentials_id=str(row.pk))

    assert raised.value.message == (
        f"The google credentials #{row.pk} could not be refreshed: google answered 400: invalid_grant"
    )
    assert refresh_token not in raised.value.message


def test_expiring_tokens_of_a_provider_no_longer_configured_cannot_be_used(
    auth_client: APIClient, user: User, google_server: FakeGoogle, settings: Any
) -> None:
    row = stored(sign_in(auth_client, "google"))
    expire_soon(row)
    settings.OAUTH_PROVIDERS = {}

    with pytest.raises(CredentialsUnavailableError, match="have expired and cannot be refreshed"):
        credentials_acquire(user_id=user.pk, credentials_id=str(row.pk))


# --- revocation ------------------------------------------------------------------------------


def test_deleting_google_credentials_revokes_them(auth_client: APIClient, google_server: FakeGoogle) -> None:
    row = stored(sign_in(auth_client, "google"))
    refresh_token = tokens_of(row).refresh_token.get_secret_value()  # type: ignore[union-attr]

    response = auth_client.delete(f"/api/integrations/google/credentials/{row.pk}")

    assert response.json() == {"deleted": True, "revoked": True}
    assert google_server.state.revoked == [refresh_token]
    assert not Credential.objects.exists()


def test_deleting_github_credentials_revokes_the_token(auth_client: APIClient, github_server: FakeGitHub) -> None:
    row = stored(sign_in(auth_client, "github", "repo"))

    response = auth_client.delete(f"/api/integrations/github/credentials/{row.pk}")

    assert response.json() == {"deleted": True, "revoked": True}
    assert github_server.state.revoked == [tokens_of(row).access_token.get_secret_value()]


def test_credentials_are_deleted_even_when_the_provider_cannot_revoke_them(
    auth_client: APIClient, google_server: FakeGoogle, settings: Any
) -> None:
    row = stored(sign_in(auth_client, "google"))
    google_server.state.revoke(tokens_of(row).refresh_token.get_secret_value())  # type: ignore[union-attr]

    response = auth_client.delete(f"/api/integrations/google/credentials/{row.pk}")

    assert response.json() == {"deleted": True, "revoked": False}
    assert not Credential.objects.exists()
