"""Writes on files: storing one for a user (an upload, or a block's output) and deleting the expired."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import IO

import structlog
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.files.models import UserFile
from apps.files.sniffing import SNIFF_BYTES, safe_file_name, sniff_content_type

logger = structlog.get_logger(__name__)

_DELETE_BATCH = 500


def file_store(*, user: User | uuid.UUID | str, content: IO[bytes], name: str, expires_in_hours: int) -> UserFile:
    """Stores `content` as one of the user's files; its type is sniffed from its first bytes."""
    file_id = uuid.uuid4()
    safe_name = safe_file_name(name)
    content.seek(0)
    content_type = sniff_content_type(content.read(SNIFF_BYTES), name=safe_name)
    content.seek(0, 2)
    size = content.tell()
    content.seek(0)
    user_id = user.pk if isinstance(user, User) else user
    storage = storages["files"]
    stored_name = storage.save(f"uploads/users/{user_id}/{file_id}/{safe_name}", File(content, name=safe_name))
    now = timezone.now()
    try:
        return UserFile.objects.create(
            id=file_id,
            user_id=user_id,
            name=safe_name,
            content_type=content_type,
            size=size,
            storage_name=stored_name,
            created_at=now,
            expires_at=now + timedelta(hours=expires_in_hours),
        )
    except Exception:
        # Without its row nothing could ever find (or expire) the stored bytes.
        storage.delete(stored_name)
        raise


def files_delete_expired() -> int:
    """Deletes expired files, bytes first: a row whose bytes are gone reads as a missing file, never the reverse."""
    storage = storages["files"]
    deleted = 0
    while True:
        batch = list(
            UserFile.objects.filter(expires_at__lte=timezone.now()).values_list("pk", "storage_name")[:_DELETE_BATCH]
        )
        if not batch:
            return deleted
        for _, storage_name in batch:
            storage.delete(storage_name)
        with transaction.atomic():
            deleted += UserFile.objects.filter(pk__in=[pk for pk, _ in batch]).delete()[0]
        logger.info("files_expired_deleted", count=len(batch))
