"""What every `/external-api/v1` route shares.

A route is one `ExternalApiView` subclass naming the permission it needs:

    class GraphListApi(ExternalApiView):
        required_permission = APIKeyPermission.READ_GRAPH

        def get(self, request): ...   # request.user: the key's owner; request.auth: the APIKey
"""

from __future__ import annotations

from typing import ClassVar

from rest_framework.views import APIView

from apps.api_keys.authentication import ApiKeyAuthentication
from apps.api_keys.permissions import HasApiKeyPermission
from apps.core.ratelimit import ApiKeyRateLimit


class ExternalApiView(APIView):
    # An API key alone: a browser session or a bearer token gets no access here.
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyPermission]
    throttle_classes = [ApiKeyRateLimit]
    required_permission: ClassVar[str]
