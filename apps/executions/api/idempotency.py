"""The `Idempotency-Key` header of execution starts (here and on the external API)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes
from rest_framework.request import Request

from apps.core.api.errors import RequestValidationError

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The same key from the same user within 24 h returns the run it first started.",
)


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 255:
        raise RequestValidationError({"Idempotency-Key": ["At most 255 characters."]}, location="header")
    return key or None
