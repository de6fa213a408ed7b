"""Our OpenAPI document's error answers: every operation lists the errors it can give.

Each error is the one exception handler's `{code, message, detail, hint}` (`apps.core.api.errors`);
which statuses an operation can answer follows from what it is, so they are added here rather than
by hand on every view:

- 401 where a caller must sign in (or hold an API key), 403 where only staff or a key with a
  permission may call;
- 404 where the path names something (an id that is not the caller's reads as missing);
- 422 where the caller sends parameters or a body (FastAPI's `{loc, msg, type}` list in `detail`),
  413 and 415 where a body is read (too large; not JSON or a form), 404 there too (a body names
  graphs, presets, users);
- 400 where something is changed (the change breaks a rule: a revoked key suspended, a graph
  whose links do not fit);
- 429 where a rate limit applies, 503 everywhere (the database or Redis unreachable).

Statuses particular to a view are listed on it, `documented_errors = {402: "why"}`. A view
declaring a status itself (`extend_schema(responses=...)`) keeps its own description.
Operations we share with upstream take upstream's operation ids.
"""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from apps.core.api.upstream import upstream_operation_id


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField(help_text="A stable name of the error, e.g. NOT_FOUND.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    detail = serializers.JSONField(help_text="The message, or structured details (upstream's `detail`).")
    hint = serializers.CharField(help_text="What to do about it.")


class ValidationItemOutput(serializers.Serializer):
    loc = serializers.ListField(child=serializers.JSONField(), help_text='Where: e.g. ["body", "graph", "name"].')
    msg = serializers.CharField()
    type = serializers.CharField()


class ValidationErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    detail = ValidationItemOutput(many=True)
    hint = serializers.CharField()


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
CHANGING_METHODS = BODY_METHODS | {"DELETE"}


class ErrorDocumentingSchema(AutoSchema):
    def get_operation_id(self) -> str:
        # Upstream's name for an operation we share with it, so clients generated from either
        # document call it the same; drf-spectacular's own for the rest.
        return upstream_operation_id(self.method, self.path) or super().get_operation_id()

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status, (description, serializer) in self._error_statuses().items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(serializer, str(status))
                responses[str(status)]["description"] = description
        return responses

    def _error_statuses(self) -> dict[int, tuple[str, type[serializers.Serializer]]]:
        view = self.view
        permissions = view.get_permissions()
        statuses: dict[int, tuple[str, type[serializers.Serializer]]] = {}
        if view.get_authenticators() and not all(isinstance(p, AllowAny) for p in permissions):
            statuses[401] = ("Not signed in: no token or API key, or one that does not verify.", ErrorOutput)
        if any(type(p).__name__ in ("IsAdmin", "HasApiKeyPermission") for p in permissions):
            statuses[403] = ("Not allowed: staff only, or the API key lacks the permission.", ErrorOutput)
        takes_body = self.method in BODY_METHODS
        if "{" in self.path or takes_body:
            statuses[404] = ("Nothing the caller may see has this id.", ErrorOutput)
        if self.method in CHANGING_METHODS:
            statuses[400] = ("The change breaks a rule: `message` says which.", ErrorOutput)
        if takes_body:
            statuses[413] = ("The body is too large.", ErrorOutput)
            statuses[415] = ("The body is neither JSON nor a form.", ErrorOutput)
        if takes_body or "{" in self.path or self._get_filter_parameters() or self._has_query_parameters():
            statuses[422] = ("The request does not validate: `detail` says where and why.", ValidationErrorOutput)
        if view.get_throttles():
            statuses[429] = ("Rate limited: retry after the time in the Retry-After header.", ErrorOutput)
        statuses[503] = ("The database or Redis is unreachable: retry after Retry-After.", ErrorOutput)
        for status, description in getattr(view, "documented_errors", {}).items():
            statuses[status] = (description, ErrorOutput)
        return statuses

    def _has_query_parameters(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self._get_parameters())
