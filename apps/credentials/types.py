"""The credentials a block receives, as upstream's `backend.data.model` declares them.

Secrets are pydantic `SecretStr`s: printing, logging or dumping one shows
`**********` (which is also how the API shows them); only
`get_secret_value()` reveals it, and only blocks and OAuth handlers call it.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr

CredentialsType = Literal["api_key", "oauth2", "user_password", "host_scoped"]
CREDENTIALS_TYPES: tuple[CredentialsType, ...] = ("api_key", "oauth2", "user_password", "host_scoped")
MASK = "**********"


class _BaseCredentials(BaseModel):
    id: str
    provider: str
    title: str | None = None

    def meta(self) -> dict[str, Any]:
        """The reference a graph or a run keeps: never a secret."""
        return {"id": self.id, "provider": self.provider, "type": getattr(self, "type"), "title": self.title}  # noqa: B009


class OAuth2Credentials(_BaseCredentials):
    type: Literal["oauth2"] = "oauth2"
    # The account at the provider these tokens belong to.
    username: str | None = None
    access_token: SecretStr
    # Unix timestamps (seconds), None when the token does not expire.
    access_token_expires_at: int | None = None
    refresh_token: SecretStr | None = None
    refresh_token_expires_at: int | None = None
    scopes: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def auth_header(self) -> str:
        return f"Bearer {self.access_token.get_secret_value()}"


class APIKeyCredentials(_BaseCredentials):
    type: Literal["api_key"] = "api_key"
    api_key: SecretStr
    expires_at: int | None = None

    def auth_header(self) -> str:
        return f"Bearer {self.api_key.get_secret_value()}"


class UserPasswordCredentials(_BaseCredentials):
    type: Literal["user_password"] = "user_password"
    username: SecretStr
    password: SecretStr

    def auth_header(self) -> str:
        pair = f"{self.username.get_secret_value()}:{self.password.get_secret_value()}"
        return f"Basic {base64.b64encode(pair.encode()).decode()}"


class HostScopedCredentials(_BaseCredentials):
    """Headers added to requests whose host matches `host` (`api.example.com`, or `*.example.com`)."""

    type: Literal["host_scoped"] = "host_scoped"
    host: str
    headers: dict[str, SecretStr] = Field(default_factory=dict)

    def get_headers_dict(self) -> dict[str, str]:
        return {name: value.get_secret_value() for name, value in self.headers.items()}

    def auth_header(self) -> str:
        return self.get_headers_dict().get("Authorization", "")

    def matches_url(self, url: str) -> bool:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            return False
        if not host:
            return False
        pattern = self.host.lower()
        if pattern.startswith("*."):
            domain = pattern[2:]
            return host == domain or host.endswith(f".{domain}")
        return host == pattern


AnyCredentials = OAuth2Credentials | APIKeyCredentials | UserPasswordCredentials | HostScopedCredentials
# For validating a dict into the right class by its `type`.
Credentials = Annotated[AnyCredentials, Field(discriminator="type")]


def secret_values(credentials: AnyCredentials) -> list[str]:
    """Every secret string the credentials hold, to scrub from what a block leaves behind."""
    found: list[str] = []
    for value in credentials.__dict__.values():
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, dict):
            found += [item.get_secret_value() for item in value.values() if isinstance(item, SecretStr)]
    return [secret for secret in found if secret]
