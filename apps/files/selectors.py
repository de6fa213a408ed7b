"""Reads on files. A file is only ever read for its owner: the user a run or a request belongs to."""

from __future__ import annotations

from django.utils import timezone

from apps.files.models import UserFile
from apps.files.uris import file_id_of


async def file_get_for_user(*, user_id: str, uri: str) -> UserFile | None:
    """The user's unexpired file the URI names; None when missing, expired or another user's (all look alike)."""
    file_id = file_id_of(uri)
    if file_id is None:
        return None
    return await UserFile.objects.filter(pk=file_id, user_id=user_id, expires_at__gt=timezone.now()).afirst()
