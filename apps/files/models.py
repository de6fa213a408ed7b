"""Files users upload (or blocks store) for their runs: kept in the configured storage until they expire."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class UserFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    # Sniffed from the bytes when stored; what the uploader claimed is never kept.
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    # The name in the files storage (`STORAGES["files"]`).
    storage_name = models.CharField(max_length=1024, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="files_name_not_empty"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="files_expire_after_creation"),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"
