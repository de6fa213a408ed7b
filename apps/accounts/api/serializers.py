from __future__ import annotations

from rest_framework import serializers

from apps.accounts.models import User


class UserOutput(serializers.ModelSerializer[User]):
    """AutoGPT's User JSON, limited to what this backend keeps."""

    email_verified = serializers.SerializerMethodField()
    role = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "email_verified", "name", "timezone", "role", "created_at", "updated_at"]

    def get_email_verified(self, user: User) -> bool:
        return True


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField()
