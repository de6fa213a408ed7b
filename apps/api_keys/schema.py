"""OpenAPI description of the external API's authentication scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from apps.api_keys.authentication import API_KEY_HEADER_NAME


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api_keys.authentication.ApiKeyAuthentication"
    name = "APIKeyHeader"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER_NAME}
