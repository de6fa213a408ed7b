from __future__ import annotations

from django.conf import settings
from django.db import models

STORED_KEY_MAX_LENGTH = 512


class StoredValue(models.Model):
    """A value a graph persisted for its user under a scoped key (upstream's execution key-value data).

    `key` already carries its scope: `agent#<graph id>#<key>` or `global#<key>`
    (see `apps.blocks.library.persistence`). One value per user and key: writing again replaces it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_values")
    key = models.CharField(max_length=STORED_KEY_MAX_LENGTH)
    data = models.JSONField(null=True)
    # The node execution that wrote the current value, for tracing where it came from.
    node_exec_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="blocks_stored_value_user_key")]

    def __str__(self) -> str:
        return self.key
