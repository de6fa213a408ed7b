from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="apps.accounts.tasks.flush_expired_tokens")
def flush_expired_tokens() -> None:
    """The refresh-token tables grow with every sign-in; drop what has expired."""
    call_command("flushexpiredtokens")
