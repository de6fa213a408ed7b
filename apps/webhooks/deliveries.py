"""A delivery arriving at a webhook: checked, recorded once, and turned into runs.

The delivery row and the runs it starts commit together, and the row is unique
per (webhook, delivery id): a provider repeating a delivery, even concurrently,
finds the row there and starts nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.blocks.registry import get_block
from apps.core.exceptions import ApplicationError
from apps.core.redis import get_redis
from apps.executions.services import execution_start
from apps.graphs.models import Node
from apps.graphs.selectors import graph_get_for_user
from apps.library.models import AgentPreset
from apps.webhooks.exceptions import WebhookNotFoundError, WebhookPayloadTooLargeError
from apps.webhooks.models import Webhook, WebhookDelivery
from apps.webhooks.providers import webhook_provider
from apps.webhooks.providers.base import Delivery
from apps.webhooks.services import webhook_secret

logger = structlog.get_logger(__name__)

PING_EVENT = "ping"


def ping_key(webhook_id: Any) -> str:
    return f"agpt:webhooks:ping:{webhook_id}"


def _active_trigger_nodes(webhook: Webhook) -> list[Node]:
    return list(Node.objects.filter(webhook=webhook, graph__is_active=True).select_related("graph"))


def _trigger_presets(webhook: Webhook) -> list[AgentPreset]:
    return list(AgentPreset.objects.filter(webhook_id=webhook.id, is_deleted=False, is_active=True))


def webhook_receive(*, provider: str, webhook_id: Any, request: HttpRequest) -> WebhookDelivery | None:
    """Checks and records one delivery and starts its runs; None when it repeats an earlier delivery."""
    manager = webhook_provider(provider)
    webhook = Webhook.objects.filter(pk=webhook_id, provider=provider).select_related("user").first()
    if manager is None or webhook is None:
        raise WebhookNotFoundError(webhook_id)
    length = len(request.body)
    if length > settings.WEBHOOK_MAX_BODY_BYTES:
        raise WebhookPayloadTooLargeError(
            f"Webhook payload is too large ({length} bytes; the limit is {settings.WEBHOOK_MAX_BODY_BYTES})."
        )
    nodes, presets = _active_trigger_nodes(webhook), _trigger_presets(webhook)
    delivery = manager.receive(
        webhook=webhook,
        secret=webhook_secret(webhook),
        request=request,
        trigger_inputs=[node.input_default for node in nodes] + [preset.inputs for preset in presets],
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = WebhookDelivery.objects.create(
                    webhook=webhook,
                    delivery_id=delivery.delivery_id,
                    event_type=delivery.event_type[:255],
                    payload=delivery.payload,
                )
        except IntegrityError:
            logger.info("webhook_delivery_repeated", webhook_id=str(webhook.id), delivery_id=delivery.delivery_id)
            return None
        record.runs_started = _start_node_runs(webhook, nodes, delivery) + _start_preset_runs(
            webhook, presets, delivery
        )
        record.save(update_fields=["runs_started"])
    if delivery.event_type == PING_EVENT:
        get_redis().set(ping_key(webhook.id), "1", ex=60)
    return record


def _start(webhook: Webhook, **run: Any) -> int:
    """Starts one run; a run that cannot start (no credits, graph invalid now) is logged and skipped, not the rest."""
    try:
        execution_start(user=webhook.user, **run)
    except ApplicationError as error:
        logger.warning("webhook_run_not_started", webhook_id=str(webhook.id), code=error.code, error=error.message)
        return 0
    return 1


def _start_node_runs(webhook: Webhook, nodes: list[Node], delivery: Delivery) -> int:
    started = 0
    for node in nodes:
        block = get_block(node.block_id)
        if block is None or block.webhook_config is None:
            continue
        if not block.webhook_config.is_triggered_by(node.input_default, delivery.event_type):
            continue
        started += _start(
            webhook, graph=node.graph, inputs={}, nodes_input_masks={str(node.id): {"payload": delivery.payload}}
        )
    return started


def _start_preset_runs(webhook: Webhook, presets: list[AgentPreset], delivery: Delivery) -> int:
    started = 0
    for preset in presets:
        try:
            graph = graph_get_for_user(user=webhook.user, graph_id=preset.graph_id, version=preset.graph_version)
        except ApplicationError:
            continue
        trigger = next(
            (
                node
                for node in graph.nodes.all()
                if (block := get_block(node.block_id)) is not None and block.webhook_config is not None
            ),
            None,
        )
        block = get_block(trigger.block_id) if trigger else None
        if trigger is None or block is None or block.webhook_config is None:
            continue
        if not block.webhook_config.is_triggered_by(preset.inputs, delivery.event_type):
            continue
        started += _start(
            webhook,
            graph=graph,
            inputs={},
            credentials_inputs=preset.credentials_inputs,
            nodes_input_masks={str(trigger.id): {**preset.inputs, "payload": delivery.payload}},
            preset_id=preset.id,
        )
    return started


def webhook_deliveries_prune() -> int:
    """Forgets deliveries past the retention: past it, a repeated delivery id would start runs again."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
