"""Writes on webhooks: find or create one for a trigger, attach it to a graph's nodes, prune it when unused.

A trigger node of an active graph version holds a webhook; deactivating the
version (a newer one, another one made active, the graph deleted) lets it go, and
a webhook nothing holds any more is deleted, and removed at the provider after
the transaction commits. A manual webhook (the generic one) passes from version
to version of its graph, so the URL the user handed out keeps working.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.blocks.base import Block
from apps.blocks.registry import get_block
from apps.core.exceptions import ApplicationError
from apps.credentials.crypto import decrypt_json, encrypt_json
from apps.credentials.fields import credentials_fields
from apps.credentials.selectors import credentials_get
from apps.credentials.types import AnyCredentials
from apps.graphs.models import Graph, Node
from apps.library.models import AgentPreset
from apps.webhooks.exceptions import WebhookSetupError
from apps.webhooks.models import Webhook
from apps.webhooks.providers import webhook_provider

logger = structlog.get_logger(__name__)


def webhook_ingress_url(*, provider: str, webhook_id: Any) -> str:
    """Where the provider sends deliveries: the ingress route under `PLATFORM_BASE_URL`."""
    return f"{settings.PLATFORM_BASE_URL.rstrip('/')}/api/integrations/{provider}/webhooks/{webhook_id}/ingress"


def webhook_secret(webhook: Webhook) -> str:
    return str(decrypt_json(webhook.secret_encrypted))


def _credentials_for(user: User, block: Block, inputs: dict[str, Any]) -> AnyCredentials | None:
    name = next(iter(credentials_fields(block.Input)), None)
    reference = inputs.get(name) if name else None
    if not isinstance(reference, dict) or not reference.get("id"):
        return None
    assert block.webhook_config is not None
    try:
        return credentials_get(user=user, credentials_id=str(reference["id"]), provider=block.webhook_config.provider)
    except ApplicationError as error:
        raise WebhookSetupError(
            f"Cannot set up {block.webhook_config.provider} webhook without credentials: "
            f"credentials #{reference['id']} not found"
        ) from error


def _create(
    *,
    user: User,
    provider: str,
    webhook_type: str,
    events: list[str],
    resource: str = "",
    credentials: AnyCredentials | None = None,
) -> Webhook:
    if not settings.PLATFORM_BASE_URL:
        raise WebhookSetupError("PLATFORM_BASE_URL must be set to use Webhook functionality")
    webhook_id = uuid.uuid4()
    secret = secrets.token_hex(32)
    provider_webhook_id, config = "", {}
    manager = webhook_provider(provider)
    if credentials is not None and manager is not None:
        registration = manager.register(
            credentials=credentials,
            webhook_type=webhook_type,
            resource=resource,
            events=events,
            ingress_url=webhook_ingress_url(provider=provider, webhook_id=webhook_id),
            secret=secret,
        )
        provider_webhook_id, config = registration.provider_webhook_id, registration.config
    return Webhook.objects.create(
        id=webhook_id,
        user=user,
        provider=provider,
        credentials_id=credentials.id if credentials else "",
        webhook_type=webhook_type,
        resource=resource,
        events=events,
        config=config,
        secret_encrypted=encrypt_json(secret),
        provider_webhook_id=provider_webhook_id,
    )


def webhook_for_trigger(
    *, user: User, block: Block, inputs: dict[str, Any], graph_id: uuid.UUID | None = None, preset_id: Any = None
) -> Webhook | None:
    """The webhook a trigger with these inputs needs (found or made), or None while an input it needs is missing."""
    config = block.webhook_config
    if config is None:
        raise WebhookSetupError(f"Block #{block.id} is not a trigger")
    events = config.events(inputs)
    if events is None:
        return None
    if config.automatic:
        resource = config.resource(inputs)
        credentials = _credentials_for(user, block, inputs)
        if resource is None or credentials is None:
            return None
        existing = Webhook.objects.filter(
            user=user,
            provider=config.provider,
            credentials_id=credentials.id,
            webhook_type=config.webhook_type,
            resource=resource,
            events=events,
        ).first()
        return existing or _create(
            user=user,
            provider=config.provider,
            webhook_type=config.webhook_type,
            events=events,
            resource=resource,
            credentials=credentials,
        )
    holders = Webhook.objects.filter(user=user, provider=config.provider, webhook_type=config.webhook_type)
    if graph_id is not None:
        existing = holders.filter(triggered_nodes__graph__graph_id=graph_id).first()
    else:
        ids = AgentPreset.objects.filter(pk=preset_id, webhook_id__isnull=False).values_list("webhook_id", flat=True)
        existing = holders.filter(pk__in=list(ids)).first() if preset_id else None
    if existing is not None:
        if sorted(existing.events) != events:
            existing.events = events
            existing.save(update_fields=["events", "updated_at"])
        return existing
    return _create(user=user, provider=config.provider, webhook_type=config.webhook_type, events=events)


def webhooks_attach_graph(*, graph: Graph) -> None:
    """A version became active: each of its trigger nodes gets the webhook its inputs call for."""
    for node in Node.objects.filter(graph=graph):
        block = get_block(node.block_id)
        if block is None or block.webhook_config is None:
            continue
        webhook = webhook_for_trigger(user=graph.user, block=block, inputs=node.input_default, graph_id=graph.graph_id)
        if webhook is not None and node.webhook_id != webhook.id:
            Node.objects.filter(pk=node.pk).update(webhook=webhook)


def webhooks_detach_graphs(*, graphs: list[Graph]) -> None:
    """Versions stopped being active (or are about to be deleted): their nodes let their webhooks go."""
    nodes = Node.objects.filter(graph__in=graphs, webhook__isnull=False)
    webhook_ids = set(nodes.values_list("webhook_id", flat=True))
    nodes.update(webhook=None)
    for webhook in Webhook.objects.filter(pk__in=webhook_ids):
        webhook_prune_if_dangling(webhook=webhook)


def webhook_prune_if_dangling(*, webhook: Webhook) -> bool:
    """Deletes a webhook no node or preset holds; the provider's copy goes once the deletion is committed."""
    if (
        Node.objects.filter(webhook=webhook).exists()
        or AgentPreset.objects.filter(webhook_id=webhook.id, is_deleted=False).exists()
    ):
        return False
    _delete(webhook, credentials=None)
    return True


