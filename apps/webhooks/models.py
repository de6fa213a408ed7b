"""Webhooks that start runs, and the deliveries they received.

A webhook belongs to one user and one provider; trigger nodes of the user's
active graph versions (and presets set up as triggers) point at it. Its secret
(the key a provider signs deliveries with) is kept encrypted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Webhook(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    provider = models.CharField(max_length=64)
    # The credentials it was registered with at the provider; empty for manual webhooks.
    credentials_id = models.CharField(max_length=64, blank=True, default="")
    webhook_type = models.CharField(max_length=64)
    resource = models.CharField(max_length=512, blank=True, default="")
    events = models.JSONField(default=list, blank=True)
    config = models.JSONField(default=dict, blank=True)
    secret_encrypted = models.TextField()
    provider_webhook_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "provider", "credentials_id", "webhook_type", "resource"])]

    def __str__(self) -> str:
        return f"{self.provider} webhook {self.id}"


class WebhookDelivery(models.Model):
    """One accepted delivery. The unique delivery id per webhook is what makes a repeated delivery start nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=255)
    payload = models.JSONField(default=dict, blank=True)
    runs_started = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webhook", "delivery_id"], name="webhooks_delivery_once"),
            models.CheckConstraint(condition=~Q(delivery_id=""), name="webhooks_delivery_id_not_empty"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} of {self.webhook_id}"
