"""WordPress.com and Jetpack sites (https://developer.wordpress.com/docs/oauth2/).

A server-side (authorization-code) token does not expire and comes without a refresh token.
Without scopes it grants full access to the one blog the user picks; the answer names that
blog (`blog_id`, `blog_url`), which is kept in the credentials' metadata as upstream does.
WordPress.com has no revocation endpoint: a user removes the app's access in their account's
settings, so revoking answers False. No PKCE.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx

from apps.credentials.oauth.base import OAuthHandler
from apps.credentials.types import OAuth2Credentials


class WordPressOAuthHandler(OAuthHandler):
    provider = "wordpress"
    uses_pkce = False
    authorize_endpoint = ("https://public-api.wordpress.com", "/oauth2/authorize")
    token_endpoint = ("https://public-api.wordpress.com", "/oauth2/token")
    me_endpoint = ("https://public-api.wordpress.com", "/rest/v1.1/me")

    def login_url(self, *, scopes: list[str], state: str, code_challenge: str) -> str:
        params = {"client_id": self.client_id, "redirect_uri": self.redirect_uri, "response_type": "code"}
        # No scope at all is WordPress's single-blog grant; an empty `scope=` is not the same request.
        if scopes:
            params["scope"] = " ".join(scopes)
        params["state"] = state
        return f"{self.url(self.authorize_endpoint)}?{urlencode(params)}"

    def credentials_from_token(
        self, token: dict[str, Any], *, requested_scopes: list[str], previous: OAuth2Credentials | None = None
    ) -> OAuth2Credentials:
        credentials = super().credentials_from_token(token, requested_scopes=requested_scopes, previous=previous)
        blog = {key: str(token[key]) for key in ("blog_id", "blog_url") if token.get(key)}
        return credentials.model_copy(update={"metadata": {**credentials.metadata, **blog}})

    def fetch_username(self, access_token: str) -> str | None:
        try:
            with self.client() as client:
                response = client.get(self.url(self.me_endpoint), headers={"Authorization": f"Bearer {access_token}"})
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        username = response.json().get("username")
        return str(username) if username else None

    def revoke(self, credentials: OAuth2Credentials) -> bool:
        return False
