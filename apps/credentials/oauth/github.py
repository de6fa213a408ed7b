"""GitHub (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps).

Tokens of OAuth apps do not expire unless the app enables expiring tokens; then
the token answer carries `expires_in` and a refresh token. Scopes are listed
comma-separated. As upstream, no PKCE.
"""

from __future__ import annotations

import httpx

from apps.credentials.oauth.base import OAuthHandler
from apps.credentials.types import OAuth2Credentials

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubOAuthHandler(OAuthHandler):
    provider = "github"
    scope_separator = ","
    uses_pkce = False
    authorize_endpoint = ("https://github.com", "/login/oauth/authorize")
    token_endpoint = ("https://github.com", "/login/oauth/access_token")
    user_endpoint = ("https://api.github.com", "/user")
    revoke_endpoint = ("https://api.github.com", "/applications/{client_id}/token")

    def fetch_username(self, access_token: str) -> str | None:
        try:
            with self.client() as client:
                response = client.get(
                    self.url(self.user_endpoint), headers={**API_HEADERS, "Authorization": f"Bearer {access_token}"}
                )
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        login = response.json().get("login")
        return str(login) if login else None

    def revoke(self, credentials: OAuth2Credentials) -> bool:
        base, path = self.revoke_endpoint
        try:
            with self.client() as client:
                response = client.request(
                    "DELETE",
                    self.url((base, path.format(client_id=self.client_id))),
                    auth=(self.client_id, self.client_secret),
                    headers=API_HEADERS,
                    json={"access_token": credentials.access_token.get_secret_value()},
                )
        except httpx.HTTPError:
            return False
        return response.status_code == 204