def webhooks_release_credentials(*, user: User, credentials: AnyCredentials) -> int:
    """The credentials are being deleted: the webhooks registered with them let go of their nodes and
    presets and are deleted, and removed at the provider after commit, with these credentials (by then
    they cannot be looked up any more)."""
    webhooks = list(Webhook.objects.filter(user=user, credentials_id=str(credentials.id)))
    for webhook in webhooks:
        Node.objects.filter(webhook=webhook).update(webhook=None)
        AgentPreset.objects.filter(webhook_id=webhook.id).update(webhook_id=None)
        _delete(webhook, credentials=credentials)
    return len(webhooks)


def _delete(webhook: Webhook, *, credentials: AnyCredentials | None) -> None:
    if webhook.provider_webhook_id and webhook.credentials_id:
        snapshot = Webhook(
            id=webhook.id,
            user_id=webhook.user_id,
            provider=webhook.provider,
            credentials_id=webhook.credentials_id,
            webhook_type=webhook.webhook_type,
            resource=webhook.resource,
            provider_webhook_id=webhook.provider_webhook_id,
        )
        transaction.on_commit(lambda: _deregister(snapshot, credentials))
    webhook.delete()


def _deregister(webhook: Webhook, credentials: AnyCredentials | None) -> None:
    manager = webhook_provider(webhook.provider)
    if manager is None:
        return
    try:
        if credentials is None:
            credentials = credentials_get(
                user=User.objects.get(pk=webhook.user_id),
                credentials_id=webhook.credentials_id,
                provider=webhook.provider,
            )
        manager.deregister(webhook=webhook, credentials=credentials)
    except (ApplicationError, User.DoesNotExist) as error:
        # The provider keeps sending to a URL that now answers 404; nothing here can fix that.
        logger.warning("webhook_deregister_failed", webhook_id=str(webhook.id), error=str(error))
