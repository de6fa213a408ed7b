from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class APIKeyStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"


class APIKeyPermission(models.TextChoices):
    """Upstream's `APIKeyPermission` enum (Oct 2025), so keys and clients agree on scope names."""

    IDENTITY = "IDENTITY"
    EXECUTE_GRAPH = "EXECUTE_GRAPH"
    READ_GRAPH = "READ_GRAPH"
    WRITE_GRAPH = "WRITE_GRAPH"
    EXECUTE_BLOCK = "EXECUTE_BLOCK"
    READ_BLOCK = "READ_BLOCK"
    READ_STORE = "READ_STORE"
    WRITE_LIBRARY = "WRITE_LIBRARY"
    USE_TOOLS = "USE_TOOLS"
    MANAGE_INTEGRATIONS = "MANAGE_INTEGRATIONS"
    READ_INTEGRATIONS = "READ_INTEGRATIONS"
    DELETE_INTEGRATIONS = "DELETE_INTEGRATIONS"


def permissions_normalized(values: Iterable[str]) -> list[str]:
    """The names in `values`, each once, in the order given; `ValidationError` naming any unknown one."""
    names = list(dict.fromkeys(values))
    unknown = [name for name in names if name not in APIKeyPermission.values]
    if unknown:
        raise ValidationError(f"Unknown API key permission(s): {', '.join(map(str, unknown))}.")
    return names


def validate_permissions(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError("Permissions must be a list of permission names.")
    permissions_normalized(value)


class APIKey(models.Model):
    """A user's key to the external API. Only a keyed hash of the key is stored; see `apps.api_keys.keys`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    head = models.CharField(max_length=8, editable=False)
    tail = models.CharField(max_length=8, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=APIKeyStatus.choices, default=APIKeyStatus.ACTIVE)
    permissions = models.JSONField(default=list, validators=[validate_permissions])
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API key"
        indexes = [
            models.Index(fields=["head"], name="api_keys_head_idx"),
            models.Index(fields=["user", "status"], name="api_keys_user_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=APIKeyStatus.values), name="api_keys_status_valid"),
            models.CheckConstraint(
                condition=Q(status=APIKeyStatus.REVOKED, revoked_at__isnull=False)
                | (~Q(status=APIKeyStatus.REVOKED) & Q(revoked_at__isnull=True)),
                name="api_keys_revoked_at_iff_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.head}…{self.tail})"
