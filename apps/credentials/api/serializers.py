"""Upstream's integration shapes: `CredentialsMetaResponse`, the `Credentials` union (secrets masked), deletions."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from apps.credentials.models import Credential, CredentialType
from apps.credentials.types import CREDENTIALS_TYPES, AnyCredentials

HOST_PATTERN = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
HEADER_NAME_PATTERN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")
MAX_HEADERS = 50


# --- reading --------------------------------------------------------------------------


class CredentialsMetaOutput(serializers.Serializer):
    """What lists show: never a secret."""

    id = serializers.CharField()
    provider = serializers.CharField()
    type = serializers.ChoiceField(choices=CREDENTIALS_TYPES)
    title = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)
    username = serializers.CharField(allow_null=True)
    host = serializers.CharField(allow_null=True, help_text="Host pattern for host-scoped credentials")


def credentials_meta(item: Credential | AnyCredentials) -> dict[str, Any]:
    """Upstream's `CredentialsMetaResponse` of a stored row or of platform credentials."""
    if isinstance(item, Credential):
        return {
            "id": str(item.id),
            "provider": item.provider,
            "type": item.type,
            "title": item.title or None,
            "scopes": list(item.scopes) if item.type == CredentialType.OAUTH2 else None,
            "username": (item.username or None) if item.type == CredentialType.OAUTH2 else None,
            "host": item.host if item.type == CredentialType.HOST_SCOPED else None,
        }
    return {
        "id": item.id,
        "provider": item.provider,
        "type": item.type,
        "title": item.title,
        "scopes": None,
        "username": None,
        "host": getattr(item, "host", None),
    }


class _CredentialsOutput(serializers.Serializer):
    id = serializers.CharField()
    provider = serializers.CharField()
    title = serializers.CharField(allow_null=True)


class OAuth2CredentialsOutput(_CredentialsOutput):
    type = serializers.CharField(help_text='"oauth2"')
    username = serializers.CharField(allow_null=True)
    access_token = serializers.CharField(help_text="Always masked")
    access_token_expires_at = serializers.IntegerField(allow_null=True)
    refresh_token = serializers.CharField(allow_null=True, help_text="Always masked")
    refresh_token_expires_at = serializers.IntegerField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())
    metadata = serializers.DictField()


class APIKeyCredentialsOutput(_CredentialsOutput):
    type = serializers.CharField(help_text='"api_key"')
    api_key = serializers.CharField(help_text="Always masked")
    expires_at = serializers.IntegerField(allow_null=True)


class UserPasswordCredentialsOutput(_CredentialsOutput):
    type = serializers.CharField(help_text='"user_password"')
    username = serializers.CharField(help_text="Always masked")
    password = serializers.CharField(help_text="Always masked")


class HostScopedCredentialsOutput(_CredentialsOutput):
    type = serializers.CharField(help_text='"host_scoped"')
    host = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField(), help_text="Header values are always masked")


CREDENTIALS_OUTPUT = PolymorphicProxySerializer(
    component_name="Credentials",
    serializers={
        "oauth2": OAuth2CredentialsOutput,
        "api_key": APIKeyCredentialsOutput,
        "user_password": UserPasswordCredentialsOutput,
        "host_scoped": HostScopedCredentialsOutput,
    },
    resource_type_field_name="type",
)


def masked(credentials: AnyCredentials) -> dict[str, Any]:
    """The full credentials as upstream serialises them, every secret shown as `**********`."""
    return credentials.model_dump(mode="json")


class CredentialsDeletionOutput(serializers.Serializer):
    deleted = serializers.BooleanField()
    revoked = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the provider revoked the tokens too; null where revocation does not apply (API keys).",
    )


class CredentialsDeletionNeedsConfirmationOutput(serializers.Serializer):
    deleted = serializers.BooleanField()
    need_confirmation = serializers.BooleanField()
    message = serializers.CharField()


DELETION_OUTPUT = PolymorphicProxySerializer(
    component_name="CredentialsDeletion",
    serializers=[CredentialsDeletionOutput, CredentialsDeletionNeedsConfirmationOutput],
    resource_type_field_name=None,
)


class LoginOutput(serializers.Serializer):
    login_url = serializers.CharField()
    state_token = serializers.CharField()


class CredentialsMetaInput(serializers.Serializer):
    """A reference to credentials, as a run's `credentials_inputs` give them; anything else in it is dropped."""

    id = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    provider = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=CREDENTIALS_TYPES)


# --- writing ------------------------------------------------------------------------------


def normalized_host(value: str) -> str:
    """`api.example.com` from itself or from a URL; `*.example.com` wildcards stay."""
    text = value.strip().lower()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    if not HOST_PATTERN.match(text) or len(text) > 253:
        raise serializers.ValidationError(
            "Enter a host name such as api.example.com or *.example.com (or a URL on that host)."
        )
    return text


def validate_headers(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_HEADERS:
        raise serializers.ValidationError(f"At most {MAX_HEADERS} headers.")
    for name, header_value in value.items():
        if not HEADER_NAME_PATTERN.match(name):
            raise serializers.ValidationError(f"`{name[:64]}` is not a valid header name.")
        if any(char in header_value for char in "\r\n\0"):
            raise serializers.ValidationError(f"The value of `{name}` may not contain line breaks.")
    return value


CREATABLE_TYPE_VALUES = [
    CredentialType.API_KEY.value,
    CredentialType.USER_PASSWORD.value,
    CredentialType.HOST_SCOPED.value,
]


class _CreateInput(serializers.Serializer):
    # The provider comes from the path and ids are assigned here: the body's are ignored
    # (upstream ignores the body's provider too).
    type = serializers.ChoiceField(choices=CREATABLE_TYPE_VALUES)
    title = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True, default=None)


class APIKeyCreateInput(_CreateInput):
    api_key = serializers.CharField(max_length=8192, trim_whitespace=True)
    expires_at = serializers.IntegerField(min_value=0, max_value=2**53, required=False, allow_null=True, default=None)


class UserPasswordCreateInput(_CreateInput):
    username = serializers.CharField(max_length=1024, trim_whitespace=False)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)


class HostScopedCreateInput(_CreateInput):
    host = serializers.CharField(max_length=2048)
    headers = serializers.DictField(child=serializers.CharField(max_length=8192, trim_whitespace=False), default=dict)

    def validate_host(self, value: str) -> str:
        return normalized_host(value)

    def validate_headers(self, value: dict[str, str]) -> dict[str, str]:
        return validate_headers(value)


CREATE_INPUTS: dict[str, type[_CreateInput]] = {
    CredentialType.API_KEY.value: APIKeyCreateInput,
    CredentialType.USER_PASSWORD.value: UserPasswordCreateInput,
    CredentialType.HOST_SCOPED.value: HostScopedCreateInput,
}

CREATE_INPUT = PolymorphicProxySerializer(
    component_name="CredentialsCreate",
    serializers=dict(CREATE_INPUTS),
    resource_type_field_name="type",
)
