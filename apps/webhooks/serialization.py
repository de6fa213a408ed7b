"""A webhook in upstream's `Webhook` shape, as graphs and presets show it."""

from __future__ import annotations

from typing import Any

from apps.credentials.types import MASK
from apps.webhooks.models import Webhook
from apps.webhooks.services import webhook_ingress_url


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": str(webhook.id),
        "user_id": str(webhook.user_id),
        "provider": webhook.provider,
        "credentials_id": webhook.credentials_id,
        "webhook_type": webhook.webhook_type,
        "resource": webhook.resource,
        "events": list(webhook.events),
        "config": webhook.config,
        # The signing key stays on the server: shown masked, as every secret is.
        "secret": MASK,
        "provider_webhook_id": webhook.provider_webhook_id,
        "url": webhook_ingress_url(provider=webhook.provider, webhook_id=webhook.id),
    }
