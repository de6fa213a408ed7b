"""Pinging a webhook: the provider is asked to send a ping delivery, and we wait for it to arrive."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from apps.accounts.models import User
from apps.core.redis import get_redis
from apps.credentials.selectors import credentials_get
from apps.webhooks.deliveries import ping_key
from apps.webhooks.exceptions import WebhookNotFoundError, WebhookPingTimeoutError
from apps.webhooks.models import Webhook
from apps.webhooks.providers import webhook_provider


def webhook_ping(*, user: User, webhook_id: Any) -> bool:
    """True once the ping arrived; False if the provider cannot ping; a timeout past the wait."""
    webhook = Webhook.objects.filter(pk=webhook_id, user=user).first()
    manager = webhook_provider(webhook.provider) if webhook else None
    if webhook is None or manager is None:
        raise WebhookNotFoundError(webhook_id)
    credentials = (
        credentials_get(user=user, credentials_id=webhook.credentials_id, provider=webhook.provider)
        if webhook.credentials_id
        else None
    )
    redis = get_redis()
    redis.delete(ping_key(webhook.id))
    if not manager.ping(webhook=webhook, credentials=credentials):
        return False
    deadline = time.monotonic() + settings.WEBHOOK_PING_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if redis.get(ping_key(webhook.id)):
            return True
        time.sleep(0.1)
    raise WebhookPingTimeoutError()
