"""Answers DRF's `Response` cannot give."""

from __future__ import annotations

from django.http import HttpResponse

# Its schema, for `extend_schema(responses=...)`.
JSON_NULL = {"type": "null"}


def json_null() -> HttpResponse:
    """A JSON `null`, as upstream answers "nothing" (DRF renders `Response(None)` as an empty body)."""
    return HttpResponse(b"null", content_type="application/json")
