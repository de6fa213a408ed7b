"""The OAuth2 authorization-code flow, and what one provider's handler says about it.

A handler is a small class per provider: where its endpoints are, how it names
scopes, how it asks who the user is and how it revokes a token. The flow itself
(login URL with PKCE, code exchange, refresh, expiry) is here. Endpoints default
to the provider's public ones; `{PROVIDER}_OAUTH_BASE_URL` serves them all from
one base at the same paths (a self-hosted or test server).
"""

from __future__ import annotations

import time
import uuid
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
from django.conf import settings
from pydantic import SecretStr

from apps.credentials.exceptions import OAuthProviderError
from apps.credentials.types import OAuth2Credentials

# An access token this close to its expiry is refreshed before use (upstream: 5 minutes).
REFRESH_MARGIN_SECONDS = 300


class OAuthHandler:
    provider: ClassVar[str]
    default_scopes: ClassVar[tuple[str, ...]] = ()
    # How the token endpoint lists granted scopes.
    scope_separator: ClassVar[str] = " "
    uses_pkce: ClassVar[bool] = True
    # Public endpoints as (default base, path); a configured base replaces the base of each.
    authorize_endpoint: ClassVar[tuple[str, str]]
    token_endpoint: ClassVar[tuple[str, str]]

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str, base_url: str = "") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.base_url = base_url.rstrip("/")

    # --- what a provider defines -------------------------------------------------

    def extra_login_params(self) -> dict[str, str]:
        return {}

    def fetch_username(self, access_token: str) -> str | None:
        raise NotImplementedError

    def revoke(self, credentials: OAuth2Credentials) -> bool:
        """Revokes the tokens at the provider; False when the provider refused or could not be reached."""
        raise NotImplementedError

    # --- the flow ---------------------------------------------------------------------

    def url(self, endpoint: tuple[str, str]) -> str:
        default_base, path = endpoint
        return f"{self.base_url or default_base}{path}"

    def scopes_or_defaults(self, scopes: list[str]) -> list[str]:
        return list(scopes) if scopes else list(self.default_scopes)

    def login_url(self, *, scopes: list[str], state: str, code_challenge: str) -> str:
        params = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": " ".join(scopes),
            "state": state,
            **self.extra_login_params(),
        }
        if self.uses_pkce:
            params.update(code_challenge=code_challenge, code_challenge_method="S256")
        return f"{self.url(self.authorize_endpoint)}?{urlencode(params)}"

    def exchange_code(self, *, code: str, scopes: list[str], code_verifier: str) -> OAuth2Credentials:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        if self.uses_pkce:
            form["code_verifier"] = code_verifier
        token = self.token_request(form)
        return self.credentials_from_token(token, requested_scopes=scopes)

    def refresh(self, credentials: OAuth2Credentials) -> OAuth2Credentials:
        if credentials.refresh_token is None:
            raise OAuthProviderError(f"The {self.provider} credentials have no refresh token; sign in again.")
        token = self.token_request(
            {"grant_type": "refresh_token", "refresh_token": credentials.refresh_token.get_secret_value()}
        )
        return self.credentials_from_token(token, requested_scopes=credentials.scopes, previous=credentials)

    @staticmethod
    def needs_refresh(credentials: OAuth2Credentials) -> bool:
        expires_at = credentials.access_token_expires_at
        return expires_at is not None and expires_at < int(time.time()) + REFRESH_MARGIN_SECONDS

    # --- HTTP ------------------------------------------------------------------------

    def client(self) -> httpx.Client:
        return httpx.Client(timeout=settings.OAUTH_HTTP_TIMEOUT_SECONDS, trust_env=False)

    def token_request(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint's answer; the client authenticates with its secret in the form, as most expect."""
        return self.post_token({**form, "client_id": self.client_id, "client_secret": self.client_secret})

    def post_token(self, body: dict[str, str], auth: httpx.Auth | None = None) -> dict[str, Any]:
        try:
            with self.client() as client:
                response = client.post(
                    self.url(self.token_endpoint),
                    data=body,
                    auth=auth or httpx.USE_CLIENT_DEFAULT,
                    headers={"Accept": "application/json"},
                )
        except httpx.HTTPError as error:
            raise OAuthProviderError(f"{self.provider} could not be reached: {type(error).__name__}") from error
        try:
            token = response.json()
        except ValueError:
            token = {}
        # Some providers (GitHub) report errors with 200 and an `error` member.
        if (
            response.status_code != 200
            or not isinstance(token, dict)
            or "error" in token
            or "access_token" not in token
        ):
            raise OAuthProviderError(self._describe_error(response.status_code, token))
        return token

    def _describe_error(self, status: int, body: Any) -> str:
        if isinstance(body, dict) and body.get("error"):
            description = body.get("error_description")
            return f"{self.provider} answered {status}: {body['error']}" + (f" ({description})" if description else "")
        return f"{self.provider} answered {status} without a token"

    def credentials_from_token(
        self, token: dict[str, Any], *, requested_scopes: list[str], previous: OAuth2Credentials | None = None
    ) -> OAuth2Credentials:
        now = int(time.time())
        granted = [scope for scope in str(token.get("scope") or "").split(self.scope_separator) if scope]
        refresh_token = token.get("refresh_token")
        access_token = str(token["access_token"])
        return OAuth2Credentials(
            id=previous.id if previous else str(uuid.uuid4()),
            provider=self.provider,
            title=previous.title if previous else None,
            # A refresh keeps the account it was issued for; a new login asks the provider.
            username=previous.username if previous else self.fetch_username(access_token),
            access_token=SecretStr(access_token),
            access_token_expires_at=now + int(token["expires_in"]) if token.get("expires_in") else None,
            # A refresh may not return a new refresh token: the old one stays valid.
            refresh_token=SecretStr(str(refresh_token))
            if refresh_token
            else (previous.refresh_token if previous else None),
            refresh_token_expires_at=(
                now + int(token["refresh_token_expires_in"])
                if token.get("refresh_token_expires_in")
                else (previous.refresh_token_expires_at if previous else None)
            ),
            scopes=granted or list(requested_scopes),
            metadata=previous.metadata if previous else {},
        )
