"""The webhook providers, by name (the `{provider}` of the ingress URL)."""

from __future__ import annotations

from apps.webhooks.providers.base import WebhookProvider
from apps.webhooks.providers.generic import GenericWebhooks
from apps.webhooks.providers.github import GitHubWebhooks

PROVIDERS: dict[str, WebhookProvider] = {provider.name: provider for provider in (GenericWebhooks(), GitHubWebhooks())}


def webhook_provider(name: str) -> WebhookProvider | None:
    return PROVIDERS.get(name)
