"""Reading an upload's body without ever holding (or spooling) more than the file limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from apps.files.exceptions import FileTooLargeError


def file_too_large(size: int | None = None) -> FileTooLargeError:
    limit = settings.FILE_UPLOAD_MAX_BYTES
    seen = f" ({size} bytes)" if size is not None else ""
    return FileTooLargeError(f"File is too large{seen}; the limit is {limit} bytes.")


class FileSizeLimitHandler(FileUploadHandler):
    """Placed first among the upload handlers: stops the parse the moment a file passes the limit."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_BYTES:
            raise file_too_large()
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None
