"""File errors, rendered by the one exception handler."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError


class FileTooLargeError(ApplicationError):
    status_code = 413
    code = "FILE_TOO_LARGE"
    hint = "Upload a smaller file."


class FileUploadInvalidError(ApplicationError):
    code = "FILE_UPLOAD_INVALID"
    hint = "Send the file as the multipart form field `file`."
