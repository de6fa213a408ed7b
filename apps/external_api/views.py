from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api_keys.models import APIKeyPermission
from apps.blocks.api import views as blocks_views
from apps.external_api.base import ExternalApiView


class MeApi(ExternalApiView):
    required_permission = APIKeyPermission.IDENTITY

    class ExternalMeOutput(serializers.Serializer):
        id = serializers.UUIDField()
        name = serializers.CharField()
        email = serializers.EmailField()
        timezone = serializers.CharField()

    @extend_schema(responses=ExternalMeOutput)
    def get(self, request: Request) -> Response:
        return Response(self.ExternalMeOutput(request.user).data)


# The block routes are the /api ones, behind an API key instead of a bearer token.
class BlockListApi(ExternalApiView, blocks_views.BlockListApi):
    required_permission = APIKeyPermission.READ_BLOCK


class BlockExecuteApi(ExternalApiView, blocks_views.BlockExecuteApi):
    required_permission = APIKeyPermission.EXECUTE_BLOCK
