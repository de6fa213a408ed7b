"""Airtable (https://airtable.com/developers/web/api/oauth-reference).

PKCE is required. A confidential integration authenticates at the token endpoint with HTTP
Basic (`client_id:client_secret`), the client id also in the form. Access tokens last 60
minutes; the answer's `refresh_expires_in` says how long the refresh token does, and each
refresh issues a new one. Airtable has no revocation endpoint (upstream's handler answers
False too). The account is named by `GET /v0/meta/whoami`: its email when the grant includes
`user.email:read`, else its user id.
"""

from __future__ import annotations

from typing import Any

import httpx

from apps.credentials.oauth.base import OAuthHandler
from apps.credentials.types import OAuth2Credentials


class AirtableOAuthHandler(OAuthHandler):
    provider = "airtable"
    # Upstream's defaults: read and write records and base schemas, manage webhooks.
    default_scopes = (
        "data.records:read",
        "data.records:write",
        "schema.bases:read",
        "schema.bases:write",
        "webhook:manage",
    )
    authorize_endpoint = ("https://airtable.com", "/oauth2/v1/authorize")
    token_endpoint = ("https://airtable.com", "/oauth2/v1/token")
    whoami_endpoint = ("https://api.airtable.com", "/v0/meta/whoami")

    def token_request(self, form: dict[str, str]) -> dict[str, Any]:
        return self.post_token(
            {**form, "client_id": self.client_id}, auth=httpx.BasicAuth(self.client_id, self.client_secret)
        )

    def credentials_from_token(
        self, token: dict[str, Any], *, requested_scopes: list[str], previous: OAuth2Credentials | None = None
    ) -> OAuth2Credentials:
        # Airtable names the refresh token's lifetime `refresh_expires_in`.
        if token.get("refresh_expires_in") and not token.get("refresh_token_expires_in"):
            token = {**token, "refresh_token_expires_in": token["refresh_expires_in"]}
        return super().credentials_from_token(token, requested_scopes=requested_scopes, previous=previous)

    def fetch_username(self, access_token: str) -> str | None:
        try:
            with self.client() as client:
                response = client.get(
                    self.url(self.whoami_endpoint), headers={"Authorization": f"Bearer {access_token}"}
                )
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        me = response.json()
        name = me.get("email") or me.get("id")
        return str(name) if name else None

    def revoke(self, credentials: OAuth2Credentials) -> bool:
        return False
