"""Celery tasks sent by beat: thin adapters, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="apps.webhooks.tasks.prune_webhook_deliveries", acks_late=True)
def prune_webhook_deliveries() -> None:
    from apps.webhooks.deliveries import webhook_deliveries_prune

    webhook_deliveries_prune()
