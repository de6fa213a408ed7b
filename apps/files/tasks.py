"""Celery tasks sent by beat: thin adapters, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="apps.files.tasks.delete_expired_files", acks_late=True)
def delete_expired_files() -> None:
    from apps.files.services import files_delete_expired

    files_delete_expired()
