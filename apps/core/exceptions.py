"""Domain errors. Each carries a stable `code` and an HTTP status; one handler renders them."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    hint = "Adjust the request and retry."

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: Any = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message or self.default_message()
        self.detail = self.message if detail is None else detail
        if hint is not None:
            self.hint = hint
        if code is not None:
            self.code = code
        super().__init__(self.message)

    def default_message(self) -> str:
        return "The request could not be processed."


class NotFoundError(ApplicationError):
    """Missing, or someone else's: the two are indistinguishable on purpose."""

    status_code = 404
    code = "NOT_FOUND"

    def default_message(self) -> str:
        return "Not found."


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = "FORBIDDEN"

    def default_message(self) -> str:
        return "You do not have permission to perform this action."


class ConflictError(ApplicationError):
    status_code = 409
    code = "CONFLICT"
