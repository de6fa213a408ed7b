"""Between a stored `Credential` row and the credentials object a block or a handler uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from apps.credentials.crypto import decrypt_json, encrypt_json
from apps.credentials.models import Credential, CredentialType
from apps.credentials.types import (
    AnyCredentials,
    APIKeyCredentials,
    HostScopedCredentials,
    OAuth2Credentials,
    UserPasswordCredentials,
)


def _timestamp(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def _datetime(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value is not None else None


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def to_runtime(row: Credential) -> AnyCredentials:
    """The row with its secret part decrypted (raises `CredentialsDecryptionError` if no key opens it)."""
    secret: dict[str, Any] = decrypt_json(row.encrypted_secret)
    common: dict[str, Any] = {"id": str(row.id), "provider": row.provider, "title": row.title or None}
    if row.type == CredentialType.API_KEY:
        return APIKeyCredentials(**common, api_key=SecretStr(secret["api_key"]), expires_at=_timestamp(row.expires_at))
    if row.type == CredentialType.USER_PASSWORD:
        return UserPasswordCredentials(
            **common, username=SecretStr(secret["username"]), password=SecretStr(secret["password"])
        )
    if row.type == CredentialType.HOST_SCOPED:
        headers = {name: SecretStr(value) for name, value in secret["headers"].items()}
        return HostScopedCredentials(**common, host=row.host, headers=headers)
    refresh_token = secret.get("refresh_token")
    return OAuth2Credentials(
        **common,
        username=row.username or None,
        access_token=SecretStr(secret["access_token"]),
        access_token_expires_at=_timestamp(row.access_token_expires_at),
        refresh_token=SecretStr(refresh_token) if refresh_token else None,
        refresh_token_expires_at=_timestamp(row.refresh_token_expires_at),
        scopes=list(row.scopes),
        metadata=dict(row.metadata),
    )


def stored_fields(credentials: AnyCredentials) -> dict[str, Any]:
    """The row's columns for these credentials, the secret part encrypted."""
    fields: dict[str, Any] = {
        "provider": credentials.provider,
        "type": credentials.type,
        "title": credentials.title or "",
        "username": "",
        "host": "",
        "scopes": [],
        "metadata": {},
        "expires_at": None,
        "access_token_expires_at": None,
        "refresh_token_expires_at": None,
    }
    if isinstance(credentials, APIKeyCredentials):
        secret: dict[str, Any] = {"api_key": credentials.api_key.get_secret_value()}
        fields["expires_at"] = _datetime(credentials.expires_at)
    elif isinstance(credentials, UserPasswordCredentials):
        secret = {"username": _secret(credentials.username), "password": _secret(credentials.password)}
    elif isinstance(credentials, HostScopedCredentials):
        secret = {"headers": credentials.get_headers_dict()}
        fields["host"] = credentials.host
    else:
        secret = {
            "access_token": _secret(credentials.access_token),
            "refresh_token": _secret(credentials.refresh_token),
        }
        fields.update(
            username=credentials.username or "",
            scopes=list(credentials.scopes),
            metadata=dict(credentials.metadata),
            access_token_expires_at=_datetime(credentials.access_token_expires_at),
            refresh_token_expires_at=_datetime(credentials.refresh_token_expires_at),
        )
    fields["encrypted_secret"] = encrypt_json(secret)
    return fields
