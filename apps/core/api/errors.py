"""The one exception handler: every error answers `{code, message, detail, hint}`.

Shapes follow AutoGPT's FastAPI backend: request-shape errors are 422 with a list
of `{loc, msg, type}` in `detail`; where upstream answers `{"detail": text}` that
text is both our `detail` and our `message`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from apps.core.exceptions import ApplicationError

SCHEMA_HINT = "Ensure the request matches the API schema."
RETRY_HINT = "Adjust the request and retry."
SERVER_HINT = "Check server logs and dependent services."
RATE_LIMITED_MESSAGE = "Rate limit exceeded. Please try again later."
NOT_AUTHENTICATED_MESSAGE = "Authorization header is missing"


class RequestValidationError(drf.ValidationError):
    """A validation error whose `loc` starts somewhere other than the body (e.g. "query", "path")."""

    def __init__(self, detail: Any, *, location: str) -> None:
        super().__init__(detail)
        self.location = location


def error_body(*, code: str, message: str, detail: Any = None, hint: str = RETRY_HINT) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": message if detail is None else detail, "hint": hint}


def validation_items(errors: Any, loc: list[Any]) -> list[dict[str, Any]]:
    """Flatten DRF's nested error structure into FastAPI-style `{loc, msg, type}` items."""
    if isinstance(errors, dict):
        items = []
        for key, value in errors.items():
            items += validation_items(value, loc if key in ("non_field_errors", "detail") else [*loc, key])
        return items
    if isinstance(errors, list):
        items = []
        for index, value in enumerate(errors):
            nested = isinstance(value, (dict, list))
            items += validation_items(value, [*loc, index] if nested else loc)
        return items
    error_type = getattr(errors, "code", "invalid")
    return [{"loc": loc, "msg": str(errors), "type": "missing" if error_type == "required" else error_type}]


def _render(exc: Exception, request: HttpRequest | None) -> tuple[int, dict[str, Any], dict[str, str]]:
    where = f"{request.method} {request.path}" if request is not None else "request"
    if isinstance(exc, ApplicationError):
        return exc.status_code, error_body(code=exc.code, message=exc.message, detail=exc.detail, hint=exc.hint), {}
    if isinstance(exc, drf.ValidationError):
        location = getattr(exc, "location", "body")
        return (
            422,
            error_body(
                code="VALIDATION_ERROR",
                message=f"Invalid data for {where}",
                detail=validation_items(exc.detail, [location]),
                hint=SCHEMA_HINT,
            ),
            {},
        )
    if isinstance(exc, drf.ParseError):
        return (
            422,
            error_body(
                code="VALIDATION_ERROR",
                message=f"Invalid data for {where}",
                detail=[{"loc": ["body"], "msg": str(exc.detail), "type": "json_invalid"}],
                hint="Send a valid JSON document as the request body.",
            ),
            {},
        )
    if isinstance(exc, drf.UnsupportedMediaType):
        return (
            415,
            error_body(
                code="UNSUPPORTED_MEDIA_TYPE",
                message=f"{exc.detail} Send the body as application/json.",
                hint="Set the Content-Type header to application/json.",
            ),
            {},
        )
    if isinstance(exc, drf.NotAuthenticated):
        return (
            401,
            error_body(code="UNAUTHENTICATED", message=NOT_AUTHENTICATED_MESSAGE),
            {"WWW-Authenticate": "Bearer"},
        )
    if isinstance(exc, drf.AuthenticationFailed):
        # DRF sets `auth_header` from the view's first authentication class (Bearer or API key).
        challenge = getattr(exc, "auth_header", None) or "Bearer"
        return 401, error_body(code="UNAUTHENTICATED", message=str(exc.detail)), {"WWW-Authenticate": challenge}
    if isinstance(exc, drf.Throttled):
        headers = {"Retry-After": str(int(getattr(exc, "wait", None) or 1))}
        return 429, error_body(code="RATE_LIMITED", message=RATE_LIMITED_MESSAGE, hint="Wait and retry."), headers
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        message = str(getattr(exc, "detail", "") or exc) or "You do not have permission to perform this action."
        return 403, error_body(code="FORBIDDEN", message=message), {}
    if isinstance(exc, (drf.NotFound, Http404)):
        return 404, error_body(code="NOT_FOUND", message="Not found."), {}
    if isinstance(exc, drf.MethodNotAllowed):
        return 405, error_body(code="METHOD_NOT_ALLOWED", message=str(exc.detail)), {}
    if isinstance(exc, RequestDataTooBig):
        return 413, error_body(code="PAYLOAD_TOO_LARGE", message=str(exc) or "Request body is too large."), {}
    if isinstance(exc, drf.APIException):
        return exc.status_code, error_body(code=str(exc.default_code).upper(), message=str(exc.detail)), {}
    raise exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    try:
        status, body, headers = _render(exc, request._request if request is not None else None)
    except Exception:  # noqa: BLE001 - not ours to render: let Django's 500 handling take it
        return None
    set_rollback()
    return Response(body, status=status, headers=headers)


def json_error(request: HttpRequest, exc: Exception) -> JsonResponse:
    """Render an exception raised outside DRF (middleware, plain views) in the same shape."""
    status, body, headers = _render(exc, request)
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def server_error_body(request: HttpRequest) -> dict[str, Any]:
    return error_body(
        code="INTERNAL_ERROR",
        message=f"Failed to process {request.method} {request.path}",
        detail="Internal server error.",
        hint=SERVER_HINT,
    )
