from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from apps.api_keys.models import APIKey, APIKeyPermission


class ApiKeyOutput(serializers.Serializer):
    """Upstream's `APIKeyInfo` (the key's first and last 8 characters), plus `expires_at`. Never the hash."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    head = serializers.CharField()
    tail = serializers.CharField()
    status = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    description = serializers.SerializerMethodField()
    user_id = serializers.UUIDField()
    expires_at = serializers.DateTimeField(allow_null=True)

    def get_description(self, api_key: APIKey) -> str | None:
        # Upstream answers null for a key created without one.
        return api_key.description or None


def permissions_field() -> serializers.ListField:
    """A list of upstream permission names; an unknown name is a 422 naming its position."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=APIKeyPermission.choices),
        allow_empty=True,
        max_length=len(APIKeyPermission.values) * 2,
    )


def validate_future(value: datetime | None) -> None:
    if value is not None and value <= timezone.now():
        raise serializers.ValidationError("Must be in the future.")
