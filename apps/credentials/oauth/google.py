"""Google (https://developers.google.com/identity/protocols/oauth2/web-server)."""

from __future__ import annotations

import httpx

from apps.credentials.oauth.base import OAuthHandler
from apps.credentials.types import OAuth2Credentials


class GoogleOAuthHandler(OAuthHandler):
    provider = "google"
    default_scopes = (
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/userinfo.profile",
        "openid",
    )
    authorize_endpoint = ("https://accounts.google.com", "/o/oauth2/auth")
    token_endpoint = ("https://oauth2.googleapis.com", "/token")
    revoke_endpoint = ("https://oauth2.googleapis.com", "/revoke")
    userinfo_endpoint = ("https://www.googleapis.com", "/oauth2/v2/userinfo")

    def login_url(self, *, scopes: list[str], state: str, code_challenge: str) -> str:
        # As upstream: the identity scopes always come along, so the account's email can be shown.
        every = sorted({*scopes, *self.default_scopes})
        return super().login_url(scopes=every, state=state, code_challenge=code_challenge)

    def extra_login_params(self) -> dict[str, str]:
        # Offline access and forced consent: Google only returns a refresh token then.
        return {"access_type": "offline", "include_granted_scopes": "true", "prompt": "consent"}

    def fetch_username(self, access_token: str) -> str | None:
        try:
            with self.client() as client:
                response = client.get(
                    self.url(self.userinfo_endpoint), headers={"Authorization": f"Bearer {access_token}"}
                )
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        email = response.json().get("email")
        return str(email) if email else None

    def revoke(self, credentials: OAuth2Credentials) -> bool:
        token = credentials.refresh_token or credentials.access_token
        try:
            with self.client() as client:
                response = client.post(self.url(self.revoke_endpoint), data={"token": token.get_secret_value()})
        except httpx.HTTPError:
            return False
        return response.status_code == 200
