"""Files as blocks take them: one of the run owner's file URIs, a `data:` URI, or (where a block allows) a URL.

Every read is bounded by `FILE_UPLOAD_MAX_BYTES`, and a file URI is honoured only for
the file's owner: another user's URI reads as a file that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import storages

from apps.blocks import safe_http
from apps.files.selectors import file_get_for_user
from apps.files.services import file_store
from apps.files.sniffing import sniff_content_type
from apps.files.uris import file_uri, is_file_uri

_DATA_URI = re.compile(r"^data:(?P<type>[^;,]*)(?:;[^,]*)?;base64,(?P<data>.*)$", re.DOTALL)


@dataclass(frozen=True)
class MediaFile:
    name: str
    content_type: str
    content: bytes


def _too_large(size: int) -> ValueError:
    return ValueError(f"File is too large ({size} bytes; the limit is {settings.FILE_UPLOAD_MAX_BYTES} bytes)")


def _from_data_uri(value: str) -> MediaFile:
    match = _DATA_URI.match(value.strip())
    if match is None:
        raise ValueError("Invalid data URI: expected data:<type>;base64,<data>")
    data = re.sub(r"\s", "", match["data"])
    if len(data) * 3 // 4 > settings.FILE_UPLOAD_MAX_BYTES:
        raise _too_large(len(data) * 3 // 4)
    try:
        content = base64.b64decode(data, validate=True)
    except binascii.Error as error:
        raise ValueError("Invalid data URI: its data is not valid base64") from error
    return MediaFile(name="file", content_type=sniff_content_type(content[:8192]), content=content)


async def _from_file_uri(value: str, *, user_id: str) -> MediaFile:
    stored = await file_get_for_user(user_id=user_id, uri=value)
    if stored is None:
        raise ValueError(f"File {value} is not one of this run's owner's files, or it has expired; upload it again")

    def read() -> bytes:
        with storages["files"].open(stored.storage_name, "rb") as handle:
            return bytes(handle.read())

    try:
        content = await sync_to_async(read)()
    except FileNotFoundError as error:
        raise ValueError(f"File {value} has expired; upload it again") from error
    return MediaFile(name=stored.name, content_type=stored.content_type, content=content)


async def _from_url(value: str) -> MediaFile:
    response = await safe_http.fetch(
        "GET",
        value,
        timeout=settings.BLOCK_HTTP_TIMEOUT_SECONDS,
        max_bytes=settings.FILE_UPLOAD_MAX_BYTES,
        allow_private=settings.BLOCK_HTTP_ALLOW_PRIVATE_TARGETS,
    )
    if not 200 <= response.status_code < 300:
        raise ValueError(f"Downloading {value} failed: {response.status_code} {response.reason}")
    name = PurePosixPath(urlsplit(value).path).name or "download"
    return MediaFile(name=name, content_type=sniff_content_type(response.body[:8192], name=name), content=response.body)


async def media_file_read(value: str, *, user_id: str, allow_urls: bool = False) -> MediaFile:
    """The bytes a block's file input names, read on behalf of `user_id` (the run's owner)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("No file given")
    if is_file_uri(value):
        return await _from_file_uri(value, user_id=user_id)
    if value.startswith("data:"):
        return _from_data_uri(value)
    if allow_urls and value.startswith(("http://", "https://")):
        return await _from_url(value)
    accepted = "a file URI from /api/files/upload, a data URI" + (" or an http(s) URL" if allow_urls else "")
    raise ValueError(f"Unsupported file reference {value[:100]!r}: pass {accepted}")


async def media_file_keep(media: MediaFile, *, user_id: str) -> str:
    """Stores a block's file among the user's files (expiring as an upload does) and names it by its URI."""
    stored = await sync_to_async(file_store)(
        user=user_id,
        content=io.BytesIO(media.content),
        name=media.name,
        expires_in_hours=settings.FILE_EXPIRY_DEFAULT_HOURS,
    )
    return file_uri(file_id=stored.id, name=stored.name)


def data_uri(media: MediaFile) -> str:
    return f"data:{media.content_type};base64,{base64.b64encode(media.content).decode('ascii')}"
