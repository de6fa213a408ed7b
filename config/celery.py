"""The Celery app: JSON only, late acks, prefetch 1, time limits (see settings)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_block_catalog(**kwargs: object) -> None:
    """Loads every block before the pool forks, so no child's first node waits seconds for the model SDKs."""
    import django

    django.setup()  # idempotent; the registry imports models
    from apps.blocks.registry import all_blocks  # needs Django set up, hence here

    all_blocks()
