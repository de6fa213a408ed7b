"""Validating query strings and bodies with serializers, as strictly as upstream's models.

Two of DRF's leniencies are not upstream's (pydantic 2) and not what our schema says:

- an empty query parameter (`?transaction_type=`) counts as left out; here it is a 422 unless
  the field allows blanks: leave the parameter out instead;
- in a JSON body, a string field takes a number or a boolean (`"comments": 0` becomes `"0"`), a
  boolean field 0 and 1, an id field a number; here each takes only its own JSON type.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import serializers
from rest_framework.request import Request

from apps.core.api.errors import RequestValidationError

NOT_A_STRING = "Must be a string."
NOT_A_BOOLEAN = "Must be true or false."
EMPTY_PARAMETER = "Must not be empty: give a value or leave the parameter out."


def validate_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    empty = {
        name: [EMPTY_PARAMETER]
        for name, field in serializer.fields.items()
        if request.query_params.get(name) == "" and not getattr(field, "allow_blank", False)
    }
    if empty:
        raise RequestValidationError(empty, location="query")
    if not serializer.is_valid():
        raise RequestValidationError(serializer.errors, location="query")
    return dict(serializer.validated_data)


def validate_body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    # A form's values are all strings: only a JSON body says which type it means.
    mistyped = None if isinstance(request.data, QueryDict) else _mistyped(serializer, request.data)
    if mistyped:
        raise RequestValidationError(mistyped, location="body")
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _mistyped(field: Any, value: Any) -> Any:
    """Errors of string, id and boolean fields given another JSON type, shaped as DRF's (or None)."""
    errors: dict[Any, Any]
    if isinstance(field, serializers.ListSerializer | serializers.ListField) and isinstance(value, list):
        errors = {index: found for index, item in enumerate(value) if (found := _mistyped(field.child, item))}
        return errors or None
    if isinstance(field, serializers.DictField) and isinstance(value, dict):
        errors = {key: found for key, item in value.items() if (found := _mistyped(field.child, item))}
        return errors or None
    if isinstance(field, serializers.Serializer) and isinstance(value, dict):
        errors = {
            name: found
            for name, child in field.fields.items()
            if not child.read_only and name in value and (found := _mistyped(child, value[name]))
        }
        return errors or None
    if value is None:
        return None
    if isinstance(field, serializers.CharField | serializers.UUIDField) and not isinstance(value, str):
        return [NOT_A_STRING]
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return [NOT_A_BOOLEAN]
    return None
