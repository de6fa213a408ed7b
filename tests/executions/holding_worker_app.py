"""The project's Celery app with the holding blocks registered: `celery -A tests.executions.holding_worker_app`."""

from __future__ import annotations

from celery.signals import worker_init

from config.celery import app

__all__ = ["app"]


@worker_init.connect
def register_holding_blocks(**kwargs: object) -> None:
    from tests.executions.holding_blocks import register  # needs Django set up: config.celery's handler ran first

    register()
